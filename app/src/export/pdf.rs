//! The timesheet as a PDF: A4 landscape, grid in 7–7.5 pt DejaVu Sans.
//!
//! # Why these crates
//!
//! The PDF is drawn directly with [`pdf_writer`] (the low-level writer behind Typst),
//! with [`ttf_parser`] for glyph metrics and [`subsetter`] to embed only the glyphs used.
//! All three are pure Rust, maintained by the Typst developers, small (no layout engine,
//! no images, no C libraries) and build within the project's MSRV.
//!
//! - Not headless Chromium (HTML to PDF): no browser process to install, sandbox and
//!   supervise on the server, no start-up latency, and the output is deterministic: the
//!   same timesheet always gives the same bytes, which makes the file testable.
//! - Not `printpdf`: its 0.12 line carries an HTML layout engine even with default
//!   features off and stamps documents with random identifiers (not reproducible).
//! - Not `genpdf`: unmaintained, pinned to a 2021 `printpdf`.
//! - Not `krilla`: needs Rust 1.92, above the workspace's `rust-version`.
//!
//! A form is a fixed grid, so a text layout engine buys nothing: every box has a known
//! place, and the little text fitting it needs (shrink to fit, word wrap, ellipsis) is
//! done here with the font's advance widths.
//!
//! # Font
//!
//! Cyrillic needs an embedded font. DejaVu Sans (regular and bold, from Debian's
//! `fonts-dejavu-core`, Bitstream Vera licence, see `fonts/LICENSE-DejaVu.txt`) is
//! compiled into the binary with `include_bytes!`, so the server needs no font files at
//! run time. Each document embeds a subset holding only the glyphs it uses (a few KB),
//! as a CID font with a `ToUnicode` map so text can be searched and copied.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Date, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId};

use super::{
    ExportError, Printout, TimesheetHeader, COLUMN_DAYS, COLUMN_MISSED, COLUMN_NAME, COLUMN_NUMBER,
    LEGEND_TITLE, OKUD, ROW_ABSENT, ROW_PRESENT, TITLE,
};
use crate::domain::timesheet::Timesheet;

static REGULAR: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("fonts/DejaVuSans-Bold.ttf");

/// A4 landscape, in points.
pub const PAGE_WIDTH: f32 = 841.89;
pub const PAGE_HEIGHT: f32 = 595.28;
const MARGIN_X: f32 = 28.0;
const MARGIN_TOP: f32 = 24.0;
const MARGIN_BOTTOM: f32 = 22.0;
/// Room kept under the content for the page number.
const PAGE_NUMBER_BAND: f32 = 10.0;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN_X;

const NUMBER_WIDTH: f32 = 16.0;
/// Wide enough for 31 columns plus the totals; shorter months give the names more room.
const DAY_WIDTH: f32 = 14.0;
const TOTAL_WIDTH: f32 = 40.0;
const MAX_DAYS: usize = 31;
const NAME_WIDTH_31: f32 = CONTENT_WIDTH - NUMBER_WIDTH - 4.0 * TOTAL_WIDTH - 31.0 * DAY_WIDTH;

/// Grid header: «Дни месяца», day numbers, weekdays.
const HEAD_ROWS: [f32; 3] = [10.0, 12.0, 9.0];
const ROW_HEIGHT: f32 = 13.0;
const GRID_TEXT: f32 = 7.5;
const HEAD_TEXT: f32 = 6.5;
const MIN_TEXT: f32 = 5.0;
/// Below this a name goes onto two lines instead of shrinking further.
const NAME_SINGLE_LINE_MIN: f32 = 6.5;

const SHADE_HEAD: f32 = 0.92;
const SHADE_DAY_OFF: f32 = 0.82;
const THIN: f32 = 0.4;
const THICK: f32 = 0.9;

/// The PDF headings of the total columns, with soft hyphens where a narrow column may
/// break a long word. Same words as [`super::TOTAL_COLUMNS`].
const TOTAL_HEADINGS: [&str; 4] = [
    "всего",
    "в т.ч. засчи\u{ad}тываемых",
    "Дни посе\u{ad}щения",
    "Дни, подле\u{ad}жащие оплате",
];

/// Renders the timesheet as an A4 landscape PDF. More children than fit on a page
/// continue on further pages with the grid header repeated; the footer rows, legend and
/// signatures follow the last child.
pub fn timesheet_pdf(header: &TimesheetHeader, sheet: &Timesheet) -> Result<Vec<u8>, ExportError> {
    let printout = Printout::new(header, sheet);
    let mut doc = Document::new()?;
    draw(&mut doc, &printout);
    doc.finish(&printout.caption, header.generated_on)
}

