//! The subcommands: compile the plan (arguments + convention, validated before any input
//! is read), run the pipeline, write the reports, and say which exit code it comes to.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::cli::{CheckArgs, Cli, Command, ConventionCommand, FailOn, ReconcileArgs, RunArgs};
use crate::convention::Convention;
use crate::error::Error;
use crate::output;
use crate::output::spill::{SpillRequest, Spills};
use crate::output::targets::Target;
use crate::pipeline::{self, Plan, Run};
use crate::reconcile::{Reconciliation, Severity};
use crate::report::{Context, summary, workbook};
use crate::{EXIT_FINDINGS, EXIT_OK};

mod portfolio;

/// Runs a parsed command line; `Ok(exit code)` or an error that means exit code 2.
/// Made for a process that exits next (the binary): the lines read are left to the
/// system to reclaim rather than freed.
pub fn run(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        Command::Reconcile(args) => reconcile(args),
        Command::Check(args) => check(args),
        Command::Convention(ConventionCommand::Show { file }) => {
            let convention = load_convention(file.as_deref())?;
            print!("{}", convention.text);
            Ok(EXIT_OK)
        }
        Command::Convention(ConventionCommand::Check { file }) => {
            let c = Convention::load(&file)?;
            println!(
                "convention « {} » valide : {} ; {} produit(s) ; du {} au {} ; AE allouées {} ; CP alloués {}",
                c.origin,
                c.id,
                c.products.len(),
                c.start.format("%d/%m/%Y"),
                c.end.format("%d/%m/%Y"),
                crate::model::money::euros(c.ae_allocated()),
                crate::model::money::euros(c.cp_allocated()),
            );
            for line in c.amendments_text() {
                println!("  {line}");
            }
            for warning in c.warnings() {
                println!("  attention : {warning}");
            }
            Ok(EXIT_OK)
        }
        Command::Layouts(args) => layouts(&args),
        Command::Completions { shell } => write_stdout(&crate::scripts::completions(shell)),
        Command::Man => write_stdout(&crate::scripts::man_page().map_err(stdout_error)?),
    }
}

/// `layouts`: the text list, `--json`, or `--schema NOM`.
fn layouts(args: &crate::cli::LayoutsArgs) -> Result<u8, Error> {
    if let Some(name) = &args.schema {
        let Some(schema) = crate::scripts::table_schema(name) else {
            return Err(Error::Usage(format!(
                "mise en page « {name} » inconnue (connues : {})",
                crate::scripts::layout_names()
            )));
        };
        let text = serde_json::to_string_pretty(&schema).expect("a schema serialises");
        return write_stdout(format!("{text}\n").as_bytes());
    }
    if args.json {
        let text = serde_json::to_string_pretty(&crate::scripts::layouts_json())
            .expect("the layouts serialise");
        return write_stdout(format!("{text}\n").as_bytes());
    }
    write_stdout(layouts_text().as_bytes())
}

/// Writes `bytes` on the standard output.
fn write_stdout(bytes: &[u8]) -> Result<u8, Error> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(stdout_error)?;
    Ok(EXIT_OK)
}

fn stdout_error(e: std::io::Error) -> Error {
    Error::Output {
        path: "sortie standard".to_string(),
        message: crate::error::io_message(&e),
    }
}

fn load_convention(file: Option<&Path>) -> Result<Convention, Error> {
    Ok(match file {
        Some(path) => Convention::load(path)?,
        None => Convention::builtin(),
    })
}

/// The one convention of a run: the built-in one, a file, or a folder holding one (and no
/// `portefeuille.toml`). Several are a portfolio, which only `reconcile` runs.
fn single_convention(paths: &[PathBuf]) -> Result<Convention, Error> {
    match paths {
        [] => Ok(Convention::builtin()),
        [file] if !file.is_dir() => Ok(Convention::load(file)?),
        _ => {
            let loaded = crate::convention::portfolio::load_all(paths)?;
            if loaded.is_portfolio() {
                return Err(Error::Usage(format!(
                    "{} conventions (ou un portefeuille.toml) : seule la commande reconcile les rapproche ensemble ; vérifiez-les une à une (-c son fichier)",
                    loaded.conventions.len()
                )));
            }
            Ok(loaded
                .conventions
                .into_iter()
                .next()
                .expect("one convention"))
        }
    }
}

