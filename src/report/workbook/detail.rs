//! The sheets of rows: every in-scope line, every finding (with a link to the row it is
//! about), every out-of-scope line and every rejected row, each with its file and row so
//! a reader can go back to the extract.

use rust_decimal::Decimal;

use super::grid::{Cell, Split, Tone};
use super::overview::severity_tone;
use super::table::Table;
use crate::classify::Judged;
use crate::model::{Line, Rejection};
use crate::reconcile::findings::{Justification, JustificationStatus};
use crate::reconcile::{Attribution, Finding, OutGroup, Replaced, Resolved, ScopedLine, Target};
use crate::report::Context;

pub const LINES: &str = "Lignes";
pub const OUT_OF_SCOPE: &str = "Hors périmètre";
pub const REJECTIONS: &str = "Rejets";
pub const REPLACED: &str = "Remplacements";

// What each sheet holds, in one line above its header.
const LINES_CAPTION: &str = "Lignes du périmètre de la convention, une par mouvement (AE ou CP), \
     avec leur fichier et leur ligne d'origine.";
const FINDINGS_CAPTION: &str = "Anomalies relevées par les contrôles : gravité, suivi d'un mois \
     à l'autre et lien vers la ligne en cause.";
const OUT_CAPTION: &str = "Lignes lues hors du périmètre de la convention, avec les axes qui \
     concordent et ceux qui diffèrent.";
const GROUPS_CAPTION: &str = "Lignes hors du périmètre de la convention, trop nombreuses pour \
     être détaillées : regroupées par imputation.";
const REJECTIONS_CAPTION: &str = "Lignes illisibles, écartées du rapprochement, avec le motif \
     du rejet et leur texte brut.";
const REPLACED_CAPTION: &str = "Lignes remplacées par l'état plus récent d'un autre extrait, et \
     la ligne qui les remplace.";

const LINE_HEADERS: [&str; 22] = [
    "Fichier",
    "Ligne",
    "Type",
    "Exercice",
    "Date",
    "Produit",
    "Rattachement",
    "N° EJ",
    "Poste EJ",
    "N° DP",
    "Poste DP",
    "Fournisseur",
    "Centre financier",
    "Domaine fonctionnel",
    "Activité",
    "Centre de coût",
    "Programme",
    "Compte budgétaire",
    "Titre",
    "Montant",
    "AE",
    "CP",
];

fn line_cells<'a>(ctx: &'a Context, scoped: &'a ScopedLine) -> Vec<Cell<'a>> {
    let l = &scoped.judged.line;
    // The texts of a run without `--commandes` are those of before the order list.
    let attachment = match scoped.rule {
        Attribution::SameEj => Cell::text("EJ"),
        Attribution::EjList | Attribution::Rule => Cell::text("règle"),
        Attribution::Order(o) => Cell::owned(order_attachment(ctx, o)),
        Attribution::Unattributed => Cell::text(""),
    };
    vec![
        Cell::text(ctx.input_label(l.origin.input)),
        Cell::ordinal(l.origin.row),
        Cell::text(l.measure.label()),
        Cell::ordinal(l.year),
        l.date.map_or(Cell::Empty, Cell::Date),
        Cell::text(ctx.product_name(scoped.product)),
        attachment,
        Cell::opt(l.ej.as_deref()),
        Cell::opt(l.poste_ej.as_deref()),
        Cell::opt(l.dp.as_deref()),
        Cell::opt(l.poste_dp.as_deref()),
        Cell::opt(l.fournisseur.as_deref()),
        Cell::opt(l.centre_financier.as_deref()),
        Cell::opt(l.domaine_fonctionnel.as_deref()),
        Cell::opt(l.activite.as_deref()),
        Cell::opt(l.centre_cout.as_deref()),
        Cell::opt(l.programme.as_deref()),
        Cell::opt(l.compte_budgetaire.as_deref()),
        l.titre.map_or(Cell::Empty, Cell::ordinal),
        Cell::Amount(l.amount),
        Cell::Amount(l.ae()),
        Cell::Amount(l.cp()),
    ]
}

