//! The CSV tokeniser on any bytes, in both dialects and both encodings.
#![no_main]

use chorus_recon::ingest::csv::{CsvRecords, Dialect};
use chorus_recon::ingest::encoding::Encoding;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&control, bytes)) = data.split_first() else { return };
    let dialect = Dialect {
        separator: [b';', b',', b'|', b'\t'][usize::from(control & 3)],
        quote_all: control & 4 != 0,
    };
    let encoding = if control & 8 != 0 { Encoding::Windows1252 } else { Encoding::Utf8 };
    for record in CsvRecords::new(bytes, dialect, encoding, "fuzz.csv") {
        if record.is_err() {
            break;
        }
    }
    let _ = chorus_recon::ingest::csv::sniff_dialect(bytes);
});