fn plan(args: &RunArgs) -> Result<Plan, Error> {
    let as_of = args.as_of.unwrap_or_else(today);
    // The reports show the convention as amended on `as_of` (`[[avenant]]`).
    let convention = single_convention(&args.convention)?.at(as_of);
    Ok(Plan::new(args.inputs.clone(), convention, as_of))
}

/// Reads last month's summary (`--previous`) before any input, and checks that it is one:
/// of this convention, dated before this run. A missing file is the first month: a note,
/// every finding new.
fn load_previous(
    path: &Path,
    plan: &Plan,
    quiet: bool,
) -> Result<Option<crate::reconcile::PreviousSummary>, Error> {
    let Some(text) = read_previous(path, quiet)? else {
        return Ok(None);
    };
    let previous: crate::reconcile::PreviousSummary =
        serde_json::from_str(&text).map_err(|e| not_a_summary(path, &e))?;
    previous
        .check(&plan.convention.id, plan.as_of)
        .map_err(|message| previous_error(path, message))?;
    Ok(Some(previous))
}

/// The text of last month's summary (`--previous`), or `None` when the file is missing:
/// the first month, said in a note (unless `quiet`), every finding new.
fn read_previous(path: &Path, quiet: bool) -> Result<Option<String>, Error> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if !quiet {
                eprintln!(
                    "note : résumé précédent « {} » introuvable : premier mois, toutes les anomalies sont dites nouvelles",
                    path.display()
                );
            }
            Ok(None)
        }
        Err(e) => Err(previous_error(path, crate::error::io_message(&e))),
    }
}

/// The input error of the `--previous` file at `path`, saying `message`.
fn previous_error(path: &Path, message: String) -> Error {
    Error::Input(crate::error::InputError::new(
        path.display().to_string(),
        message,
    ))
}

/// The error of a `--previous` file that JSON or the summary's types refuse: not a
/// chorus-recon summary, with where the reader stopped.
fn not_a_summary(path: &Path, e: &serde_json::Error) -> Error {
    previous_error(
        path,
        format!(
            "ce n'est pas un résumé JSON de chorus-recon (ligne {}, colonne {} : {})",
            e.line(),
            e.column(),
            e
        ),
    )
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// At most this many worker threads per core: more only costs memory and start-up time
/// (`-j 65535` took minutes), and the output is the same for every count.
const THREADS_PER_CORE: usize = 4;

/// The pool of `jobs` threads (all cores by default) a run and its reports are made on.
/// More than [`THREADS_PER_CORE`] per core is brought down to that, with a note.
fn pool(jobs: Option<u16>, quiet: bool) -> Result<rayon::ThreadPool, Error> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = jobs {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let cap = THREADS_PER_CORE * cores;
        let n = usize::from(n);
        if n > cap && !quiet {
            eprintln!(
                "note : --jobs {n} ramené à {cap} ({THREADS_PER_CORE} par cœur, {cores} cœur(s)) : davantage ne ferait que consommer de la mémoire ; le résultat est le même"
            );
        }
        builder = builder.num_threads(n.min(cap));
    }
    builder.build().map_err(|e| {
        Error::Usage(format!(
            "impossible de créer {} fils de calcul : {e}",
            jobs.unwrap_or(0)
        ))
    })
}

/// Runs the pipeline on `pool`, telling `progress`, spilling what `request` asks for.
fn execute(
    plan: &Plan,
    pool: &rayon::ThreadPool,
    progress: &dyn crate::model::progress::Progress,
    request: SpillRequest,
) -> Result<(Run, Spills), Error> {
    let run = pool.install(|| pipeline::run_spilling(plan, progress, request));
    if run.is_err() {
        progress.finish();
    }
    run
}