/// « commande BC-… »: the order whose product a line's EJ took (`--commandes`).
fn order_attachment(ctx: &Context, order: usize) -> String {
    let orders = ctx.run.reconciliation.orders.as_ref();
    let id = orders
        .and_then(|r| r.orders.get(order))
        .map(|o| o.id.as_str());
    format!("commande {}", id.unwrap_or("?"))
}

pub fn lignes<'a>(ctx: &'a Context) -> Table<'a> {
    let lines = &ctx.run.reconciliation.lines;
    Table::new(LINES, LINES_CAPTION, &LINE_HEADERS, lines.len(), move |i| {
        line_cells(ctx, &lines[i])
    })
    .identified_by(2)
}

pub const FINDINGS: &str = "Anomalies";

const FINDING_HEADERS: [&str; 12] = [
    "Gravité", "Code", "Suivi", "Message", "Fichier", "Ligne", "N° EJ", "Montant", "Produit",
    "Exercice", "Voir", "Clé",
];

/// With `--justifications`, the accountant's justification after the key it matches.
const JUSTIFIED_HEADERS: [&str; 16] = [
    "Gravité",
    "Code",
    "Suivi",
    "Message",
    "Fichier",
    "Ligne",
    "N° EJ",
    "Montant",
    "Produit",
    "Exercice",
    "Voir",
    "Clé",
    "Justification",
    "Commentaire",
    "Auteur",
    "Date",
];

const JUSTIFIED_CAPTION: &str = "Anomalies relevées par les contrôles : gravité, suivi d'un mois \
     à l'autre, lien vers la ligne en cause et justification (une anomalie acceptée reste \
     listée mais ne compte plus dans le statut).";

/// The justification's cells: status (an accepted finding in green), comment, author, date.
fn justification_cells(j: Option<&Justification>) -> [Cell<'_>; 4] {
    let Some(j) = j else {
        return [Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty];
    };
    let status = match j.status {
        JustificationStatus::Accepted => Cell::Toned(j.status.label().into(), Tone::Good),
        JustificationStatus::ToFollow => Cell::text(j.status.label()),
    };
    [
        status,
        j.comment
            .as_deref()
            .map_or(Cell::Empty, |c| Cell::Wrapped(c.into())),
        Cell::opt(j.author.as_deref()),
        j.date.map_or(Cell::Empty, Cell::Date),
    ]
}

/// The link to the row a finding is about, wherever the split put that row. Out-of-scope
/// lines grouped by imputation (large runs) have no row of their own.
fn link<'a>(target: Option<Target>, split: Split, grouped: bool) -> Cell<'a> {
    let (base, index) = match target {
        Some(Target::Line(i)) => (LINES, i),
        Some(Target::OutOfScope(_)) if grouped => return Cell::Empty,
        Some(Target::OutOfScope(i)) => (OUT_OF_SCOPE, i),
        Some(Target::Rejection(i)) => (REJECTIONS, i),
        None => return Cell::Empty,
    };
    let (sheet, row) = split.locate(base, index);
    let text = format!("{sheet}, ligne {row}");
    Cell::Link(sheet, row, text)
}

fn finding_cells<'a>(ctx: &'a Context, f: &'a Finding, split: Split) -> Vec<Cell<'a>> {
    let as_of = ctx.run.reconciliation.as_of;
    vec![
        Cell::Toned(f.severity.label().into(), severity_tone(f.severity)),
        Cell::text(f.code.as_str()),
        f.follow_up
            .map_or(Cell::Empty, |u| Cell::owned(u.label(as_of))),
        Cell::Wrapped(f.message.as_str().into()),
        match f.origin.map(|o| o.input).or(f.input) {
            Some(i) => Cell::text(ctx.input_label(i)),
            None => Cell::opt(f.path.as_deref()),
        },
        f.origin.map_or(Cell::Empty, |o| Cell::ordinal(o.row)),
        Cell::opt(f.ej.as_deref()),
        Cell::opt_amount(f.amount),
        f.product
            .map_or(Cell::Empty, |p| Cell::text(ctx.product_name(Some(p)))),
        f.year.map_or(Cell::Empty, Cell::ordinal),
        link(f.target, split, ctx.run.reconciliation.out_of_scope_grouped),
        Cell::Wrapped(f.key.as_str().into()),
    ]
}

