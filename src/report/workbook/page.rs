//! How every sheet prints: A4, fitted to one page wide, landscape when its columns are
//! too wide for portrait, the header row repeated, and a header and footer naming the
//! sheet, the convention and the page. A sheet too wide for one landscape page at a
//! readable scale prints over several, broken between columns, its identifying columns
//! repeated on each ([`across`]). Rows holding wrapped text, and headers over two lines,
//! are given their height.

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
/// landscape, fitted to one page wide or, wider still, to several ([`across`]).
pub(super) const PORTRAIT_WIDTH: f64 = 105.0;

/// A4, fitted to one page wide (as many pages long as it takes; `Grid::finish` may make
/// it several), with the sheet name and the convention at the top and the page number at
/// the bottom of every page.
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

/// Pixels of a landscape A4 page's printable width at 100 % (96 an inch, 1.5 cm margins).
const LANDSCAPE_PX: f64 = (11.69 - 1.2) * 96.0;

/// The smallest scale a sheet is printed at one page wide; a wider table is printed over
/// several pages at a larger one. 60 % is still read without a magnifier; the margin above
/// it covers fonts that run a little wider than measured.
pub(super) const MIN_SCALE: f64 = 0.70;

/// A column `width` characters wide, in pixels at 100 % (Calibri 11: 7 a digit, 5 of
/// padding), as Excel lays it out.
fn column_px(width: usize) -> f64 {
    7.0 * width as f64 + 5.0
}

/// How a sheet prints across: fitted to one page wide, or to several, broken at column
/// boundaries, with its identifying columns repeated on each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Across {
    /// One page wide, whatever scale that takes (at least [`MIN_SCALE`]).
    Fit,
    /// Several pages wide: the columns each page after the first starts at, and how many
    /// leading columns each page repeats.
    Pages { breaks: Vec<u16>, repeat: u16 },
}

/// How a sheet whose columns are `widths` (characters) wide prints on landscape A4, its
/// first `repeat` columns identifying a row: one page wide if that keeps it at
/// [`MIN_SCALE`] or more, else over as few pages as keep it there, the columns shared out
/// so that the widest page is as narrow as can be (the scale as large as can be).
pub(super) fn across(widths: &[usize], repeat: usize) -> Across {
    let px: Vec<f64> = widths.iter().map(|&w| column_px(w)).collect();
    let total: f64 = px.iter().sum();
    let room = LANDSCAPE_PX / MIN_SCALE;
    if total <= room {
        return Across::Fit;
    }
    // Identifying columns that would take half a page are not repeated.
    let repeat = if px.iter().take(repeat).sum::<f64>() * 2.0 < room && repeat < px.len() {
        repeat
    } else {
        0
    };
    let key: f64 = px[..repeat].iter().sum();
    let rest = &px[repeat..];
    let mut pages = 2;
    let breaks = loop {
        let (breaks, widest) = share(rest, pages);
        if key + widest <= room || pages >= rest.len() {
            break breaks;
        }
        pages += 1;
    };
    Across::Pages {
        breaks: breaks.iter().map(|&b| (b + repeat) as u16).collect(),
        repeat: repeat as u16,
    }
}

/// Columns `px` shared out over `pages` pages, in order, so that the widest page is as
/// narrow as can be: where each page after the first starts, and the widest page's width.
/// On a tie, the later break: the first pages are the fuller.
fn share(px: &[f64], pages: usize) -> (Vec<usize>, f64) {
    let n = px.len();
    let pages = pages.clamp(1, n.max(1));
    let width = |a: usize, b: usize| px[a..b].iter().sum::<f64>();
    // best[k][i]: the widest page sharing out the first i columns over k pages, and
    // where the last of them starts.
    let mut best = vec![vec![(f64::INFINITY, 0); n + 1]; pages + 1];
    best[0][0] = (0.0, 0);
    for k in 1..=pages {
        for i in k..=n {
            for j in (k - 1)..i {
                let w = best[k - 1][j].0.max(width(j, i));
                if w <= best[k][i].0 {
                    best[k][i] = (w, j);
                }
            }
        }
    }
    let mut breaks = Vec::new();
    let mut i = n;
    for k in (2..=pages).rev() {
        i = best[k][i].1;
        breaks.push(i);
    }
    breaks.reverse();
    (breaks, best[pages][n].0)
}

/// The lines text takes in a column `width` characters wide: one if it fits the column's
/// content width (a column is 2 wider than its widest content), else as it wraps.
pub(super) fn text_lines(s: &str, width: usize) -> usize {
    let fit = width.saturating_sub(2);
    // A char is at least a byte: short text never wraps.
    if s.len() <= fit || s.chars().count() <= fit {
        return 1;
    }
    wrapped_lines(s.split_whitespace().map(|w| w.chars().count()), width)
}

/// The lines a header takes in a column `width` wide: one where it fits with the room
/// bold text and the filter button take, else two (see [`header_width`]).
pub(super) fn header_lines(h: &str, width: usize) -> usize {
    if h.chars().count() + 5 <= width { 1 } else { 2 }
}