/// Where `reconcile` writes: the workbook, then the summary, the out-of-scope detail and
/// the line export's two files, as far as asked.
struct Outputs<'a> {
    workbook: &'a Path,
    summary: Option<&'a Path>,
    detail: Option<&'a Path>,
    /// `--export-lignes`: `lignes.csv` and `datapackage.json` in the folder.
    export: Option<(PathBuf, PathBuf)>,
}

impl<'a> Outputs<'a> {
    fn of(args: &'a ReconcileArgs) -> Outputs<'a> {
        Outputs {
            workbook: &args.output,
            summary: args.summary.as_deref().filter(|p| p.as_os_str() != "-"),
            detail: args.detail_hors_perimetre.as_deref(),
            export: args.export_lignes.as_deref().map(|dir| {
                (
                    dir.join(output::export::LINES_FILE),
                    dir.join(output::export::PACKAGE_FILE),
                )
            }),
        }
    }

    fn targets(&self) -> Vec<Target<'_>> {
        let target = |option, path| Target { option, path };
        let mut targets = vec![target("-o", self.workbook)];
        targets.extend(self.summary.map(|p| target("--summary", p)));
        targets.extend(self.detail.map(|p| target("--detail-hors-perimetre", p)));
        if let Some((lines, package)) = &self.export {
            targets.push(target("--export-lignes", lines));
            targets.push(target("--export-lignes", package));
        }
        targets
    }

    fn request(&self) -> SpillRequest {
        SpillRequest {
            detail: self.detail.is_some(),
            export: self.export.is_some(),
        }
    }
}

/// The run's plan with what `reconcile` adds beside the extracts: `--previous`,
/// `--previsions`, `--justifications`, `--declare`, each read (and refused) before anything is written.
fn reconcile_plan(args: &ReconcileArgs) -> Result<Plan, Error> {
    let mut plan = plan(&args.run)?;
    plan.previous = match args.previous.as_deref() {
        Some(p) => load_previous(p, &plan, args.run.quiet)?,
        None => None,
    };
    plan.forecasts = (args.previsions.as_deref())
        .map(|p| crate::tables::forecasts::load(p, &plan.convention))
        .transpose()?;
    plan.justifications = (args.justifications.as_deref())
        .map(crate::tables::justifications::load)
        .transpose()?;
    plan.declaration = (args.declare.as_deref())
        .map(|p| crate::tables::declaration::load(p, &plan.convention))
        .transpose()?;
    plan.orders = (args.commandes.as_deref())
        .map(|p| crate::tables::orders::load(p, &plan.convention))
        .transpose()?;
    Ok(plan)
}

/// Before any input is read: checks that no output (`targets`) is a file the run reads
/// (`read`), locks the outputs that exist and has temporaries removed on an interruption.
/// Returns the outputs' paths and the lock, held until they are written.
fn guard_outputs<'a>(
    targets: &[Target<'a>],
    read: &[PathBuf],
) -> Result<(Vec<&'a Path>, output::lock::OutputLock), Error> {
    output::targets::check(targets, read)?;
    let paths: Vec<&Path> = targets.iter().map(|t| t.path).collect();
    // One writer at a time on these outputs: a run holding them stops this one now (exit
    // 3); lock files missing yet are created only when about to write (`output::lock`).
    let lock = output::lock::lock_existing(&paths)?;
    output::temporaries::remove_on_signal().map_err(|e| {
        Error::Usage(format!(
            "impossible d'intercepter les signaux d'interruption : {e}"
        ))
    })?;
    Ok((paths, lock))
}

/// Every file the run reads, which no output may land on: the inputs, the convention (`-o`
/// onto it would overwrite it), the forecasts and the justifications (the accountant's:
/// never written over).
fn read_files(args: &ReconcileArgs, plan: &Plan) -> Vec<PathBuf> {
    let mut read = plan.inputs.clone();
    read.extend(args.run.convention.clone());
    read.extend(args.previsions.clone());
    read.extend(args.justifications.clone());
    read.extend(args.declare.clone());
    read.extend(args.commandes.clone());
    read
}

