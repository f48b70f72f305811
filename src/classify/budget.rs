//! How many out-of-scope lines a run keeps in detail, and what happens past it.

/// The out-of-scope lines a run keeps whole, shared between its inputs.
///
/// The rule, in one place: a run keeps at most [`DetailBudget::LIMIT`] out-of-scope lines
/// in detail (whole `Judged` lines, listed one by one in the `Hors périmètre` sheet), each
/// input at most its share (the limit divided by the number of inputs). An input judges
/// its rows a batch at a time; a batch whose out-of-scope lines would take the input past
/// its share is judged *slim* (`Judgement::Slim`: movements, identity and imputation only,
/// never a whole line), whole batches one way or the other so that the choice never depends
/// on threads. An input with slim lines then slims its earlier detailed lines too
/// (`pipeline`), and a run with any slim line, or more than the limit in all, lists its
/// out-of-scope lines grouped by imputation (`reconcile::dedup`). Partial imputations stay
/// whole whatever the budget: each is a finding. Rejected rows have a budget of their own
/// (`pipeline::REJECTION_BUDGET`). Every line, slim or whole, is counted and summed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DetailBudget {
    per_input: u64,
}

impl DetailBudget {
    /// Out-of-scope lines a run keeps in detail; past it, they are listed grouped.
    pub const LIMIT: u64 = 100_000;

    /// The budget of each of `inputs` inputs: their share of [`Self::LIMIT`].
    pub fn shared(inputs: usize) -> DetailBudget {
        DetailBudget {
            per_input: Self::LIMIT / inputs.max(1) as u64,
        }
    }

    /// A budget of `per_input` lines for each input (tests: `0` judges every row slim).
    #[cfg(test)]
    pub(crate) fn per_input(per_input: u64) -> DetailBudget {
        DetailBudget { per_input }
    }

    /// Whether a batch of `lines` more rows may be judged in detail by an input that
    /// keeps `kept` out-of-scope lines in detail already.
    pub fn allows(self, kept: u64, lines: u64) -> bool {
        kept + lines <= self.per_input
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_input_gets_its_share_and_whole_batches_go_one_way() {
        let one = DetailBudget::shared(1);
        assert!(one.allows(0, DetailBudget::LIMIT));
        assert!(!one.allows(1, DetailBudget::LIMIT));
        let four = DetailBudget::shared(4);
        assert!(four.allows(20_000, 5_000));
        assert!(!four.allows(20_000, 5_001));
        // No input: no division by zero.
        assert_eq!(DetailBudget::shared(0), one);
    }
}