/// The content width a header takes on at most two lines, split at the space that makes
/// its longer line the shortest (bold text and the filter button take 3 more).
pub(super) fn header_width(h: &str) -> usize {
    let chars: Vec<char> = h.chars().collect();
    let whole = chars.len();
    let split = (0..whole)
        .filter(|&i| chars[i] == ' ')
        .map(|i| i.max(whole - i - 1))
        .min()
        .unwrap_or(whole);
    split + 3
}

#[cfg(test)]
mod tests {
    use super::{
        Across, LANDSCAPE_PX, MIN_SCALE, across, column_px, header_lines, header_text,
        header_width, share, text_lines, wrapped_lines,
    };

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

    /// The widest printed page of `widths` broken at `breaks`, `repeat` columns repeated.
    fn widest(widths: &[usize], breaks: &[u16], repeat: u16) -> f64 {
        let px = |r: std::ops::Range<usize>| widths[r].iter().map(|&w| column_px(w)).sum::<f64>();
        let key = px(0..usize::from(repeat));
        let mut starts = vec![usize::from(repeat)];
        starts.extend(breaks.iter().map(|&b| usize::from(b)));
        starts.push(widths.len());
        starts
            .windows(2)
            .map(|w| key + px(w[0]..w[1]))
            .fold(0.0, f64::max)
    }

    #[test]
    fn a_table_that_fits_at_a_readable_scale_prints_one_page_wide() {
        assert_eq!(across(&[20; 5], 1), Across::Fit);
        // 190 characters of 10 columns: 1380 px, 73 % of a landscape page.
        assert_eq!(across(&[19; 10], 2), Across::Fit);
        assert!(LANDSCAPE_PX / (10.0 * column_px(19)) >= MIN_SCALE);
    }

    #[test]
    fn a_wide_table_prints_over_pages_broken_between_columns_at_a_readable_scale() {
        // The schedule: product and year, eight columns of schedule, seven of projection.
        let schedule = [
            13, 11, 16, 16, 16, 11, 16, 16, 16, 11, 16, 17, 16, 16, 17, 16, 15,
        ];
        let Across::Pages { breaks, repeat } = across(&schedule, 2) else {
            panic!("the schedule is too wide for one page");
        };
        assert_eq!(
            (breaks.as_slice(), repeat),
            (&[10][..], 2),
            "split between its blocks"
        );
        assert!(LANDSCAPE_PX / widest(&schedule, &breaks, repeat) >= MIN_SCALE);
        // Wider still: as few pages as keep the scale, each as full as the others.
        let wide = [40; 12];
        let Across::Pages { breaks, repeat } = across(&wide, 1) else {
            panic!("too wide for one page");
        };
        assert_eq!(repeat, 1);
        assert_eq!(breaks, [5, 9], "11 columns over 3 pages: 4, 4, 3");
        assert!(LANDSCAPE_PX / widest(&wide, &breaks, repeat) >= MIN_SCALE);
        assert!(
            LANDSCAPE_PX / widest(&wide, &[5], repeat) < MIN_SCALE,
            "2 pages would not do"
        );
    }

    #[test]
    fn identifying_columns_as_wide_as_half_a_page_are_not_repeated() {
        let widths = [120, 60, 60, 60, 60];
        assert_eq!(
            across(&widths, 1),
            Across::Pages {
                breaks: vec![2],
                repeat: 0
            }
        );
    }

    #[test]
    fn columns_are_shared_out_so_that_the_widest_page_is_the_narrowest() {
        let (breaks, widest) = share(&[1.0, 1.0, 1.0, 3.0], 2);
        assert_eq!((breaks, widest), (vec![3], 3.0));
        let (breaks, widest) = share(&[2.0, 2.0, 2.0, 2.0], 2);
        assert_eq!((breaks, widest), (vec![2], 4.0));
        let (breaks, _) = share(&[1.0, 1.0, 1.0], 3);
        assert_eq!(breaks, [1, 2]);
        assert_eq!(
            share(&[5.0], 4),
            (vec![], 5.0),
            "no more pages than columns"
        );
    }

    #[test]
    fn a_header_goes_over_two_lines_rather_than_widen_its_column() {
        // « Écart AE » over « projeté »: 8 characters, 3 more for bold and the button.
        assert_eq!(header_width("Écart AE projeté"), 11);
        // « Report des années » over « antérieures ».
        assert_eq!(header_width("Report des années antérieures"), 20);
        assert_eq!(header_width("Montant"), 10);
        assert_eq!(header_lines("Écart AE projeté", 21), 1);
        assert_eq!(header_lines("Écart AE projeté", 20), 2);
        assert_eq!(header_lines("Écart AE projeté", 13), 2);
    }

    #[test]
    fn text_wraps_only_past_its_column() {
        let message = "mot ".repeat(20);
        assert_eq!(text_lines(message.trim(), 81), 1, "79 characters in 79");
        assert_eq!(text_lines(message.trim(), 42), 3, "9 words a line");
        assert_eq!(text_lines(message.trim(), 24), 4);
        // 32 hexadecimal digits and a code: one word, broken where the line ends.
        assert_eq!(text_lines(&format!("DP_SANS_EJ:{}", "a".repeat(32)), 42), 2);
    }
}