fn reconcile(args: ReconcileArgs) -> Result<u8, Error> {
    if let Some(loaded) = portfolio::loaded(&args.run)? {
        return portfolio::reconcile(args, loaded);
    }
    let plan = reconcile_plan(&args)?;
    let folder = (args.export_lignes.as_deref())
        .map(|dir| output::targets::prepare_folder("--export-lignes", dir))
        .transpose()?;
    let outputs = Outputs::of(&args);
    let targets = outputs.targets();
    let (paths, mut lock) = guard_outputs(&targets, &read_files(&args, &plan))?;
    let pool = pool(args.run.jobs, args.run.quiet)?;
    let progress = crate::progress::TerminalProgress::for_run(args.run.quiet);
    let (run, spills) = execute(&plan, &pool, progress.as_ref(), outputs.request())?;
    let ctx = Context {
        convention: &plan.convention,
        run: &run,
    };
    progress.phase("écriture du classeur et du résumé…");
    lock.take(&paths, true)?;
    sweep_temporaries(&paths, args.run.quiet);
    let started = std::time::Instant::now();
    let written = pool.install(|| write_outputs(&outputs, &ctx, &spills));
    progress.finish();
    let exported = written?;
    if let Some(folder) = folder {
        folder.keep();
    }
    crate::model::progress::trace("classeur et résumé, écrits", started);
    if args
        .summary
        .as_deref()
        .is_some_and(|p| p.as_os_str() == "-")
    {
        summary_to_stdout(&ctx)?;
    }
    if !args.run.quiet {
        eprint!("{}", written_report(&outputs, &spills, exported));
        eprint!("{}", run_report(&ctx, Some(&args.output)));
    }
    let code = exit_code(&run.reconciliation, args.fail_on, false);
    leave(run);
    Ok(code)
}

/// Writes every output of `reconcile` as one group (`output::write_all_atomic`): made as
/// they are written, side by side on the run's threads, renamed into place together.
/// Returns the number of lines exported (`--export-lignes`).
fn write_outputs(outputs: &Outputs, ctx: &Context, spills: &Spills) -> Result<u64, Error> {
    let book: output::Contents = Box::new(|w| {
        workbook::write(ctx, w).map_err(|e| match e {
            rust_xlsxwriter::XlsxError::IoError(e) => output::Failure::Io(e),
            e => output::Failure::Making(format!("construction du classeur impossible : {e}")),
        })
    });
    let mut files = vec![(outputs.workbook, book)];
    if let Some(p) = outputs.summary {
        let json: output::Contents = Box::new(|w| Ok(summary::write_json(ctx, w)?));
        files.push((p, json));
    }
    if let Some(p) = outputs.detail {
        files.push((p, Box::new(|w| spills.write_detail(w))));
    }
    let exported = std::sync::atomic::AtomicU64::new(0);
    if let Some((lines, package)) = &outputs.export {
        let (run, convention, count) = (ctx.run, ctx.convention, &exported);
        let csv: output::Contents = Box::new(move |w| {
            let n = output::export::write_lines(run, convention, spills, w)?;
            count.store(n, std::sync::atomic::Ordering::Relaxed);
            Ok(())
        });
        files.push((lines.as_path(), csv));
        let json = output::export::package_json();
        files.push((
            package.as_path(),
            Box::new(move |w| Ok(w.write_all(&json)?)),
        ));
    }
    output::write_all_atomic(files)?;
    Ok(exported.into_inner())
}

/// The JSON summary on the standard output (`--summary -`).
fn summary_to_stdout(ctx: &Context) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    summary::write_json(ctx, &mut out)
        .and_then(|_| out.flush())
        .map_err(|e| Error::Output {
            path: "sortie standard".into(),
            message: e.to_string(),
        })
}

