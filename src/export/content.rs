//! Document content in an extract: images stripped of their metadata, other
//! types as they are, and the cap on how much goes out.
//!
//! A document named by the policy (`[documents] include`) goes out with its
//! content. What an image carries besides its pixels — EXIF (camera, owner,
//! time, GPS position), XMP, IPTC, comments, embedded thumbnails and preview
//! images, colour profiles, anything after the image's end — can name a
//! witness or place them, so images are rewritten keeping only what a decoder
//! needs to show the pixels, which are copied as they are (never decoded or
//! re-encoded). The container is parsed with `img-parts`; what is kept is a
//! list of known parts (everything else is dropped), not a list of known
//! metadata. An image that cannot be parsed, or of a type not handled here
//! (TIFF, GIF, HEIC, SVG, ...), is refused rather than sent unstripped.
//!
//! The type is taken from the content's first bytes as well as from the
//! record: a JPEG recorded as `application/octet-stream` is still an image.
//!
//! Other types (PDF, audio, text) go out byte for byte: their content is not
//! searched for names or metadata, and the dry run says so.
//!
//! The content is not part of the rendered text the leak check searches:
//! renderers lay out a placeholder ([`placeholder`]) and the bytes are put in
//! its place ([`fill`]) only after the check has passed (a base64 string of
//! some MiB holds any three-letter name by chance).

use base64::Engine;
use img_parts::jpeg::{markers, Jpeg};
use img_parts::png::Png;
use img_parts::riff::RiffContent;
use img_parts::webp::WebP;
use img_parts::Bytes;
use zeroize::Zeroizing;

use super::model::ContentOut;
use super::Prepared;
use crate::format::hex;

/// Most content bytes an extract carries, in all (so that a JSON extract
/// stays under `verify-extract`'s limit once in base64).
pub const MAX_CONTENT: u64 = 64 << 20;

/// Opens a content placeholder in rendered text.
pub const SLOT_OPEN: char = '\u{E004}';
/// Closes a content placeholder.
pub const SLOT_CLOSE: char = '\u{E005}';

/// What a document's content is, for what is done with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Jpeg,
    Png,
    WebP,
    /// An image of a type not stripped here: refused.
    OtherImage,
    /// Text: sent as it is once the leak check finds nothing in it.
    Text,
    /// A PDF or an audio recording of a plain format: sent as it is, with the
    /// dry run saying its content is not checked.
    Other,
    /// Anything else (video, office documents, archives, camera RAW files,
    /// formats not known here): refused, since it may carry metadata or
    /// pictures dossier cannot strip.
    Unknown,
}

/// Media types sent as they are when named: documents and audio in formats
/// that hold no pictures (and so no camera metadata).
const SENT_AS_IS: &[&str] = &[
    "application/pdf",
    "audio/mpeg",
    "audio/flac",
    "audio/ogg",
    "audio/wav",
    "audio/x-wav",
    "audio/amr",
];

/// Media types sent as text, after the leak check reads them.
const TEXT: &[&str] = &["application/json", "application/xml"];

/// The kind of a content, from its first bytes, then its recorded media type.
pub fn kind(media_type: &str, bytes: &[u8]) -> Kind {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Kind::Jpeg;
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Kind::Png;
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Kind::WebP;
    }
    let sniffed_image = bytes.starts_with(b"II*\0")
        || bytes.starts_with(b"MM\0*")
        || bytes.starts_with(b"GIF8")
        || bytes.starts_with(b"BM")
        || (bytes.len() >= 12
            && &bytes[4..8] == b"ftyp"
            && matches!(&bytes[8..12], b"heic" | b"heix" | b"avif" | b"mif1"));
    let mt = media_type.trim().to_ascii_lowercase();
    match mt.split(';').next().unwrap_or("") {
        "image/jpeg" | "image/jpg" | "image/pjpeg" => Kind::Jpeg,
        "image/png" | "image/apng" => Kind::Png,
        "image/webp" => Kind::WebP,
        m if m.starts_with("image/") => Kind::OtherImage,
        _ if sniffed_image => Kind::OtherImage,
        _ if bytes.starts_with(b"%PDF-") => Kind::Other,
        m if SENT_AS_IS.contains(&m) => Kind::Other,
        m if m.starts_with("text/") || TEXT.contains(&m) => Kind::Text,
        _ => Kind::Unknown,
    }
}

/// A document's content as it goes out.
pub struct Sent {
    /// The bytes sent.
    pub bytes: Zeroizing<Vec<u8>>,
    /// The media type the extract gives it.
    pub media_type: String,
    /// What was removed (`EXIF`, `XMP`, `comment`, ...), empty if nothing.
    pub removed: Vec<String>,
    /// Whether `bytes` are the document's content unchanged.
    pub unchanged: bool,
    /// Whether it is an image, stripped or found clean.
    pub image: bool,
}

