//! A header row mapped onto a layout (which column holds each canonical field, code and
//! label pairs included), and the detection of the header among an input's first rows:
//! which row, which layout, or why none.

use super::{FieldId, HEADER_SEARCH_ROWS, Layout, LayoutKind, layouts};
use crate::ingest::record::RawRecord;
use crate::model::code::fold;
use crate::model::{Axis, AxisSet, Measure};

/// The role of a header cell: a column on its own, or the code/label half of a pair
/// (one header over two columns, repeated or followed by an empty cell).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Single,
    Key,
    Text,
}

/// An alias that matches a column headed by a year (`2021`): crosstab amounts.
const YEAR_ALIAS: &str = "{ANNEE}";

fn is_year(key: &str) -> bool {
    key.len() == 4 && key.starts_with("20") && key.bytes().all(|b| b.is_ascii_digit())
}

/// Header cells folded for matching (case, accents, spacing, `º`).
fn header_key(text: &str) -> String {
    fold(&text.replace('º', "°"))
}

/// `"Compte budgétaire [texte]"` -> ("Compte budgétaire", Some(Text)).
pub(super) fn split_alias(alias: &str) -> (&str, Option<Role>) {
    if let Some(base) = alias.strip_suffix(" [texte]") {
        (base, Some(Role::Text))
    } else if let Some(base) = alias.strip_suffix(" [clé]") {
        (base, Some(Role::Key))
    } else {
        (alias, None)
    }
}

/// Which column holds each canonical field, for one header row and one layout.
#[derive(Debug, Clone)]
pub struct Mapping {
    pub layout: &'static Layout,
    /// 1-based row of the header.
    pub header_row: u64,
    /// The header cells, as read.
    pub header: Vec<String>,
    columns: [Option<usize>; FieldId::COUNT],
    /// Nomenclature fields found (by schema field name).
    found: Vec<String>,
    /// The year heading a column matched by a `{année}` alias (crosstab amounts).
    pub header_year: Option<i32>,
}

impl Mapping {
    pub fn column(&self, field: FieldId) -> Option<usize> {
        self.columns[field as usize]
    }

    pub fn has(&self, field: FieldId) -> bool {
        self.column(field).is_some()
    }

    /// The header text of the column holding `field`.
    pub fn header_of(&self, field: FieldId) -> Option<&str> {
        self.column(field).map(|c| self.header[c].as_str())
    }

    /// The imputation axes this input can be checked on. The programme counts only when
    /// there is no centre financier: it is then the only trace of it.
    pub fn axes(&self) -> AxisSet {
        let mut axes = AxisSet::default();
        for (field, axis) in [
            (FieldId::CentreFinancier, Axis::CentreFinancier),
            (FieldId::DomaineFonctionnel, Axis::DomaineFonctionnel),
            (FieldId::Activite, Axis::Activite),
            (FieldId::CentreCout, Axis::CentreCout),
        ] {
            if self.has(field) {
                axes.insert(axis);
            }
        }
        if !self.has(FieldId::CentreFinancier) && self.has(FieldId::Programme) {
            axes.insert(Axis::Programme);
        }
        axes
    }

    fn matched(&self) -> usize {
        self.columns.iter().filter(|c| c.is_some()).count() + self.found.len()
    }

    fn missing_required(&self) -> Vec<&'static str> {
        let layout = self.layout;
        layout
            .meta
            .requires
            .iter()
            .filter(|name| !self.found.iter().any(|f| f == *name))
            .filter(|name| FieldId::from_name(name).is_none_or(|f| !self.has(f)))
            .map(|name| {
                layout
                    .fields
                    .iter()
                    .find(|f| &f.name == name)
                    .and_then(|f| f.headers.first())
                    .map(|h| split_alias(h).0)
                    .unwrap_or(name.as_str())
            })
            .collect()
    }
}

