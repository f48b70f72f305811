//! Exact parsing of monetary amounts from Chorus extracts (CSV/text cells and XLSX numeric cells).
//!
//! Amounts are always returned as normalized [`Decimal`] values (no trailing zeros, no
//! negative zero). Floating point is only used by [`amount_from_f64`], for XLSX cells that
//! already hold a binary float.

use rust_decimal::Decimal;

/// Error raised when a text or float cell cannot be read as an exact amount in euros.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Empty or whitespace-only cell.
    #[error("montant absent")]
    Missing,
    /// Unexpected characters, misplaced separators, dangling sign or currency, etc.
    #[error("montant illisible : « {0} »")]
    Invalid(String),
    /// More than one sign indicator (`-`, `+`, trailing minus, parentheses).
    #[error("montant avec plusieurs signes : « {0} »")]
    MultipleSigns(String),
    /// Thousands separators that do not delimit groups of exactly three digits.
    #[error("montant illisible (séparateurs de milliers mal placés) : « {0} »")]
    BadGrouping(String),
    /// Non-zero digits beyond the cent.
    #[error("montant à plus de deux décimales : « {0} »")]
    TooManyDecimals(String),
    /// Too many digits to be represented exactly.
    #[error("montant hors limites : « {0} »")]
    OutOfRange(String),
    /// NaN or infinite float (XLSX numeric cell).
    #[error("montant non numérique : {0}")]
    NotFinite(String),
    /// Float (XLSX numeric cell) that is not a whole number of cents.
    #[error("montant avec des fractions de centime : {0}")]
    SubCent(String),
}

/// Maximum number of characters of the offending text quoted in an error message.
const MAX_QUOTED_CHARS: usize = 80;

/// Copy of the (trimmed) offending text for error messages, truncated on a char boundary.
fn quote(s: &str) -> String {
    let t = s.trim();
    match t.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((idx, _)) => {
            let mut q = String::with_capacity(idx + 3);
            q.push_str(&t[..idx]);
            q.push('…');
            q
        }
        None => t.to_owned(),
    }
}

/// Minus-like sign characters: ASCII hyphen-minus, U+2212 minus, U+2010..=U+2015 hyphens and
/// dashes (figure dash, en dash, em dash...), small and fullwidth hyphen-minus.
fn is_minus(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2212}' | '\u{2010}'..='\u{2015}' | '\u{FE63}' | '\u{FF0D}'
    )
}

/// Characters accepted as thousands separators in addition to the non-decimal punctuation:
/// space, no-break space, narrow no-break space, thin space, apostrophe and right single
/// quotation mark (Swiss style).
fn is_space_grouping(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{A0}' | '\u{202F}' | '\u{2009}' | '\'' | '\u{2019}'
    )
}

fn strip_currency_prefix(s: &str) -> Option<&str> {
    if let Some(r) = s.strip_prefix('€') {
        return Some(r);
    }
    let b = s.as_bytes();
    if b.len() >= 3 && b[..3].eq_ignore_ascii_case(b"EUR") {
        // The first three bytes are ASCII, so index 3 is a char boundary.
        return Some(&s[3..]);
    }
    None
}

fn strip_currency_suffix(s: &str) -> Option<&str> {
    if let Some(r) = s.strip_suffix('€') {
        return Some(r);
    }
    let b = s.as_bytes();
    if b.len() >= 3 && b[b.len() - 3..].eq_ignore_ascii_case(b"EUR") {
        // The last three bytes are ASCII, so this index is a char boundary.
        return Some(&s[..s.len() - 3]);
    }
    None
}

/// Failure of the digits/separators core, mapped to an [`AmountError`] by the caller.
enum CoreError {
    Invalid,
    Grouping,
    Decimals,
    Range,
}

