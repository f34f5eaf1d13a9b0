//! A receipt as a PDF, made here in Rust (krilla: the font subset, shaped text, the logo) so the
//! file saved and the file emailed are the same, whatever the window is doing.
//!
//! The text is set in DejaVu Sans (vendored in `assets/fonts/` with its licence), which covers
//! Latin-1 and Latin Extended — "Muñoz", "Ñandú", "Çelik" print as typed. Laid out in two passes:
//! first every line is placed (measured with the font's own advances, wrapped, moved to a new
//! page when the page is full), then each page is drawn. A4, since most desks print on it.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::text::{Font, TextDirection};
use krilla::Document;
use skrifa::instance::{LocationRef, Size as FontSize};
use skrifa::MetadataProvider;

use super::{Receipt, ReceiptLine, ReceiptTable};
use crate::business::LogoKind;

static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 50.0;
const RIGHT: f32 = PAGE_W - MARGIN;
const BOTTOM: f32 = PAGE_H - MARGIN;
/// Where a fact's value starts, beside its label.
const VALUE_X: f32 = MARGIN + 170.0;
/// The most room the logo takes at the head: 4 cm wide, 2 cm tall.
const LOGO_W: f32 = 113.0;
const LOGO_H: f32 = 57.0;

const INK: (u8, u8, u8) = (28, 33, 40);
const MUTED: (u8, u8, u8) = (88, 96, 108);
const RULE: (u8, u8, u8) = (205, 210, 216);
const TEST_BG: (u8, u8, u8) = (255, 236, 179);
const TEST_INK: (u8, u8, u8) = (102, 60, 0);

/// Why no PDF could be made.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PdfError(String);

#[derive(Clone, Copy, PartialEq)]
enum Weight {
    Regular,
    Bold,
}

/// One thing to draw, placed.
enum Op {
    Text { x: f32, y: f32, size: f32, weight: Weight, color: (u8, u8, u8), text: String },
    Rect { x: f32, y: f32, w: f32, h: f32, color: (u8, u8, u8) },
    Logo { x: f32, y: f32, w: f32, h: f32 },
}

/// The font's advances, to measure a line before it is placed.
struct Measure {
    regular: skrifa::FontRef<'static>,
    bold: skrifa::FontRef<'static>,
}

impl Measure {
    fn new() -> Result<Self, PdfError> {
        let read =
            |data: &'static [u8]| skrifa::FontRef::new(data).map_err(|e| PdfError(format!("the font: {e}")));
        Ok(Measure { regular: read(REGULAR)?, bold: read(BOLD)? })
    }

    fn width(&self, text: &str, size: f32, weight: Weight) -> f32 {
        let font = if weight == Weight::Bold { &self.bold } else { &self.regular };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(FontSize::new(size), LocationRef::default());
        text.chars().filter_map(|c| metrics.advance_width(charmap.map(c)?)).sum()
    }

