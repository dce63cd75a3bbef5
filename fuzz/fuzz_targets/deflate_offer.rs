#![no_main]
#![allow(dead_code)] // each target uses one of the shared checks
//! Fuzz target: see `checks::deflate_offer`.

include!("../checks.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| deflate_offer(data));