/// Parses an amount written in any of the usual French, English or SAP styles.
///
/// Accepted (after trimming):
/// - digits with an optional decimal separator: `22500,12`, `12615940.52`, `15000`;
/// - thousands separators: space, U+00A0, U+202F, U+2009, apostrophe (`'` or `’`), or the
///   punctuation not used as decimal separator; they must delimit groups of exactly three
///   digits (the first group has 1 to 3 digits) and must all be the same character;
/// - when both `,` and `.` occur, the last one is the decimal separator; when only one kind
///   occurs, a single occurrence is a decimal separator and several occurrences are grouping;
/// - one sign: leading `+`/minus (`-`, U+2212, U+2010..=U+2015), trailing minus (SAP style
///   `1.234,56-`), or parentheses `(12,50)` for a negative amount;
/// - an optional currency marker `€` or `EUR` (any case) before or after the number.
///
/// More than two decimals is an error unless the extra digits are all zeros. The result is
/// normalized (`200,0` gives `200`, `-0` gives `0`).
pub fn parse_amount(s: &str) -> Result<Decimal, AmountError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(AmountError::Missing);
    }
    let mut marks = Marks::default();
    let rest = marks
        .strip_leading(t)
        .and_then(|rest| marks.strip_trailing(rest))
        .ok_or_else(|| AmountError::Invalid(quote(s)))?;
    if marks.signs > 1 {
        return Err(AmountError::MultipleSigns(quote(s)));
    }
    if marks.open_paren != marks.close_paren || rest.is_empty() {
        return Err(AmountError::Invalid(quote(s)));
    }

    let (mantissa, scale) = parse_core(rest).map_err(|e| match e {
        CoreError::Invalid => AmountError::Invalid(quote(s)),
        CoreError::Grouping => AmountError::BadGrouping(quote(s)),
        CoreError::Decimals => AmountError::TooManyDecimals(quote(s)),
        CoreError::Range => AmountError::OutOfRange(quote(s)),
    })?;
    let signed = if marks.negative { -mantissa } else { mantissa };
    Decimal::try_from_i128_with_scale(signed, scale)
        .ok()
        .filter(within_bounds)
        .map(|d| d.normalize())
        .ok_or_else(|| AmountError::OutOfRange(quote(s)))
}

/// The decorations found around an amount's digits: sign, currency, parentheses.
#[derive(Default)]
struct Marks {
    negative: bool,
    /// Sign indicators seen (more than one is an error).
    signs: u8,
    currency: bool,
    open_paren: bool,
    close_paren: bool,
}

impl Marks {
    /// Strips the leading decorations: currency, sign, opening parenthesis (any order,
    /// spaces allowed). `None` when a second currency marker is found.
    #[inline]
    fn strip_leading<'a>(&mut self, mut rest: &'a str) -> Option<&'a str> {
        loop {
            rest = rest.trim_start();
            if let Some(r) = strip_currency_prefix(rest) {
                if self.currency {
                    return None;
                }
                self.currency = true;
                rest = r;
                continue;
            }
            let mut chars = rest.chars();
            match chars.next() {
                Some(c) if c == '+' || is_minus(c) => {
                    self.signs = self.signs.saturating_add(1);
                    self.negative |= c != '+';
                    rest = chars.as_str();
                }
                Some('(') if !self.open_paren => {
                    self.open_paren = true;
                    self.signs = self.signs.saturating_add(1);
                    self.negative = true;
                    rest = chars.as_str();
                }
                _ => return Some(rest),
            }
        }
    }

    /// Strips the trailing decorations: currency, trailing minus, closing parenthesis.
    /// `None` when a second currency marker is found.
    #[inline]
    fn strip_trailing<'a>(&mut self, mut rest: &'a str) -> Option<&'a str> {
        loop {
            rest = rest.trim_end();
            if let Some(r) = strip_currency_suffix(rest) {
                if self.currency {
                    return None;
                }
                self.currency = true;
                rest = r;
                continue;
            }
            let mut chars = rest.chars();
            match chars.next_back() {
                Some(c) if is_minus(c) => {
                    self.signs = self.signs.saturating_add(1);
                    self.negative = true;
                    rest = chars.as_str();
                }
                Some(')') if !self.close_paren => {
                    self.close_paren = true;
                    rest = chars.as_str();
                }
                _ => return Some(rest),
            }
        }
    }
}