    /// `text` broken at spaces into lines no wider than `width` (a word wider than that is cut).
    fn wrap(&self, text: &str, size: f32, weight: Weight, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.lines() {
            let mut line = String::new();
            for word in paragraph.split(' ') {
                let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
                if self.width(&candidate, size, weight) <= width || line.is_empty() {
                    line = candidate;
                } else {
                    lines.push(std::mem::take(&mut line));
                    line = word.to_string();
                }
                while self.width(&line, size, weight) > width && line.chars().count() > 1 {
                    // A word longer than the column: cut it where it fits.
                    let mut cut = line.chars().count() - 1;
                    while cut > 1
                        && self.width(&line.chars().take(cut).collect::<String>(), size, weight) > width
                    {
                        cut -= 1;
                    }
                    lines.push(line.chars().take(cut).collect());
                    line = line.chars().skip(cut).collect();
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// The pages as they fill.
struct Layout {
    measure: Measure,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Layout {
    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a page is always open")
    }

    /// Makes room for `height` more points, on a new page when this one is full.
    fn room(&mut self, height: f32) {
        if self.y + height > BOTTOM {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
    }

    fn text(&mut self, x: f32, size: f32, weight: Weight, color: (u8, u8, u8), text: &str) {
        let y = self.y + size;
        self.ops().push(Op::Text { x, y, size, weight, color, text: text.to_string() });
    }

    fn text_right(&mut self, right: f32, size: f32, weight: Weight, color: (u8, u8, u8), text: &str) {
        let x = right - self.measure.width(text, size, weight);
        self.text(x, size, weight, color, text);
    }

    fn rule(&mut self) {
        self.room(12.0);
        self.y += 6.0;
        let y = self.y;
        self.ops().push(Op::Rect { x: MARGIN, y, w: RIGHT - MARGIN, h: 0.7, color: RULE });
        self.y += 8.0;
    }

    fn heading(&mut self, text: &str) {
        self.room(40.0);
        self.y += 10.0;
        self.text(MARGIN, 11.5, Weight::Bold, INK, text);
        self.y += 19.0;
    }

    /// A label on the left and its value beside it, wrapped in the value's column.
    fn fact(&mut self, line: &ReceiptLine) {
        let (size, leading) = (10.0, 14.5);
        let value_width = RIGHT - VALUE_X;
        let label_lines = self.measure.wrap(&line.label, 9.5, Weight::Regular, VALUE_X - MARGIN - 12.0);
        let value_lines = self.measure.wrap(&line.value, size, Weight::Regular, value_width);
        let rows = label_lines.len().max(value_lines.len());
        self.room(rows as f32 * leading);
        for i in 0..rows {
            if let Some(label) = label_lines.get(i) {
                self.text(MARGIN, 9.5, Weight::Regular, MUTED, label);
            }
            if let Some(value) = value_lines.get(i) {
                self.text(VALUE_X, size, Weight::Regular, INK, value);
            }
            self.y += leading;
        }
    }

    /// A label on the left, its amount against the right margin.
    fn total(&mut self, line: &ReceiptLine, strong: bool) {
        let weight = if strong { Weight::Bold } else { Weight::Regular };
        self.room(16.0);
        self.text(MARGIN, 10.0, weight, if strong { INK } else { MUTED }, &line.label);
        self.text_right(RIGHT, 10.0, weight, INK, &line.value);
        self.y += 15.5;
    }

    fn table(&mut self, table: &ReceiptTable) {
        self.heading(&table.heading);
        let columns = table.columns.len().max(1);
        let width = (RIGHT - MARGIN) / columns as f32;
        let x = |i: usize| MARGIN + width * i as f32;
        self.room(16.0);
        for (i, name) in table.columns.iter().enumerate() {
            self.text(x(i), 9.0, Weight::Bold, MUTED, name);
        }
        self.y += 15.0;
        for row in &table.rows {
            let cells: Vec<Vec<String>> =
                row.iter().map(|c| self.measure.wrap(c, 10.0, Weight::Regular, width - 8.0)).collect();
            let height = cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * 14.0;
            self.room(height + 2.0);
            let top = self.y;
            for (i, lines) in cells.iter().enumerate() {
                self.y = top;
                for line in lines {
                    self.text(x(i), 10.0, Weight::Regular, INK, line);
                    self.y += 14.0;
                }
            }
            self.y = top + height + 2.0;
        }
    }
}

/// The logo's size on the page: as large as fits 4 × 2 cm, in its own proportions.
fn logo_box(size: (u32, u32)) -> (f32, f32) {
    let (w, h) = (size.0 as f32, size.1 as f32);
    let scale = (LOGO_W / w).min(LOGO_H / h);
    (w * scale, h * scale)
}

/// Places every line of the receipt.
fn lay_out(receipt: &Receipt) -> Result<Layout, PdfError> {
    let mut l = Layout { measure: Measure::new()?, pages: vec![Vec::new()], y: MARGIN };

    // Head: the logo and the business on the left, the title and our reference on the right.
    let head_top = l.y;
    let mut left_bottom = head_top;
    let title_width = l.measure.width(&receipt.title, 17.0, Weight::Bold).max(150.0);
    let text_right_edge = RIGHT - title_width - 24.0;
    if let Some(issuer) = &receipt.issuer {
        let mut x = MARGIN;
        if let Some(logo) = &issuer.logo {
            let (w, h) = logo_box(logo.size());
            l.ops().push(Op::Logo { x: MARGIN, y: head_top, w, h });
            x += w + 14.0;
            left_bottom = left_bottom.max(head_top + h);
        }
        let width = (text_right_edge - x).max(120.0);
        for name in l.measure.wrap(&issuer.name, 13.0, Weight::Bold, width) {
            l.text(x, 13.0, Weight::Bold, INK, &name);
            l.y += 17.0;
        }
        for line in &issuer.lines {
            for part in l.measure.wrap(line, 9.0, Weight::Regular, width) {
                l.text(x, 9.0, Weight::Regular, MUTED, &part);
                l.y += 12.5;
            }
        }
        left_bottom = left_bottom.max(l.y);
    }
    l.y = head_top;
    l.text_right(RIGHT, 17.0, Weight::Bold, INK, &receipt.title);
    l.y += 24.0;
    l.text_right(RIGHT, 10.0, Weight::Regular, MUTED, &receipt.reference);
    l.y = left_bottom.max(l.y + 14.0) + 10.0;

    if let Some(test) = &receipt.test {
        let lines = l.measure.wrap(test, 10.0, Weight::Bold, RIGHT - MARGIN - 20.0);
        let height = lines.len() as f32 * 14.0 + 12.0;
        let top = l.y;
        l.ops().push(Op::Rect { x: MARGIN, y: top, w: RIGHT - MARGIN, h: height, color: TEST_BG });
        l.y += 6.0;
        for line in lines {
            l.text(MARGIN + 10.0, 10.0, Weight::Bold, TEST_INK, &line);
            l.y += 14.0;
        }
        l.y = top + height + 12.0;
    }

    // The amount, large, and where the payment stands.
    l.text(MARGIN, 9.5, Weight::Regular, MUTED, &receipt.amount_label);
    l.y += 14.0;
    l.text(MARGIN, 24.0, Weight::Bold, INK, &receipt.amount_text);
    l.y += 31.0;
    l.text(MARGIN, 10.5, Weight::Regular, INK, &receipt.status_text);
    l.y += 16.0;
    l.rule();

    for fact in &receipt.facts {
        l.fact(fact);
    }
    if !receipt.paid_for.is_empty() {
        l.heading(&receipt.paid_for_heading);
        for line in &receipt.paid_for {
            l.fact(line);
        }
    }
    if !receipt.totals.is_empty() {
        l.rule();
        for line in &receipt.totals {
            let strong = line.key == "total" || line.key == "net";
            l.total(line, strong);
        }
    }
    if let Some(tickets) = &receipt.tickets {
        l.table(tickets);
    }
    if let Some(refunds) = &receipt.refunds {
        l.table(refunds);
    }
    l.rule();
    l.room(14.0);
    l.text(MARGIN, 8.5, Weight::Regular, MUTED, &receipt.issued);
    l.text_right(RIGHT, 8.5, Weight::Regular, MUTED, &receipt.reference);

    // Longer than a page: each page says whose receipt it is and where it stands.
    let total = l.pages.len();
    if total > 1 {
        let words = receipt.locale.words();
        let y = PAGE_H - 28.0;
        for (i, ops) in l.pages.iter_mut().enumerate() {
            let page = fill_words(words.page, &[("n", &(i + 1).to_string()), ("total", &total.to_string())]);
            let x = RIGHT - l.measure.width(&page, 8.0, Weight::Regular);
            ops.push(Op::Text { x, y, size: 8.0, weight: Weight::Regular, color: MUTED, text: page });
            let text = receipt.reference.clone();
            ops.push(Op::Text { x: MARGIN, y, size: 8.0, weight: Weight::Regular, color: MUTED, text });
        }
    }
    Ok(l)
}

/// `template` with each `{name}` filled.
fn fill_words(template: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(template.to_string(), |text, (name, value)| super::words::fill(&text, name, value))
}

fn fill(color: (u8, u8, u8)) -> Fill {
    Fill {
        paint: rgb::Color::new(color.0, color.1, color.2).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

/// The receipt as the bytes of a PDF file.
pub fn pdf(receipt: &Receipt) -> Result<Vec<u8>, PdfError> {
    let layout = lay_out(receipt)?;
    let font = |data: &'static [u8]| {
        Font::new(data.into(), 0).ok_or_else(|| PdfError("the font cannot be read".into()))
    };
    let (regular, bold) = (font(REGULAR)?, font(BOLD)?);
    let logo = match receipt.issuer.as_ref().and_then(|i| i.logo.as_ref()) {
        None => None,
        Some(logo) => Some(
            match logo.kind() {
                LogoKind::Png => Image::from_png(logo.bytes().to_vec().into(), true),
                LogoKind::Jpeg => Image::from_jpeg(logo.bytes().to_vec().into(), true),
            }
            .map_err(|e| PdfError(format!("the logo: {e}")))?,
        ),
    };

    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!("{} {}", receipt.title, receipt.reference))
            .language(receipt.locale.as_str().to_string())
            .creator("Farepoint".to_string()),
    );
    for ops in &layout.pages {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H).expect("A4 has a size");
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text { x, y, size, weight, color, text } => {
                    let font = if *weight == Weight::Bold { bold.clone() } else { regular.clone() };
                    surface.set_fill(Some(fill(*color)));
                    surface.draw_text(Point::from_xy(*x, *y), font, *size, text, false, TextDirection::Auto);
                }
                Op::Rect { x, y, w, h, color } => {
                    let mut path = PathBuilder::new();
                    if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                        path.push_rect(rect);
                    }
                    if let Some(path) = path.finish() {
                        surface.set_fill(Some(fill(*color)));
                        surface.draw_path(&path);
                    }
                }
                Op::Logo { x, y, w, h } => {
                    if let (Some(image), Some(size)) = (logo.clone(), Size::from_wh(*w, *h)) {
                        surface.push_transform(&Transform::from_translate(*x, *y));
                        surface.draw_image(image, size);
                        surface.pop();
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| PdfError(e.to_string()))
}
