use super::*;

fn split(line: &str, d: Dialect) -> Vec<String> {
    let mut scratch = Vec::new();
    let mut ends = Vec::new();
    assert_eq!(
        split_fields(line.as_bytes(), d, &mut scratch, &mut ends),
        Split::Complete
    );
    let mut start = 0;
    ends.iter()
        .map(|&e| {
            let e = e as usize;
            let s = String::from_utf8(scratch[start..e].to_vec()).unwrap();
            start = e;
            s
        })
        .collect()
}

const STD_COMMA: Dialect = Dialect {
    separator: b',',
    quote_all: false,
};
const QUOTE_ALL: Dialect = Dialect {
    separator: b';',
    quote_all: true,
};

#[test]
fn standard_dialect_cases() {
    let cases: [(&str, &[&str]); 7] = [
        ("a,b,c", &["a", "b", "c"]),
        ("a,,c,", &["a", "", "c", ""]),
        (
            r#"354,"Réglementation générale,",ADCSDAT075"#,
            &["354", "Réglementation générale,", "ADCSDAT075"],
        ),
        (r#"N53,"22500,12""#, &["N53", "22500,12"]),
        (r#""say ""hi""",x"#, &[r#"say "hi""#, "x"]),
        ("", &[""]),
        (r#"a,"b"#, &["a", "b"]), // never reached: open quote handled by the reader
    ];
    for (line, expected) in cases.iter().take(6) {
        assert_eq!(split(line, STD_COMMA), *expected, "{line}");
    }
    let mut s = Vec::new();
    let mut e = Vec::new();
    assert_eq!(
        split_fields(cases[6].0.as_bytes(), STD_COMMA, &mut s, &mut e),
        Split::OpenQuote { resume: 4 }
    );
}

#[test]
fn quote_all_dialect_keeps_unescaped_inner_quotes() {
    let line =
        r#""0354";"XXX ";P BBB"";"13000326200024";"AGENCE; NATIONALE "DES TITRES"";"";"ADCE""#;
    assert_eq!(
        split(line, QUOTE_ALL),
        [
            "0354",
            r#"XXX ";P BBB""#,
            "13000326200024",
            r#"AGENCE; NATIONALE "DES TITRES""#,
            "",
            "ADCE"
        ]
    );
    // Padded BEx preamble: unquoted empty fields between quoted ones.
    assert_eq!(
        split(r#";;"";"Montant payé""#, QUOTE_ALL),
        ["", "", "", "Montant payé"]
    );
    // RFC-escaped quotes in an all-quoted file.
    assert_eq!(
        split(r#""ACME ""X"" SA";"1""#, QUOTE_ALL),
        [r#"ACME "X" SA"#, "1"]
    );
}

#[test]
fn sniffs_separator_and_quoting() {
    let bex = "INF-BUD-53 : Pilotage,,,\nProgramme,Domaine fonctionnel,EUR\n103,0103-01,\"1,5\"\n";
    assert_eq!(sniff_dialect(bex.as_bytes()), STD_COMMA);
    let aife = "\"Centre financier - Programme (Clé)\";\"N° EJ\";\"Montant engagé (EUR)\"\r\n\"0354\";\"1\";\"2,5\"\r\n";
    assert_eq!(sniff_dialect(aife.as_bytes()), QUOTE_ALL);
    let daily = "eid_cible|bbp_po_id|fm_amount1\n1|2|3.5\n";
    assert_eq!(sniff_dialect(daily.as_bytes()).separator, b'|');
}

#[test]
fn reader_counts_physical_lines_and_joins_quoted_newlines() {
    let data = "h1,h2\r\n\"multi\nline\",2\r\nlast,3";
    let rows: Vec<RawRecord> = CsvRecords::new(data.as_bytes(), STD_COMMA, Encoding::Utf8, "t.csv")
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1].row, 2);
    assert_eq!(rows[1].display_fields(), ["multi\nline", "2"]);
    assert_eq!(rows[2].row, 4);
}

#[test]
fn reader_refuses_huge_lines_and_bad_utf8() {
    let huge = "a".repeat(MAX_RECORD_BYTES + 10);
    let err = CsvRecords::new(huge.as_bytes(), STD_COMMA, Encoding::Utf8, "big.csv")
        .next()
        .unwrap()
        .unwrap_err();
    assert!(err.to_string().contains("ligne de plus de 1 Mio"), "{err}");
    let bad: &[u8] = b"ok,fine\nbad,\xFF\n";
    let mut rows = CsvRecords::new(bad, STD_COMMA, Encoding::Utf8, "bad.csv");
    assert!(rows.next().unwrap().is_ok());
    let err = rows.next().unwrap().unwrap_err();
    assert_eq!((err.row, err.column.as_deref()), (Some(2), Some("n° 2")));
}
