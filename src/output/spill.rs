//! Spill files: what the main pass leaves for the outputs that list rows one by one (the
//! out-of-scope detail CSV, the line export), written while each input is judged so that no
//! input is read twice and no row list is held in memory. Each input spills into its own
//! anonymous temporary file (`tempfile::tempfile()`: unlinked at once, so the system
//! reclaims it when the run ends, even on a kill); the output step copies the files in
//! input order into the final outputs, inside the atomic group of `write_all_atomic`.
//! Nothing is spilled, and nothing costs, when neither output is asked for.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};

use super::Failure;
use super::csv_out::ExcelCsv;

/// The columns of the out-of-scope detail CSV (`--detail-hors-perimetre`).
pub const DETAIL_HEADER: [&str; 10] = [
    "Fichier",
    "Ligne",
    "Type",
    "Montant",
    "Centre financier",
    "Programme",
    "Domaine fonctionnel",
    "Activité",
    "Centre de coût",
    "Axes différents",
];

/// Which spills a run writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SpillRequest {
    /// The out-of-scope detail CSV rows (`--detail-hors-perimetre`).
    pub detail: bool,
    /// The line export records (`--export-lignes`).
    pub export: bool,
}

impl SpillRequest {
    /// Nothing to spill: the main pass makes no spill buffer at all.
    pub const NONE: SpillRequest = SpillRequest {
        detail: false,
        export: false,
    };

    pub fn any(self) -> bool {
        self.detail || self.export
    }
}

/// What one piece of an input's rows adds to the input's spills, made on the thread that
/// judged the piece and appended in row order.
#[derive(Debug, Default)]
pub struct PieceSpill {
    /// Detail CSV rows, ready to copy (no BOM, no header).
    pub detail: Vec<u8>,
    pub detail_rows: u64,
    /// Export records (`export::Record`).
    pub export: Vec<u8>,
}

/// An input's spill files, being written.
#[derive(Debug)]
pub struct InputSpill {
    detail: Option<BufWriter<File>>,
    export: Option<BufWriter<File>>,
    detail_rows: u64,
}

/// Buffer of each spill file: pieces arrive by a few hundred kibibytes at most.
const SPILL_BUFFER: usize = 1 << 16;

fn spill_file() -> std::io::Result<BufWriter<File>> {
    Ok(BufWriter::with_capacity(
        SPILL_BUFFER,
        tempfile::tempfile()?,
    ))
}

impl InputSpill {
    /// The files `request` asks for, created empty.
    pub fn new(request: SpillRequest) -> std::io::Result<InputSpill> {
        Ok(InputSpill {
            detail: request.detail.then(spill_file).transpose()?,
            export: request.export.then(spill_file).transpose()?,
            detail_rows: 0,
        })
    }

    /// Appends a piece's rows.
    pub fn append(&mut self, piece: &PieceSpill) -> std::io::Result<()> {
        if let Some(w) = &mut self.detail {
            w.write_all(&piece.detail)?;
            self.detail_rows += piece.detail_rows;
        }
        if let Some(w) = &mut self.export {
            w.write_all(&piece.export)?;
        }
        Ok(())
    }

    /// Flushes the files, for reading back.
    pub fn finish(self) -> std::io::Result<Spilled> {
        let done = |w: Option<BufWriter<File>>| {
            w.map(|w| w.into_inner().map_err(|e| e.into_error()))
                .transpose()
        };
        Ok(Spilled {
            detail: done(self.detail)?,
            export: done(self.export)?,
            detail_rows: self.detail_rows,
        })
    }
}

/// An input's spill files, written.
#[derive(Debug, Default)]
pub struct Spilled {
    pub detail: Option<File>,
    pub export: Option<File>,
    pub detail_rows: u64,
}

/// Every input's spills, in input order (the inputs of `Run::inputs`).
#[derive(Debug, Default)]
pub struct Spills {
    pub inputs: Vec<Spilled>,
}

/// `file`, from its start, for reading (a `&File` reads and seeks; each output reads
/// files of its own, so outputs written side by side never share one).
pub fn rewound(file: &File) -> std::io::Result<&File> {
    let mut f = file;
    f.seek(SeekFrom::Start(0))?;
    Ok(f)
}

impl Spills {
    /// Rows in the detail CSV.
    pub fn detail_rows(&self) -> u64 {
        self.inputs.iter().map(|s| s.detail_rows).sum()
    }

    /// The out-of-scope detail CSV for Excel (`csv_out`: BOM, header, then every input's
    /// rows in input and row order).
    pub fn write_detail(&self, out: &mut dyn Write) -> Result<(), Failure> {
        let csv = ExcelCsv::new(&mut *out, &DETAIL_HEADER)?;
        csv.finish()?;
        for spilled in &self.inputs {
            if let Some(file) = &spilled.detail {
                std::io::copy(&mut rewound(file)?, out)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::csv_out::Cell;

    fn piece(rows: &[&str]) -> PieceSpill {
        let mut csv = ExcelCsv::rows_only(Vec::new());
        for r in rows {
            csv.row([Cell::Text(r)]).unwrap();
        }
        PieceSpill {
            detail: csv.finish().unwrap(),
            detail_rows: rows.len() as u64,
            export: Vec::new(),
        }
    }

    #[test]
    fn inputs_are_copied_in_order_after_one_header() {
        let request = SpillRequest {
            detail: true,
            export: false,
        };
        let mut first = InputSpill::new(request).unwrap();
        first.append(&piece(&["a1", "a2"])).unwrap();
        first.append(&piece(&["=a3"])).unwrap();
        let mut second = InputSpill::new(request).unwrap();
        second.append(&piece(&["b1"])).unwrap();
        let spills = Spills {
            inputs: vec![first.finish().unwrap(), second.finish().unwrap()],
        };
        assert_eq!(spills.detail_rows(), 4);
        let mut out = Vec::new();
        spills.write_detail(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("\u{feff}Fichier;Ligne;Type;Montant;"),
            "{text}"
        );
        let rows: Vec<&str> = text.split("\r\n").skip(1).collect();
        assert_eq!(rows, ["a1", "a2", "'=a3", "b1", ""]);
        // Written twice (a retried output), the same bytes.
        let mut again = Vec::new();
        spills.write_detail(&mut again).unwrap();
        assert_eq!(again, text.as_bytes());
    }

    #[test]
    fn no_request_no_file() {
        let spill = InputSpill::new(SpillRequest::NONE).unwrap();
        let done = spill.finish().unwrap();
        assert!(done.detail.is_none() && done.export.is_none());
    }
}
