//! Parsing of dates and years from Chorus extracts (text cells and Excel serial numbers).

use chrono::{Datelike, Days, NaiveDate};

use crate::model::code::folded_eq;

/// Error raised when a non-placeholder text cannot be read as a calendar date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Unknown format, invalid time, or nonexistent calendar date (e.g. 31/02).
    #[error("date illisible : « {0} »")]
    Invalid(String),
}

/// Maximum number of characters of the offending text quoted in an error message.
const MAX_QUOTED_CHARS: usize = 80;

fn invalid(t: &str) -> DateError {
    let quoted = match t.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((idx, _)) => format!("{}…", &t[..idx]),
        None => t.to_owned(),
    };
    DateError::Invalid(quoted)
}

/// Textual placeholders meaning "no date", already folded (see `code::fold`). All-zero
/// dates (`00.00.0000`, `00000000`, `0000-00-00`, ...) are recognised separately.
const PLACEHOLDERS: &[&str] = &["#", "-", "N/A", "NON AFFECTE"];

/// Parses a date, returning `Ok(None)` for placeholders.
///
/// Placeholders (trimmed, case- and accent-insensitive): empty, `#`, `-`, `N/A`,
/// `Non affecté`, and any all-zero date (`00.00.0000`, `00000000`, `0000-00-00`, possibly
/// followed by a time).
///
/// Formats: `dd.mm.yyyy`, `dd/mm/yyyy`, `dd-mm-yyyy` (1- or 2-digit day and month, same
/// separator twice), `yyyy-mm-dd` (also with `/` or `.`), `yyyymmdd`; optionally followed by
/// a time after spaces or `T`: `HH:MM`, `HH:MM:SS`, fractional seconds (`.fff` or `,fff`),
/// then optionally `Z` or an offset `±HH:MM` / `±HHMM`. The time is validated then ignored.
pub fn parse_date(s: &str) -> Result<Option<NaiveDate>, DateError> {
    let t = s.trim();
    let Some(&first) = t.as_bytes().first() else {
        return Ok(None);
    };
    if !first.is_ascii_digit() {
        return if PLACEHOLDERS.iter().any(|p| folded_eq(t, p)) {
            Ok(None)
        } else {
            Err(invalid(t))
        };
    }
    let Some((y, m, d)) = parse_parts(t.as_bytes()) else {
        return Err(invalid(t));
    };
    if y == 0 && m == 0 && d == 0 {
        return Ok(None);
    }
    // `y` has at most 4 digits, so the cast cannot overflow.
    NaiveDate::from_ymd_opt(y as i32, m, d)
        .map(Some)
        .ok_or_else(|| invalid(t))
}

/// Byte cursor over an ASCII date/time string.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// Reads a run of digits whose length must be within `min..=max`.
    fn number(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.i;
        let mut v: u32 = 0;
        while let Some(c) = self.peek().filter(u8::is_ascii_digit) {
            if self.i - start >= max {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
            self.i += 1;
        }
        (self.i - start >= min).then_some(v)
    }

    /// Reads exactly `n` digits.
    fn fixed(&mut self, n: usize) -> Option<u32> {
        let digits = self.b.get(self.i..self.i + n)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.i += n;
        Some(
            digits
                .iter()
                .fold(0, |acc, &c| acc * 10 + u32::from(c - b'0')),
        )
    }

    fn at_end(&self) -> bool {
        self.i >= self.b.len()
    }
}

/// Returns (year, month, day) without calendar validation, or None on syntax error.
fn parse_parts(b: &[u8]) -> Option<(u32, u32, u32)> {
    let run = b.iter().take_while(|c| c.is_ascii_digit()).count();
    let mut cur = Cursor { b, i: 0 };
    let (y, m, d) = match run {
        8 => {
            let y = cur.fixed(4)?;
            let m = cur.fixed(2)?;
            let d = cur.fixed(2)?;
            (y, m, d)
        }
        4 => {
            let y = cur.number(4, 4)?;
            let sep = cur.peek().filter(|c| matches!(c, b'-' | b'/' | b'.'))?;
            cur.i += 1;
            let m = cur.number(1, 2)?;
            if !cur.eat(sep) {
                return None;
            }
            let d = cur.number(1, 2)?;
            (y, m, d)
        }
        1 | 2 => {
            let d = cur.number(1, 2)?;
            let sep = cur.peek().filter(|c| matches!(c, b'.' | b'/' | b'-'))?;
            cur.i += 1;
            let m = cur.number(1, 2)?;
            if !cur.eat(sep) {
                return None;
            }
            let y = cur.number(4, 4)?;
            (y, m, d)
        }
        _ => return None,
    };
    if cur.at_end() || parse_time(&mut cur) {
        Some((y, m, d))
    } else {
        None
    }
}