/// The lines written to the detail CSV and the export, for stderr.
fn written_report(outputs: &Outputs, spills: &Spills, exported: u64) -> String {
    let mut s = String::new();
    if let Some(p) = outputs.detail {
        s += &format!(
            "Détail hors périmètre : {} ligne(s) dans {}\n",
            spills.detail_rows(),
            p.display()
        );
    }
    if let Some((lines, _)) = &outputs.export {
        s += &format!(
            "Export des lignes : {exported} ligne(s) dans {} (décrit par {})\n",
            lines.display(),
            output::export::PACKAGE_FILE
        );
    }
    s
}

/// Removes the temporary files that interrupted runs left in the output folders.
fn sweep_temporaries(outputs: &[&Path], quiet: bool) {
    let mut dirs: Vec<&Path> = outputs
        .iter()
        .filter(|p| std::fs::metadata(p).map(|m| m.is_file()).unwrap_or(true))
        .map(|p| match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        })
        .collect();
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        for removed in output::temporaries::sweep(dir) {
            if !quiet {
                eprintln!(
                    "note : fichier temporaire abandonné par une exécution interrompue, supprimé : {}",
                    removed.display()
                );
            }
        }
    }
}

fn check(args: CheckArgs) -> Result<u8, Error> {
    // Every file's verdict in one pass: an unreadable one is listed, not fatal.
    let mut plan = Plan {
        keep_going: true,
        ..plan(&args.run)?
    };
    plan.declaration = (args.declare.as_deref())
        .map(|p| crate::tables::declaration::load(p, &plan.convention))
        .transpose()?;
    let pool = pool(args.run.jobs, args.run.quiet)?;
    let progress = crate::progress::TerminalProgress::for_run(args.run.quiet);
    let (run, _) = execute(&plan, &pool, progress.as_ref(), SpillRequest::NONE)?;
    progress.finish();
    let ctx = Context {
        convention: &plan.convention,
        run: &run,
    };
    print!("{}", check_report(&ctx));
    // 2 if a file could not be read; 1 if files were skipped or rows rejected.
    let incomplete = run.reconciliation.counts.rejected > 0 || !run.skipped_files.is_empty();
    let code = if run.failed.is_empty() {
        exit_code(&run.reconciliation, args.fail_on, incomplete)
    } else {
        crate::EXIT_CANNOT_RUN
    };
    leave(run);
    Ok(code)
}

/// The run is over: its millions of lines are left to the system to reclaim at exit
/// rather than freed one by one (a few tenths of a second on a national run). The run
/// owns memory only, no file or lock.
fn leave(run: Run) {
    std::mem::forget(run);
}

fn exit_code(rec: &Reconciliation, fail_on: FailOn, force: bool) -> u8 {
    // A finding the accountant accepted (`--justifications`) does not count.
    let worst = (rec.findings.iter())
        .filter(|f| f.counts())
        .map(|f| f.severity)
        .min();
    if force {
        EXIT_FINDINGS
    } else {
        failing(worst, fail_on)
    }
}

/// The exit code the worst finding that counts gives, against `--fail-on`.
fn failing(worst: Option<Severity>, fail_on: FailOn) -> u8 {
    let failing = match (fail_on, worst) {
        (FailOn::Never, _) | (_, None) => false,
        (FailOn::Error, Some(s)) => s == Severity::Error,
        (FailOn::Warning, Some(s)) => s <= Severity::Warning,
    };
    if failing { EXIT_FINDINGS } else { EXIT_OK }
}

