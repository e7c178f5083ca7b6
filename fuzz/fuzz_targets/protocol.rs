//! Any bytes as a message between the page and the worker, both ways
//! (plainsight::protocol::fuzz_messages).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = plainsight::protocol::fuzz_messages(data);
});
