//! Fingerprints as the reports show them: lowercase hexadecimal, one way for every file
//! (inputs, the convention); and the keys of lines, which finding keys are made of.
//!
//! A finding key must not change from month to month nor from one build of the tool to the
//! next (accountants justify findings by their key). So a line's key is hashed from bytes
//! written out here — each value tagged and length-prefixed, integers little-endian, an
//! amount as its normalised mantissa and scale — never through `std::hash::Hash`, whose
//! bytes are the standard library's and the crates' to change (a `str`'s terminator, an
//! enum's discriminant width, a date's internal representation).

use std::fmt::Write;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use xxhash_rust::xxh3::Xxh3;

/// A 128-bit XXH3 of values written out explicitly (see the module's doc): the same values
/// give the same key on every platform and with every version of the crates.
#[derive(Default, Clone)]
pub struct KeyHasher(Xxh3);

impl KeyHasher {
    pub fn new() -> KeyHasher {
        KeyHasher(Xxh3::new())
    }

    /// A small tag: a measure, a kind of key.
    pub fn tag(&mut self, tag: u8) -> &mut Self {
        self.0.update(&[tag]);
        self
    }

    pub fn int(&mut self, n: i64) -> &mut Self {
        self.0.update(&n.to_le_bytes());
        self
    }

    /// Text, length-prefixed: `("ab", "c")` and `("a", "bc")` differ.
    pub fn text(&mut self, s: &str) -> &mut Self {
        self.0.update(&(s.len() as u64).to_le_bytes());
        self.0.update(s.as_bytes());
        self
    }

    /// Optional text: absent and empty differ.
    pub fn opt_text(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.tag(1).text(s),
            None => self.tag(0),
        }
    }

    /// An amount, normalised: 12.50 and 12.5 are the same amount.
    pub fn amount(&mut self, a: Decimal) -> &mut Self {
        let a = a.normalize();
        self.0.update(&a.mantissa().to_le_bytes());
        self.0.update(&a.scale().to_le_bytes());
        self
    }

    pub fn date(&mut self, d: Option<NaiveDate>) -> &mut Self {
        match d {
            Some(d) => self.tag(1).int(i64::from(d.num_days_from_ce())),
            None => self.tag(0),
        }
    }

    pub fn finish(&self) -> u128 {
        self.0.digest128()
    }
}

/// `[0xab, 0x01]` -> `"ab01"`.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::KeyHasher;
    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    /// Pinned: a key is a contract (justifications name findings by it). If this fails,
    /// every finding key about a line changes: say so in the changelog.
    #[test]
    fn keys_are_pinned_bytes_not_the_standard_librarys_hash() {
        let key = KeyHasher::new()
            .tag(2)
            .int(2021)
            .text("0174-06")
            .opt_text(None)
            .amount(Decimal::new(125_000, 2))
            .date(NaiveDate::from_ymd_opt(2021, 3, 31))
            .finish();
        assert_eq!(format!("{key:032x}"), "589d591dfd3f8ee7c0ca2f2629c287ea");
    }

    #[test]
    fn equal_values_equal_keys_and_boundaries_matter() {
        let k = |f: &dyn Fn(&mut KeyHasher)| {
            let mut h = KeyHasher::new();
            f(&mut h);
            h.finish()
        };
        assert_eq!(
            k(&|h| {
                h.amount(Decimal::new(1250, 2));
            }),
            k(&|h| {
                h.amount(Decimal::new(125, 1));
            })
        );
        assert_ne!(
            k(&|h| {
                h.text("ab").text("c");
            }),
            k(&|h| {
                h.text("a").text("bc");
            })
        );
        assert_ne!(
            k(&|h| {
                h.opt_text(None);
            }),
            k(&|h| {
                h.opt_text(Some(""));
            })
        );
    }

    #[test]
    fn hex_is_lowercase_and_padded() {
        assert_eq!(super::hex(&[0xab, 0x01, 0x00]), "ab0100");
    }
}
