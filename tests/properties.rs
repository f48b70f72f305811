//! Invariants, on generated extracts: totals do not depend on row order, on how lines are
//! split across inputs, or on the number of threads; lines and amounts in = out.

use std::path::Path;

use chorus_recon::convention::Convention;
use chorus_recon::pipeline::{self, Plan};
use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;

const HEADER: &str = "\"Centre financier - Clé (non composée)\";\"Domaine fonctionnel - Clé\";\"Référentiel de programmation - Clé (non composée)\";\"Centre de coûts - Clé (non composée)\";\"N° EJ\";\"N° poste EJ\";\"Date de dernière modif. de l'EJ\";\"Axe ministériel 2\";\"Montant engagé (EUR)\"";

#[derive(Debug, Clone)]
struct Row {
    in_scope: bool,
    ej: u32,
    day: u32,
    product: usize,
    cents: i64,
}

fn row() -> impl Strategy<Value = Row> {
    (
        any::<bool>(),
        0u32..20,
        1u32..28,
        0usize..3,
        -5_000_000_i64..50_000_000,
    )
        .prop_map(|(in_scope, ej, day, product, cents)| Row {
            in_scope,
            ej,
            day,
            product,
            cents,
        })
}

fn line(r: &Row) -> String {
    let cf = if r.in_scope {
        "0174-SOUT-ELAB"
    } else {
        "0174-SOUT-DGEC"
    };
    let axe = ["POTENTIEL", "CARBURE", ""][r.product];
    let amount = Decimal::new(r.cents, 2).to_string().replace('.', ",");
    format!(
        "\"{cf}\";\"0174-06\";\"017406AG1607\";\"ECLDENE092\";\"21000{:05}\";\"1\";\"{:02}/03/2020\";\"{axe}\";\"{amount}\"",
        r.ej, r.day
    )
}

fn write_inputs(dir: &Path, files: &[Vec<Row>]) {
    for (i, rows) in files.iter().enumerate() {
        let mut text = String::from(HEADER);
        for r in rows {
            text.push_str("\r\n");
            text.push_str(&line(r));
        }
        std::fs::write(dir.join(format!("ej_{i}.csv")), text).unwrap();
    }
}

/// (lines read, in scope, AE consumed, per-product AE, remaining to pay).
fn figures(dir: &Path, threads: usize) -> (u64, u64, Decimal, Vec<Decimal>, Decimal) {
    let as_of = NaiveDate::from_ymd_opt(2020, 12, 31).unwrap();
    let plan = Plan::new(vec![dir.to_path_buf()], Convention::builtin(), as_of);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let run = pool.install(|| pipeline::run(&plan)).unwrap();
    let rec = run.reconciliation;
    assert!(rec.conservation.holds(), "{:?}", rec.conservation);
    let c = rec.counts;
    assert_eq!(
        c.read,
        c.in_scope + c.out_of_scope + c.rejected + c.duplicates
    );
    let per_product = rec
        .products
        .iter()
        .map(|p| p.years.iter().map(|y| y.ae_consumed).sum())
        .collect();
    (
        c.read,
        c.in_scope,
        rec.totals.ae_consumed,
        per_product,
        rec.totals.remaining_to_pay,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn totals_do_not_depend_on_order_split_or_threads(
        rows in prop::collection::vec(row(), 1..60),
        split in 1usize..4,
        seed in any::<u64>(),
    ) {
        // One file, in generated order, on one thread.
        let one = tempfile::tempdir().unwrap();
        write_inputs(one.path(), std::slice::from_ref(&rows));
        let reference = figures(one.path(), 1);
        let expected_ae: Decimal = rows.iter().filter(|r| r.in_scope).map(|r| Decimal::new(r.cents, 2)).sum();
        prop_assert_eq!(reference.2, expected_ae);
        prop_assert_eq!(reference.0, rows.len() as u64);

        // The same rows shuffled and dealt round-robin into `split` files: within one file
        // equal lines all count, so dealing must keep equal lines together to keep the
        // totals; deal by EJ so that they are.
        let mut shuffled = rows.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let mut files = vec![Vec::new(); split];
        for r in shuffled {
            files[r.ej as usize % split].push(r);
        }
        let many = tempfile::tempdir().unwrap();
        write_inputs(many.path(), &files);
        prop_assert_eq!(figures(many.path(), 2), reference.clone());
        prop_assert_eq!(figures(many.path(), 3), reference);
    }
}