fn draw(doc: &mut Document, p: &Printout) {
    let grid = Grid::new(p.days.len());
    let limit = PAGE_HEIGHT - MARGIN_BOTTOM - PAGE_NUMBER_BAND;
    let mut top = draw_heading(doc, p);
    let mut y = draw_grid_header(doc, &grid, p, top);
    let footer_height = 2.0 * ROW_HEIGHT;
    let next_page = |doc: &mut Document, top: &mut f32, y: f32| {
        doc.frame(grid.left(), *top, grid.width(), y - *top);
        *top = continue_on_new_page(doc, p);
        draw_grid_header(doc, &grid, p, *top)
    };
    for (index, row) in p.rows.iter().enumerate() {
        let last = index + 1 == p.rows.len();
        let needed = ROW_HEIGHT + if last { footer_height } else { 0.0 };
        if y + needed > limit {
            y = next_page(doc, &mut top, y);
        }
        draw_child_row(doc, &grid, row, p, y);
        y += ROW_HEIGHT;
    }
    if y + footer_height > limit {
        y = next_page(doc, &mut top, y);
    }
    draw_footer(doc, &grid, p, y);
    y += footer_height;
    doc.frame(grid.left(), top, grid.width(), y - top);

    let legend = legend_text(p);
    let legend_lines = doc.wrap(Style::Regular, 7.0, &legend, CONTENT_WIDTH);
    let legend_height = legend_lines.len() as f32 * 9.0;
    const SIGNATURES_HEIGHT: f32 = 66.0;
    y += 6.0;
    if y + legend_height + SIGNATURES_HEIGHT > limit {
        y = continue_on_new_page(doc, p);
    }
    for line in &legend_lines {
        doc.text(MARGIN_X, y + 7.0, Style::Regular, 7.0, line);
        y += 9.0;
    }
    draw_signatures(doc, p, y + 8.0);
}

/// Title, codes box and the organisation lines; returns where the grid starts.
fn draw_heading(doc: &mut Document, p: &Printout) -> f32 {
    let centre = PAGE_WIDTH / 2.0;
    doc.text_centered(centre, MARGIN_TOP + 11.0, Style::Bold, 12.0, TITLE);
    doc.text_centered(centre, MARGIN_TOP + 25.0, Style::Regular, 10.0, &p.period);

    // Codes box, top right, as on the official form.
    let box_width = 62.0;
    let box_x = PAGE_WIDTH - MARGIN_X - box_width;
    let rows = [
        ("", "Коды"),
        ("Форма по ОКУД", OKUD),
        ("Дата", p.date.as_str()),
    ];
    let mut y = MARGIN_TOP;
    for (index, (label, value)) in rows.into_iter().enumerate() {
        let height = 11.0;
        let style = if index == 0 {
            Style::Regular
        } else {
            Style::Bold
        };
        if index > 0 {
            doc.stroke_rect(box_x, y, box_width, height, THICK);
        }
        doc.text_centered(box_x + box_width / 2.0, y + 8.0, style, 7.5, value);
        if !label.is_empty() {
            let width = doc.width(Style::Regular, 7.0, label);
            doc.text(box_x - 4.0 - width, y + 8.0, Style::Regular, 7.0, label);
        }
        y += height;
    }

    let label_width = 78.0;
    let value_x = MARGIN_X + label_width;
    let value_width = box_x - 110.0 - value_x;
    let mut y = MARGIN_TOP + 36.0;
    for (label, value) in &p.info {
        doc.text(MARGIN_X, y + 8.0, Style::Regular, 8.0, &format!("{label}:"));
        let (size, lines) = doc.fit_lines(Style::Bold, 8.0, 6.0, value, value_width, 2);
        for line in lines {
            doc.text(value_x, y + 8.0, Style::Bold, size, &line);
            y += 10.0;
        }
    }
    y + 5.0
}

/// A later page starts with a one-line reminder of whose timesheet it is.
fn continue_on_new_page(doc: &mut Document, p: &Printout) -> f32 {
    doc.new_page();
    let caption = format!("{} (продолжение)", p.caption);
    doc.text_fitted(
        MARGIN_X,
        MARGIN_TOP + 8.0,
        CONTENT_WIDTH,
        Style::Regular,
        8.0,
        &caption,
    );
    MARGIN_TOP + 16.0
}

/// Column positions of the grid.
struct Grid {
    /// Left edge of every column: №, name, the days, then the four totals; plus the
    /// right edge of the last column.
    edges: Vec<f32>,
    days: usize,
}

impl Grid {
    fn new(days: usize) -> Self {
        let name_width = NAME_WIDTH_31 + MAX_DAYS.saturating_sub(days) as f32 * DAY_WIDTH;
        let mut widths = vec![NUMBER_WIDTH, name_width];
        widths.extend(std::iter::repeat_n(DAY_WIDTH, days));
        widths.extend([TOTAL_WIDTH; 4]);
        let mut edges = vec![MARGIN_X];
        for width in widths {
            edges.push(edges.last().copied().unwrap_or(MARGIN_X) + width);
        }
        Self { edges, days }
    }

    fn left(&self) -> f32 {
        self.edges[0]
    }

    fn width(&self) -> f32 {
        self.edges[self.edges.len() - 1] - self.edges[0]
    }

    /// Left edge and width of column `index`.
    fn column(&self, index: usize) -> (f32, f32) {
        (self.edges[index], self.edges[index + 1] - self.edges[index])
    }

    fn day(&self, day: usize) -> (f32, f32) {
        self.column(2 + day)
    }

    fn total(&self, total: usize) -> (f32, f32) {
        self.column(2 + self.days + total)
    }

    /// The span of columns `first..=last`.
    fn span(&self, first: usize, last: usize) -> (f32, f32) {
        (self.edges[first], self.edges[last + 1] - self.edges[first])
    }
}