/// The few lines printed on stderr after a run (not with `--quiet`).
fn run_report(ctx: &Context, workbook: Option<&Path>) -> String {
    let rec = &ctx.run.reconciliation;
    let c = &rec.counts;
    let t = &rec.totals;
    let euros = crate::model::money::euros;
    let mut s = format!(
        "{} : {} fichier(s), {} ligne(s) lue(s) : {} dans le périmètre, {} hors périmètre, {} rejetée(s), {} doublon(s)\n",
        rec.status().label(),
        ctx.run.inputs.len(),
        c.read,
        c.in_scope,
        c.out_of_scope,
        c.rejected,
        c.duplicates
    );
    s += &format!(
        "AE consommées {} sur {} ; CP consommés {} sur {} ; restes à payer {}\n",
        euros(t.ae_consumed),
        euros(t.ae_allocated),
        euros(t.cp_consumed),
        euros(t.cp_allocated),
        euros(t.remaining_to_pay)
    );
    s += &format!(
        "Anomalies : {} erreur(s), {} avertissement(s), {} information(s)\n",
        rec.count(Severity::Error),
        rec.count(Severity::Warning),
        rec.count(Severity::Info)
    );
    let accepted: usize = [Severity::Error, Severity::Warning, Severity::Info]
        .into_iter()
        .map(|s| rec.accepted(s))
        .sum();
    if accepted > 0 {
        s += &format!(
            "dont {accepted} acceptée(s) sur justification : listée(s), hors du statut et de --fail-on\n"
        );
    }
    if let Some(path) = workbook {
        s += &format!("Classeur écrit : {}\n", path.display());
    }
    s
}

/// What `check` prints: per input, how it was read.
fn check_report(ctx: &Context) -> String {
    let mut s = String::new();
    for (input, counts) in ctx
        .run
        .inputs
        .iter()
        .zip(&ctx.run.reconciliation.input_counts)
    {
        let source = &input.source;
        s += &format!("{}\n", input.label);
        s += &format!(
            "  mise en page : {} ({})\n  encodage : {} ; {} ; en-tête ligne {}\n",
            source.layout, source.layout_title, source.encoding, source.shape, source.header_row
        );
        s += &format!(
            "  lignes lues : {} (dans le périmètre {}, hors périmètre {}, rejetées {}, doublons {})\n",
            counts.read, counts.in_scope, counts.out_of_scope, counts.rejected, counts.duplicates
        );
        let axes = input.checked_axes.labels();
        s += &format!(
            "  axes contrôlés : {}\n",
            if axes.is_empty() {
                "aucun".into()
            } else {
                axes
            }
        );
        for note in &input.notes {
            s += &format!("  note : {note}\n");
        }
    }
    for r in &ctx.run.reconciliation.rejections {
        s += &format!(
            "rejet : {}, ligne {}{} : {}\n",
            ctx.input_label(r.origin.input),
            r.origin.row,
            r.column
                .as_ref()
                .map(|c| format!(", colonne « {c} »"))
                .unwrap_or_default(),
            r.reason
        );
    }
    for file in &ctx.run.skipped_files {
        s += &format!("{}\n  ignoré : {}\n", file.path, file.reason);
    }
    for e in &ctx.run.failed {
        s += &format!("{}\n  refusé : {e}\n", e.file);
    }
    s += &run_report(ctx, None);
    s
}

/// What `layouts` prints: every layout, its shape and the fields it yields.
pub fn layouts_text() -> String {
    let mut s = String::new();
    for layout in crate::ingest::layout::layouts() {
        s += &format!(
            "{} : {}\n  {}\n",
            layout.name, layout.title, layout.description
        );
        let required: Vec<String> = layout
            .meta
            .requires
            .iter()
            .map(|r| format!("« {} »", layout.header_of(r)))
            .collect();
        s += &format!("  colonnes obligatoires : {}\n", required.join(", "));
        if !layout.meta.sources.is_empty() {
            s += &format!("  sources : {}\n", layout.meta.sources.join(" ; "));
        }
        for f in &layout.fields {
            s += &format!(
                "  - {} ({}){} : {}\n",
                f.name,
                f.title,
                if f.inferred { " [déduit]" } else { "" },
                f.headers
                    .iter()
                    .map(|h| format!("« {h} »"))
                    .collect::<Vec<_>>()
                    .join(" ou ")
            );
        }
        s.push('\n');
    }
    s
}
