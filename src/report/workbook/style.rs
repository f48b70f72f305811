//! How cells look: the number formats, the status and severity colours, and the styles of
//! labels and total rows. Created once per workbook.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder};

use super::cell::Slot;
use super::page::PageText;

/// Excel stores number formats in en-US notation; a French Excel shows `1 234,56 €`. The
/// trailing `_)` leaves a narrow margin, so a figure does not touch the text on its right.
/// Negative amounts (an overrun, a withdrawal) show in red.
const EUROS: &str = r#"#,##0.00 "€"_);[Red]-#,##0.00 "€"_)"#;
const RATE: &str = "0.0%_)";
const COUNT: &str = "0_)";
/// A month in French whatever the reader's locale (`[$-40C]`, French): « mars 2021 ».
const MONTH: &str = "[$-40C]mmmm yyyy";

/// How a cell draws attention: the status and severity colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Error,
    Warning,
    Info,
}

/// How a cell is drawn: plain, bold (labels), a total row (bold over a rule), or a value
/// of a `label | value` pair (left-aligned, so a date lines up with the text around it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Bold,
    Total,
    Left,
}

/// The cell formats, created once per workbook.
pub struct Formats {
    pub title: Format,
    pub section: Format,
    /// A short explanation under a heading.
    pub note: Format,
    /// The label beside the status banner.
    pub banner_label: Format,
    pub(super) header: Format,
    pub(super) plain: [Format; 4],
    pub(super) amount: [Format; 4],
    pub(super) rate: [Format; 4],
    pub(super) date: [Format; 4],
    pub(super) month: [Format; 4],
    pub(super) int: [Format; 4],
    pub(super) ordinal: [Format; 4],
    pub(super) wrapped: [Format; 4],
    pub(super) link: Format,
    tones: [Format; 4],
    /// The status banner at the top of `Synthèse`, one per tone.
    banners: [Format; 4],
    pub(super) page: PageText,
}

/// A cell style in its four variants (plain, bold, sub-total, left-aligned), top-aligned:
/// a row made tall by a wrapped message still reads across.
fn styles(f: Format) -> [Format; 4] {
    let f = f.set_align(FormatAlign::Top);
    [
        f.clone(),
        f.clone().set_bold(),
        f.clone()
            .set_bold()
            .set_border_top(FormatBorder::Thin)
            .set_background_color(Color::RGB(0xF2_F2_F2)),
        f.set_align(FormatAlign::Left),
    ]
}

/// The four tones' colours: background, text.
const TONES: [(u32, u32); 4] = [
    (0xC6_EF_CE, 0x00_61_00),
    (0xFF_C7_CE, 0x9C_00_06),
    (0xFF_EB_9C, 0x9C_57_00),
    (0xDD_EB_F7, 0x1F_4E_79),
];

/// A tone's cell: its background and text colours.
fn tone((bg, fg): (u32, u32)) -> Format {
    Format::new()
        .set_background_color(Color::RGB(bg))
        .set_font_color(Color::RGB(fg))
}

/// A tone's status banner: large, bold, centred, framed in the text colour.
fn banner((bg, fg): (u32, u32)) -> Format {
    tone((bg, fg))
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Medium)
        .set_border_color(Color::RGB(fg))
}

/// A table's header cell: a header wider than its column's content goes over two lines.
fn header() -> Format {
    Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(Color::RGB(0xD9_E1_F2))
        .set_border_bottom(FormatBorder::Thin)
}

impl Formats {
    pub fn new(page: PageText) -> Formats {
        Formats {
            title: Format::new().set_bold().set_font_size(16),
            section: Format::new()
                .set_bold()
                .set_font_size(12)
                .set_font_color(Color::RGB(0x1F_4E_79)),
            banner_label: Format::new()
                .set_bold()
                .set_font_size(12)
                .set_align(FormatAlign::VerticalCenter),
            note: Format::new()
                .set_italic()
                .set_font_color(Color::RGB(0x40_40_40)),
            header: header(),
            plain: styles(Format::new()),
            amount: styles(Format::new().set_num_format(EUROS)),
            rate: styles(Format::new().set_num_format(RATE)),
            date: styles(Format::new().set_num_format("dd/mm/yyyy")),
            // Left-aligned, as the « sans date » and « Sous-total » beside it.
            month: styles(
                Format::new()
                    .set_num_format(MONTH)
                    .set_align(FormatAlign::Left),
            ),
            int: styles(Format::new().set_num_format(COUNT)),
            ordinal: styles(
                Format::new()
                    .set_num_format("0")
                    .set_align(FormatAlign::Center),
            ),
            wrapped: styles(Format::new().set_text_wrap()),
            link: Format::new()
                .set_align(FormatAlign::Top)
                .set_font_color(Color::RGB(0x05_63_C1))
                .set_underline(rust_xlsxwriter::FormatUnderline::Single),
            tones: TONES.map(|t| tone(t).set_align(FormatAlign::Top)),
            banners: TONES.map(banner),
            page,
        }
    }

    /// Every format a table's cells can take, always in the same order.
    pub(super) fn table_formats(&self) -> impl Iterator<Item = &Format> {
        let styled = [
            &self.plain,
            &self.amount,
            &self.rate,
            &self.date,
            &self.int,
            &self.ordinal,
            &self.wrapped,
        ];
        std::iter::once(&self.header)
            .chain(styled.into_iter().flatten())
            .chain(std::iter::once(&self.link))
            .chain(&self.tones)
            // Last: the formats registered before it keep their numbers.
            .chain(&self.month)
    }

    /// The format of a cell of `slot` (`Cell::typed`) in `style`; a link and a tone have
    /// one format whatever the style.
    pub(super) fn slot(&self, slot: Slot, style: Style) -> &Format {
        let b = style as usize;
        match slot {
            Slot::Plain => &self.plain[b],
            Slot::Wrapped => &self.wrapped[b],
            Slot::Int => &self.int[b],
            Slot::Ordinal => &self.ordinal[b],
            Slot::Amount => &self.amount[b],
            Slot::Rate => &self.rate[b],
            Slot::Date => &self.date[b],
            Slot::Month => &self.month[b],
            Slot::Link => &self.link,
            Slot::Tone(tone) => self.tone(tone),
        }
    }

    pub(super) fn tone(&self, tone: Tone) -> &Format {
        &self.tones[tone as usize]
    }

    pub fn banner(&self, tone: Tone) -> &Format {
        &self.banners[tone as usize]
    }
}