/// Last month's finding, no longer found: as its summary gave it, without a link (the row
/// it named belongs to last month's extracts).
fn resolved_cells(r: &Resolved) -> Vec<Cell<'_>> {
    let severity = Cell::text(r.severity.label());
    let amount = r.amount.as_deref().map_or(Cell::Empty, |a| {
        a.trim()
            .parse::<Decimal>()
            .map_or(Cell::text(a), Cell::Amount)
    });
    vec![
        severity,
        Cell::text(&r.code),
        Cell::Toned("résolue".into(), Tone::Good),
        Cell::Wrapped(r.message.as_str().into()),
        Cell::opt(r.file.as_deref()),
        r.row.map_or(Cell::Empty, Cell::ordinal),
        Cell::opt(r.ej.as_deref()),
        amount,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Wrapped(r.key.as_str().into()),
    ]
}

/// Every finding, the most serious first (the order the rules give), then with
/// `--previous` last month's findings now resolved; each with its key, and with
/// `--justifications` its justification.
pub fn anomalies<'a>(ctx: &'a Context, split: Split) -> Table<'a> {
    let rec = &ctx.run.reconciliation;
    let (findings, resolved) = (&rec.findings, &rec.resolved);
    let len = findings.len() + resolved.len();
    let justified = rec.justifications.is_some();
    let (caption, headers): (_, &[&str]) = match justified {
        true => (JUSTIFIED_CAPTION, &JUSTIFIED_HEADERS),
        false => (FINDINGS_CAPTION, &FINDING_HEADERS),
    };
    Table::new(FINDINGS, caption, headers, len, move |i| {
        let (mut cells, justification) = match findings.get(i) {
            Some(f) => (finding_cells(ctx, f, split), f.justification.as_ref()),
            None => (resolved_cells(&resolved[i - findings.len()]), None),
        };
        if justified {
            cells.extend(justification_cells(justification));
        }
        cells
    })
    .identified_by(2)
}

const OUT_HEADERS: [&str; 16] = [
    "Fichier",
    "Ligne",
    "Type",
    "Exercice",
    "Date",
    "N° EJ",
    "N° DP",
    "Fournisseur",
    "Centre financier",
    "Programme",
    "Domaine fonctionnel",
    "Activité",
    "Centre de coût",
    "Montant",
    "Axes concordants",
    "Axes différents",
];

fn out_cells<'a>(ctx: &'a Context, j: &'a Judged) -> Vec<Cell<'a>> {
    let l: &Line = &j.line;
    vec![
        Cell::text(ctx.input_label(l.origin.input)),
        Cell::ordinal(l.origin.row),
        Cell::text(l.measure.label()),
        Cell::ordinal(l.year),
        l.date.map_or(Cell::Empty, Cell::Date),
        Cell::opt(l.ej.as_deref()),
        Cell::opt(l.dp.as_deref()),
        Cell::opt(l.fournisseur.as_deref()),
        Cell::opt(l.centre_financier.as_deref()),
        Cell::opt(l.programme.as_deref()),
        Cell::opt(l.domaine_fonctionnel.as_deref()),
        Cell::opt(l.activite.as_deref()),
        Cell::opt(l.centre_cout.as_deref()),
        Cell::Amount(l.amount),
        // Lists of axes: they wrap rather than widen the sheet.
        Cell::Wrapped(j.agreeing.labels().into()),
        Cell::Wrapped(j.differing.labels().into()),
    ]
}

const GROUP_HEADERS: [&str; 9] = [
    "Centre financier",
    "Programme",
    "Domaine fonctionnel",
    "Activité",
    "Centre de coût",
    "Type",
    "Lignes",
    "Montant",
    "Axes différents",
];

fn group_cells(g: &OutGroup) -> Vec<Cell<'_>> {
    let [cf, programme, df, activite, cc] = &*g.values;
    vec![
        Cell::opt(cf.as_deref()),
        Cell::opt(programme.as_deref()),
        Cell::opt(df.as_deref()),
        Cell::opt(activite.as_deref()),
        Cell::opt(cc.as_deref()),
        Cell::text(g.measure.label()),
        Cell::count(g.lines),
        Cell::Amount(g.amount),
        Cell::Wrapped(g.differing.labels().into()),
    ]
}

