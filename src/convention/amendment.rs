//! Amendments (`[[avenant]]`) and credits made available (`[[mise_a_disposition]]`), and
//! the convention as amended on a date ([`Convention::at`]).
//!
//! A loaded convention carries its terms as signed (`end`, `schedule`) and its avenants in
//! date order. Products are not dated: `Convention::products` already holds every product
//! an avenant adds (at the end of the list, so indices never move) and the replacement of
//! every product an avenant replaces. [`Convention::at`] decides which end and schedule are
//! in force; it always starts from the terms as signed, so it may be called on an amended
//! convention too.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{Convention, ScheduleLine};

/// One `[[avenant]]`: the keys it changes, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amendment {
    pub date: NaiveDate,
    pub reference: String,
    /// `fin`: the new end (later: an extension; earlier: an early termination).
    pub end: Option<NaiveDate>,
    /// `[[avenant.echeancier]]`: each line replaces the same product and year, or adds one.
    pub schedule: Vec<ScheduleLine>,
    /// `[[avenant.produit]]` that add a product (indices into `Convention::products`).
    pub products_added: Vec<usize>,
    /// `[[avenant.produit]]` that replace a product of the same id.
    pub products_replaced: Vec<usize>,
}

/// One `[[mise_a_disposition]]`: the tranche's amounts, not cumulative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provision {
    pub date: NaiveDate,
    pub reference: String,
    pub ae: Decimal,
    pub cp: Decimal,
}

/// The terms as signed, kept by an amended convention so that [`Convention::at`] can start
/// again from them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub end: NaiveDate,
    pub schedule: Vec<ScheduleLine>,
}

impl Convention {
    /// The convention as amended on `date`: the avenants dated on or before it applied in
    /// order. Without avenants, the convention itself.
    pub fn at(&self, date: NaiveDate) -> Convention {
        let count = self.amendments.iter().filter(|a| a.date <= date).count();
        self.amended_by(count)
    }

    /// The convention with its first `count` avenants applied (the « Avenants » sheet
    /// compares `count` and `count + 1`).
    pub fn amended_by(&self, count: usize) -> Convention {
        let mut out = self.clone();
        if self.amendments.is_empty() {
            return out;
        }
        let signed = self.signed_terms();
        out.end = signed.end;
        out.schedule = signed.schedule.clone();
        for a in self.amendments.iter().take(count) {
            if let Some(end) = a.end {
                out.end = end;
            }
            apply_schedule(&mut out.schedule, &a.schedule);
        }
        out.signed = Some(Box::new(signed));
        out
    }

    /// The terms as signed, before any avenant.
    pub fn signed_terms(&self) -> Signed {
        match &self.signed {
            Some(s) => (**s).clone(),
            None => Signed {
                end: self.end,
                schedule: self.schedule.clone(),
            },
        }
    }

    /// The end in force on `date` (cheap: no clone), for the period of each line.
    pub fn end_at(&self, date: NaiveDate) -> NaiveDate {
        let signed = self.signed.as_ref().map_or(self.end, |s| s.end);
        (self.amendments.iter())
            .take_while(|a| a.date <= date)
            .filter_map(|a| a.end)
            .last()
            .unwrap_or(signed)
    }

    /// The end in force after every avenant: the last day the convention can claim a line
    /// (an avenant's end is never before its own date, so no later day is in its period).
    /// The overlap check between the conventions of a portfolio reads it.
    pub fn final_end(&self) -> NaiveDate {
        self.end_at(NaiveDate::MAX)
    }

    /// AE and CP made available on or before `date`, when the convention has
    /// `[[mise_a_disposition]]` (else `None`: the schedule is the ceiling).
    pub fn made_available(&self, date: NaiveDate) -> Option<(Decimal, Decimal)> {
        if self.provisions.is_empty() {
            return None;
        }
        Some(
            (self.provisions.iter())
                .filter(|p| p.date <= date)
                .fold((Decimal::ZERO, Decimal::ZERO), |(ae, cp), p| {
                    (ae + p.ae, cp + p.cp)
                }),
        )
    }
}

impl Convention {
    /// What `convention check` says of the avenants and mises à disposition (French, one
    /// line each; nothing without them).
    pub fn amendments_text(&self) -> Vec<String> {
        let euros = crate::model::money::euros;
        let mut out = Vec::new();
        if let Some(last) = self.amendments.last() {
            let latest = self.at(last.date);
            out.push(format!(
                "{} avenant(s), le dernier du {} ({}) : du {} au {} ; AE allouées {} ; CP alloués {}",
                self.amendments.len(),
                last.date.format("%d/%m/%Y"),
                last.reference,
                latest.start.format("%d/%m/%Y"),
                latest.end.format("%d/%m/%Y"),
                euros(latest.ae_allocated()),
                euros(latest.cp_allocated())
            ));
        }
        if let Some((ae, cp)) = self.made_available(NaiveDate::MAX) {
            out.push(format!(
                "{} mise(s) à disposition : AE {} ; CP {}",
                self.provisions.len(),
                euros(ae),
                euros(cp)
            ));
        }
        out
    }
}