/// Makes the content of a document ready to go out: strips an image, passes
/// anything else through. The error says why an image is refused.
pub fn prepare(media_type: &str, raw: Zeroizing<Vec<u8>>) -> Result<Sent, String> {
    let k = kind(media_type, &raw);
    let (out, removed, mt) = match k {
        Kind::Jpeg => {
            let (b, r) = settled(&raw, strip_jpeg)?;
            (b, r, "image/jpeg")
        }
        Kind::Png => {
            let (b, r) = settled(&raw, strip_png)?;
            (b, r, "image/png")
        }
        Kind::WebP => {
            let (b, r) = settled(&raw, strip_webp)?;
            (b, r, "image/webp")
        }
        Kind::OtherImage => {
            return Err(format!(
                "it is an image ({}) of a type whose metadata dossier cannot strip (JPEG, PNG and WebP only); \
                 convert it to PNG and attach that, or leave it out of the policy",
                media_type
            ))
        }
        Kind::Unknown => {
            return Err(format!(
                "its type ({media_type}) is not one dossier sends: only JPEG, PNG and WebP images (stripped of \
                 their metadata), PDF, plain text and audio (MP3, FLAC, Ogg, WAV, AMR) go out, since other \
                 formats (video, office documents, archives, camera RAW) can carry metadata or pictures it \
                 cannot strip; convert it, or leave it out of the policy"
            ))
        }
        Kind::Text if std::str::from_utf8(&raw).is_err() => {
            return Err(format!(
                "it is recorded as text ({media_type}) but is not UTF-8, so the leak check cannot read it; \
                 convert it, or leave it out of the policy"
            ))
        }
        Kind::Other | Kind::Text => {
            return Ok(Sent {
                media_type: media_type.to_string(),
                bytes: raw,
                removed: Vec::new(),
                unchanged: true,
                image: false,
            })
        }
    };
    let unchanged = out[..] == raw[..];
    Ok(Sent {
        bytes: out,
        media_type: mt.to_string(),
        removed,
        unchanged,
        image: true,
    })
}

/// Strips an image of the given kind; `None` if it is not a JPEG, PNG or WebP.
/// The entry point the fuzz target drives.
pub fn strip(bytes: &[u8]) -> Option<Result<Zeroizing<Vec<u8>>, String>> {
    let r = match kind("", bytes) {
        Kind::Jpeg => settled(bytes, strip_jpeg),
        Kind::Png => settled(bytes, strip_png),
        Kind::WebP => settled(bytes, strip_webp),
        _ => return None,
    };
    Some(r.map(|(b, _)| b))
}

type Stripped = (Zeroizing<Vec<u8>>, Vec<String>);

/// Strips, then strips the result again: an image the parser reads one way
/// and, once stripped, another (a malformed file: the fuzzer found one) is
/// refused rather than sent, since what it holds is not what was checked.
fn settled(raw: &[u8], strip: fn(&[u8]) -> Result<Stripped, String>) -> Result<Stripped, String> {
    let (out, removed) = strip(raw)?;
    match strip(&out) {
        Ok((again, _)) if again[..] == out[..] => Ok((out, removed)),
        _ => Err("it does not parse as a well-formed image; convert it to PNG and attach that".into()),
    }
}

/// A copy of the content that img-parts reads from without copying it again
/// (its `Bytes` are slices of this), wiped when the last slice goes.
struct Wiped(Zeroizing<Vec<u8>>);

impl AsRef<[u8]> for Wiped {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

fn shared(raw: &[u8]) -> Bytes {
    Bytes::from_owner(Wiped(Zeroizing::new(raw.to_vec())))
}

fn note(removed: &mut Vec<String>, what: &str) {
    if !removed.iter().any(|r| r == what) {
        removed.push(what.to_string());
    }
}

fn bad(kind: &str, why: impl std::fmt::Display) -> String {
    format!("it is not a {kind} image dossier can parse ({why}); refusing to send it unstripped")
}

/// What an APPn or COM segment holds, by its marker and first bytes.
fn jpeg_metadata_name(marker: u8, contents: &[u8]) -> &'static str {
    match marker {
        markers::COM => "comment",
        markers::APP1 if contents.starts_with(b"Exif\0") => "EXIF",
        markers::APP1 if contents.starts_with(b"http://ns.adobe.com/") => "XMP",
        markers::APP0 => "JFIF header (and its thumbnail)",
        markers::APP2 if contents.starts_with(b"ICC_PROFILE\0") => "colour profile",
        markers::APP2 if contents.starts_with(b"MPF\0") => "preview images",
        markers::APP13 => "IPTC",
        _ => "application data",
    }
}