/// The largest amount a line may carry: 10^15 € is a thousand times the State's whole
/// budget, so anything above is a misread (digits run together), not money. It also keeps
/// every amount printable with its cents and parsable again.
pub const MAX_ABS: Decimal = Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0); // 10^15

fn within_bounds(d: &Decimal) -> bool {
    d.abs() < MAX_ABS
}

/// Parses the digits and separators (no sign, no currency). Returns mantissa and scale.
fn parse_core(core: &str) -> Result<(i128, u32), CoreError> {
    let (dec_pos, group_punct) = separators(core.as_bytes())?;
    // ',' and '.' are ASCII, so slicing around them is on char boundaries.
    let (int_part, frac_part) = match dec_pos {
        Some(p) => (&core[..p], Some(&core[p + 1..])),
        None => (core, None),
    };
    let mantissa = parse_integer(int_part, group_punct)?;
    match frac_part {
        Some(frac) => parse_fraction(frac, mantissa),
        None if int_part.is_empty() => Err(CoreError::Invalid),
        None => Ok((mantissa, 0)),
    }
}

/// The decimal separator's position and the punctuation used for grouping, from the
/// counts of `,` and `.`: when both occur, the last one is the decimal separator (and must
/// occur once); when only one kind occurs, once is a decimal separator, several times is
/// grouping.
#[inline]
fn separators(bytes: &[u8]) -> Result<(Option<usize>, Option<char>), CoreError> {
    let (mut n_comma, mut n_dot, mut last_comma, mut last_dot) = (0usize, 0usize, 0usize, 0usize);
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b',' => {
                n_comma += 1;
                last_comma = i;
            }
            b'.' => {
                n_dot += 1;
                last_dot = i;
            }
            _ => {}
        }
    }
    Ok(match (n_comma, n_dot) {
        (0, 0) => (None, None),
        (1, 0) => (Some(last_comma), None),
        (_, 0) => (None, Some(',')),
        (0, 1) => (Some(last_dot), None),
        (0, _) => (None, Some('.')),
        _ if last_comma > last_dot => {
            if n_comma != 1 {
                return Err(CoreError::Invalid);
            }
            (Some(last_comma), Some('.'))
        }
        _ => {
            if n_dot != 1 {
                return Err(CoreError::Invalid);
            }
            (Some(last_dot), Some(','))
        }
    })
}

/// Appends an ASCII digit to the mantissa, or `Range` when it would overflow.
#[inline]
fn push_digit(m: i128, d: u8) -> Result<i128, CoreError> {
    m.checked_mul(10)
        .and_then(|m| m.checked_add(i128::from(d - b'0')))
        .ok_or(CoreError::Range)
}

/// Reads the integer part: digits, optionally in groups of three after a first group of 1
/// to 3, all delimited by the same separator (a space-like one or `group_punct`).
#[inline]
fn parse_integer(int_part: &str, group_punct: Option<char>) -> Result<i128, CoreError> {
    let mut mantissa: i128 = 0;
    let mut group_sep: Option<char> = None;
    let mut group_len = 0usize;
    let mut first_group = true;
    for c in int_part.chars() {
        if c.is_ascii_digit() {
            mantissa = push_digit(mantissa, c as u8)?;
            group_len += 1;
        } else if is_space_grouping(c) || Some(c) == group_punct {
            match group_sep {
                None => group_sep = Some(c),
                Some(g) if g == c => {}
                Some(_) => return Err(CoreError::Grouping),
            }
            let ok = if first_group {
                (1..=3).contains(&group_len)
            } else {
                group_len == 3
            };
            if !ok {
                return Err(CoreError::Grouping);
            }
            first_group = false;
            group_len = 0;
        } else {
            return Err(CoreError::Invalid);
        }
    }
    if group_sep.is_some() && group_len != 3 {
        return Err(CoreError::Grouping);
    }
    Ok(mantissa)
}

