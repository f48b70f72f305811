use super::*;
use proptest::prelude::*;
use std::str::FromStr;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[test]
fn parses_valid_amounts() {
    let cases: &[(&str, &str)] = &[
        // Real-world strings.
        ("22500,12", "22500.12"),
        ("15000", "15000"),
        ("138\u{a0}936\u{a0}678,56", "138936678.56"),
        ("200,0", "200"),
        ("0", "0"),
        ("12615940.52", "12615940.52"),
        ("1000.0", "1000"),
        ("-0.01", "-0.01"),
        ("1.234,56-", "-1234.56"),
        ("\u{2212}35\u{202f}899,73", "-35899.73"),
        ("1 234,56 €", "1234.56"),
        ("28,26", "28.26"),
        ("1 000,00", "1000"),
        ("-35 899,73", "-35899.73"),
        // Grouping separators.
        ("1\u{2009}234\u{2009}567,8", "1234567.8"),
        ("1'234'567.89", "1234567.89"),
        ("1\u{2019}234.5", "1234.5"),
        ("1,234.56", "1234.56"),
        ("1.234.567,89", "1234567.89"),
        ("1,234,567", "1234567"),
        ("1.234.567", "1234567"),
        ("999 999", "999999"),
        // Signs.
        ("+12,5", "12.5"),
        ("- 12,50", "-12.5"),
        ("\u{2012}3", "-3"),
        ("\u{2013}3", "-3"),
        ("\u{2014}3", "-3"),
        ("\u{2010}3,10", "-3.1"),
        ("35,00 -", "-35"),
        ("(12,50)", "-12.5"),
        ("( 12,50 )", "-12.5"),
        ("(12,50 €)", "-12.5"),
        ("(12,50) €", "-12.5"),
        ("-0,00", "0"),
        // Currency.
        ("€12", "12"),
        ("€ 12", "12"),
        ("12€", "12"),
        ("EUR 1 234,56", "1234.56"),
        ("1234,56EUR", "1234.56"),
        ("12 eur", "12"),
        ("-12 €", "-12"),
        ("€ -12", "-12"),
        ("12 € -", "-12"),
        // Decimals.
        ("1000.000", "1000"),
        ("1,000", "1"),
        ("0,10", "0.1"),
        (",5", "0.5"),
        ("12,3400000", "12.34"),
        ("007", "7"),
        ("  42  ", "42"),
        ("\u{a0}42\u{a0}", "42"),
        // Large values.
        ("999 999 999 999 999,99", "999999999999999.99"),
        ("999999999999999", "999999999999999"),
    ];
    for (input, expected) in cases {
        let got = parse_amount(input);
        assert_eq!(got, Ok(dec(expected)), "input {input:?}");
        let got = got.unwrap();
        assert_eq!(got.to_string(), got.normalize().to_string(), "{input:?}");
    }
    assert_eq!(parse_amount("200,0").unwrap().to_string(), "200");
    assert_eq!(parse_amount("-0,00").unwrap().to_string(), "0");
}

