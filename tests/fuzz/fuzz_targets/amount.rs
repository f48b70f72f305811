//! The amount parser on any text: an exact decimal or an error, never a panic; what it
//! accepts, written back with two decimals, parses to the same value.
#![no_main]

use chorus_recon::normalize::amount::{amount_from_f64, parse_amount};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(value) = parse_amount(text) {
            let again = parse_amount(&format!("{value:.2}")).expect("a printed amount parses");
            assert_eq!(again, value);
        }
    }
    if data.len() >= 8 {
        let _ = amount_from_f64(f64::from_le_bytes(data[..8].try_into().unwrap()));
    }
});