/// Each line of `changes` replaces the line of the same product and year, or is added
/// (after the others, in the avenant's order).
fn apply_schedule(schedule: &mut Vec<ScheduleLine>, changes: &[ScheduleLine]) {
    for change in changes {
        match (schedule.iter_mut()).find(|s| s.product == change.product && s.year == change.year) {
            Some(line) => *line = change.clone(),
            None => schedule.push(change.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn line(year: i32, ae: Decimal, cp: Decimal) -> ScheduleLine {
        ScheduleLine {
            product: 0,
            year,
            ae: Some(ae),
            cp: Some(cp),
        }
    }

    /// The builtin (ends 31/07/2021, 2020 and 2021 scheduled) with two avenants: the
    /// first extends it and raises 2021's CP, the second ends it early.
    fn amended() -> Convention {
        let mut c = Convention::builtin();
        c.amendments = vec![
            Amendment {
                date: day(2021, 1, 15),
                reference: "Avenant 1".into(),
                end: Some(day(2022, 12, 31)),
                schedule: vec![
                    line(2021, dec!(1), dec!(50000)),
                    line(2022, dec!(2), dec!(3)),
                ],
                products_added: Vec::new(),
                products_replaced: Vec::new(),
            },
            Amendment {
                date: day(2022, 3, 1),
                reference: "Avenant 2".into(),
                end: Some(day(2022, 6, 30)),
                schedule: Vec::new(),
                products_added: Vec::new(),
                products_replaced: Vec::new(),
            },
        ];
        c
    }

    #[test]
    fn the_convention_at_a_date_applies_the_avenants_up_to_it() {
        let c = amended();
        let before = c.at(day(2021, 1, 14));
        assert_eq!(before.end, day(2021, 7, 31));
        assert_eq!(before.schedule, Convention::builtin().schedule);
        let first = c.at(day(2021, 1, 15));
        assert_eq!(first.end, day(2022, 12, 31));
        // Potentiel 2021 replaced, 2022 added: 160 000 − 40 000 + 50 000 + 3.
        assert_eq!(first.cp_allocated(), dec!(170003));
        assert_eq!(
            first.schedule.len(),
            Convention::builtin().schedule.len() + 1
        );
        assert_eq!(c.at(day(2022, 3, 1)).end, day(2022, 6, 30));
        // From an amended convention, the same: it starts again from the signed terms.
        assert_eq!(first.at(day(2021, 1, 14)), before.at(day(2021, 1, 14)));
        assert_eq!(
            c.at(day(2030, 1, 1)).at(day(2021, 2, 1)).end,
            day(2022, 12, 31)
        );
    }

    #[test]
    fn end_in_force_and_final_end() {
        let c = amended();
        assert_eq!(c.end_at(day(2020, 5, 1)), day(2021, 7, 31));
        assert_eq!(c.end_at(day(2021, 6, 1)), day(2022, 12, 31));
        assert_eq!(c.end_at(day(2022, 3, 1)), day(2022, 6, 30));
        // Extended to 31/12/2022, then ended early on 30/06/2022: its last day.
        assert_eq!(c.final_end(), day(2022, 6, 30));
        assert_eq!(c.at(day(2023, 1, 1)).final_end(), day(2022, 6, 30));
        let plain = Convention::builtin();
        assert!(plain.amendments_text().is_empty());
        let text = c.amendments_text();
        assert!(
            text[0].starts_with("2 avenant(s), le dernier du 01/03/2022 (Avenant 2)")
                && text[0].contains("au 30/06/2022"),
            "{text:?}"
        );
        assert_eq!(plain.final_end(), plain.end);
        assert_eq!(plain.at(day(2030, 1, 1)), plain);
    }

    #[test]
    fn made_available_is_cumulative_at_a_date() {
        let mut c = Convention::builtin();
        assert_eq!(c.made_available(day(2021, 1, 1)), None);
        c.provisions = vec![
            Provision {
                date: day(2020, 6, 15),
                reference: "MAD 1".into(),
                ae: dec!(30000),
                cp: dec!(10000),
            },
            Provision {
                date: day(2020, 10, 1),
                reference: "MAD 2".into(),
                ae: dec!(30000),
                cp: dec!(30000),
            },
        ];
        assert_eq!(c.made_available(day(2020, 6, 14)), Some((dec!(0), dec!(0))));
        assert_eq!(
            c.made_available(day(2020, 9, 30)),
            Some((dec!(30000), dec!(10000)))
        );
        assert_eq!(
            c.made_available(day(2020, 10, 1)),
            Some((dec!(60000), dec!(40000)))
        );
    }
}
