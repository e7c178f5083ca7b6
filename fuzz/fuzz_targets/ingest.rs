//! Any bytes, as a .csv/.tsv/.json/.ndjson/.txt/.xlsx/.xls/.ods file pushed in chunks,
//! load or give an `IngestError` (plainsight::core::fuzzing::ingest).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = plainsight::core::fuzzing::ingest(data);
});
