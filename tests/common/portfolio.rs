//! A portfolio built through the library, for the tests of its reports until the
//! portfolio pass exists: the fixture `portefeuille`'s extracts reconciled against each of
//! its conventions, one run each, and its orphans picked out of the first run's
//! out-of-scope lines. Convention C is taken as amended (« aplatie » in the fixture's
//! LISEZMOI: its avenant written into it, without its mises à disposition), since today's
//! loader refuses `[[avenant]]`.

use std::collections::BTreeSet;

use chorus_recon::convention::Convention;
use chorus_recon::convention::portfolio::Perimeter;
use chorus_recon::pipeline::{Plan, run};
use chorus_recon::reconcile::Code;
use chorus_recon::reconcile::findings::Finding;
use chorus_recon::reconcile::portfolio::{AttachedBy, Orphan};
use chorus_recon::report::portfolio::{Member, Portfolio};
use chorus_recon::report::{Context, Run};
use chrono::NaiveDate;

use crate::common::repo;

/// The fixture's conventions, reconciled: their runs, orphans, findings and scope.
pub struct Fixture {
    pub conventions: Vec<Convention>,
    pub runs: Vec<Run>,
    pub workbooks: Vec<String>,
    pub orphans: Vec<Orphan>,
    pub findings: Vec<Finding>,
    pub perimeter: Perimeter,
}

impl Fixture {
    pub fn portfolio(&self) -> Portfolio<'_> {
        Portfolio {
            members: (self.conventions.iter().zip(&self.runs).zip(&self.workbooks))
                .map(|((convention, run), workbook)| Member {
                    ctx: Context { convention, run },
                    workbook,
                })
                .collect(),
            perimeter: Some(&self.perimeter),
            orphans: &self.orphans,
            findings: &self.findings,
        }
    }
}

pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 12, 31).unwrap()
}

fn dir() -> std::path::PathBuf {
    repo().join("fixtures/portefeuille")
}

/// Convention C as amended: `fin` moved to 2021-12-31 and the avenant's 2021 schedule
/// written in, its `[[avenant]]` and `[[mise_a_disposition]]` blocks left out.
fn flattened_c() -> Convention {
    let path = dir().join("conventions/dgec-dinum-appui-data.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let cut = text.find("# Avenant n° 1").expect("the avenant's block");
    let text = text[..cut].replace("fin = 2020-12-31", "fin = 2021-12-31")
        + "[[echeancier]]\nproduit = \"appui-data\"\nannee = 2021\nae = \"30000.00\"\ncp = \"50000.00\"\n";
    Convention::parse(&text, &path.display().to_string()).unwrap()
}

fn reconcile(convention: &Convention) -> Run {
    // Relative, as a user types it (cargo runs tests from the repository).
    let inputs = vec!["fixtures/portefeuille/extraits".into()];
    let plan = Plan::new(inputs, convention.clone(), as_of());
    run(&plan).unwrap()
}

fn perimeter() -> Perimeter {
    let set = |codes: &[&str]| codes.iter().map(|c| c.to_string()).collect::<BTreeSet<_>>();
    Perimeter {
        centres_financiers: set(&["0174-SOUT-ELAB", "0174-SOUT-DATA"]),
        centres_de_cout: set(&["ECLDENE092", "ECLDENE093", "ECLDENE094", "ECLDENE095"]),
        origin: "fixtures/portefeuille/conventions/portefeuille.toml".into(),
    }
}

/// The lines out of every convention's scope that the délégataire's scope holds, in
/// input and row order, and a `LIGNE_ORPHELINE` for each.
fn orphans(runs: &[Run], perimeter: &Perimeter) -> (Vec<Orphan>, Vec<Finding>) {
    let first = &runs[0].reconciliation;
    let claimed = |origin| {
        runs.iter().any(|r| {
            r.reconciliation
                .lines
                .iter()
                .any(|l| l.judged.line.origin == origin)
        })
    };
    let mut orphans = Vec::new();
    let mut findings = Vec::new();
    for judged in &first.out_of_scope {
        let line = &judged.line;
        let by_cf = (line.centre_financier.as_deref())
            .is_some_and(|c| perimeter.centres_financiers.contains(c));
        let by_cc =
            (line.centre_cout.as_deref()).is_some_and(|c| perimeter.centres_de_cout.contains(c));
        let attached_by = match (by_cf, by_cc) {
            (true, true) => AttachedBy::Both,
            (true, false) => AttachedBy::CentreFinancier,
            (false, true) => AttachedBy::CentreCout,
            (false, false) => continue,
        };
        if claimed(line.origin) {
            continue;
        }
        let key = format!("LIGNE_ORPHELINE:{:032x}", judged.key);
        let input_label = runs[0].inputs[line.origin.input as usize].label.clone();
        let mut f = Finding::new(
            Code::LigneOrpheline,
            format!(
                "ligne du périmètre du délégataire qu'aucune convention ne réclame ({})",
                attached_by.label()
            ),
        );
        f.origin = Some(line.origin);
        f.ej = line.ej.as_deref().map(str::to_string);
        f.amount = Some(line.amount);
        f.key = key.clone();
        findings.push(f);
        orphans.push(Orphan {
            line: (**line).clone(),
            input_label,
            attached_by,
            key,
        });
    }
    (orphans, findings)
}

pub fn fixture() -> Fixture {
    let conventions = vec![
        Convention::load(&dir().join("conventions/dgec-dinum-2020.toml")).unwrap(),
        Convention::load(&dir().join("conventions/dgec-dinum-tableau-de-bord.toml")).unwrap(),
        flattened_c(),
    ];
    let runs: Vec<Run> = conventions.iter().map(reconcile).collect();
    let perimeter = perimeter();
    let (orphans, findings) = orphans(&runs, &perimeter);
    Fixture {
        workbooks: conventions
            .iter()
            .map(|c| format!("{}.xlsx", c.id))
            .collect(),
        conventions,
        runs,
        orphans,
        findings,
        perimeter,
    }
}