fn draw_grid_header(doc: &mut Document, grid: &Grid, p: &Printout, y: f32) -> f32 {
    let [h1, h2, h3] = HEAD_ROWS;
    let full = h1 + h2 + h3;
    let mut cells = Vec::new();
    let head = |x: f32, y: f32, w: f32, h: f32, text: String, size: f32| CellBox {
        x,
        y,
        w,
        h,
        fill: Some(SHADE_HEAD),
        text,
        style: Style::Regular,
        size,
        align: Align::Centre,
        fit: Fit::Wrap,
    };
    let (x, w) = grid.column(0);
    cells.push(head(x, y, w, full, COLUMN_NUMBER.into(), HEAD_TEXT));
    let (x, w) = grid.column(1);
    cells.push(head(x, y, w, full, COLUMN_NAME.into(), 7.0));
    if grid.days > 0 {
        let (x, w) = grid.span(2, 1 + grid.days);
        cells.push(head(x, y, w, h1, COLUMN_DAYS.into(), HEAD_TEXT));
    }
    for (index, day) in p.days.iter().enumerate() {
        let (x, w) = grid.day(index);
        let fill = Some(if day.off { SHADE_DAY_OFF } else { SHADE_HEAD });
        cells.push(CellBox {
            fill,
            style: Style::Bold,
            ..head(x, y + h1, w, h2, day.day.to_string(), 7.0)
        });
        cells.push(CellBox {
            fill,
            ..head(x, y + h1 + h2, w, h3, day.weekday.into(), 5.5)
        });
    }
    let (x, w) = grid.span(2 + grid.days, 3 + grid.days);
    cells.push(head(x, y, w, h1, COLUMN_MISSED.into(), HEAD_TEXT));
    for (index, heading) in TOTAL_HEADINGS.iter().enumerate() {
        let (x, w) = grid.total(index);
        let (top, height) = if index < 2 {
            (y + h1, h2 + h3)
        } else {
            (y, full)
        };
        cells.push(head(x, top, w, height, (*heading).into(), HEAD_TEXT));
    }
    doc.draw_boxes(&cells);
    doc.hline(grid.left(), grid.left() + grid.width(), y + full, THICK);
    y + full
}

fn draw_child_row(doc: &mut Document, grid: &Grid, row: &super::PrintRow, p: &Printout, y: f32) {
    let mut cells = Vec::with_capacity(row.cells.len() + 6);
    let plain = |x: f32, w: f32, text: String| CellBox {
        x,
        y,
        w,
        h: ROW_HEIGHT,
        fill: None,
        text,
        style: Style::Regular,
        size: GRID_TEXT,
        align: Align::Centre,
        fit: Fit::Line,
    };
    let (x, w) = grid.column(0);
    cells.push(plain(x, w, row.number.to_string()));
    let (x, w) = grid.column(1);
    cells.push(CellBox {
        align: Align::Left,
        fit: Fit::Name,
        ..plain(x, w, row.name.clone())
    });
    for (index, (text, day)) in row.cells.iter().zip(&p.days).enumerate() {
        let (x, w) = grid.day(index);
        // Absences in bold so they stand out from «В» and the blanks.
        let absence = !text.is_empty() && !day.off && text != "?";
        cells.push(CellBox {
            fill: day.off.then_some(SHADE_DAY_OFF),
            style: if absence { Style::Bold } else { Style::Regular },
            ..plain(x, w, text.clone())
        });
    }
    for (index, total) in row.totals.iter().enumerate() {
        let (x, w) = grid.total(index);
        cells.push(plain(x, w, total.to_string()));
    }
    doc.draw_boxes(&cells);
}

/// «Присутствовало» and «Отсутствовало» per day; the group totals span both rows.
fn draw_footer(doc: &mut Document, grid: &Grid, p: &Printout, y: f32) {
    let mut cells = Vec::new();
    let rows = [(ROW_PRESENT, &p.present), (ROW_ABSENT, &p.absent)];
    for (line, (label, counts)) in rows.into_iter().enumerate() {
        let y = y + line as f32 * ROW_HEIGHT;
        let (x, w) = grid.span(0, 1);
        cells.push(CellBox {
            x,
            y,
            w,
            h: ROW_HEIGHT,
            fill: Some(SHADE_HEAD),
            text: label.into(),
            style: Style::Bold,
            size: GRID_TEXT,
            align: Align::Left,
            fit: Fit::Line,
        });
        for (index, (count, day)) in counts.iter().zip(&p.days).enumerate() {
            let (x, w) = grid.day(index);
            cells.push(CellBox {
                x,
                y,
                w,
                h: ROW_HEIGHT,
                fill: Some(if day.off { SHADE_DAY_OFF } else { SHADE_HEAD }),
                text: count.map(|c| c.to_string()).unwrap_or_default(),
                style: Style::Regular,
                size: GRID_TEXT,
                align: Align::Centre,
                fit: Fit::Line,
            });
        }
    }
    for (index, total) in p.group_totals.iter().enumerate() {
        let (x, w) = grid.total(index);
        cells.push(CellBox {
            x,
            y,
            w,
            h: 2.0 * ROW_HEIGHT,
            fill: Some(SHADE_HEAD),
            text: total.to_string(),
            style: Style::Bold,
            size: 8.0,
            align: Align::Centre,
            fit: Fit::Line,
        });
    }
    doc.draw_boxes(&cells);
    doc.hline(grid.left(), grid.left() + grid.width(), y, THICK);
}

fn legend_text(p: &Printout) -> String {
    let entries: Vec<String> = p
        .legend
        .iter()
        .map(|(symbol, meaning)| format!("{symbol} — {meaning}"))
        .collect();
    format!("{LEGEND_TITLE} {}.", entries.join("; "))
}

