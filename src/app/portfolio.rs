//! `reconcile` with several conventions (issue 15): one read of the inputs, a workbook per
//! convention and `portefeuille.xlsx` in the folder `-o` names, the portfolio summary,
//! every file written as one group; the exit code is the worst over every convention and
//! the orphans.

use std::path::{Path, PathBuf};

use crate::cli::{ReconcileArgs, RunArgs};
use crate::convention::portfolio::{Loaded, load_all};
use crate::error::Error;
use crate::output;
use crate::output::targets::Target;
use crate::pipeline::{self, PortfolioRun};
use crate::reconcile::Severity;
use crate::report::Context;
use crate::report::portfolio::{Member, Portfolio};

/// The portfolio's workbook, beside the conventions' own.
pub const PORTFOLIO_BOOK: &str = "portefeuille.xlsx";

/// The conventions `-c` names when they make a portfolio (several, or a
/// `portefeuille.toml`); `None` for one convention (today's run, unchanged).
pub fn loaded(args: &RunArgs) -> Result<Option<Loaded>, Error> {
    match args.convention.as_slice() {
        [] => return Ok(None),
        [file] if !file.is_dir() => return Ok(None),
        _ => {}
    }
    let loaded = load_all(&args.convention)?;
    Ok(loaded.is_portfolio().then_some(loaded))
}

/// The options a portfolio run does not take yet, refused before anything is read.
fn refuse_unsupported(args: &ReconcileArgs, loaded: &Loaded) -> Result<(), Error> {
    let given = [
        (
            "--detail-hors-perimetre",
            args.detail_hors_perimetre.is_some(),
        ),
        ("--export-lignes", args.export_lignes.is_some()),
        ("--previsions", args.previsions.is_some()),
        ("--justifications", args.justifications.is_some()),
        ("--commandes", args.commandes.is_some()),
    ];
    if let Some((option, _)) = given.iter().find(|(_, g)| *g) {
        return Err(Error::Usage(format!(
            "{option} n'est pas encore possible avec plusieurs conventions ({} lues) : rapprochez la convention voulue seule (-c son fichier) pour cette option",
            loaded.conventions.len()
        )));
    }
    let is_book = args
        .output
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if is_book {
        return Err(Error::Usage(format!(
            "avec plusieurs conventions, -o nomme un dossier (un classeur par convention et {PORTFOLIO_BOOK}), pas le classeur « {} » : par exemple -o sortie/",
            args.output.display()
        )));
    }
    for c in &loaded.conventions {
        let bad =
            c.id.chars()
                .any(|ch| "/\\:*?\"<>|".contains(ch) || ch.is_control());
        if bad || c.id.starts_with('.') || format!("{}.xlsx", c.id) == PORTFOLIO_BOOK {
            return Err(Error::Usage(format!(
                "l'identifiant « {} » (convention « {} ») ne peut pas nommer un fichier : son classeur serait « {}.xlsx » ; changez son id",
                c.id, c.origin, c.id
            )));
        }
    }
    Ok(())
}

/// `reconcile` over a portfolio.
pub fn reconcile(args: ReconcileArgs, mut loaded: Loaded) -> Result<u8, Error> {
    refuse_unsupported(&args, &loaded)?;
    let as_of = args.run.as_of.unwrap_or_else(super::today);
    // The reports show each convention as amended on `as_of` (`[[avenant]]`), as a
    // single run does.
    for c in &mut loaded.conventions {
        *c = c.at(as_of);
    }
    let mut plan = pipeline::Plan::new(
        args.run.inputs.clone(),
        loaded.conventions[0].clone(),
        as_of,
    );
    // Read before any input: a bad file stops the run with nothing written.
    if let Some(path) = args.declare.as_deref() {
        plan.declarations = crate::tables::declaration::load_portfolio(path, &loaded.conventions)?;
    }
    let (previous, previous_orphans) = match args.previous.as_deref() {
        Some(path) => load_previous(path, &loaded, plan.as_of, args.run.quiet)?,
        None => (Vec::new(), None),
    };
    let folder = output::targets::prepare_folder("-o", &args.output)?;
    let outputs = Outputs::of(&args, &loaded);
    let targets = outputs.targets();
    let mut read = plan.inputs.clone();
    read.extend(loaded.files.iter().cloned());
    read.extend(args.previous.clone());
    read.extend(args.declare.clone());
    let (paths, mut lock) = super::guard_outputs(&targets, &read)?;
    let pool = super::pool(args.run.jobs, args.run.quiet)?;
    let progress = crate::progress::TerminalProgress::for_run(args.run.quiet);
    let run = pool.install(|| {
        let perimeter = loaded.perimeter.as_ref();
        pipeline::run_portfolio(&plan, &loaded.conventions, perimeter, &previous, &*progress)
    });
    let mut run = run.inspect_err(|_| progress.finish())?;
    if let Some(before) = &previous_orphans {
        let marks = crate::reconcile::follow_up::follow(&run.findings, as_of, before).marks;
        for (finding, mark) in run.findings.iter_mut().zip(marks) {
            finding.follow_up = Some(mark);
        }
    }
    let portfolio = portfolio_of(&loaded, &run, &outputs.names);
    progress.phase("écriture des classeurs et du résumé…");
    lock.take(&paths, true)?;
    super::sweep_temporaries(&paths, args.run.quiet);
    let written = pool.install(|| write_all(&portfolio, &outputs));
    progress.finish();
    written?;
    folder.keep();
    finish(&args, &portfolio)?;
    let code = exit_code(&portfolio, args.fail_on);
    std::mem::forget(run);
    Ok(code)
}