/// Validates an optional time suffix (after the date); true when the rest is a valid time.
fn parse_time(cur: &mut Cursor<'_>) -> bool {
    if !cur.eat(b'T') {
        let start = cur.i;
        while cur.eat(b' ') || cur.eat(b'\t') {}
        if cur.i == start {
            return false;
        }
    }
    let Some(h) = cur.number(1, 2) else {
        return false;
    };
    if !cur.eat(b':') {
        return false;
    }
    let Some(mi) = cur.number(2, 2) else {
        return false;
    };
    let mut sec = 0;
    if cur.eat(b':') {
        let Some(s) = cur.number(2, 2) else {
            return false;
        };
        sec = s;
        if (cur.eat(b'.') || cur.eat(b',')) && cur.number(1, 9).is_none() {
            return false;
        }
    }
    if h > 23 || mi > 59 || sec > 60 {
        return false;
    }
    if cur.eat(b'Z') || cur.at_end() {
        return cur.at_end();
    }
    // Numeric UTC offset.
    if cur.eat(b'+') || cur.eat(b'-') {
        let Some(oh) = cur.fixed(2) else {
            return false;
        };
        cur.eat(b':');
        let Some(om) = cur.fixed(2) else {
            return false;
        };
        return oh <= 23 && om <= 59 && cur.at_end();
    }
    false
}

/// Serial numbers are floored after adding this margin (in days, about 0.4 ms) so that a
/// midnight stored as `44197.99999999999` (float noise) gives the next day.
const SERIAL_EPSILON: f64 = 5e-9;

/// Converts an Excel serial date number to a date; the fractional part (time) is ignored.
///
/// 1900 system: serial 1 = 1900-01-01, serial 60 is Lotus' fake 1900-02-29 (returns `None`),
/// serial 61 = 1900-03-01, serial 44197 = 2021-01-01; serials below 1 give `None`.
/// 1904 system: serial 0 = 1904-01-01; negative serials give `None`.
/// Non-finite values and dates after 9999-12-31 give `None`.
pub fn date_from_excel_serial(serial: f64, is_1904: bool) -> Option<NaiveDate> {
    if !serial.is_finite() {
        return None;
    }
    let days = (serial + SERIAL_EPSILON).floor();
    // Excel's last date, 9999-12-31, is serial 2958465 (1900 system).
    if !(0.0..=3_000_000.0).contains(&days) {
        return None;
    }
    // Checked range above: the cast is exact.
    let days = days as u64;
    let (base, offset) = if is_1904 {
        (NaiveDate::from_ymd_opt(1904, 1, 1)?, days)
    } else {
        match days {
            0 | 60 => return None,
            1..=59 => (NaiveDate::from_ymd_opt(1899, 12, 31)?, days),
            _ => (NaiveDate::from_ymd_opt(1899, 12, 30)?, days),
        }
    };
    base.checked_add_days(Days::new(offset))
        .filter(|d| d.year() <= 9999)
}

