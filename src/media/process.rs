//! Decoding uploads safely and making the files Kith keeps: a metadata-free
//! original (downscaled when huge), a preview, avatar and header sizes, and a
//! blurhash. Pure functions on bytes; callers run them on a blocking thread.
use std::io::Cursor;

use image::codecs::gif::{GifDecoder, GifEncoder, Repeat};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::FilterType;
use image::{AnimationDecoder, DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

/// Why an upload was refused: shown to the person as it is (a 422).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Rejected(pub String);

fn reject(msg: impl Into<String>) -> Rejected {
    Rejected(msg.into())
}

/// Limits that apply to every decode.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    /// Largest width × height accepted (decompression bombs are refused before decoding).
    pub max_pixels: u64,
    /// Originals with more pixels than this are downscaled to fit.
    pub original_max_pixels: u64,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            max_pixels: 33_177_600,
            original_max_pixels: 8_294_400,
        }
    }
}

/// The four formats accepted, as sniffed from the bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Gif,
    WebP,
}

impl Format {
    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Gif => "image/gif",
            Format::WebP => "image/webp",
        }
    }

    fn image_format(self) -> ImageFormat {
        match self {
            Format::Jpeg => ImageFormat::Jpeg,
            Format::Png => ImageFormat::Png,
            Format::Gif => ImageFormat::Gif,
            Format::WebP => ImageFormat::WebP,
        }
    }

    fn from_mime(m: &str) -> Option<Format> {
        match m.trim().to_ascii_lowercase().as_str() {
            "image/jpeg" | "image/jpg" | "image/pjpeg" => Some(Format::Jpeg),
            "image/png" | "image/apng" => Some(Format::Png),
            "image/gif" => Some(Format::Gif),
            "image/webp" => Some(Format::WebP),
            _ => None,
        }
    }

    fn from_extension(name: &str) -> Option<Format> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "jpg" | "jpeg" | "jpe" | "jfif" => Some(Format::Jpeg),
            "png" | "apng" => Some(Format::Png),
            "gif" => Some(Format::Gif),
            "webp" => Some(Format::WebP),
            _ => None,
        }
    }
}

/// What the bytes are, checked against what the sender said they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inspected {
    pub format: Format,
    pub width: u32,
    pub height: u32,
}

/// Sniffs the format from the bytes and reads the dimensions from the header,
/// without decoding pixels. Refuses other formats, files whose bytes are not
/// what their declared type or file name claim, and images over the pixel limit.
pub fn inspect(
    bytes: &[u8],
    declared_type: Option<&str>,
    file_name: Option<&str>,
    bounds: Bounds,
) -> Result<Inspected, Rejected> {
    if bytes.is_empty() {
        return Err(reject("The file is empty"));
    }
    let format = match image::guess_format(bytes) {
        Ok(ImageFormat::Jpeg) => Format::Jpeg,
        Ok(ImageFormat::Png) => Format::Png,
        Ok(ImageFormat::Gif) => Format::Gif,
        Ok(ImageFormat::WebP) => Format::WebP,
        _ => {
            return Err(reject(
                "The file is not a supported image: send a JPEG, PNG, GIF or WebP file",
            ));
        }
    };
    let claimed = declared_type
        .and_then(Format::from_mime)
        .map(|f| (f, "type"))
        .or_else(|| {
            file_name
                .and_then(Format::from_extension)
                .map(|f| (f, "name"))
        });
    if let Some((claim, how)) = claimed
        && claim != format
    {
        return Err(reject(format!(
            "The file's contents are a {} image, but its {how} says {}",
            label(format),
            label(claim)
        )));
    }
    if let Some(name) = file_name
        && let Some(by_name) = Format::from_extension(name)
        && by_name != format
    {
        return Err(reject(format!(
            "The file's contents are a {} image, but its name says {}",
            label(format),
            label(by_name)
        )));
    }
    let reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    let (width, height) = reader
        .into_dimensions()
        .map_err(|e| reject(format!("The image could not be read: {e}")))?;
    check_pixels(width, height, bounds)?;
    Ok(Inspected {
        format,
        width,
        height,
    })
}

fn label(f: Format) -> &'static str {
    match f {
        Format::Jpeg => "JPEG",
        Format::Png => "PNG",
        Format::Gif => "GIF",
        Format::WebP => "WebP",
    }
}

fn check_pixels(width: u32, height: u32, bounds: Bounds) -> Result<(), Rejected> {
    let pixels = u64::from(width) * u64::from(height);
    if width == 0 || height == 0 {
        return Err(reject("The image has no pixels"));
    }
    if pixels > bounds.max_pixels {
        return Err(reject(format!(
            "The image is too large: {width}x{height} pixels (the limit is {} megapixels)",
            bounds.max_pixels / 1_000_000
        )));
    }
    Ok(())
}