/// Whether a marker with a length is one a camera writes and a decoder
/// reads: frames (SOF0–3, 5–7, 9–11, 13–15), tables (DHT, DAC, DQT, DRI) and
/// scans (SOS). Not JPG (0xC8), DNL, DHP, EXP, JPGn (0xF0–0xFD) or reserved
/// markers: no camera writes them, decoders skip them, and whatever rides in
/// them would go out (E3).
fn is_decoding(m: u8) -> bool {
    matches!(m, 0xC0..=0xC7 | 0xC9..=0xCF | 0xDA | 0xDB | 0xDD)
}

/// Checks that what comes before the first scan's data is SOI, then
/// segments back to back (fill bytes allowed), each one kept or dropped
/// here. img-parts skips stray bytes and markers without a length, so
/// without this it could find a segment inside data planted after such a
/// marker, and keep it.
fn check_jpeg_header(raw: &[u8], is_meta: impl Fn(u8) -> bool) -> Result<(), String> {
    let mut i = 2;
    loop {
        if raw.get(i) != Some(&0xFF) {
            return Err(bad("JPEG", "stray bytes between its segments"));
        }
        while raw.get(i) == Some(&0xFF) {
            i += 1;
        }
        let m = *raw.get(i).ok_or_else(|| bad("JPEG", "no image data"))?;
        if !is_meta(m) && !is_decoding(m) {
            return Err(bad("JPEG", format!("an unexpected marker 0x{m:02X}")));
        }
        let len = match raw.get(i + 1..i + 3) {
            Some(&[a, b]) => usize::from(u16::from_be_bytes([a, b])),
            _ => return Err(bad("JPEG", "a segment is cut short")),
        };
        if len < 2 {
            return Err(bad("JPEG", "a segment is cut short"));
        }
        i += 1 + len;
        if m == markers::SOS {
            return Ok(());
        }
    }
}

/// Keeps the segments a decoder needs; drops every APPn (but Adobe's colour
/// transform flags) and COM, before and between scans, and anything after EOI.
fn strip_jpeg(raw: &[u8]) -> Result<(Zeroizing<Vec<u8>>, Vec<String>), String> {
    let jpeg = Jpeg::from_bytes(shared(raw)).map_err(|e| bad("JPEG", e))?;
    let is_meta = |m: u8| (markers::APP0..=markers::APP15).contains(&m) || m == markers::COM;
    check_jpeg_header(raw, is_meta)?;
    let mut removed = Vec::new();
    let mut out = Zeroizing::new(Vec::with_capacity(raw.len()));
    out.extend_from_slice(&[0xFF, markers::SOI]);
    let mut tail: Option<&[u8]> = None;
    let adobe = |m: u8, c: &[u8]| m == markers::APP14 && c.starts_with(b"Adobe") && c.len() <= 12;
    for seg in jpeg.segments() {
        let (m, c) = (seg.marker(), seg.contents());
        if is_meta(m) && !adobe(m, c) {
            note(&mut removed, jpeg_metadata_name(m, c));
            continue;
        }
        if !is_meta(m) && !is_decoding(m) {
            return Err(bad("JPEG", format!("an unexpected marker 0x{m:02X}")));
        }
        push_segment(&mut out, m, c)?;
        if seg.has_entropy() {
            // img-parts keeps the rest of the input after the scan header.
            let rest = seg.len_with_entropy() - seg.len();
            tail = raw.get(raw.len().saturating_sub(rest)..);
            break;
        }
    }
    let tail = tail.ok_or_else(|| bad("JPEG", "no image data"))?;
    // After the first scan's header: entropy-coded data, further segments
    // (tables, scans, metadata) and EOI, then perhaps appended data.
    let t = tail;
    let mut i = 0;
    let mut start = 0;
    loop {
        if i + 1 >= t.len() {
            return Err(bad("JPEG", "it ends before its end marker"));
        }
        if t[i] != 0xFF {
            i += 1;
            continue;
        }
        let m = t[i + 1];
        if m == 0x00 || m == 0xFF || (0xD0..=0xD7).contains(&m) {
            // Stuffed byte, fill byte, restart marker: part of the data.
            // (TEM, and every other marker without a length, is refused below.)
            i += if m == 0xFF { 1 } else { 2 };
            continue;
        }
        out.extend_from_slice(&t[start..i]);
        if m == markers::EOI {
            out.extend_from_slice(&[0xFF, markers::EOI]);
            if i + 2 < t.len() {
                note(&mut removed, "data after the image's end");
            }
            break;
        }
        if i + 3 >= t.len() {
            return Err(bad("JPEG", "a segment is cut short"));
        }
        let len = usize::from(u16::from_be_bytes([t[i + 2], t[i + 3]]));
        if len < 2 || i + 2 + len > t.len() {
            return Err(bad("JPEG", "a segment is cut short"));
        }
        let contents = &t[i + 4..i + 2 + len];
        if !is_meta(m) && !is_decoding(m) {
            return Err(bad("JPEG", format!("an unexpected marker 0x{m:02X}")));
        }
        if is_meta(m) && !adobe(m, contents) {
            note(&mut removed, jpeg_metadata_name(m, contents));
        } else {
            out.extend_from_slice(&t[i..i + 2 + len]);
        }
        i += 2 + len;
        start = i;
    }
    Ok((out, removed))
}

