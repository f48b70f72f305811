//! Cleaning of referential codes and identifiers from Chorus extracts, plus accent/case folding.

/// Placeholders meaning "no value", already folded (see [`fold`]).
const PLACEHOLDERS: &[&str] = &[
    "#",
    "-",
    "N/A",
    "NON AFFECTE",
    "SANS OBJET",
    "(SANS OBJET)",
    "NON RENSEIGNE",
    "NOT ASSIGNED",
];

/// Iterator yielding the folded form of a string (see [`fold`]) without allocating.
struct Fold<'a> {
    chars: std::str::Chars<'a>,
    buf: [char; 4],
    len: u8,
    pos: u8,
    started: bool,
    space_pending: bool,
}

impl<'a> Fold<'a> {
    fn new(s: &'a str) -> Self {
        Fold {
            chars: s.chars(),
            buf: ['\0'; 4],
            len: 0,
            pos: 0,
            started: false,
            space_pending: false,
        }
    }

    fn push(&mut self, c: char) {
        // At most 1 space + 3 chars (the longest uppercase expansion) are pushed per input char.
        if let Some(slot) = self.buf.get_mut(usize::from(self.len)) {
            *slot = c;
            self.len += 1;
        }
    }
}

impl Iterator for Fold<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        if self.pos < self.len {
            let c = self.buf[usize::from(self.pos)];
            self.pos += 1;
            return Some(c);
        }
        loop {
            let c = self.chars.next()?;
            if c.is_whitespace() {
                self.space_pending = self.started;
                continue;
            }
            self.len = 0;
            self.pos = 0;
            if self.space_pending {
                self.space_pending = false;
                self.push(' ');
            }
            self.started = true;
            if c.is_ascii() {
                self.push(c.to_ascii_uppercase());
            } else if let Some(folded) = fold_latin(c) {
                for f in folded.chars() {
                    self.push(f);
                }
            } else {
                for u in c.to_uppercase() {
                    self.push(u);
                }
            }
            // `len >= 1` here: a non-whitespace char was pushed.
            self.pos = 1;
            return Some(self.buf[0]);
        }
    }
}

/// Uppercase, diacritic-free replacement of Latin-1 Supplement / Latin Extended-A letters and
/// of typographic apostrophes.
fn fold_latin(c: char) -> Option<&'static str> {
    let s = match c {
        'À'..='Å' | 'à'..='å' | 'Ā'..='ą' => "A",
        'Æ' | 'æ' => "AE",
        'Ç' | 'ç' | 'Ć'..='č' => "C",
        'È'..='Ë' | 'è'..='ë' | 'Ē'..='ě' => "E",
        'Ì'..='Ï' | 'ì'..='ï' | 'Ĩ'..='ı' => "I",
        'Ð' | 'ð' | 'Ď'..='đ' => "D",
        'Ñ' | 'ñ' | 'Ń'..='ŋ' => "N",
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' | 'Ō'..='ő' => "O",
        'Ù'..='Ü' | 'ù'..='ü' | 'Ũ'..='ų' => "U",
        'Ý' | 'ý' | 'ÿ' | 'Ŷ'..='Ÿ' => "Y",
        'Þ' | 'þ' => "TH",
        'ß' => "SS",
        'Ĝ'..='ģ' => "G",
        'Ĥ'..='ħ' => "H",
        'Ĳ' | 'ĳ' => "IJ",
        'Ĵ' | 'ĵ' => "J",
        'Ķ'..='ĸ' => "K",
        'Ĺ'..='ł' => "L",
        'Œ' | 'œ' => "OE",
        'Ŕ'..='ř' => "R",
        'Ś'..='š' | 'ſ' => "S",
        'Ţ'..='ŧ' => "T",
        'Ŵ' | 'ŵ' => "W",
        'Ź'..='ž' => "Z",
        '\u{2018}' | '\u{2019}' | '\u{02BC}' => "'",
        _ => return None,
    };
    Some(s)
}

/// Accent- and case-folding for keyword matching: uppercase, remove the diacritics of
/// Latin-1 / Latin Extended-A letters (`É`→`E`, `ç`→`C`, `œ`→`OE`, `æ`→`AE`, `ß`→`SS`),
/// map typographic apostrophes (`’`) to `'`, collapse whitespace runs (including no-break
/// spaces) to one ASCII space and trim.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    out.extend(Fold::new(s));
    out
}

/// True when `fold(s) == folded`, without allocating. `folded` must already be folded.
pub(crate) fn folded_eq(s: &str, folded: &str) -> bool {
    Fold::new(s).eq(folded.chars())
}

/// True when `s` is one of the "no value" placeholders (case- and accent-insensitive).
pub(crate) fn is_placeholder(s: &str) -> bool {
    // Runs on every code of every row: most codes are rejected on their first byte.
    let first = s.as_bytes().first().copied().unwrap_or(b'#');
    if s.len() > 16 || !matches!(first, b'#' | b'-' | b'(' | b'N' | b'n' | b'S' | b's') {
        return false;
    }
    PLACEHOLDERS.iter().any(|p| folded_eq(s, p))
}

