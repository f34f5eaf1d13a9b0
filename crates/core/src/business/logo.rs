//! The business's logo: a PNG or JPEG the agent picks, checked here before it is kept — its type
//! read from its bytes (never from a file name), its size, its pixel bounds, and the whole picture
//! decoded once, so a receipt never fails on it later.

use std::io::Cursor;

use base64::Engine as _;
use serde::{Serialize, Serializer};

use crate::settings::{Code, Coded};

/// The most bytes a logo may have. Small on purpose: a receipt prints it about 4 cm wide, and the
/// window sends it in one IPC message, which the isolation hook bounds at 64 KiB (as base64,
/// 45 KiB is 60 KiB).
pub const MAX_BYTES: usize = 45 * 1024;
/// Each side's bounds in pixels: smaller is a speck, larger only costs memory to decode.
pub const MIN_SIDE: u32 = 16;
pub const MAX_SIDE: u32 = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogoKind {
    Png,
    Jpeg,
}

impl LogoKind {
    pub fn mime(self) -> &'static str {
        match self {
            LogoKind::Png => "image/png",
            LogoKind::Jpeg => "image/jpeg",
        }
    }

    /// What the bytes are, by their signature.
    fn sniff(bytes: &[u8]) -> Option<LogoKind> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(LogoKind::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(LogoKind::Jpeg)
        } else {
            None
        }
    }
}

/// A logo that passed every check.
#[derive(Clone, PartialEq, Eq)]
pub struct Logo {
    kind: LogoKind,
    bytes: Vec<u8>,
    width: u32,
    height: u32,
}

impl std::fmt::Debug for Logo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Logo({:?}, {}×{}, {} bytes)", self.kind, self.width, self.height, self.bytes.len())
    }
}

impl Logo {
    /// Checks `bytes` as a logo; the refusal says what to change, by code.
    pub fn check(bytes: Vec<u8>) -> Result<Logo, Coded> {
        if bytes.len() > MAX_BYTES {
            return Err(Coded::new(Code::LogoTooLarge).with("bytes", bytes.len()).with("max", MAX_BYTES));
        }
        let kind = LogoKind::sniff(&bytes).ok_or_else(|| Coded::new(Code::LogoType))?;
        let unreadable = |reason: String| Coded::new(Code::LogoUnreadable).with("reason", reason);
        // Krilla embeds it in the PDF: what it cannot read is refused now, not at the first receipt.
        let image = match kind {
            LogoKind::Png => krilla::image::Image::from_png(bytes.clone().into(), true),
            LogoKind::Jpeg => krilla::image::Image::from_jpeg(bytes.clone().into(), true),
        }
        .map_err(unreadable)?;
        let (width, height) = image.size();
        let inside = |side: u32| (MIN_SIDE..=MAX_SIDE).contains(&side);
        if !inside(width) || !inside(height) {
            return Err(Coded::new(Code::LogoPixels)
                .with("width", width)
                .with("height", height)
                .with("min", MIN_SIDE)
                .with("max", MAX_SIDE));
        }
        decode(kind, &bytes).map_err(unreadable)?;
        Ok(Logo { kind, bytes, width, height })
    }

    pub fn kind(&self) -> LogoKind {
        self.kind
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// The logo as the window draws it (`img-src` allows `data:`).
    pub fn data_url(&self) -> String {
        format!(
            "data:{};base64,{}",
            self.kind.mime(),
            base64::engine::general_purpose::STANDARD.encode(&self.bytes)
        )
    }

    /// How it is kept in the settings table: base64 text.
    pub(super) fn stored(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.bytes)
    }

    /// A kept logo read back, checked again (the file may have been edited by hand).
    pub(super) fn from_stored(text: &str) -> Result<Logo, Coded> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|e| Coded::new(Code::LogoUnreadable).with("reason", e))?;
        Logo::check(bytes)
    }
}

/// Decodes every pixel once: a picture whose header reads but whose data does not is refused.
fn decode(kind: LogoKind, bytes: &[u8]) -> Result<(), String> {
    match kind {
        LogoKind::Png => {
            let mut decoder = png::Decoder::new(Cursor::new(bytes));
            decoder.set_transformations(png::Transformations::EXPAND);
            let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
            let size = reader.output_buffer_size().ok_or("the picture is too large")?;
            let mut pixels = vec![0; size];
            reader.next_frame(&mut pixels).map_err(|e| e.to_string())?;
        }
        LogoKind::Jpeg => {
            let options = zune_jpeg::zune_core::options::DecoderOptions::default()
                .set_max_width(MAX_SIDE as usize)
                .set_max_height(MAX_SIDE as usize);
            let mut decoder = zune_jpeg::JpegDecoder::new_with_options(Cursor::new(bytes), options);
            decoder.decode().map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// The window's view of a logo: the picture and its size, never the settings' text.
impl Serialize for Logo {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("Logo", 4)?;
        out.serialize_field("kind", &self.kind)?;
        out.serialize_field("data_url", &self.data_url())?;
        out.serialize_field("width", &self.width)?;
        out.serialize_field("height", &self.height)?;
        out.end()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A real PNG of `width`×`height`, drawn here (an orange square with a dark band).
    pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        let mut data = Vec::with_capacity((width * height * 4) as usize);
        for y in 0..height {
            for _ in 0..width {
                let band = y * 3 / height == 1;
                data.extend_from_slice(if band { &[30, 40, 90, 255] } else { &[240, 140, 20, 255] });
            }
        }
        writer.write_image_data(&data).unwrap();
        writer.finish().unwrap();
        out
    }

    #[test]
    fn a_png_is_kept_with_its_size_and_shown_as_a_data_url() {
        let logo = Logo::check(png(120, 40)).unwrap();
        assert_eq!((logo.kind(), logo.size()), (LogoKind::Png, (120, 40)));
        assert!(logo.data_url().starts_with("data:image/png;base64,iVBORw0KGgo"));
        assert_eq!(Logo::from_stored(&logo.stored()).unwrap(), logo);
    }

    #[test]
    fn what_is_not_a_fitting_png_or_jpeg_is_refused_by_code() {
        let code = |bytes: Vec<u8>| Logo::check(bytes).unwrap_err();
        assert_eq!(code(b"GIF89a....".to_vec()).code, Code::LogoType);
        assert_eq!(code(b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec()).code, Code::LogoType);
        let big = code(vec![0x89; MAX_BYTES + 1]);
        assert_eq!((big.code, big.params["max"].as_str()), (Code::LogoTooLarge, "46080"));
        let speck = code(png(8, 40));
        assert_eq!((speck.code, speck.params["width"].as_str()), (Code::LogoPixels, "8"));
        // A PNG's header with its pixel data cut off: it reads as a PNG, yet cannot be drawn.
        let mut cut = png(64, 64);
        cut.truncate(cut.len() - 30);
        assert_eq!(code(cut).code, Code::LogoUnreadable);
        // A JPEG signature with nothing behind it.
        assert_eq!(code(vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0]).code, Code::LogoUnreadable);
    }
}