fn push_segment(out: &mut Vec<u8>, marker: u8, contents: &[u8]) -> Result<(), String> {
    let len = u16::try_from(contents.len() + 2).map_err(|_| bad("JPEG", "a segment is too long"))?;
    out.extend_from_slice(&[0xFF, marker]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(contents);
    Ok(())
}

/// PNG chunks kept: those that make the pixels and how they are shown.
const PNG_KEEP: [&[u8; 4]; 14] = [
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"sBIT", b"bKGD", b"pHYs", b"acTL",
    b"fcTL", b"fdAT",
];

fn strip_png(raw: &[u8]) -> Result<(Zeroizing<Vec<u8>>, Vec<String>), String> {
    let mut png = Png::from_bytes(shared(raw)).map_err(|e| bad("PNG", e))?;
    let chunks = png.chunks();
    if chunks.first().map(|c| c.kind()) != Some(*b"IHDR") {
        return Err(bad("PNG", "it does not start with a header chunk"));
    }
    if chunks.last().map(|c| c.kind()) != Some(*b"IEND") {
        return Err(bad("PNG", "it has no end chunk"));
    }
    if !chunks.iter().any(|c| c.kind() == *b"IDAT") {
        return Err(bad("PNG", "no image data"));
    }
    let mut removed = Vec::new();
    // img-parts stops at IEND: anything after it is not kept.
    let whole: usize = 8 + chunks.iter().map(|c| c.len()).sum::<usize>();
    if whole < raw.len() {
        note(&mut removed, "data after the image's end");
    }
    png.chunks_mut().retain(|c| {
        let k = c.kind();
        let keep = PNG_KEEP.iter().any(|x| **x == k);
        if !keep {
            note(
                &mut removed,
                match &k {
                    b"eXIf" => "EXIF",
                    b"tEXt" | b"zTXt" | b"iTXt" => "text (author, comments, XMP)",
                    b"tIME" => "modification time",
                    b"iCCP" => "colour profile",
                    _ => "application data",
                },
            );
        }
        keep
    });
    // Into a buffer reserved to the input's size (the output is never
    // larger): never reallocated, so no copy is left behind unwiped.
    let mut out = Zeroizing::new(Vec::with_capacity(raw.len()));
    png.encoder()
        .write_to(&mut *out)
        .map_err(|e| format!("the stripped image could not be written ({e})"))?;
    Ok((out, removed))
}

/// WebP chunks kept: the image, its alpha, animation; the extended header's
/// flags for ICC, EXIF and XMP are cleared.
const WEBP_KEEP: [&[u8; 4]; 6] = [b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF"];

fn strip_webp(raw: &[u8]) -> Result<(Zeroizing<Vec<u8>>, Vec<String>), String> {
    let mut webp = WebP::from_bytes(shared(raw)).map_err(|e| bad("WebP", e))?;
    if !webp
        .chunks()
        .iter()
        .any(|c| matches!(&c.id(), b"VP8 " | b"VP8L" | b"ANMF"))
    {
        return Err(bad("WebP", "no image data"));
    }
    let mut removed = Vec::new();
    let riff_len = 8 + webp.len() as usize;
    if riff_len < raw.len() {
        note(&mut removed, "data after the image's end");
    }
    let images = webp
        .chunks()
        .iter()
        .filter(|c| matches!(&c.id(), b"VP8 " | b"VP8L"))
        .count();
    if images > 1 {
        return Err(bad("WebP", "it holds more than one still image"));
    }
    webp.chunks_mut().retain(|c| {
        let id = c.id();
        let keep = WEBP_KEEP.iter().any(|x| **x == id);
        if !keep {
            note(
                &mut removed,
                match &id {
                    b"EXIF" => "EXIF",
                    b"XMP " => "XMP",
                    b"ICCP" => "colour profile",
                    _ => "application data",
                },
            );
        }
        keep
    });
    for c in webp.chunks_mut() {
        let id = c.id();
        let RiffContent::Data(d) = c.content_mut() else {
            return Err(bad("WebP", "a chunk is a list"));
        };
        match &id {
            b"VP8X" => {
                if d.len() != 10 {
                    return Err(bad("WebP", "its extended header is not 10 bytes"));
                }
                // Only the alpha (0x10) and animation (0x02) flags stay: ICC
                // (0x20), EXIF (0x08) and XMP (0x04) chunks are gone, and
                // the reserved bits and bytes carry nothing.
                let mut v = d.to_vec();
                v[0] &= 0x10 | 0x02;
                v[1..4].fill(0);
                *d = Bytes::from(v);
            }
            b"ANIM" if d.len() != 6 => return Err(bad("WebP", "its animation header is not 6 bytes")),
            b"ANMF" => *d = Bytes::from(strip_anmf(d, &mut removed)?),
            _ => {}
        }
    }
    // Into a buffer reserved to the input's size (the output is never
    // larger): never reallocated, so no copy is left behind unwiped.
    let mut out = Zeroizing::new(Vec::with_capacity(raw.len()));
    webp.encoder()
        .write_to(&mut *out)
        .map_err(|e| format!("the stripped image could not be written ({e})"))?;
    Ok((out, removed))
}

/// An animation frame (ANMF) rebuilt from its 16-byte header (reserved bits
/// cleared) and the sub-chunks a decoder shows: an optional ALPH, then one
/// VP8 or VP8L. Anything else in the frame — unknown sub-chunks, a second
/// image — is dropped (E4): a viewer never shows it, and it could hold anything.
fn strip_anmf(data: &[u8], removed: &mut Vec<String>) -> Result<Vec<u8>, String> {
    let cut = || bad("WebP", "an animation frame is cut short");
    let header = data.get(..16).ok_or_else(cut)?;
    let mut out = Vec::with_capacity(data.len());
    out.extend_from_slice(header);
    // Byte 15: 6 reserved bits, then blending and disposal.
    out[15] &= 0x03;
    let mut rest = &data[16..];
    let (mut alpha, mut image) = (false, false);
    while !rest.is_empty() {
        let id: [u8; 4] = rest.get(..4).and_then(|b| b.try_into().ok()).ok_or_else(cut)?;
        let len = rest
            .get(4..8)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes)
            .ok_or_else(cut)?;
        let len = usize::try_from(len).map_err(|_| cut())?;
        let whole = 8usize
            .checked_add(len)
            .and_then(|n| n.checked_add(len % 2))
            .ok_or_else(cut)?;
        let chunk = rest.get(..whole).ok_or_else(cut)?;
        rest = &rest[whole..];
        let keep = match &id {
            b"ALPH" if !alpha && !image => {
                alpha = true;
                true
            }
            b"VP8 " | b"VP8L" if !image => {
                image = true;
                true
            }
            _ => false,
        };
        if keep {
            out.extend_from_slice(&chunk[..8 + len]);
            if len % 2 == 1 {
                out.push(0);
            }
        } else {
            note(removed, "application data in an animation frame");
        }
    }
    if !image {
        return Err(bad("WebP", "an animation frame has no image"));
    }
    Ok(out)
}

/// The placeholder renderers lay out where content `index` goes.
pub fn placeholder(index: usize) -> String {
    format!("{SLOT_OPEN}{index}{SLOT_CLOSE}")
}

/// Standard base64 of content, as data URIs and the JSON extract carry it.
pub fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Puts each content's base64 in the place of its placeholder. Placeholders
/// are only ever laid out by the renderers: values from the records have
/// these characters removed.
pub fn fill(text: &str, contents: &[Zeroizing<Vec<u8>>]) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(
        text.len() + contents.iter().map(|c| c.len() * 4 / 3 + 4).sum::<usize>(),
    ));
    let mut rest = text;
    while let Some(open) = rest.find(SLOT_OPEN) {
        out.push_str(&rest[..open]);
        let after = &rest[open + SLOT_OPEN.len_utf8()..];
        let Some(close) = after.find(SLOT_CLOSE) else {
            rest = after;
            continue;
        };
        if let Some(c) = after[..close].parse::<usize>().ok().and_then(|i| contents.get(i)) {
            base64::engine::general_purpose::STANDARD.encode_string(&c[..], &mut out);
        }
        rest = &after[close + SLOT_CLOSE.len_utf8()..];
    }
    out.push_str(rest);
    out
}