fn limits(bounds: Bounds) -> Limits {
    let mut l = Limits::default();
    // RGBA at 16 bits per channel is the worst case a decoder allocates for.
    l.max_alloc = Some(bounds.max_pixels.saturating_mul(8).max(64 * 1024 * 1024));
    l
}

/// One encoded file.
#[derive(Clone, Debug)]
pub struct Encoded {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
    pub extension: &'static str,
    pub width: u32,
    pub height: u32,
}

/// An upload made ready to store.
#[derive(Clone, Debug)]
pub struct Processed {
    pub original: Encoded,
    pub preview: Encoded,
    pub blurhash: String,
}

/// Decodes an inspected upload (turned upright from its EXIF orientation), and
/// re-encodes it without any metadata: the original (downscaled above the
/// bound), a preview that fits `preview_side`, and a blurhash.
pub fn process_attachment(
    bytes: &[u8],
    inspected: Inspected,
    bounds: Bounds,
    preview_side: u32,
) -> Result<Processed, Rejected> {
    if inspected.format == Format::Gif
        && let Some(animated) = animated_gif(bytes, bounds)?
    {
        let first = animated.first_frame;
        let preview = encode_still(&fit(&first, preview_side), 80)?;
        let blurhash = blurhash_of(&first)?;
        return Ok(Processed {
            original: animated.encoded,
            preview,
            blurhash,
        });
    }
    let img = decode_upright(bytes, inspected, bounds)?;
    let img = downscale_to_pixels(img, bounds.original_max_pixels);
    let original = encode_still(&img, 90)?;
    let preview = encode_still(&fit(&img, preview_side), 80)?;
    let blurhash = blurhash_of(&img)?;
    Ok(Processed {
        original,
        preview,
        blurhash,
    })
}

/// An avatar (square) or header (3:1), cropped to fill `width`×`height`.
pub fn process_profile_image(
    bytes: &[u8],
    inspected: Inspected,
    bounds: Bounds,
    width: u32,
    height: u32,
) -> Result<Encoded, Rejected> {
    let img = decode_upright(bytes, inspected, bounds)?;
    let img = if img.width() > width || img.height() > height {
        img.resize_to_fill(width, height, FilterType::Lanczos3)
    } else {
        img
    };
    encode_still(&img, 90)
}

fn decode_upright(
    bytes: &[u8],
    inspected: Inspected,
    bounds: Bounds,
) -> Result<DynamicImage, Rejected> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), inspected.format.image_format());
    reader.limits(limits(bounds));
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| reject(format!("The image could not be read: {e}")))?;
    let (w, h) = decoder.dimensions();
    check_pixels(w, h, bounds)?;
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| {
        reject(format!(
            "The image is damaged and could not be decoded: {e}"
        ))
    })?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    Ok(img)
}

struct AnimatedGif {
    encoded: Encoded,
    first_frame: DynamicImage,
}

/// Most frames kept from an animated GIF.
const MAX_GIF_FRAMES: usize = 1000;

/// `Some` for a GIF with more than one frame: re-encoded frame by frame (which
/// drops comments and application extensions), downscaled when huge.
fn animated_gif(bytes: &[u8], bounds: Bounds) -> Result<Option<AnimatedGif>, Rejected> {
    let bad =
        |e: image::ImageError| reject(format!("The GIF is damaged and could not be decoded: {e}"));
    let mut decoder = GifDecoder::new(Cursor::new(bytes)).map_err(bad)?;
    decoder.set_limits(limits(bounds)).map_err(bad)?;
    let (w, h) = decoder.dimensions();
    check_pixels(w, h, bounds)?;
    let mut frames = Vec::new();
    // Every frame is a full canvas once composed: bound the total as a bomb guard.
    let budget = bounds.max_pixels.saturating_mul(4);
    let mut spent = 0u64;
    for frame in decoder.into_frames() {
        let frame = frame.map_err(bad)?;
        spent += u64::from(w) * u64::from(h);
        if spent > budget || frames.len() >= MAX_GIF_FRAMES {
            return Err(reject("The animated GIF has too many frames"));
        }
        frames.push(frame);
    }
    if frames.len() < 2 {
        return Ok(None);
    }
    let pixels = u64::from(w) * u64::from(h);
    let (tw, th) = if pixels > bounds.original_max_pixels {
        let s = (bounds.original_max_pixels as f64 / pixels as f64).sqrt();
        (
            ((w as f64) * s).max(1.0) as u32,
            ((h as f64) * s).max(1.0) as u32,
        )
    } else {
        (w, h)
    };
    let first_frame = frames
        .first()
        .map(|f| DynamicImage::ImageRgba8(f.buffer().clone()))
        .ok_or_else(|| reject("The GIF has no frames"))?;
    let frames: Vec<image::Frame> = if (tw, th) == (w, h) {
        frames
    } else {
        frames
            .into_iter()
            .map(|f| {
                let delay = f.delay();
                let img = DynamicImage::ImageRgba8(f.into_buffer()).resize_exact(
                    tw,
                    th,
                    FilterType::Triangle,
                );
                image::Frame::from_parts(img.to_rgba8(), 0, 0, delay)
            })
            .collect()
    };
    let mut out = Vec::new();
    {
        let mut enc = GifEncoder::new_with_speed(&mut out, 10);
        enc.set_repeat(Repeat::Infinite)
            .map_err(|e| reject(format!("The GIF could not be re-encoded: {e}")))?;
        enc.encode_frames(frames)
            .map_err(|e| reject(format!("The GIF could not be re-encoded: {e}")))?;
    }
    Ok(Some(AnimatedGif {
        encoded: Encoded {
            bytes: out,
            mime: "image/gif",
            extension: "gif",
            width: tw,
            height: th,
        },
        first_frame,
    }))
}

