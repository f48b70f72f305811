//! Temporary stand-ins for the portfolio's reports (pw writes the real ones in this
//! folder): just enough for the portfolio pass to write its files and be tested. The lead
//! drops this file at the merge.

/// `portefeuille.xlsx`, minimal: one row per convention, then the orphans' count.
pub mod workbook {
    use super::super::Portfolio;

    pub fn write(
        p: &Portfolio,
        out: &mut dyn std::io::Write,
    ) -> Result<(), rust_xlsxwriter::XlsxError> {
        let mut book = rust_xlsxwriter::Workbook::new();
        // Never the clock: the same run, the same bytes.
        let created = rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1)?;
        book.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
        let sheet = book.add_worksheet();
        sheet.set_name("Portefeuille")?;
        sheet.write(0, 0, "Convention")?;
        sheet.write(0, 1, "Statut")?;
        sheet.write(0, 2, "Classeur")?;
        for (i, m) in p.members.iter().enumerate() {
            let row = i as u32 + 1;
            sheet.write(row, 0, m.ctx.convention.id.as_str())?;
            sheet.write(row, 1, m.ctx.run.reconciliation.status().label())?;
            sheet.write(row, 2, m.workbook)?;
        }
        let row = p.members.len() as u32 + 2;
        sheet.write(row, 0, "Lignes orphelines")?;
        sheet.write(row, 1, p.orphans.len() as u32)?;
        let bytes = book.save_to_buffer()?;
        out.write_all(&bytes)?;
        Ok(())
    }
}

/// The portfolio's JSON summary, minimal: `conventions` (each convention's summary as a
/// single run writes it) and the orphans' findings.
pub mod summary {
    use super::super::Portfolio;

    pub fn write_json(p: &Portfolio, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let conventions: Vec<_> = (p.members.iter())
            .map(|m| crate::report::summary::summary(&m.ctx))
            .collect();
        let findings: Vec<_> = (p.findings.iter())
            .map(|f| serde_json::json!({ "code": f.code.as_str(), "key": f.key, "message": f.message }))
            .collect();
        let json = serde_json::json!({
            "conventions": conventions,
            "portefeuille": { "orphelines": p.orphans.len(), "findings": findings },
        });
        serde_json::to_writer_pretty(&mut *out, &json)?;
        out.write_all(b"\n")
    }
}
