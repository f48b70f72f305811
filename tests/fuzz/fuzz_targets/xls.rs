//! The workbook reader (calamine behind `ingest::guard`) on any bytes, seeded with the
//! XLS fixtures: a damaged file must be read or refused, never crash the process (a
//! panic escaping the guard, an allocation past libFuzzer's limit, a hang).
#![no_main]

use chorus_recon::ingest::xlsx::{Container, container, read_sheets};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let wanted = Container::Compound;
    if container(data) != Some(wanted) {
        return;
    }
    if let Ok(sheets) = read_sheets(data.to_vec()) {
        for sheet in &sheets {
            for i in 0..sheet.height() {
                let _ = sheet.record(i);
            }
        }
    }
});