fn downscale_to_pixels(img: DynamicImage, max_pixels: u64) -> DynamicImage {
    let pixels = u64::from(img.width()) * u64::from(img.height());
    if pixels <= max_pixels {
        return img;
    }
    let s = (max_pixels as f64 / pixels as f64).sqrt();
    let w = ((img.width() as f64) * s).floor().max(1.0) as u32;
    let h = ((img.height() as f64) * s).floor().max(1.0) as u32;
    img.resize(w, h, FilterType::Lanczos3)
}

/// Fits inside a `side`×`side` box, keeping the aspect ratio; never enlarges.
fn fit(img: &DynamicImage, side: u32) -> DynamicImage {
    if img.width() <= side && img.height() <= side {
        img.clone()
    } else {
        img.resize(side, side, FilterType::Triangle)
    }
}

/// JPEG for opaque images, PNG when there is transparency to keep.
fn encode_still(img: &DynamicImage, quality: u8) -> Result<Encoded, Rejected> {
    let fail = |e: image::ImageError| reject(format!("The image could not be encoded: {e}"));
    let mut out = Vec::new();
    let (mime, extension) = if has_transparency(img) {
        img.to_rgba8()
            .write_with_encoder(PngEncoder::new(&mut out))
            .map_err(fail)?;
        ("image/png", "png")
    } else {
        img.to_rgb8()
            .write_with_encoder(JpegEncoder::new_with_quality(&mut out, quality))
            .map_err(fail)?;
        ("image/jpeg", "jpg")
    };
    Ok(Encoded {
        bytes: out,
        mime,
        extension,
        width: img.width(),
        height: img.height(),
    })
}

fn has_transparency(img: &DynamicImage) -> bool {
    if !img.color().has_alpha() {
        return false;
    }
    match img {
        DynamicImage::ImageRgba8(b) => b.pixels().any(|p| p.0[3] < 255),
        DynamicImage::ImageLumaA8(b) => b.pixels().any(|p| p.0[1] < 255),
        other => other.to_rgba8().pixels().any(|p| p.0[3] < 255),
    }
}

/// Mastodon's 4×3-component blurhash, computed on a small copy.
fn blurhash_of(img: &DynamicImage) -> Result<String, Rejected> {
    let small = img.thumbnail(64, 64).to_rgba8();
    blurhash::encode(4, 3, small.width(), small.height(), small.as_raw())
        .map_err(|e| reject(format!("The image's blurhash could not be computed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn sniffs_and_refuses_lies() {
        let b = Bounds::default();
        let p = png(10, 20);
        let i = inspect(&p, Some("image/png"), Some("a.png"), b).unwrap();
        assert_eq!((i.format, i.width, i.height), (Format::Png, 10, 20));
        // A browser's generic type is fine; the bytes decide.
        assert!(inspect(&p, Some("application/octet-stream"), None, b).is_ok());
        assert!(
            inspect(&p, Some("image/jpeg"), None, b)
                .unwrap_err()
                .0
                .contains("PNG")
        );
        assert!(inspect(&p, None, Some("photo.JPG"), b).is_err());
        assert!(inspect(b"hello, I am text", Some("image/jpeg"), Some("x.jpg"), b).is_err());
        assert!(inspect(b"", None, None, b).is_err());
    }

    #[test]
    fn refuses_too_many_pixels_before_decoding() {
        let b = Bounds {
            max_pixels: 100,
            original_max_pixels: 100,
        };
        let err = inspect(&png(11, 10), None, None, b).unwrap_err();
        assert!(err.0.contains("11x10"), "{}", err.0);
    }

    #[test]
    fn downscales_and_previews() {
        let b = Bounds {
            max_pixels: 10_000_000,
            original_max_pixels: 200 * 100,
        };
        let bytes = png(400, 200);
        let i = inspect(&bytes, None, None, b).unwrap();
        let p = process_attachment(&bytes, i, b, 64).unwrap();
        assert_eq!((p.original.width, p.original.height), (200, 100));
        assert_eq!((p.preview.width, p.preview.height), (64, 32));
        assert_eq!(p.original.mime, "image/jpeg");
        assert!(!p.blurhash.is_empty());
    }
}