/// Maps a header row onto a layout.
pub fn map_header(layout: &'static Layout, record: &RawRecord) -> Mapping {
    let header: Vec<String> = record.display_fields();
    let (keys, roles) = pair_columns(header.iter().map(|h| header_key(h)).collect());
    let mut claimed = vec![false; keys.len()];
    let mut columns = [None; FieldId::COUNT];
    let mut found = Vec::new();
    for field in &layout.fields {
        let column = field.headers.iter().find_map(|alias| {
            let (base, role) = split_alias(alias);
            let base = header_key(base);
            (0..keys.len()).find(|&j| {
                !claimed[j]
                    && (keys[j] == base || base == YEAR_ALIAS && is_year(&keys[j]))
                    && match role {
                        None => roles[j] != Role::Text,
                        Some(r) => roles[j] == r,
                    }
            })
        });
        if let Some(j) = column {
            claimed[j] = true;
            match FieldId::from_name(&field.name) {
                Some(id) => columns[id as usize] = Some(j),
                None => found.push(field.name.clone()),
            }
        }
    }
    let header_year = layout
        .fields
        .iter()
        .filter(|f| f.headers.iter().any(|h| h == "{année}"))
        .filter_map(|f| FieldId::from_name(&f.name))
        .filter_map(|id| columns[id as usize])
        .find_map(|j| keys[j].parse().ok().filter(|_| is_year(&keys[j])));
    Mapping {
        layout,
        header_row: record.row,
        header,
        columns,
        found,
        header_year,
    }
}

/// Pairs code and label columns: a non-empty header followed by the same header or by an
/// empty one is a code column (`Role::Key`) and its label (`Role::Text`), the label taking
/// its code column's name. Returns the header keys so named, and each column's role.
fn pair_columns(keys: Vec<String>) -> (Vec<String>, Vec<Role>) {
    let mut roles = vec![Role::Single; keys.len()];
    for j in 0..keys.len().saturating_sub(1) {
        if roles[j] == Role::Single
            && !keys[j].is_empty()
            && (keys[j + 1] == keys[j] || keys[j + 1].is_empty())
        {
            roles[j] = Role::Key;
            roles[j + 1] = Role::Text;
        }
    }
    let keys = (0..keys.len())
        .map(|j| {
            if roles[j] == Role::Text {
                keys[j - 1].clone()
            } else {
                keys[j].clone()
            }
        })
        .collect();
    (keys, roles)
}

/// The outcome of header detection on the first rows of an input.
#[derive(Debug)]
pub enum Detection {
    /// An extract: its mapping and the index (in the rows given) of its header.
    Extract { mapping: Box<Mapping>, index: usize },
    /// A nomenclature (a referential, not an extract).
    Nomenclature(&'static Layout),
    /// Nothing matched: the closest layout, the columns it lacks, and where.
    Unknown {
        closest: Option<(&'static Layout, Vec<&'static str>, u64)>,
    },
}

/// Finds the header among the first rows and the layout it matches best.
pub fn detect(
    rows: &[RawRecord],
    preamble_measure: impl Fn(usize) -> Option<Measure>,
) -> Detection {
    let mut best: Option<(usize, Mapping, usize)> = None;
    let mut closest: Option<(usize, usize, Mapping)> = None;
    for (index, row) in rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        // The first row that is a header is the header: a later one is a second table
        // (or a repeated header), never a reason to take the rows above it for preamble.
        if best.is_some() {
            break;
        }
        if row.len() < 2 {
            continue;
        }
        for layout in layouts() {
            let mapping = map_header(layout, row);
            let missing = mapping.missing_required();
            let carries_axis =
                layout.meta.kind == LayoutKind::Nomenclature || !mapping.axes().is_empty();
            if missing.is_empty() && carries_axis {
                let agrees =
                    layout.meta.measure.is_some() && preamble_measure(index) == layout.meta.measure;
                let score = mapping.matched() + if agrees { 100 } else { 0 };
                if best.as_ref().is_none_or(|(s, _, _)| score > *s) {
                    best = Some((score, mapping, index));
                }
            } else {
                let present = layout.meta.requires.len() - missing.len();
                let key = (present, mapping.matched());
                if closest.as_ref().is_none_or(|(p, m, _)| key > (*p, *m)) {
                    closest = Some((key.0, key.1, mapping));
                }
            }
        }
    }
    match best {
        Some((_, mapping, _)) if mapping.layout.meta.kind == LayoutKind::Nomenclature => {
            Detection::Nomenclature(mapping.layout)
        }
        Some((_, mapping, index)) => Detection::Extract {
            mapping: Box::new(mapping),
            index,
        },
        None => Detection::Unknown {
            closest: closest
                .filter(|(present, _, _)| *present > 0)
                .map(|(_, _, m)| {
                    let missing = m.missing_required();
                    (m.layout, missing, m.header_row)
                }),
        },
    }
}