/// Parses a year: exactly 4 digits in 1900..=2200 after trimming, optionally followed by a
/// zero fraction from float conversion (`2021.0`, `2021,00`). Anything else gives `None`.
pub fn parse_year(s: &str) -> Option<i32> {
    let t = s.trim();
    let digits = match t.split_once(['.', ',']) {
        Some((int, frac)) if !frac.is_empty() && frac.bytes().all(|b| b == b'0') => int,
        Some(_) => return None,
        None => t,
    };
    let b = digits.as_bytes();
    if b.len() != 4 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let y = b
        .iter()
        .fold(0i32, |acc, &c| acc * 10 + i32::from(c - b'0'));
    (1900..=2200).contains(&y).then_some(y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn parses_valid_dates() {
        let cases: &[(&str, (i32, u32, u32))] = &[
            // Real-world strings.
            ("10.01.2023", (2023, 1, 10)),
            ("08/08/2024", (2024, 8, 8)),
            ("2024-09-26", (2024, 9, 26)),
            ("29.01.2022 11:47:31", (2022, 1, 29)),
            ("01.01.1970", (1970, 1, 1)),
            // Separators and orders.
            ("10-01-2023", (2023, 1, 10)),
            ("20240926", (2024, 9, 26)),
            ("2024/09/26", (2024, 9, 26)),
            ("2024.09.26", (2024, 9, 26)),
            ("2024-9-6", (2024, 9, 6)),
            ("1/2/2021", (2021, 2, 1)),
            ("1.2.2021", (2021, 2, 1)),
            ("01/2/2021", (2021, 2, 1)),
            ("29/02/2024", (2024, 2, 29)),
            ("31.12.9999", (9999, 12, 31)),
            ("  10.01.2023  ", (2023, 1, 10)),
            // Times.
            ("10.01.2023 11:47", (2023, 1, 10)),
            ("10.01.2023 9:05", (2023, 1, 10)),
            ("10.01.2023  23:59:59", (2023, 1, 10)),
            ("2024-09-26T11:47:31", (2024, 9, 26)),
            ("2024-09-26T11:47:31Z", (2024, 9, 26)),
            ("2024-09-26T11:47:31.123Z", (2024, 9, 26)),
            ("2024-09-26 00:00:00.000", (2024, 9, 26)),
            ("2024-09-26T11:47:31,5", (2024, 9, 26)),
            ("2024-09-26T11:47:31+02:00", (2024, 9, 26)),
            ("2024-09-26T11:47-0130", (2024, 9, 26)),
            ("2024-09-26T11:47Z", (2024, 9, 26)),
            ("20240926 11:47:31", (2024, 9, 26)),
        ];
        for (input, (y, m, d)) in cases {
            assert_eq!(
                parse_date(input),
                Ok(Some(ymd(*y, *m, *d))),
                "input {input:?}"
            );
        }
    }

    #[test]
    fn recognises_placeholders() {
        let cases: &[&str] = &[
            "",
            "   ",
            "#",
            " # ",
            "-",
            "00.00.0000",
            "00/00/0000",
            "00000000",
            "0000-00-00",
            "0000-00-00 00:00:00",
            "N/A",
            "n/a",
            "Non affecté",
            "NON AFFECTÉ",
            "non affecte",
        ];
        for input in cases {
            assert_eq!(parse_date(input), Ok(None), "input {input:?}");
        }
    }

    #[test]
    fn rejects_invalid_dates() {
        let cases: &[&str] = &[
            "31/02/2021",
            "29/02/2023",
            "32.01.2023",
            "00.01.2023",
            "10.00.2023",
            "10.13.2023",
            "2023-02-30",
            "20230230",
            "10.01.23",
            "10.01.20234",
            "10.01-2023",
            "10/01.2023",
            "100.01.2023",
            "2024-09-26-",
            "2024-09",
            "2024",
            "202409261",
            "2024926",
            "10.01.2023 25:00",
            "10.01.2023 11:60",
            "10.01.2023 11:47:61",
            "10.01.2023 11",
            "10.01.2023 11:4",
            "10.01.2023T",
            "20240926T114731",
            "10.01.2023x",
            "2024-09-26T11:47:31.",
            "2024-09-26T11:47:31ZZ",
            "2024-09-26T11:47:31+2",
            "10.01.2023 11:47 foo",
            "0000-00-01",
            "abc",
            "N/A/",
            "\u{0661}0.01.2023",
            "１0.01.2023",
        ];
        for input in cases {
            assert_eq!(
                parse_date(input),
                Err(DateError::Invalid(input.trim().to_owned())),
                "input {input:?}"
            );
        }
        assert_eq!(
            parse_date("31/02/2021").unwrap_err().to_string(),
            "date illisible : « 31/02/2021 »"
        );
    }

    type SerialCase = (f64, bool, Option<(i32, u32, u32)>);

    #[test]
    fn converts_excel_serials() {
        let cases: &[SerialCase] = &[
            (1.0, false, Some((1900, 1, 1))),
            (59.0, false, Some((1900, 2, 28))),
            (60.0, false, None),
            (61.0, false, Some((1900, 3, 1))),
            (44197.0, false, Some((2021, 1, 1))),
            (44197.75, false, Some((2021, 1, 1))),
            (44_197.999_999_999, false, Some((2021, 1, 2))),
            (44_197.999_99, false, Some((2021, 1, 1))),
            (45561.0, false, Some((2024, 9, 26))),
            (2_958_465.0, false, Some((9999, 12, 31))),
            (2_958_466.0, false, None),
            (0.0, false, None),
            (0.5, false, None),
            (-1.0, false, None),
            (0.0, true, Some((1904, 1, 1))),
            (0.5, true, Some((1904, 1, 1))),
            (42735.0, true, Some((2021, 1, 1))),
            (-1.0, true, None),
            (-0.5, true, None),
            (2_957_003.0, true, Some((9999, 12, 31))),
            (2_957_004.0, true, None),
            (f64::NAN, false, None),
            (f64::INFINITY, true, None),
            (1e300, false, None),
        ];
        for (serial, is_1904, expected) in cases {
            assert_eq!(
                date_from_excel_serial(*serial, *is_1904),
                expected.map(|(y, m, d)| ymd(y, m, d)),
                "serial {serial} 1904={is_1904}"
            );
        }
    }

    #[test]
    fn parses_years() {
        let cases: &[(&str, Option<i32>)] = &[
            ("2021", Some(2021)),
            (" 2021 ", Some(2021)),
            ("2021.0", Some(2021)),
            ("2021,00", Some(2021)),
            ("1900", Some(1900)),
            ("2200", Some(2200)),
            ("1899", None),
            ("2201", None),
            ("GFFF", None),
            ("", None),
            ("21", None),
            ("02021", None),
            ("2021.5", None),
            ("2021.", None),
            ("+202", None),
            ("2021-01", None),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_year(input), *expected, "input {input:?}");
        }
    }

    /// Excel serial number of a date (the inverse of `date_from_excel_serial`).
    fn serial_of(date: NaiveDate, is_1904: bool) -> i64 {
        if is_1904 {
            (date - ymd(1904, 1, 1)).num_days()
        } else if date < ymd(1900, 3, 1) {
            (date - ymd(1899, 12, 31)).num_days()
        } else {
            (date - ymd(1899, 12, 30)).num_days()
        }
    }

    fn date_strategy(min_year: i32) -> impl Strategy<Value = NaiveDate> {
        let min = ymd(min_year, 1, 1).num_days_from_ce();
        let max = ymd(9999, 12, 31).num_days_from_ce();
        (min..=max).prop_map(|n| NaiveDate::from_num_days_from_ce_opt(n).unwrap())
    }

    proptest! {
        #[test]
        fn parse_date_never_panics(s in any::<String>()) {
            let _ = parse_date(&s);
            let _ = parse_year(&s);
        }

        #[test]
        fn parse_date_never_panics_on_date_like(s in "[0-9./: T:Z+-]{0,24}") {
            let _ = parse_date(&s);
        }

        #[test]
        fn formatted_dates_round_trip(date in date_strategy(1000)) {
            for fmt in ["%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%Y%m%d", "%-d/%-m/%Y", "%d.%m.%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S"] {
                let text = date.and_hms_opt(13, 7, 59).unwrap().format(fmt).to_string();
                prop_assert_eq!(parse_date(&text), Ok(Some(date)), "{}", text);
            }
        }

        #[test]
        fn excel_serials_round_trip(date in date_strategy(1900), frac in 0.0f64..0.999, is_1904 in any::<bool>()) {
            prop_assume!(!is_1904 || date >= ymd(1904, 1, 1));
            let serial = serial_of(date, is_1904) as f64;
            prop_assert_eq!(date_from_excel_serial(serial, is_1904), Some(date));
            prop_assert_eq!(date_from_excel_serial(serial + frac, is_1904), Some(date));
        }

        #[test]
        fn excel_serial_never_panics(f in any::<f64>(), is_1904 in any::<bool>()) {
            let _ = date_from_excel_serial(f, is_1904);
        }
    }
}