/// A media type fit for a `data:` URI: `type/subtype` of token characters,
/// else `application/octet-stream` (the record's type is the user's text).
pub fn uri_media_type(media_type: &str) -> String {
    let t: String = media_type
        .chars()
        .filter(|&c| !super::redact::is_mark(c))
        .collect::<String>()
        .trim()
        .to_ascii_lowercase();
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    match t.split_once('/') {
        Some((a, b)) if token(a) && token(b) => t,
        _ => "application/octet-stream".into(),
    }
}

impl Prepared {
    /// Checks the cap on the content of the documents that go out, from
    /// their recorded sizes, before any is read.
    pub fn check_content_cap(&self) -> Result<(), String> {
        let mut total = 0u64;
        for (id, d) in &self.sources {
            total = total.saturating_add(d.size);
            if total > MAX_CONTENT {
                return Err(format!(
                    "document {}: with it, the documents the policy names hold {} bytes of content, over the \
                     limit of {} MiB an extract carries; name fewer documents in [documents] include",
                    &hex(id)[..16],
                    total,
                    MAX_CONTENT >> 20
                ));
            }
        }
        Ok(())
    }

    /// Puts the content of the document with record id `id` (read from the
    /// vault, checked against its hash) into the extract, stripped if it is
    /// an image. The error names the document.
    pub fn include_content(&mut self, id: &[u8; 32], raw: Zeroizing<Vec<u8>>) -> Result<(), String> {
        let short = hex(id)[..16].to_string();
        let Some((_, d)) = self.sources.iter().find(|(i, _)| i == id) else {
            return Err(format!("document {short}: not among the documents that go out"));
        };
        let text = kind(&d.media_type, &raw) == Kind::Text;
        let sent = prepare(&d.media_type, raw).map_err(|m| format!("document {short}: {m}"))?;
        // Text is read by the leak check like every other word of the
        // extract: a witness named in a text file would otherwise go out.
        if text && self.checker.check(&sent.bytes, "text").is_some() {
            return Err(format!(
                "document {short}: its text names a protected person or holds a protected contact; \
                 redact it and attach the redacted copy, or leave it out of the policy"
            ));
        }
        let hash = blake3::hash(&sent.bytes);
        let checked = if text {
            "text: the leak check read it and found no protected name or contact; it goes out as it is".to_string()
        } else if !sent.image {
            "its content is NOT checked: it goes out as it is, and names or metadata inside it are neither \
             searched for nor removed"
                .to_string()
        } else if sent.removed.is_empty() {
            "an image: it carried no metadata, its bytes go out unchanged".to_string()
        } else {
            format!(
                "an image: stripped of {} (pixels unchanged); the bytes sent are not the signed content",
                sent.removed.join(", ")
            )
        };
        let index = self.contents.len();
        let Some(out) = self.extract.documents.iter_mut().find(|x| x.id == short) else {
            return Err(format!("document {short}: not among the documents that go out"));
        };
        out.content = Some(ContentOut {
            media_type: sent.media_type.clone(),
            size: sent.bytes.len() as u64,
            hash: format!("blake3:{}", hash.to_hex()),
            unchanged: sent.unchanged,
            removed: sent.removed.clone(),
            checked: checked.clone(),
            base64: placeholder(index),
        });
        self.content_notes
            .push(format!("document {short} ({}): {checked}", sent.media_type));
        self.contents.push(sent.bytes);
        self.sent.push(SentDocument {
            record: *id,
            hash: *hash.as_bytes(),
            image: sent.image,
        });
        Ok(())
    }