/// Out-of-scope lines one by one, or, past `OUT_OF_SCOPE_DETAIL_LIMIT` of them, grouped
/// by imputation (a national file is mostly out of scope).
pub fn hors_perimetre<'a>(ctx: &'a Context) -> Table<'a> {
    let rec = &ctx.run.reconciliation;
    if rec.out_of_scope_grouped {
        let groups = &rec.out_of_scope_groups;
        return Table::new(
            OUT_OF_SCOPE,
            GROUPS_CAPTION,
            &GROUP_HEADERS,
            groups.len(),
            move |i| group_cells(&groups[i]),
        );
    }
    let lines = &rec.out_of_scope;
    Table::new(
        OUT_OF_SCOPE,
        OUT_CAPTION,
        &OUT_HEADERS,
        lines.len(),
        move |i| out_cells(ctx, &lines[i]),
    )
    .identified_by(2)
}

fn rejection_cells<'a>(ctx: &'a Context, r: &'a Rejection) -> Vec<Cell<'a>> {
    vec![
        Cell::text(ctx.input_label(r.origin.input)),
        Cell::ordinal(r.origin.row),
        Cell::opt(r.column.as_deref()),
        Cell::Wrapped(r.reason.as_str().into()),
        Cell::Wrapped(r.raw.as_str().into()),
    ]
}

const REJECTION_HEADERS: [&str; 5] = ["Fichier", "Ligne", "Colonne", "Motif", "Texte brut"];

pub fn rejets<'a>(ctx: &'a Context) -> Table<'a> {
    let rejections = &ctx.run.reconciliation.rejections;
    Table::new(
        REJECTIONS,
        REJECTIONS_CAPTION,
        &REJECTION_HEADERS,
        rejections.len(),
        move |i| rejection_cells(ctx, &rejections[i]),
    )
    .identified_by(2)
}

const REPLACED_HEADERS: [&str; 12] = [
    "Fichier",
    "Ligne",
    "Type",
    "Exercice",
    "N° EJ",
    "Poste EJ",
    "N° DP",
    "Poste DP",
    "Montant remplacé",
    "Remplacé par (fichier)",
    "Ligne",
    "Montant retenu",
];

fn replaced_cells<'a>(ctx: &'a Context, r: &'a Replaced, by: Option<&'a Line>) -> Vec<Cell<'a>> {
    let l = r.line.as_deref().or(by);
    let key = |f: fn(&Line) -> Option<&str>| Cell::opt(l.and_then(f));
    vec![
        Cell::text(ctx.input_label(r.origin.input)),
        Cell::ordinal(r.origin.row),
        Cell::text(r.measure.label()),
        l.map_or(Cell::Empty, |l| Cell::ordinal(l.year)),
        key(|l| l.ej.as_deref()),
        key(|l| l.poste_ej.as_deref()),
        key(|l| l.dp.as_deref()),
        key(|l| l.poste_dp.as_deref()),
        Cell::Amount(r.amount),
        Cell::text(ctx.input_label(r.by.input)),
        Cell::ordinal(r.by.row),
        by.map_or(Cell::Empty, |b| Cell::Amount(b.amount + b.carried)),
    ]
}

/// Older states replaced by a newer extract's, where either side is in scope: what
/// replaced what, so that the accountant can follow a poste from extract to extract.
pub fn remplacements<'a>(ctx: &'a Context) -> Table<'a> {
    let rec = &ctx.run.reconciliation;
    let by_line = |r: &Replaced| -> Option<&'a Line> {
        rec.line_at(r.by, r.measure)
            .map(|i| &*rec.lines[i].judged.line)
    };
    let shown: Vec<(usize, Option<&'a Line>)> = rec
        .replaced
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let by = by_line(r);
            (r.in_scope || by.is_some()).then_some((i, by))
        })
        .collect();
    Table::new(
        REPLACED,
        REPLACED_CAPTION,
        &REPLACED_HEADERS,
        shown.len(),
        move |i| {
            let (at, by) = shown[i];
            replaced_cells(ctx, &rec.replaced[at], by)
        },
    )
    .identified_by(2)
}