#[test]
fn rejects_invalid_amounts() {
    use AmountError as E;
    let q = |s: &str| s.to_owned();
    let cases: Vec<(&str, AmountError)> = vec![
        ("", E::Missing),
        ("   ", E::Missing),
        ("\u{a0}\t", E::Missing),
        ("12,3,4", E::BadGrouping(q("12,3,4"))),
        ("1,234,56", E::BadGrouping(q("1,234,56"))),
        ("1.23.456", E::BadGrouping(q("1.23.456"))),
        ("1 23", E::BadGrouping(q("1 23"))),
        ("1234 567", E::BadGrouping(q("1234 567"))),
        ("1  234", E::BadGrouping(q("1  234"))),
        (" 1 234 5678", E::BadGrouping(q("1 234 5678"))),
        ("1 234\u{a0}567", E::BadGrouping(q("1 234\u{a0}567"))),
        ("1,234 567.5", E::BadGrouping(q("1,234 567.5"))),
        ("1.234", E::TooManyDecimals(q("1.234"))),
        ("1,234", E::TooManyDecimals(q("1,234"))),
        ("0,001", E::TooManyDecimals(q("0,001"))),
        ("12,3401", E::TooManyDecimals(q("12,3401"))),
        ("1,234.56.7", E::Invalid(q("1,234.56.7"))),
        ("1.234,56,7", E::Invalid(q("1.234,56,7"))),
        ("12,", E::Invalid(q("12,"))),
        (",", E::Invalid(q(","))),
        ("-", E::Invalid(q("-"))),
        ("€", E::Invalid(q("€"))),
        ("EUR", E::Invalid(q("EUR"))),
        ("()", E::Invalid(q("()"))),
        ("(12", E::Invalid(q("(12"))),
        ("12)", E::Invalid(q("12)"))),
        ("€12€", E::Invalid(q("€12€"))),
        ("abc", E::Invalid(q("abc"))),
        ("12a", E::Invalid(q("12a"))),
        ("#", E::Invalid(q("#"))),
        ("1e5", E::Invalid(q("1e5"))),
        ("NaN", E::Invalid(q("NaN"))),
        ("inf", E::Invalid(q("inf"))),
        ("12 euros", E::Invalid(q("12 euros"))),
        ("1 234,5 6", E::Invalid(q("1 234,5 6"))),
        ("12+", E::Invalid(q("12+"))),
        ("--12", E::MultipleSigns(q("--12"))),
        ("+-12", E::MultipleSigns(q("+-12"))),
        ("-12-", E::MultipleSigns(q("-12-"))),
        ("(-12)", E::MultipleSigns(q("(-12)"))),
        ("-(12)", E::MultipleSigns(q("-(12)"))),
        (
            "100000000000000000000000000000",
            E::OutOfRange(q("100000000000000000000000000000")),
        ),
        (
            "79228162514264337593543950335",
            E::OutOfRange(q("79228162514264337593543950335")),
        ),
        (
            "999999999999999999999999999999999999999999",
            E::OutOfRange(q("999999999999999999999999999999999999999999")),
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(parse_amount(input), Err(expected), "input {input:?}");
    }
}

#[test]
fn error_messages_are_french() {
    assert_eq!(AmountError::Missing.to_string(), "montant absent");
    assert_eq!(
        parse_amount("12,3,4").unwrap_err().to_string(),
        "montant illisible (séparateurs de milliers mal placés) : « 12,3,4 »"
    );
    assert_eq!(
        parse_amount("1,234").unwrap_err().to_string(),
        "montant à plus de deux décimales : « 1,234 »"
    );
    assert_eq!(
        parse_amount(" 12x ").unwrap_err().to_string(),
        "montant illisible : « 12x »"
    );
    assert_eq!(
        amount_from_f64(0.001).unwrap_err().to_string(),
        "montant avec des fractions de centime : 0.001"
    );
    let long = "x".repeat(200);
    let msg = parse_amount(&long).unwrap_err().to_string();
    assert!(msg.chars().count() < 120, "{msg}");
    assert!(msg.ends_with("… »"), "{msg}");
}

#[test]
fn converts_floats() {
    let ok: &[(f64, &str)] = &[
        (0.0, "0"),
        (-0.0, "0"),
        (15000.0, "15000"),
        (22500.12, "22500.12"),
        (89_931.899_999_999_98, "89931.9"),
        (89_931.899_999_999_97, "89931.9"),
        (0.1 + 0.2, "0.3"),
        (-35899.73, "-35899.73"),
        (138936678.56, "138936678.56"),
        (-0.01, "-0.01"),
        (1e-7, "0"),
        (50_000_000_000.01, "50000000000.01"),
        (123_456_789_012.34, "123456789012.34"),
        (999_999_999_999.0, "999999999999"),
    ];
    for (f, expected) in ok {
        assert_eq!(amount_from_f64(*f), Ok(dec(expected)), "input {f:?}");
    }
    // Real-world XLSX value (the literal has more digits than an f64 holds).
    let f: f64 = "89931.899999999994".parse().unwrap();
    assert_eq!(amount_from_f64(f).unwrap().to_string(), "89931.9");
    let sub_cent: &[f64] = &[0.001, 12.345, -12.345, 0.005, 1.0001, 100.12345];
    for f in sub_cent {
        assert_eq!(
            amount_from_f64(*f),
            Err(AmountError::SubCent(f.to_string())),
            "input {f:?}"
        );
    }
    for f in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert!(matches!(amount_from_f64(f), Err(AmountError::NotFinite(_))));
    }
    assert!(matches!(
        amount_from_f64(1e30),
        Err(AmountError::OutOfRange(_))
    ));
    assert!(matches!(
        amount_from_f64(f64::MAX),
        Err(AmountError::OutOfRange(_))
    ));
}

/// French formatting: optional minus, integer part grouped by `sep`, comma, 2 decimals.
fn format_grouped(cents: i64, sep: &str, dec_sep: char) -> String {
    let neg = cents < 0;
    let abs = cents.unsigned_abs();
    let int = (abs / 100).to_string();
    let frac = abs % 100;
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let len = int.len();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out.push(dec_sep);
    out.push_str(&format!("{frac:02}"));
    out
}

proptest! {
    #[test]
    fn parse_amount_never_panics(s in any::<String>()) {
        let _ = parse_amount(&s);
    }

    #[test]
    fn parse_amount_never_panics_on_amount_like(s in "[-+()€EUR0-9,. \u{a0}\u{202f}'\u{2212}]{0,24}") {
        let _ = parse_amount(&s);
    }

    #[test]
    fn french_format_round_trips(
        cents in -100_000_000_000_000_000i64..=100_000_000_000_000_000i64,
        sep in prop::sample::select(vec![" ", "\u{a0}", "\u{202f}", "\u{2009}", "'", ""]),
    ) {
        let expected = Decimal::new(cents, 2).normalize();
        let text = format_grouped(cents, sep, ',');
        prop_assert_eq!(parse_amount(&text), Ok(expected));
        let text = format!("{text} €");
        prop_assert_eq!(parse_amount(&text), Ok(expected));
    }

    #[test]
    fn punctuation_grouping_round_trips(cents in -100_000_000_000_000_000i64..=100_000_000_000_000_000i64) {
        let expected = Decimal::new(cents, 2).normalize();
        prop_assert_eq!(parse_amount(&format_grouped(cents, ".", ',')), Ok(expected));
        prop_assert_eq!(parse_amount(&format_grouped(cents, ",", '.')), Ok(expected));
    }

    #[test]
    fn float_cents_round_trip(cents in -1_000_000_000_000i64..=1_000_000_000_000i64) {
        // Up to 10^10 euros: the nearest float to a decimal amount converts back exactly.
        let expected = Decimal::new(cents, 2).normalize();
        let f: f64 = expected.to_string().parse().unwrap();
        prop_assert_eq!(amount_from_f64(f), Ok(expected));
    }

    #[test]
    fn amount_from_f64_never_panics(f in any::<f64>()) {
        let _ = amount_from_f64(f);
    }
}