/// «Ответственный ____ ФИО» on the left, «Руководитель ____ ФИО» on the right, the
/// date under them. `y` is the baseline of the signature lines.
fn draw_signatures(doc: &mut Document, p: &Printout, y: f32) {
    let half = CONTENT_WIDTH / 2.0;
    let blocks = [
        (MARGIN_X, "Ответственный", &p.responsible),
        (MARGIN_X + half, "Руководитель", &p.head),
    ];
    for (x, role, name) in blocks {
        doc.text(x, y + 8.0, Style::Bold, 8.0, role);
        let sign_x = x + 72.0;
        let sign_width = 90.0;
        let name_x = sign_x + sign_width + 10.0;
        let name_width = half - (name_x - x) - 20.0;
        doc.hline(sign_x, sign_x + sign_width, y + 10.0, THIN);
        doc.hline(name_x, name_x + name_width, y + 10.0, THIN);
        doc.text_fitted(
            name_x + 2.0,
            y + 8.0,
            name_width - 4.0,
            Style::Regular,
            8.0,
            name,
        );
        let caption = |doc: &mut Document, x: f32, w: f32, text: &str| {
            doc.text_centered(x + w / 2.0, y + 16.5, Style::Regular, 5.5, text);
        };
        caption(doc, sign_x, sign_width, "(подпись)");
        caption(doc, name_x, name_width, "(расшифровка подписи)");
    }
    doc.text(MARGIN_X, y + 32.0, Style::Regular, 8.0, &p.signature_date);
    for (i, line) in p.sign_off.iter().enumerate() {
        doc.text(
            MARGIN_X,
            y + 42.0 + 9.0 * i as f32,
            Style::Regular,
            7.0,
            line,
        );
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Regular,
    Bold,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Centre,
}

/// A bordered grid cell with optional shading and text fitted inside it.
struct CellBox {
    x: f32,
    y: f32,
    w: f32,
    h: f32,
    /// Grey level of the background, 1.0 = white.
    fill: Option<f32>,
    text: String,
    style: Style,
    size: f32,
    align: Align,
    fit: Fit,
}

/// How text that is too wide for its box is made to fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fit {
    /// One line, shrunk down to [`MIN_TEXT`], then cut with «…».
    Line,
    /// Word-wrapped onto as many lines as the box holds, shrinking as needed (headings).
    Wrap,
    /// A child's name: one line down to [`NAME_SINGLE_LINE_MIN`], else two smaller lines.
    Name,
}

/// An embedded TrueType font, subset to the glyphs the document uses.
struct Font {
    face: Face<'static>,
    data: &'static [u8],
    /// PostScript name without the subset tag.
    name: &'static str,
    /// Resource name in page dictionaries.
    resource: &'static [u8],
    /// Original glyph id → glyph id in the subset; the subset id is also the CID.
    glyphs: GlyphRemapper,
    /// CID → the character it was first used for, for the `ToUnicode` map.
    chars: BTreeMap<u16, char>,
}

impl Font {
    fn load(
        data: &'static [u8],
        name: &'static str,
        resource: &'static [u8],
    ) -> Result<Self, ExportError> {
        let face = Face::parse(data, 0)
            .map_err(|error| ExportError::Pdf(format!("embedded font {name}: {error}")))?;
        Ok(Self {
            face,
            data,
            name,
            resource,
            glyphs: GlyphRemapper::new(),
            chars: BTreeMap::new(),
        })
    }

    fn glyph(&self, c: char) -> GlyphId {
        self.face.glyph_index(c).unwrap_or(GlyphId(0))
    }

    fn advance(&self, glyph: GlyphId) -> f32 {
        f32::from(self.face.glyph_hor_advance(glyph).unwrap_or(0))
    }

    /// Glyph space (1/1000 of the text size) per font unit.
    fn per_mille(&self) -> f32 {
        1000.0 / f32::from(self.face.units_per_em())
    }

    fn width(&self, size: f32, text: &str) -> f32 {
        let units: f32 = text.chars().map(|c| self.advance(self.glyph(c))).sum();
        units * size / f32::from(self.face.units_per_em())
    }

    /// The text as big-endian CIDs, remembering each glyph for the subset.
    fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let cid = self.glyphs.remap(self.glyph(c).0);
            self.chars.entry(cid).or_insert(c);
            bytes.extend(cid.to_be_bytes());
        }
        bytes
    }

    /// A six-letter subset tag derived from the glyph set, so it is stable across runs.
    fn subset_tag(&self) -> String {
        let mut hash: u32 = 0x811c_9dc5;
        for glyph in self.glyphs.remapped_gids() {
            for byte in glyph.to_be_bytes() {
                hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
            }
        }
        (0..6)
            .map(|i| char::from(b'A' + ((hash >> (i * 5)) % 26) as u8))
            .collect()
    }

    /// Writes the Type 0 font with its descendant CID font, descriptor, subset font
    /// file and `ToUnicode` map.
    fn write(&self, pdf: &mut Pdf, alloc: &mut Ref, type0: Ref) -> Result<(), ExportError> {
        let cid_ref = alloc.bump();
        let descriptor_ref = alloc.bump();
        let cmap_ref = alloc.bump();
        let file_ref = alloc.bump();
        let base = format!("{}+{}", self.subset_tag(), self.name);
        let base = Name(base.as_bytes());
        let system_info = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };

        pdf.type0_font(type0)
            .base_font(base)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid_ref)
            .to_unicode(cmap_ref);

        let widths: Vec<f32> = self
            .glyphs
            .remapped_gids()
            .map(|glyph| self.advance(GlyphId(glyph)) * self.per_mille())
            .collect();
        let mut cid = pdf.cid_font(cid_ref);
        cid.subtype(CidFontType::Type2)
            .base_font(base)
            .system_info(system_info)
            .font_descriptor(descriptor_ref)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        cid.widths().consecutive(0, widths);
        cid.finish();

        let scale = self.per_mille();
        let bbox = self.face.global_bounding_box();
        let cap_height = self.face.capital_height().unwrap_or(self.face.ascender());
        pdf.font_descriptor(descriptor_ref)
            .name(base)
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(
                f32::from(bbox.x_min) * scale,
                f32::from(bbox.y_min) * scale,
                f32::from(bbox.x_max) * scale,
                f32::from(bbox.y_max) * scale,
            ))
            .italic_angle(0.0)
            .ascent(f32::from(self.face.ascender()) * scale)
            .descent(f32::from(self.face.descender()) * scale)
            .cap_height(f32::from(cap_height) * scale)
            .stem_v(if self.face.is_bold() { 120.0 } else { 80.0 })
            .font_file2(file_ref);

        let mut cmap = UnicodeCmap::new(Name(b"Custom"), system_info);
        for (&cid, &c) in &self.chars {
            cmap.pair(cid, c);
        }
        let cmap = cmap.finish();
        pdf.cmap(cmap_ref, &cmap);

        let subset = subsetter::subset(self.data, 0, &self.glyphs)
            .map_err(|error| ExportError::Pdf(format!("subsetting {}: {error}", self.name)))?;
        pdf.stream(file_ref, &deflate(&subset))
            .filter(Filter::FlateDecode);
        Ok(())
    }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

