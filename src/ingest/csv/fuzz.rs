use super::*;
use proptest::prelude::*;

fn dialect() -> impl Strategy<Value = Dialect> {
    (
        prop::sample::select(vec![b';', b',', b'|', b'\t']),
        any::<bool>(),
    )
        .prop_map(|(separator, quote_all)| Dialect {
            separator,
            quote_all,
        })
}

/// Bytes rich in what the tokeniser cares about: quotes, separators, line ends.
fn csvish() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            Just(b'"'),
            Just(b';'),
            Just(b','),
            Just(b'\n'),
            Just(b'\r'),
            any::<u8>(),
            b'a'..=b'z'
        ],
        0..400,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: crate::fuzz_cases(500), ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_tokenise_without_panic(bytes in csvish(), d in dialect()) {
        for encoding in [Encoding::Utf8, Encoding::Windows1252] {
            let mut rows = 0u64;
            let mut last_row = 0;
            for record in CsvRecords::new(bytes.as_slice(), d, encoding, "fuzz.csv") {
                let Ok(record) = record else { break };
                prop_assert!(record.row > last_row, "row numbers increase");
                last_row = record.row;
                rows += 1;
            }
            let lines = bytes.iter().filter(|b| **b == b'\n').count() as u64 + 1;
            prop_assert!(rows <= lines);
        }
    }

    #[test]
    fn blocks_give_the_rows_read_one_by_one(
        bytes in csvish(),
        d in dialect(),
        target in 1usize..96,
        head in 0usize..4,
        block_lines in 1usize..6,
    ) {
        for encoding in [Encoding::Utf8, Encoding::Windows1252] {
            let one_by_one: Vec<Result<RawRecord, Option<u64>>> =
                CsvRecords::new(bytes.as_slice(), d, encoding, "f.csv")
                    .map(|r| r.map_err(|e| e.row))
                    .collect();
            // A few rows one by one (the header search), then blocks.
            let mut reader = CsvRecords::new(bytes.as_slice(), d, encoding, "f.csv")
                .with_block_lines(block_lines);
            let mut by_blocks: Vec<Result<RawRecord, Option<u64>>> = Vec::new();
            for _ in 0..head {
                match reader.next() {
                    Some(r) => by_blocks.push(r.map_err(|e| e.row)),
                    None => break,
                }
            }
            if !by_blocks.iter().any(Result::is_err) {
                let mut buffer = Vec::new();
                loop {
                    match reader.next_block(target, std::mem::take(&mut buffer)) {
                        Ok(Some(block)) => {
                            let lines = block.lines();
                            match block.records(d, encoding, "f.csv") {
                                Ok(rows) => {
                                    prop_assert!(rows.len() as u64 <= lines);
                                    by_blocks.extend(rows.into_iter().map(Ok));
                                }
                                Err(e) => {
                                    by_blocks.push(Err(e.row));
                                    break;
                                }
                            }
                            buffer = block.into_buffer();
                        }
                        Ok(None) => break,
                        Err(e) => {
                            by_blocks.push(Err(e.row));
                            break;
                        }
                    }
                }
            }
            // The same rows; or, when reading fails (which stops the run), the same
            // first error, the rows before it in its block being dropped.
            let error = |rows: &[Result<RawRecord, Option<u64>>]| rows.iter().find_map(|r| r.clone().err());
            prop_assert_eq!(error(&by_blocks), error(&one_by_one));
            let ok = |rows: &[Result<RawRecord, Option<u64>>]| -> Vec<RawRecord> {
                rows.iter().map_while(|r| r.clone().ok()).collect()
            };
            let (blocks_ok, single_ok) = (ok(&by_blocks), ok(&one_by_one));
            if error(&one_by_one).is_none() {
                prop_assert_eq!(blocks_ok, single_ok);
            } else {
                prop_assert!(single_ok.starts_with(&blocks_ok));
            }
        }
    }

    #[test]
    fn plain_fields_round_trip(fields in prop::collection::vec("[a-zA-Z0-9 éà€-]{0,12}", 1..20), d in dialect()) {
        let sep = d.separator as char;
        let quoted = d.quote_all;
        let line: String = fields
            .iter()
            .map(|f| if quoted { format!("\"{f}\"") } else { f.clone() })
            .collect::<Vec<_>>()
            .join(&sep.to_string());
        let mut scratch = Vec::new();
        let mut ends = Vec::new();
        prop_assert_eq!(split_fields(line.as_bytes(), d, &mut scratch, &mut ends), Split::Complete);
        let mut start = 0;
        let got: Vec<String> = ends.iter().map(|&e| {
            let e = e as usize;
            let s = String::from_utf8(scratch[start..e].to_vec()).unwrap();
            start = e;
            s
        }).collect();
        prop_assert_eq!(got, fields);
    }

    #[test]
    fn sniffing_any_sample_never_panics(bytes in csvish()) {
        let d = sniff_dialect(&bytes);
        prop_assert!(CANDIDATES.contains(&d.separator));
    }
}
