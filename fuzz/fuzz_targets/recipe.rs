//! Any text as a recipe; a recipe that parses runs on a fixed dataset
//! (plainsight::core::fuzzing::recipe).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = plainsight::core::fuzzing::recipe(data);
});