/// After the files: the summary on the standard output (`--summary -`), the text report.
fn finish(args: &ReconcileArgs, portfolio: &Portfolio) -> Result<(), Error> {
    if args
        .summary
        .as_deref()
        .is_some_and(|p| p.as_os_str() == "-")
    {
        let mut out = std::io::stdout().lock();
        crate::report::portfolio::summary::write_json(portfolio, &mut out).map_err(|e| {
            Error::Output {
                path: "sortie standard".into(),
                message: e.to_string(),
            }
        })?;
    }
    if !args.run.quiet {
        eprint!("{}", report(portfolio, &args.output));
    }
    Ok(())
}

/// Where a portfolio run writes: a workbook per convention and the portfolio's in the
/// `-o` folder, the summary if asked.
struct Outputs<'a> {
    /// Each convention's workbook, its path and its name (`<id>.xlsx`).
    books: Vec<PathBuf>,
    names: Vec<String>,
    portfolio: PathBuf,
    summary: Option<&'a Path>,
}

impl<'a> Outputs<'a> {
    fn of(args: &'a ReconcileArgs, loaded: &Loaded) -> Outputs<'a> {
        let names: Vec<String> = (loaded.conventions.iter())
            .map(|c| format!("{}.xlsx", c.id))
            .collect();
        Outputs {
            books: names.iter().map(|n| args.output.join(n)).collect(),
            names,
            portfolio: args.output.join(PORTFOLIO_BOOK),
            summary: args.summary.as_deref().filter(|p| p.as_os_str() != "-"),
        }
    }

    fn targets(&self) -> Vec<Target<'_>> {
        let books = self.books.iter().chain([&self.portfolio]);
        let mut targets: Vec<Target> = books.map(|path| Target { option: "-o", path }).collect();
        targets.extend(self.summary.map(|path| Target {
            option: "--summary",
            path,
        }));
        targets
    }
}

/// What `--previous` gives: each convention's last summary (in `-c` order), and the
/// portfolio's own findings of last month (the orphans), as a summary of them.
type Previous = (
    Vec<Option<crate::reconcile::PreviousSummary>>,
    Option<crate::reconcile::PreviousSummary>,
);

/// Last month's portfolio summary (`--previous`): each convention's summary found in its
/// `conventions` by `convention.id` (a single run's summary serves its own convention),
/// and the portfolio's findings (`portfolio.findings`, the orphans), followed up like a
/// convention's. A missing file is the first month; a convention it lacks is new: every
/// finding new.
fn load_previous(
    path: &Path,
    loaded: &Loaded,
    as_of: chrono::NaiveDate,
    quiet: bool,
) -> Result<Previous, Error> {
    let Some(text) = super::read_previous(path, quiet)? else {
        return Ok((Vec::new(), None));
    };
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| super::not_a_summary(path, &e))?;
    // The portfolio's own findings, read as a summary of them (its date, its findings).
    let orphans = (value.get("portfolio").and_then(|p| p.get("findings")))
        .map(|findings| serde_json::json!({ "as_of": value["as_of"], "findings": findings }))
        .map(serde_json::from_value::<crate::reconcile::PreviousSummary>)
        .transpose()
        .map_err(|e| super::not_a_summary(path, &e))?;
    let members = match value.get("conventions").and_then(|c| c.as_array()) {
        Some(members) => members.clone(),
        None => vec![value],
    };
    let mut previous = Vec::with_capacity(loaded.conventions.len());
    for c in &loaded.conventions {
        previous.push(member_previous(path, &members, &c.id, as_of, quiet)?);
    }
    Ok((previous, orphans))
}