/// Pages being drawn, with a top-down coordinate system in points.
struct Document {
    regular: Font,
    bold: Font,
    pages: Vec<Content>,
}

impl Document {
    fn new() -> Result<Self, ExportError> {
        Ok(Self {
            regular: Font::load(REGULAR, "DejaVuSans", b"F1")?,
            bold: Font::load(BOLD, "DejaVuSans-Bold", b"F2")?,
            pages: vec![Content::new()],
        })
    }

    fn new_page(&mut self) {
        self.pages.push(Content::new());
    }

    fn font(&self, style: Style) -> &Font {
        match style {
            Style::Regular => &self.regular,
            Style::Bold => &self.bold,
        }
    }

    fn page(&mut self) -> &mut Content {
        self.pages.last_mut().expect("a document has a page")
    }

    fn width(&self, style: Style, size: f32, text: &str) -> f32 {
        self.font(style).width(size, text)
    }

    /// Text with its baseline at `baseline`, measured from the top of the page.
    fn text(&mut self, x: f32, baseline: f32, style: Style, size: f32, text: &str) {
        if text.is_empty() {
            return;
        }
        let font = match style {
            Style::Regular => &mut self.regular,
            Style::Bold => &mut self.bold,
        };
        let resource = font.resource;
        let encoded = font.encode(text);
        let page = self.pages.last_mut().expect("a document has a page");
        page.begin_text();
        page.set_fill_gray(0.0);
        page.set_font(Name(resource), size);
        page.next_line(x, PAGE_HEIGHT - baseline);
        page.show(Str(&encoded));
        page.end_text();
    }

    fn text_centered(&mut self, centre: f32, baseline: f32, style: Style, size: f32, text: &str) {
        let width = self.width(style, size, text);
        self.text(centre - width / 2.0, baseline, style, size, text);
    }

    /// One line within `max_width`: shrunk down to [`MIN_TEXT`], then cut with «…».
    fn text_fitted(
        &mut self,
        x: f32,
        baseline: f32,
        max_width: f32,
        style: Style,
        size: f32,
        text: &str,
    ) {
        let (size, text) = self.fit_line(style, size, text, max_width);
        self.text(x, baseline, style, size, &text);
    }

    fn fit_line(&self, style: Style, size: f32, text: &str, max_width: f32) -> (f32, String) {
        let mut size = size;
        while size > MIN_TEXT && self.width(style, size, text) > max_width {
            size -= 0.25;
        }
        let mut text = text.to_owned();
        if self.width(style, size, &text) > max_width {
            while !text.is_empty() && self.width(style, size, &format!("{text}…")) > max_width {
                text.pop();
            }
            text.push('…');
        }
        (size, text)
    }

