//! Any bytes as a saved model; a model that reads scores a few rows
//! (plainsight::core::fuzzing::saved_model).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = plainsight::core::fuzzing::saved_model(data);
});