/// Reads the fraction after the decimal separator onto `mantissa`: at least one digit, at
/// most two significant (extra digits must be zeros). Returns mantissa and scale.
#[inline]
fn parse_fraction(frac: &str, mut mantissa: i128) -> Result<(i128, u32), CoreError> {
    if frac.is_empty() {
        return Err(CoreError::Invalid);
    }
    let mut scale = 0u32;
    for (i, b) in frac.bytes().enumerate() {
        if !b.is_ascii_digit() {
            return Err(CoreError::Invalid);
        }
        if i < 2 {
            mantissa = push_digit(mantissa, b)?;
            scale += 1;
        } else if b != b'0' {
            return Err(CoreError::Decimals);
        }
    }
    Ok((mantissa, scale))
}

/// Half-width, in cents, of the float-noise window accepted around a whole number of cents
/// for small amounts: 1e-4 cent = 1e-6 euro.
const F64_NOISE_CENTS: f64 = 1e-4;

/// Converts an XLSX numeric cell to an exact amount rounded to the cent.
///
/// The float is scaled to cents and rounded half away from zero. The conversion is accepted
/// only if the float was a whole number of cents up to float noise: the distance between the
/// scaled value and its rounding must not exceed 1e-4 cent (1e-6 euro), widened to
/// `4 * f64::EPSILON * |cents|` for very large amounts (above about 10^10 euros the float
/// representation error itself exceeds 1e-6 euro), and capped at a quarter of a cent.
/// So `89931.899999999994` gives `89931.90`, while `0.001` or `12.345` are rejected.
pub fn amount_from_f64(f: f64) -> Result<Decimal, AmountError> {
    if !f.is_finite() {
        return Err(AmountError::NotFinite(f.to_string()));
    }
    let cents = f * 100.0;
    let rounded = cents.round();
    let tolerance = F64_NOISE_CENTS
        .max(4.0 * f64::EPSILON * cents.abs())
        .min(0.25);
    if (cents - rounded).abs() > tolerance {
        return Err(AmountError::SubCent(f.to_string()));
    }
    // Within MAX_ABS (10^15 €, 10^17 cents), the cast is exact.
    if rounded.abs() >= 1e17 {
        return Err(AmountError::OutOfRange(f.to_string()));
    }
    // `rounded` is an integer-valued float below 1e28, so the cast is exact.
    Decimal::try_from_i128_with_scale(rounded as i128, 2)
        .map(|d| d.normalize())
        .map_err(|_| AmountError::OutOfRange(f.to_string()))
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod bounds {
    use super::*;

    /// Regression (found by the amount fuzz target): 28 digits parsed, and printed back with
    /// their cents no longer fit a Decimal.
    #[test]
    fn absurd_magnitudes_are_refused() {
        assert_eq!(MAX_ABS, Decimal::from(1_000_000_000_000_000i64));
        assert!(matches!(
            parse_amount("0000098888888888888888888888"),
            Err(AmountError::OutOfRange(_))
        ));
        assert!(matches!(
            parse_amount("1 000 000 000 000 000,00"),
            Err(AmountError::OutOfRange(_))
        ));
        assert!(parse_amount("999 999 999 999 999,99").is_ok());
        assert!(matches!(
            amount_from_f64(1e15),
            Err(AmountError::OutOfRange(_))
        ));
        assert!(amount_from_f64(-999_999_999_999.99).is_ok());
    }
}

#[cfg(test)]
mod sign_overflow {
    use super::*;

    /// Regression (found by the amount fuzz target): 256 signs overflowed the sign counter,
    /// a panic in debug builds and a wrap to « one sign » in release builds.
    #[test]
    fn hundreds_of_signs_are_refused_not_counted_round() {
        let text = format!("{}12", "+".repeat(257));
        assert!(matches!(
            parse_amount(&text),
            Err(AmountError::MultipleSigns(_))
        ));
        let text = format!("12{}", "-".repeat(300));
        assert!(parse_amount(&text).is_err());
    }
}