    /// The documents whose content an extract in `format` carries, with the
    /// hash of the bytes sent (Markdown embeds images only).
    pub fn sent_in(&self, format: super::Format) -> Vec<([u8; 32], [u8; 32])> {
        self.sent
            .iter()
            .filter(|s| s.image || format != super::Format::Markdown)
            .map(|s| (s.record, s.hash))
            .collect()
    }
}

/// A document whose content goes out.
#[derive(Clone, Debug)]
pub struct SentDocument {
    pub record: [u8; 32],
    /// BLAKE3 of the bytes sent.
    pub hash: [u8; 32],
    pub image: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn riff_chunk(id: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = id.to_vec();
        c.extend_from_slice(&(data.len() as u32).to_le_bytes());
        c.extend_from_slice(data);
        if data.len() % 2 == 1 {
            c.push(0);
        }
        c
    }

    fn webp(chunks: &[Vec<u8>]) -> Vec<u8> {
        let body: Vec<u8> = chunks.concat();
        let mut w = b"RIFF".to_vec();
        w.extend_from_slice(&((body.len() + 4) as u32).to_le_bytes());
        w.extend_from_slice(b"WEBP");
        w.extend_from_slice(&body);
        w
    }

    #[test]
    fn webp_loses_exif_xmp_and_icc_and_their_flags() {
        // VP8X: flags ICC (0x20) | alpha (0x10) | EXIF (0x08) | XMP (0x04), canvas 1x1.
        let vp8x = riff_chunk(b"VP8X", &[0x3C, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let vp8l = riff_chunk(
            b"VP8L",
            &[0x2F, 0, 0, 0, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xFE, 0x07, 0],
        );
        let planted = webp(&[
            vp8x,
            riff_chunk(b"ICCP", b"profile of Hanna's phone"),
            vp8l.clone(),
            riff_chunk(b"EXIF", b"MM\0*GPS 53.9N Artist Hanna"),
            riff_chunk(b"XMP ", b"<dc:creator>Hanna</dc:creator>"),
        ]);
        let out = strip(&planted).unwrap().unwrap();
        let clean = webp(&[riff_chunk(b"VP8X", &[0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0]), vp8l]);
        assert_eq!(&out[..], &clean[..]);
        assert!(!out.windows(5).any(|w| w == b"Hanna"));
    }

    #[test]
    fn unknown_jpeg_markers_and_other_images_are_refused() {
        let mut j = vec![0xFF, 0xD8, 0xFF, 0xF0, 0, 4, 1, 2];
        j.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0, 0x12, 0xFF, 0xD9]);
        assert!(strip(&j).unwrap().is_err(), "a JPGn extension is not passed through");
        assert_eq!(kind("application/octet-stream", b"GIF89a...."), Kind::OtherImage);
        assert_eq!(kind("image/tiff", b"II*\0"), Kind::OtherImage);
        assert_eq!(
            kind("application/pdf", b"\xFF\xD8\xFF\xE0"),
            Kind::Jpeg,
            "sniffed, not believed"
        );
        assert!(prepare("image/heic", Zeroizing::new(b"....ftypheic".to_vec())).is_err());
        assert!(prepare("application/pdf", Zeroizing::new(b"%PDF-1.4".to_vec())).is_ok_and(|s| s.unchanged));
    }

