//! The date parsers on any text and any Excel serial: a date, nothing or an error.
#![no_main]

use chorus_recon::normalize::date::{date_from_excel_serial, parse_date, parse_year};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_date(text);
        let _ = parse_year(text);
    }
    if data.len() >= 8 {
        let serial = f64::from_le_bytes(data[..8].try_into().unwrap());
        let _ = date_from_excel_serial(serial, false);
        let _ = date_from_excel_serial(serial, true);
    }
});