    /// Greedy word wrap at spaces and soft hyphens (U+00AD, printed as «-» where a line
    /// breaks there and dropped elsewhere). A word longer than the width overflows;
    /// [`Document::fit_lines`] shrinks the text until none does.
    fn wrap(&self, style: Style, size: f32, text: &str, max_width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for (word_index, word) in text.split(' ').filter(|w| !w.is_empty()).enumerate() {
            let pieces: Vec<&str> = word.split('\u{ad}').collect();
            for (piece_index, piece) in pieces.iter().enumerate() {
                let joiner = if piece_index == 0 && word_index > 0 {
                    " "
                } else {
                    ""
                };
                let hyphen = if piece_index + 1 < pieces.len() {
                    "-"
                } else {
                    ""
                };
                let candidate = format!("{line}{joiner}{piece}");
                let fits = self.width(style, size, &format!("{candidate}{hyphen}")) <= max_width;
                if fits || line.is_empty() {
                    line = if line.is_empty() {
                        (*piece).to_owned()
                    } else {
                        candidate
                    };
                } else {
                    if piece_index > 0 {
                        line.push('-');
                    }
                    lines.push(std::mem::take(&mut line));
                    line = (*piece).to_owned();
                }
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// The largest size from `size` down to `min_size` at which `text` wraps into at
    /// most `max_lines` lines no wider than `max_width`; at the smallest size, lines
    /// past the limit are dropped and the last one kept is cut with «…».
    fn fit_lines(
        &self,
        style: Style,
        size: f32,
        min_size: f32,
        text: &str,
        max_width: f32,
        max_lines: usize,
    ) -> (f32, Vec<String>) {
        let mut size = size;
        loop {
            let lines = self.wrap(style, size, text, max_width);
            let fits = lines.len() <= max_lines
                && lines
                    .iter()
                    .all(|line| self.width(style, size, line) <= max_width);
            if fits {
                return (size, lines);
            }
            if size - 0.25 < min_size {
                let mut lines = lines;
                let cut = lines.len() > max_lines;
                lines.truncate(max_lines);
                if let Some(last) = lines.last_mut() {
                    if cut {
                        last.push('…');
                    }
                    *last = self.fit_line(style, size, last, max_width).1;
                }
                return (size, lines);
            }
            size -= 0.25;
        }
    }

    fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32, gray: f32) {
        let page = self.page();
        page.set_fill_gray(gray);
        page.rect(x, PAGE_HEIGHT - y - h, w, h);
        page.fill_nonzero();
        page.set_fill_gray(0.0);
    }

    fn stroke_rect(&mut self, x: f32, y: f32, w: f32, h: f32, line_width: f32) {
        let page = self.page();
        page.set_line_width(line_width);
        page.rect(x, PAGE_HEIGHT - y - h, w, h);
        page.stroke();
    }

    fn hline(&mut self, x1: f32, x2: f32, y: f32, line_width: f32) {
        let page = self.page();
        page.set_line_width(line_width);
        page.move_to(x1, PAGE_HEIGHT - y);
        page.line_to(x2, PAGE_HEIGHT - y);
        page.stroke();
    }

    /// A thick border around a finished table section.
    fn frame(&mut self, x: f32, y: f32, w: f32, h: f32) {
        self.stroke_rect(x, y, w, h, THICK);
    }

    /// Shading first, then borders, then text, so no fill paints over a neighbour's line.
    fn draw_boxes(&mut self, boxes: &[CellBox]) {
        for b in boxes {
            if let Some(gray) = b.fill {
                self.fill_rect(b.x, b.y, b.w, b.h, gray);
            }
        }
        for b in boxes {
            self.stroke_rect(b.x, b.y, b.w, b.h, THIN);
        }
        for b in boxes {
            self.draw_box_text(b);
        }
    }

    fn draw_box_text(&mut self, b: &CellBox) {
        if b.text.is_empty() {
            return;
        }
        let padding = 1.5;
        let inner = b.w - 2.0 * padding;
        let (size, lines) = match b.fit {
            Fit::Line => {
                let (size, line) = self.fit_line(b.style, b.size, &b.text, inner);
                (size, vec![line])
            }
            Fit::Name if self.width(b.style, NAME_SINGLE_LINE_MIN, &b.text) <= inner => {
                let (size, line) = self.fit_line(b.style, b.size, &b.text, inner);
                (size, vec![line])
            }
            Fit::Name => {
                let size = ((b.h - 1.0) / (2.0 * 1.15)).min(NAME_SINGLE_LINE_MIN);
                self.fit_lines(b.style, size, MIN_TEXT, &b.text, inner, 2)
            }
            Fit::Wrap => {
                let max_lines = ((b.h - 1.0) / (MIN_TEXT * 1.15)).floor().max(1.0) as usize;
                let mut size = b.size;
                loop {
                    let (fitted, lines) =
                        self.fit_lines(b.style, size, MIN_TEXT, &b.text, inner, max_lines);
                    if lines.len() as f32 * fitted * 1.15 <= b.h - 1.0 || fitted <= MIN_TEXT {
                        break (fitted, lines);
                    }
                    size = fitted - 0.25;
                }
            }
        };
        let leading = size * 1.15;
        // Centre the block of lines on the box, using the cap height (≈ 0.73 em) so the
        // letters, not the line boxes, look centred.
        let block = (lines.len() as f32 - 1.0) * leading + 0.73 * size;
        let mut baseline = b.y + (b.h - block) / 2.0 + 0.73 * size;
        for line in lines {
            let x = match b.align {
                Align::Left => b.x + padding + 0.5,
                Align::Centre => b.x + (b.w - self.width(b.style, size, &line)) / 2.0,
            };
            self.text(x, baseline, b.style, size, &line);
            baseline += leading;
        }
    }

    fn finish(mut self, title: &str, date: NaiveDate) -> Result<Vec<u8>, ExportError> {
        let count = self.pages.len();
        if count > 1 {
            for index in 0..count {
                let label = format!("Лист {} из {count}", index + 1);
                let width = self.width(Style::Regular, 7.0, &label);
                let x = PAGE_WIDTH - MARGIN_X - width;
                let baseline = PAGE_HEIGHT - MARGIN_BOTTOM;
                let encoded = self.regular.encode(&label);
                let page = &mut self.pages[index];
                page.begin_text();
                page.set_font(Name(self.regular.resource), 7.0);
                page.next_line(x, PAGE_HEIGHT - baseline);
                page.show(Str(&encoded));
                page.end_text();
            }
        }

        let mut alloc = Ref::new(1);
        let catalog = alloc.bump();
        let tree = alloc.bump();
        let info = alloc.bump();
        let regular = alloc.bump();
        let bold = alloc.bump();
        let mut pdf = Pdf::new();
        pdf.catalog(catalog).pages(tree);
        let page_refs: Vec<(Ref, Ref)> = (0..count).map(|_| (alloc.bump(), alloc.bump())).collect();
        pdf.pages(tree)
            .kids(page_refs.iter().map(|&(page, _)| page))
            .count(i32::try_from(count).unwrap_or(i32::MAX));
        for (content, &(page_ref, content_ref)) in self.pages.into_iter().zip(&page_refs) {
            let mut page = pdf.page(page_ref);
            page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
                .parent(tree)
                .contents(content_ref);
            page.resources()
                .fonts()
                .pair(Name(self.regular.resource), regular)
                .pair(Name(self.bold.resource), bold);
            page.finish();
            let content = content.finish();
            pdf.stream(content_ref, &deflate(&content))
                .filter(Filter::FlateDecode);
        }
        self.regular.write(&mut pdf, &mut alloc, regular)?;
        self.bold.write(&mut pdf, &mut alloc, bold)?;
        pdf.document_info(info)
            .title(TextStr(title))
            .producer(TextStr("Tabel"))
            .creation_date(pdf_date(date));
        Ok(pdf.finish())
    }
}

fn pdf_date(date: NaiveDate) -> Date {
    let year = u16::try_from(date.year()).unwrap_or(0);
    // Month and day of a `NaiveDate` are 1–12 and 1–31.
    Date::new(year)
        .month(date.month() as u8)
        .day(date.day() as u8)
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use super::*;
    use crate::domain::calendar::Month;
    use crate::export::fixture;

    /// Runs a poppler tool on the PDF and returns its standard output.
    fn poppler(tool: &str, args: &[&str], pdf: &Path) -> String {
        let output = Command::new(tool)
            .args(args)
            .arg(pdf)
            .arg("-")
            .output()
            .unwrap_or_else(|error| {
                panic!("{tool} is needed for this test (Debian: poppler-utils): {error}")
            });
        assert!(output.status.success(), "{tool} failed: {output:?}");
        String::from_utf8(output.stdout).expect("poppler prints UTF-8")
    }

    fn write_temp(name: &str, bytes: &[u8]) -> PathBuf {
        let path = std::env::temp_dir().join(format!("tabel-export-{}-{name}", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// One field of `pdfinfo`'s report, e.g. "Pages".
    fn pdfinfo(path: &Path, field: &str) -> String {
        // pdfinfo takes no "-" output argument.
        let output = Command::new("pdfinfo")
            .arg(path)
            .output()
            .expect("pdfinfo is needed for this test (Debian: poppler-utils)");
        assert!(output.status.success(), "pdfinfo failed: {output:?}");
        let report = String::from_utf8(output.stdout).unwrap();
        report
            .lines()
            .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
            .unwrap_or_else(|| panic!("no {field} in {report}"))
            .trim()
            .to_owned()
    }

    #[test]
    fn pdf_text_has_names_period_and_totals() {
        let (header, sheet) = fixture::sheet();
        let bytes = timesheet_pdf(&header, &sheet).unwrap();
        let path = write_temp("text.pdf", &bytes);
        let text = poppler("pdftotext", &["-layout"], &path);
        std::fs::remove_file(&path).ok();
        for expected in [
            "ТАБЕЛЬ учета посещаемости детей",
            "за ноябрь 2026 г.",
            "Иванова Мария",
            "Петров Алексей",
            "Сидоров Константин",
            "Ромашка (старшая)",
            "5036012345 / 503601001",
            "Присутствовало детей",
            "Отсутствовало детей",
            "Кузнецова Ольга Викторовна",
            "Смирнова Елена Павловна",
            "«30» ноября 2026 г.",
            "Б — болезнь",
            "0504608",
        ] {
            assert!(
                text.contains(expected),
                "{expected:?} missing from:\n{text}"
            );
        }
        // Each child's line ends with missed / excused / attended / charged.
        let totals = |name: &str| -> Vec<String> {
            let line = text.lines().find(|l| l.contains(name)).unwrap();
            let words: Vec<&str> = line.split_whitespace().collect();
            words[words.len() - 4..]
                .iter()
                .map(|w| w.to_string())
                .collect()
        };
        assert_eq!(totals("Иванова Мария"), ["4", "3", "15", "16"]);
        assert_eq!(totals("Петров Алексей"), ["5", "5", "15", "15"]);
        assert_eq!(totals("Сидоров Константин"), ["1", "0", "10", "11"]);
        // Children present on each working day, in day order, after the label.
        let present = text.lines().find(|l| l.contains(ROW_PRESENT)).unwrap();
        let counts: Vec<&str> = present[present.find(ROW_PRESENT).unwrap() + ROW_PRESENT.len()..]
            .split_whitespace()
            .collect();
        let expected = "2 2 2 2 1 1 1 2 2 3 2 2 3 3 2 2 1 2 2 3";
        assert_eq!(counts.join(" "), expected, "{present}");
        // The group totals are drawn once, centred over both footer rows, which
        // pdftotext puts on a line of their own between them.
        let footer: Vec<&str> = text
            .lines()
            .skip_while(|l| !l.contains(ROW_PRESENT))
            .skip(1)
            .take_while(|l| !l.contains(ROW_ABSENT))
            .collect();
        let totals: Vec<&str> = footer.iter().flat_map(|l| l.split_whitespace()).collect();
        assert_eq!(totals, ["10", "8", "40", "42"], "{footer:?}");
    }

    #[test]
    fn pdf_names_who_submitted_and_who_signed_off() {
        let (mut header, sheet) = fixture::sheet();
        header.submitted = Some(fixture::signature("Кузнецова Ольга Викторовна", 30));
        let bytes = timesheet_pdf(&header, &sheet).unwrap();
        let path = write_temp("signed.pdf", &bytes);
        let text = poppler("pdftotext", &["-layout"], &path);
        std::fs::remove_file(&path).ok();
        assert!(
            text.contains("Табель сдан в Tabel: Кузнецова Ольга Викторовна, 30.11.2026"),
            "{text}"
        );
        assert!(
            !text.contains("Подписан в Tabel"),
            "not signed yet:\n{text}"
        );
    }

    #[test]
    fn pdf_is_one_a4_landscape_page() {
        let (header, sheet) = fixture::sheet();
        let bytes = timesheet_pdf(&header, &sheet).unwrap();
        let path = write_temp("info.pdf", &bytes);
        let size = pdfinfo(&path, "Page size");
        let pages = pdfinfo(&path, "Pages");
        let title = pdfinfo(&path, "Title");
        std::fs::remove_file(&path).ok();
        // Width before height: landscape.
        assert_eq!(size, "841.89 x 595.28 pts (A4)");
        assert_eq!(pages, "1");
        assert_eq!(
            title,
            "Табель за ноябрь 2026 г., группа «Ромашка (старшая)», МБДОУ д/с № 17"
        );
    }

    #[test]
    fn pdf_output_is_deterministic_and_small() {
        let (header, sheet) = fixture::sheet();
        let first = timesheet_pdf(&header, &sheet).unwrap();
        let second = timesheet_pdf(&header, &sheet).unwrap();
        assert_eq!(first, second);
        assert!(first.starts_with(b"%PDF-"));
        // Subset fonts: far below the 1.4 MB of the two full font files.
        assert!(first.len() < 150_000, "{} bytes", first.len());
    }

    #[test]
    fn a_large_group_continues_on_a_second_page_with_the_header_repeated() {
        let december = Month::new(2026, 12).unwrap();
        let (header, sheet) = fixture::large_sheet(december, 40);
        let bytes = timesheet_pdf(&header, &sheet).unwrap();
        let path = write_temp("long.pdf", &bytes);
        let pages = pdfinfo(&path, "Pages");
        let text = poppler("pdftotext", &["-layout"], &path);
        std::fs::remove_file(&path).ok();
        assert_eq!(pages, "2");
        let pages: Vec<&str> = text
            .split('\u{c}')
            .filter(|p| !p.trim().is_empty())
            .collect();
        assert_eq!(pages.len(), 2);
        for page in &pages {
            assert!(page.contains(COLUMN_NAME), "header on every page:\n{page}");
            assert!(page.contains("31"), "all 31 days on every page:\n{page}");
        }
        assert!(pages[0].contains("за декабрь 2026 г."));
        assert!(pages[1].contains("(продолжение)"));
        assert!(pages[1].contains("Смирнова Варвара 40"));
        assert!(pages[1].contains("Руководитель"));
        assert!(pages[0].contains("Лист 1 из 2") && pages[1].contains("Лист 2 из 2"));
    }

    #[test]
    fn an_empty_group_still_renders_the_form() {
        let (header, mut sheet) = fixture::sheet();
        sheet.rows.clear();
        let bytes = timesheet_pdf(&header, &sheet).unwrap();
        let path = write_temp("empty.pdf", &bytes);
        let text = poppler("pdftotext", &["-layout"], &path);
        std::fs::remove_file(&path).ok();
        assert!(
            text.contains(ROW_PRESENT) && text.contains("Руководитель"),
            "{text}"
        );
    }

    #[test]
    fn long_names_are_shrunk_or_cut_to_their_column() {
        let doc = Document::new().unwrap();
        let long = "Константинопольская-Старорусская Александра-Мария";
        let (size, text) = doc.fit_line(Style::Regular, GRID_TEXT, long, NAME_WIDTH_31 - 3.0);
        assert!(size >= MIN_TEXT);
        assert!(doc.width(Style::Regular, size, &text) <= NAME_WIDTH_31 - 3.0);
        let (_, short) = doc.fit_line(Style::Regular, GRID_TEXT, "Иванова Мария", 100.0);
        assert_eq!(short, "Иванова Мария");
    }

    #[test]
    fn wrap_breaks_at_spaces_and_soft_hyphens() {
        let doc = Document::new().unwrap();
        let lines = doc.wrap(
            Style::Regular,
            HEAD_TEXT,
            TOTAL_HEADINGS[1],
            TOTAL_WIDTH - 3.0,
        );
        assert_eq!(lines, ["в т.ч.", "засчи-", "тываемых"]);
        let one = doc.wrap(Style::Regular, HEAD_TEXT, "всего", TOTAL_WIDTH);
        assert_eq!(one, ["всего"]);
    }

    /// With `TABEL_WRITE_SAMPLES` set, writes `sample.pdf` (the November fixture) and
    /// `sample-large.pdf` (40 children, 31 days) into the crate directory for a person
    /// to look at.
    #[test]
    fn write_samples() {
        let (header, sheet) = fixture::sheet();
        let small = timesheet_pdf(&header, &sheet).unwrap();
        let (header, sheet) = fixture::large_sheet(Month::new(2026, 12).unwrap(), 40);
        let large = timesheet_pdf(&header, &sheet).unwrap();
        if std::env::var_os("TABEL_WRITE_SAMPLES").is_some() {
            let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
            std::fs::write(dir.join("sample.pdf"), small).unwrap();
            std::fs::write(dir.join("sample-large.pdf"), large).unwrap();
        }
    }
}