    fn seg(m: u8, c: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, m];
        s.extend_from_slice(&((c.len() + 2) as u16).to_be_bytes());
        s.extend_from_slice(c);
        s
    }

    /// A minimal JPEG with `planted` bytes put after its first table, before
    /// its frame (`Some(true)`),
    /// between its two scans (`Some(false)`), or nowhere.
    fn jpeg_with(planted: &[u8], before: Option<bool>) -> Vec<u8> {
        let mut j = vec![0xFF, 0xD8];
        j.extend(seg(0xDB, &[0; 65]));
        if before == Some(true) {
            j.extend_from_slice(planted);
        }
        j.extend(seg(0xC0, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]));
        j.extend(seg(0xC4, &[0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        j.extend(seg(0xDA, &[1, 1, 0, 0, 63, 0]));
        j.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]);
        if before == Some(false) {
            j.extend_from_slice(planted);
            j.extend(seg(0xDA, &[1, 1, 0, 0, 63, 0]));
            j.push(0x78);
        }
        j.extend_from_slice(&[0xFF, 0xD9]);
        j
    }

    /// E3: a JPEG carrying data in a marker no camera writes — JPG, DNL,
    /// DHP, EXP, JPGn, TEM, reserved, or stray bytes that img-parts would
    /// skip to find a segment planted inside them — is refused, before its
    /// frame or between its scans. The same file without it goes out.
    #[test]
    fn jpeg_markers_no_camera_writes_are_refused_wherever_they_are() {
        let clean = jpeg_with(&[], None);
        let out = strip(&clean).unwrap().unwrap();
        assert_eq!(&out[..], &clean[..], "a clean JPEG is changed");
        let payload = b"Hanna Kowalczyk, 53.9N 27.5E";
        let mut planted: Vec<(String, Vec<u8>)> = Vec::new();
        for m in [0xC8, 0xDC, 0xDE, 0xDF, 0xF0, 0xF7, 0xFD, 0x02, 0x4F, 0xBF] {
            planted.push((format!("marker 0x{m:02X}"), seg(m, payload)));
        }
        // Length-less markers img-parts skips, then a table it would find
        // inside what follows and keep, planted payload and all.
        for m in [0x01u8, 0x02, 0xBF] {
            let mut p = vec![0xFF, m, 0x00, 0x10];
            p.extend(seg(0xDB, payload));
            planted.push((format!("length-less 0x{m:02X} hiding a table"), p));
        }
        let mut stray = b"stray ".to_vec();
        stray.extend(seg(0xDB, payload));
        planted.push(("stray bytes hiding a table".into(), stray));
        for (what, p) in &planted {
            for before in [true, false] {
                if !before && what.starts_with("stray") {
                    continue; // between scans, stray bytes are scan data
                }
                let j = jpeg_with(p, Some(before));
                match strip(&j) {
                    Some(Err(_)) => {}
                    Some(Ok(out)) => panic!(
                        "{what} (before the frame: {before}) went out{}",
                        if out.windows(5).any(|w| w == b"Hanna") {
                            ", payload and all"
                        } else {
                            ""
                        }
                    ),
                    None => panic!("{what}: not taken for a JPEG"),
                }
            }
        }
    }

    fn vp8l() -> Vec<u8> {
        riff_chunk(
            b"VP8L",
            &[0x2F, 0, 0, 0, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xFE, 0x07, 0],
        )
    }

    fn anmf(sub: &[Vec<u8>]) -> Vec<u8> {
        let mut data = vec![0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0];
        data.extend(sub.concat());
        riff_chunk(b"ANMF", &data)
    }

    fn animated(frames: &[Vec<u8>]) -> Vec<u8> {
        let mut chunks = vec![
            riff_chunk(b"VP8X", &[0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            riff_chunk(b"ANIM", &[0, 0, 0, 0, 0, 0]),
        ];
        chunks.extend_from_slice(frames);
        webp(&chunks)
    }

    /// E4: an animated WebP frame holding an unknown sub-chunk, or a second
    /// image, goes out without it; reserved bits and odd-sized headers carry
    /// nothing either.
    #[test]
    fn animated_webp_frames_keep_only_their_image() {
        let clean = animated(&[anmf(&[vp8l()]), anmf(&[riff_chunk(b"ALPH", &[0, 1, 2]), vp8l()])]);
        let out = strip(&clean).unwrap().unwrap();
        assert_eq!(&out[..], &clean[..], "a clean animation is changed");
        let payload = b"Hanna Kowalczyk, 53.9N 27.5E".to_vec();
        let planted = [
            anmf(&[vp8l(), riff_chunk(b"EXIF", &payload)]),
            anmf(&[riff_chunk(b"XYZW", &payload), vp8l()]),
            anmf(&[vp8l(), riff_chunk(b"VP8L", &payload)]),
            anmf(&[vp8l(), riff_chunk(b"ALPH", &payload)]),
        ];
        for (i, frame) in planted.iter().enumerate() {
            let w = animated(&[anmf(&[vp8l()]), frame.clone()]);
            let out = strip(&w).unwrap().unwrap_or_else(|e| panic!("{i}: refused: {e}"));
            assert!(!out.windows(5).any(|x| x == b"Hanna"), "{i}: carried");
            assert_eq!(&out[..], &animated(&[anmf(&[vp8l()]), anmf(&[vp8l()])])[..], "{i}");
        }
        // A frame with no image, or cut short inside, is refused.
        for bad in [
            anmf(&[riff_chunk(b"XYZW", &payload)]),
            riff_chunk(b"ANMF", &[0; 10]),
            riff_chunk(b"ANMF", &[&[0u8; 16][..], b"VP8L\xff\0\0\0"].concat()),
        ] {
            assert!(strip(&animated(&[bad])).unwrap().is_err());
        }
        // Reserved bits of a frame and of the extended header are cleared;
        // an extended or animation header of another size is refused.
        let mut frame = anmf(&[vp8l()]);
        frame[8 + 15] |= 0xFC;
        let mut head = riff_chunk(b"VP8X", &[0x02 | 0xC1, 0xAB, 0xCD, 0xEF, 0, 0, 0, 0, 0, 0]);
        let w = webp(&[head.clone(), riff_chunk(b"ANIM", &[0; 6]), frame]);
        let out = strip(&w).unwrap().unwrap();
        assert_eq!(&out[..], &animated(&[anmf(&[vp8l()])])[..]);
        head = riff_chunk(b"VP8X", &[0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, b'H', b'i']);
        assert!(strip(&webp(&[head, riff_chunk(b"ANIM", &[0; 6]), anmf(&[vp8l()])]))
            .unwrap()
            .is_err());
        let anim = riff_chunk(b"ANIM", b"\0\0\0\0\0\0Hanna");
        assert!(strip(&webp(&[
            riff_chunk(b"VP8X", &[2, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            anim,
            anmf(&[vp8l()])
        ]))
        .unwrap()
        .is_err());
        // Two still images: refused.
        assert!(strip(&webp(&[vp8l(), vp8l()])).unwrap().is_err());
    }

    /// Images as real encoders write them (cjpeg: baseline, progressive,
    /// restart markers, arithmetic coding, optimised tables; cwebp: lossy,
    /// lossless; img2webp: lossy and lossless animations) still go out,
    /// and stripping them again changes nothing. Set
    /// `DOSSIER_STRIPPED_DIR=DIR` to keep the outputs (to decode them with
    /// djpeg and dwebp).
    #[test]
    fn images_from_real_encoders_go_out() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/images");
        let keep = std::env::var_os("DOSSIER_STRIPPED_DIR");
        let mut n = 0;
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            let raw = std::fs::read(&path).unwrap();
            let out = strip(&raw)
                .unwrap()
                .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
            assert_eq!(&strip(&out).unwrap().unwrap()[..], &out[..]);
            if let Some(k) = &keep {
                std::fs::write(std::path::Path::new(k).join(path.file_name().unwrap()), &out[..]).unwrap();
            }
            n += 1;
        }
        assert_eq!(n, 9);
    }

    #[test]
    fn fill_puts_content_only_in_placeholders() {
        let text = format!("a{}b{}c", placeholder(1), placeholder(0));
        let out = fill(&text, &[Zeroizing::new(b"xy".to_vec()), Zeroizing::new(b"z".to_vec())]);
        assert_eq!(&out[..], "aeg==beHk=c");
    }
}