/// Removes a Chorus referential prefix: 2 to 5 ASCII uppercase letters or digits, starting
/// with a letter, followed by `/` (`BG00/`, `PCE/`).
pub(crate) fn strip_referential_prefix(s: &str) -> &str {
    let b = s.as_bytes();
    let Some(slash) = b.iter().take(6).position(|&c| c == b'/') else {
        return s;
    };
    let prefix = &b[..slash];
    if (2..=5).contains(&slash)
        && prefix[0].is_ascii_uppercase()
        && prefix
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        // The prefix and the slash are ASCII, so `slash + 1` is a char boundary.
        &s[slash + 1..]
    } else {
        s
    }
}

/// Borrowing version of [`clean_code`].
pub(crate) fn clean_code_str(s: &str) -> Option<&str> {
    let t = strip_referential_prefix(s.trim()).trim();
    if t.is_empty() || is_placeholder(t) {
        None
    } else {
        Some(t)
    }
}

/// Removes a float-conversion artefact: `"174.0"` → `"174"` (digits, then `.` or `,`, then
/// only zeros). Anything else is returned unchanged.
pub(crate) fn strip_zero_fraction(s: &str) -> &str {
    match s.split_once(['.', ',']) {
        Some((int, frac))
            if !int.is_empty()
                && !frac.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b == b'0') =>
        {
            int
        }
        _ => s,
    }
}

fn is_all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn left_pad_zeros(digits: &str, width: usize) -> String {
    let pad = width.saturating_sub(digits.len());
    let mut out = String::with_capacity(pad + digits.len());
    out.extend(std::iter::repeat_n('0', pad));
    out.push_str(digits);
    out
}

/// Trims, strips a Chorus referential prefix (`BG00/DREETS0035` → `DREETS0035`,
/// `PCE/6522800000` → `6522800000`; 2 to 5 ASCII uppercase letters/digits starting with a
/// letter, then `/`), and maps placeholders to `None`: empty, `#`, `-`, `N/A`,
/// `Non affecté`, `Sans objet`, `(Sans objet)`, `Non renseigné`, `Not assigned`
/// (case- and accent-insensitive). `NA` is kept: it may be a real code.
pub fn clean_code(s: &str) -> Option<String> {
    clean_code_str(s).map(str::to_owned)
}

/// Programme code: digits are left-padded with zeros to 4 (`174` → `0174`, `174.0` → `0174`;
/// extra leading zeros beyond 4 digits are removed: `00174` → `0174`). Non-numeric codes
/// are returned cleaned as-is.
pub fn normalize_programme(s: &str) -> Option<compact_str::CompactString> {
    let c = clean_code_str(s)?;
    let d = strip_zero_fraction(c);
    if !is_all_digits(d) {
        return Some(c.into());
    }
    let extra_zeros = d
        .bytes()
        .take(d.len().saturating_sub(4))
        .take_while(|&b| b == b'0')
        .count();
    // Leading ASCII zeros are single bytes, so this is a char boundary.
    let digits = &d[extra_zeros..];
    let mut out = compact_str::CompactString::default();
    out.extend(std::iter::repeat_n(
        '0',
        4usize.saturating_sub(digits.len()),
    ));
    out.push_str(digits);
    Some(out)
}

/// Numeric identifier possibly damaged by Excel/float conversion: `2103105755.0` →
/// `2103105755`, `1.0` → `1`; with `Some(width)`, digit-only identifiers shorter than
/// `width` are left-padded with zeros (`212692`, `Some(9)` → `000212692`). Otherwise same as
/// [`clean_code`].
pub fn normalize_identifier(s: &str, width: Option<usize>) -> Option<String> {
    let c = clean_code_str(s)?;
    let d = strip_zero_fraction(c);
    if !is_all_digits(d) {
        return Some(c.to_owned());
    }
    Some(match width {
        Some(w) => left_pad_zeros(d, w),
        None => d.to_owned(),
    })
}

