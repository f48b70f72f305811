//! How every sheet prints: A4, fitted to one page wide, landscape when its columns are
//! too wide for portrait, the header row repeated, and a header and footer naming the
//! sheet, the convention and the page. Rows holding wrapped text are given their height.

use rust_xlsxwriter::Worksheet;

/// Excel's tallest row, in points.
pub(super) const MAX_ROW_HEIGHT: f64 = 409.0;

/// What every printed page says: the sheet name, the convention and the page number.
#[derive(Debug, Clone, Default)]
pub struct PageText {
    /// The convention's identifier, shown at the top right of every page.
    pub convention: String,
    /// The tool and the reconciliation date, at the bottom left.
    pub run: String,
}

/// How a sheet is printed; by default, landscape when its columns are too wide for portrait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    Portrait,
    Landscape,
}

/// Columns (in characters) a portrait A4 page holds at a readable scale; wider goes
/// landscape. Either way the sheet is fitted to one page wide.
pub(super) const PORTRAIT_WIDTH: f64 = 105.0;

/// A4, fitted to one page wide (as many pages long as it takes), with the sheet name and
/// the convention at the top and the page number at the bottom of every page.
pub(super) fn page_setup(sheet: &mut Worksheet, page: &PageText) {
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
    // Inches: 1.5 cm left and right, 2 cm top and bottom, header and footer at 0.8 cm.
    sheet.set_margins(0.6, 0.6, 0.8, 0.8, 0.3, 0.3);
    sheet.set_header(format!(
        "&L&\"-,Bold\"&A&R{}",
        header_text(&page.convention, 120)
    ));
    sheet.set_footer(format!("&L{}&RPage &P sur &N", header_text(&page.run, 120)));
}

/// Text for a page header or footer: `&` is a control character there (doubled to show
/// it), and Excel refuses a header longer than 255 UTF-16 units, so long text is cut.
fn header_text(s: &str, max_units: usize) -> String {
    let mut out = String::new();
    let mut units = 0;
    for c in s.chars() {
        let (text, n) = if c == '&' {
            ("&&".to_string(), 2)
        } else {
            (c.to_string(), c.len_utf16())
        };
        if units + n > max_units {
            out.push('…');
            break;
        }
        units += n;
        out.push_str(&text);
    }
    out
}

/// The lines text takes in a column `width` characters wide, wrapped at spaces (a little
/// generously: a proportional font fits about the column's width in characters, but a
/// line also breaks at hyphens and slashes, so a few are kept in reserve).
pub(super) fn wrapped_lines(words: impl IntoIterator<Item = usize>, width: usize) -> usize {
    let room = width.saturating_sub(4).max(1);
    let (mut lines, mut used) = (1, 0);
    for w in words {
        if used > 0 && used + 1 + w <= room {
            used += 1 + w;
            continue;
        }
        if used > 0 {
            lines += 1;
        }
        // A word longer than a line takes whole lines of its own.
        let extra = w.saturating_sub(1) / room;
        lines += extra;
        used = w - extra * room;
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::{header_text, wrapped_lines};

    #[test]
    fn header_text_escapes_ampersands_and_stays_under_excel_limit() {
        assert_eq!(header_text("R&D 2021", 120), "R&&D 2021");
        let long = header_text(&"&".repeat(300), 120);
        assert!(long.encode_utf16().count() <= 121);
        assert!(long.ends_with('…'));
    }

    #[test]
    fn wrapped_text_takes_the_lines_it_needs() {
        // A 24-character column holds 20 characters a line.
        assert_eq!(wrapped_lines([5, 5, 5], 24), 1);
        assert_eq!(wrapped_lines([10, 10, 10], 24), 3);
        assert_eq!(wrapped_lines([9, 10, 9], 24), 2);
        assert_eq!(wrapped_lines([45], 24), 3, "a long word breaks");
        assert_eq!(wrapped_lines([], 24), 1);
    }
}
