//! A raw row as read from an input: its row number and its fields, before any typing.
//! CSV fields are always text; XLSX cells may be numbers, dates or error values.

/// One field of a raw row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Field<'a> {
    Text(&'a str),
    /// A numeric cell (XLSX): amounts arrive as binary floats.
    Number(f64),
    /// A date cell (XLSX), already converted from the workbook's date system.
    Date(chrono::NaiveDate),
    /// An error cell (`#N/A`, `#REF!`…), with its text.
    Error(&'a str),
}

impl Field<'_> {
    pub fn is_blank(self) -> bool {
        matches!(self, Field::Text(t) if t.trim().is_empty())
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Number(f64),
    Date(chrono::NaiveDate),
    Error,
}

/// A row's fields, stored in one string (plus typed cells for workbooks) so that a
/// million rows cost two allocations each, not one per field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawRecord {
    /// The row number as the user sees it (1-based physical line, or Excel row).
    pub row: u64,
    text: String,
    ends: Vec<u32>,
    /// Typed cells, by field index (empty for CSV).
    kinds: Vec<(u32, Kind)>,
}

impl RawRecord {
    pub fn new(row: u64) -> RawRecord {
        RawRecord {
            row,
            ..RawRecord::default()
        }
    }

    /// A row of text fields (CSV rows, and tests).
    pub fn from_texts(row: u64, cells: &[&str]) -> RawRecord {
        let mut record = RawRecord::new(row);
        for cell in cells {
            record.push_text(cell);
        }
        record
    }

    /// A row of text fields given as one text and the end of each field in it.
    pub fn from_parts(row: u64, text: String, ends: Vec<u32>) -> RawRecord {
        RawRecord {
            row,
            text,
            ends,
            kinds: Vec::new(),
        }
    }

    pub fn push_text(&mut self, text: &str) {
        self.text.push_str(text);
        self.ends.push(self.text.len() as u32);
    }

    pub fn push_number(&mut self, value: f64) {
        self.kinds
            .push((self.ends.len() as u32, Kind::Number(value)));
        self.push_text("");
    }

    pub fn push_date(&mut self, value: chrono::NaiveDate) {
        self.kinds.push((self.ends.len() as u32, Kind::Date(value)));
        self.push_text("");
    }

    pub fn push_error(&mut self, text: &str) {
        self.kinds.push((self.ends.len() as u32, Kind::Error));
        self.push_text(text);
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    fn text_of(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    /// The field at `i`, if the row has that many fields.
    pub fn get(&self, i: usize) -> Option<Field<'_>> {
        if i >= self.ends.len() {
            return None;
        }
        let kind = self
            .kinds
            .iter()
            .find(|(at, _)| *at as usize == i)
            .map(|(_, k)| *k);
        Some(match kind {
            None => Field::Text(self.text_of(i)),
            Some(Kind::Number(v)) => Field::Number(v),
            Some(Kind::Date(d)) => Field::Date(d),
            Some(Kind::Error) => Field::Error(self.text_of(i)),
        })
    }

    /// Every field as display text (numbers printed plainly), e.g. for the `Rejets` sheet.
    pub fn display_fields(&self) -> Vec<String> {
        (0..self.len())
            .map(|i| match self.get(i) {
                Some(Field::Text(t) | Field::Error(t)) => t.to_string(),
                Some(Field::Number(v)) => v.to_string(),
                Some(Field::Date(d)) => d.format("%d/%m/%Y").to_string(),
                None => String::new(),
            })
            .collect()
    }

    /// A 128-bit hash of the row's content (fields and their boundaries, typed cells),
    /// not of its row number: equal rows, equal hashes.
    pub fn content_hash(&self, salt: u64) -> u128 {
        // The boundaries and typed cells fold into the seed of one pass over the text.
        let mix = |h: u64, v: u64| (h.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95);
        let mut seed = mix(0x9e37_79b9_7f4a_7c15, salt);
        for end in &self.ends {
            seed = mix(seed, u64::from(*end));
        }
        for (at, kind) in &self.kinds {
            seed = mix(seed, u64::from(*at));
            seed = match kind {
                Kind::Number(v) => mix(seed, v.to_bits()),
                Kind::Date(d) => mix(seed, chrono::Datelike::num_days_from_ce(d) as u64),
                Kind::Error => mix(seed, u64::MAX),
            };
        }
        xxhash_rust::xxh3::xxh3_128_with_seed(self.text.as_bytes(), seed)
    }

    /// True when every field is empty or whitespace.
    pub fn is_blank(&self) -> bool {
        // Cheap test first: this runs on every row.
        self.kinds.is_empty()
            && (self
                .text
                .bytes()
                .next()
                .is_none_or(|b| b.is_ascii_whitespace() || b >= 0x80))
            && self.text.trim().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_keep_their_kind_and_order() {
        let mut r = RawRecord::new(3);
        r.push_text("0174");
        r.push_number(89931.9);
        r.push_text("");
        r.push_error("#N/A");
        assert_eq!(r.len(), 4);
        assert_eq!(r.get(0), Some(Field::Text("0174")));
        assert_eq!(r.get(1), Some(Field::Number(89931.9)));
        assert!(r.get(2).unwrap().is_blank());
        assert_eq!(r.get(3), Some(Field::Error("#N/A")));
        assert_eq!(r.get(4), None);
        assert!(!r.is_blank());
        let mut blank = RawRecord::new(1);
        blank.push_text(" ");
        blank.push_text("");
        assert!(blank.is_blank());
    }
}