/// True when `code` (e.g. domaine fonctionnel `0174-06-01`) equals `prefix` (`0174-06`) or
/// extends it at a `-` boundary (`0174-06-01` matches `0174-06` but `0174-061` does not).
/// A prefix ending with `-` matches codes extending it. An empty prefix matches nothing.
pub fn hierarchical_match(code: &str, prefix: &str) -> bool {
    if prefix.is_empty() {
        return false;
    }
    match code.strip_prefix(prefix) {
        Some(rest) => rest.is_empty() || prefix.ends_with('-') || rest.starts_with('-'),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cleans_codes() {
        let cases: &[(&str, Option<&str>)] = &[
            ("BG00/DREETS0035", Some("DREETS0035")),
            ("PCE/6522800000", Some("6522800000")),
            ("  BG00/ DREETS0035 ", Some("DREETS0035")),
            ("DREETS0035", Some("DREETS0035")),
            ("0174-06-01", Some("0174-06-01")),
            ("AB/CD/EF", Some("CD/EF")),
            ("ABCDEF/X", Some("ABCDEF/X")),
            ("A/X", Some("A/X")),
            ("12/2021", Some("12/2021")),
            ("bg00/X", Some("bg00/X")),
            ("NA", Some("NA")),
            ("n/a x", Some("n/a x")),
            ("BG00/N/A", None),
            ("BG00/", None),
            ("", None),
            ("   ", None),
            ("#", None),
            ("-", None),
            ("N/A", None),
            ("n/a", None),
            ("Non affecté", None),
            ("NON AFFECTÉ", None),
            ("Non affecte", None),
            ("non  affecté", None),
            ("Sans objet", None),
            ("(Sans objet)", None),
            ("Non renseigné", None),
            ("Not assigned", None),
            ("\u{a0}Non\u{a0}affecté\u{a0}", None),
        ];
        for (input, expected) in cases {
            assert_eq!(clean_code(input).as_deref(), *expected, "input {input:?}");
        }
    }

    #[test]
    fn normalizes_programmes() {
        let cases: &[(&str, Option<&str>)] = &[
            ("174", Some("0174")),
            ("0174", Some("0174")),
            ("174.0", Some("0174")),
            ("174,0", Some("0174")),
            ("00174", Some("0174")),
            ("1", Some("0001")),
            ("12345", Some("12345")),
            ("XXX", Some("XXX")),
            ("174.5", Some("174.5")),
            (" BG00/174 ", Some("0174")),
            ("#", None),
            ("", None),
        ];
        for (input, expected) in cases {
            assert_eq!(
                normalize_programme(input).as_deref(),
                *expected,
                "input {input:?}"
            );
        }
    }

    #[test]
    fn normalizes_identifiers() {
        let cases: &[(&str, Option<usize>, Option<&str>)] = &[
            ("2103105755.0", None, Some("2103105755")),
            ("1.0", None, Some("1")),
            ("1.00", None, Some("1")),
            ("212692", Some(9), Some("000212692")),
            ("212692.0", Some(9), Some("000212692")),
            ("1234567890", Some(9), Some("1234567890")),
            ("0012", None, Some("0012")),
            ("1.5", Some(9), Some("1.5")),
            (".0", None, Some(".0")),
            ("1.", None, Some("1.")),
            ("ABC", Some(9), Some("ABC")),
            ("PCE/6522800000", Some(10), Some("6522800000")),
            ("Non affecté", Some(9), None),
        ];
        for (input, width, expected) in cases {
            assert_eq!(
                normalize_identifier(input, *width).as_deref(),
                *expected,
                "input {input:?} width {width:?}"
            );
        }
    }

    #[test]
    fn folds() {
        let cases: &[(&str, &str)] = &[
            ("Rémunérations d'activité", "REMUNERATIONS D'ACTIVITE"),
            ("Rémunérations d’activité", "REMUNERATIONS D'ACTIVITE"),
            ("  Dépenses   de\tfonction ", "DEPENSES DE FONCTION"),
            ("Transferts aux ménag", "TRANSFERTS AUX MENAG"),
            ("Œuvre cœur", "OEUVRE COEUR"),
            ("Æsir æ", "AESIR AE"),
            ("Straße", "STRASSE"),
            ("ÇA ça", "CA CA"),
            ("àâäéèêëîïôöùûüÿñ", "AAAEEEEIIOOUUUYN"),
            ("ĀčĎęĞĦİĲĵĶŁŇŐŒŘŠŤŮŴŶŸŽſ", "ACDEGHIIJJKLNOOERSTUWYYZS"),
            ("a\u{a0}b\u{202f}c", "A B C"),
            ("", ""),
            ("   ", ""),
            ("x × ÷", "X × ÷"),
            ("straße ﬁ", "STRASSE FI"),
        ];
        for (input, expected) in cases {
            assert_eq!(fold(input), *expected, "input {input:?}");
            assert!(folded_eq(input, expected), "input {input:?}");
        }
    }

    #[test]
    fn matches_hierarchically() {
        let cases: &[(&str, &str, bool)] = &[
            ("0174-06-01", "0174-06", true),
            ("0174-06", "0174-06", true),
            ("0174-06-01", "0174", true),
            ("0174-06-01", "0174-", true),
            ("0174-061", "0174-06", false),
            ("0174", "0174-06", false),
            ("0175-06", "0174", false),
            ("01740", "0174", false),
            ("0174-06", "", false),
        ];
        for (code, prefix, expected) in cases {
            assert_eq!(
                hierarchical_match(code, prefix),
                *expected,
                "{code:?} {prefix:?}"
            );
        }
    }

    proptest! {
        #[test]
        fn never_panic(s in any::<String>(), w in 0usize..20) {
            let _ = clean_code(&s);
            let _ = normalize_programme(&s);
            let _ = normalize_identifier(&s, Some(w));
            let f = fold(&s);
            prop_assert!(folded_eq(&s, &f));
            prop_assert_eq!(fold(&f), f.clone());
            let _ = hierarchical_match(&s, &f);
        }
    }
}