/// The summary of convention `id` among a previous portfolio summary's `members`, checked
/// (of this convention, dated before `as_of`); `None`, with a note, when it has none.
fn member_previous(
    path: &Path,
    members: &[serde_json::Value],
    id: &str,
    as_of: chrono::NaiveDate,
    quiet: bool,
) -> Result<Option<crate::reconcile::PreviousSummary>, Error> {
    let member = members
        .iter()
        .find(|m| m["convention"]["id"].as_str() == Some(id));
    let Some(member) = member else {
        if !quiet {
            eprintln!(
                "note : pas de résumé de « {} » dans « {} » : ses anomalies sont dites nouvelles",
                id,
                path.display()
            );
        }
        return Ok(None);
    };
    let summary: crate::reconcile::PreviousSummary =
        serde_json::from_value(member.clone()).map_err(|e| super::not_a_summary(path, &e))?;
    summary
        .check(id, as_of)
        .map_err(|message| super::previous_error(path, message))?;
    Ok(Some(summary))
}

fn portfolio_of<'a>(
    loaded: &'a Loaded,
    run: &'a PortfolioRun,
    names: &'a [String],
) -> Portfolio<'a> {
    Portfolio {
        members: (loaded.conventions.iter().zip(&run.runs).zip(names))
            .map(|((convention, run), workbook)| Member {
                ctx: Context { convention, run },
                workbook,
            })
            .collect(),
        perimeter: loaded.perimeter.as_ref(),
        orphans: &run.orphans,
        findings: &run.findings,
    }
}

/// Every file of the run, as one group: each convention's workbook, the portfolio's,
/// the summary.
fn write_all(p: &Portfolio, outputs: &Outputs) -> Result<(), Error> {
    let making = |e: rust_xlsxwriter::XlsxError| match e {
        rust_xlsxwriter::XlsxError::IoError(e) => output::Failure::Io(e),
        e => output::Failure::Making(format!("construction du classeur impossible : {e}")),
    };
    let mut files: Vec<(&Path, output::Contents)> = Vec::new();
    for (m, path) in p.members.iter().zip(&outputs.books) {
        let ctx = m.ctx;
        files.push((
            path.as_path(),
            Box::new(move |w| crate::report::workbook::write(&ctx, w).map_err(making)),
        ));
    }
    files.push((
        outputs.portfolio.as_path(),
        Box::new(|w| crate::report::portfolio::workbook::write(p, w).map_err(making)),
    ));
    if let Some(path) = outputs.summary {
        files.push((
            path,
            Box::new(|w| Ok(crate::report::portfolio::summary::write_json(p, w)?)),
        ));
    }
    output::write_all_atomic(files)
}

/// The worst finding over every convention and the orphans, against `--fail-on`.
fn exit_code(p: &Portfolio, fail_on: crate::cli::FailOn) -> u8 {
    let conventions = (p.members.iter()).flat_map(|m| m.ctx.run.reconciliation.findings.iter());
    let worst = (conventions.chain(p.findings))
        .filter(|f| f.counts())
        .map(|f| f.severity)
        .min();
    super::failing(worst, fail_on)
}

/// What stderr says after a portfolio run: a line per convention, the orphans.
fn report(p: &Portfolio, folder: &Path) -> String {
    let euros = crate::model::money::euros;
    let mut s = format!("Portefeuille : {} convention(s)\n", p.members.len());
    for m in &p.members {
        let rec = &m.ctx.run.reconciliation;
        let t = &rec.totals;
        s += &format!(
            "  {} : {} ; {} ligne(s) dans le périmètre ; AE consommées {} sur {} ; CP consommés {} sur {} ; anomalies : {} erreur(s), {} avertissement(s), {} information(s)\n",
            m.ctx.convention.id,
            rec.status().label(),
            rec.counts.in_scope,
            euros(t.ae_consumed),
            euros(t.ae_allocated),
            euros(t.cp_consumed),
            euros(t.cp_allocated),
            rec.count(Severity::Error),
            rec.count(Severity::Warning),
            rec.count(Severity::Info),
        );
    }
    let sum = |m: crate::model::Measure| -> rust_decimal::Decimal {
        (p.orphans.iter())
            .filter(|o| o.line.measure == m)
            .map(|o| o.line.amount)
            .sum()
    };
    s += &match p.perimeter {
        Some(perimeter) => format!(
            "Lignes orphelines (du périmètre de {}, réclamées par aucune convention) : {} ; AE {} ; CP {}\n",
            perimeter.origin,
            p.orphans.len(),
            euros(sum(crate::model::Measure::Ae)),
            euros(sum(crate::model::Measure::Cp)),
        ),
        None => format!(
            "Lignes orphelines : non cherchées (pas de {} à côté des conventions)\n",
            crate::convention::portfolio::PERIMETER_FILE
        ),
    };
    s += &format!("Classeurs écrits dans : {}\n", folder.display());
    s
}
