//! A document's media type, from its first bytes and its file name.
//!
//! The rule (docs/FORMAT.md §16.3): a signature in the first bytes wins for
//! the formats that have an unambiguous one; containers shared by many
//! formats (ZIP, ISO base media, RIFF, Ogg) are told apart by the extension
//! when it names one of them; with no signature, a known extension decides;
//! otherwise text that is valid UTF-8 without NUL bytes is `text/plain`, and
//! anything else `application/octet-stream`. Nothing is guessed from the
//! content beyond this, and the result is only a label: `get` gives the bytes
//! back whatever it says.

/// How many leading bytes [`media_type`] looks at.
pub const SNIFF_LEN: usize = 8192;

/// Extensions and the media types they name, lower case.
const BY_EXTENSION: &[(&str, &str)] = &[
    ("pdf", "application/pdf"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("tif", "image/tiff"),
    ("tiff", "image/tiff"),
    ("heic", "image/heic"),
    ("mp3", "audio/mpeg"),
    ("m4a", "audio/mp4"),
    ("wav", "audio/wav"),
    ("ogg", "audio/ogg"),
    ("oga", "audio/ogg"),
    ("opus", "audio/ogg"),
    ("flac", "audio/flac"),
    ("amr", "audio/amr"),
    ("mp4", "video/mp4"),
    ("mov", "video/quicktime"),
    ("webm", "video/webm"),
    ("mkv", "video/x-matroska"),
    ("avi", "video/x-msvideo"),
    ("ogv", "video/ogg"),
    ("zip", "application/zip"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("odt", "application/vnd.oasis.opendocument.text"),
    ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("doc", "application/msword"),
    ("xls", "application/vnd.ms-excel"),
    ("rtf", "application/rtf"),
    ("txt", "text/plain"),
    ("md", "text/markdown"),
    ("csv", "text/csv"),
    ("html", "text/html"),
    ("htm", "text/html"),
    ("json", "application/json"),
    ("xml", "application/xml"),
    ("eml", "message/rfc822"),
    ("gz", "application/gzip"),
    ("7z", "application/x-7z-compressed"),
];

/// Signatures that name one format whatever the extension.
const SIGNATURES: &[(&[u8], &str)] = &[
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\0", "image/tiff"),
    (b"MM\0*", "image/tiff"),
    (b"ID3", "audio/mpeg"),
    (b"fLaC", "audio/flac"),
    (b"#!AMR", "audio/amr"),
    (b"\x1f\x8b", "application/gzip"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"{\\rtf", "application/rtf"),
];

fn extension_type(file_name: &str) -> Option<&'static str> {
    let (_, ext) = file_name.rsplit_once('.')?;
    let ext = ext.to_ascii_lowercase();
    BY_EXTENSION.iter().find(|(e, _)| *e == ext).map(|(_, t)| *t)
}

/// The media type of a document whose content starts with `head` (up to
/// [`SNIFF_LEN`] bytes; all of it if shorter) and whose file name is `file_name`.
pub fn media_type(head: &[u8], file_name: &str) -> &'static str {
    let by_name = extension_type(file_name);
    if let Some((_, t)) = SIGNATURES.iter().find(|(sig, _)| head.starts_with(sig)) {
        return t;
    }
    // Containers: the signature says which family, the name which member.
    let family: Option<(&[&str], &'static str)> = if head.starts_with(b"PK\x03\x04") {
        Some((
            &[
                "application/zip",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                "application/vnd.oasis.opendocument.text",
                "application/vnd.oasis.opendocument.spreadsheet",
            ],
            "application/zip",
        ))
    } else if head.len() >= 12 && &head[4..8] == b"ftyp" {
        let brand = &head[8..12];
        let t = match brand {
            b"M4A " | b"M4B " => "audio/mp4",
            b"qt  " => "video/quicktime",
            b"heic" | b"heix" | b"mif1" => "image/heic",
            _ => "video/mp4",
        };
        Some((&["video/mp4", "video/quicktime", "audio/mp4", "image/heic"], t))
    } else if head.len() >= 12 && head.starts_with(b"RIFF") {
        let t = match &head[8..12] {
            b"WAVE" => "audio/wav",
            b"WEBP" => "image/webp",
            b"AVI " => "video/x-msvideo",
            _ => "application/octet-stream",
        };
        Some((&[], t))
    } else if head.starts_with(b"OggS") {
        Some((&["audio/ogg", "video/ogg"], "audio/ogg"))
    } else if head.starts_with(b"\x1a\x45\xdf\xa3") {
        Some((&["video/webm", "video/x-matroska"], "video/x-matroska"))
    } else if head.starts_with(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        Some((
            &["application/msword", "application/vnd.ms-excel"],
            "application/x-ole-storage",
        ))
    } else {
        None
    };
    if let Some((members, default)) = family {
        return match by_name {
            Some(t) if members.contains(&t) => t,
            _ => default,
        };
    }
    // MPEG audio frames have a sync word and no fixed magic; trust it only with the name.
    if let Some(t) = by_name {
        return t;
    }
    if !head.is_empty() && !head.contains(&0) && utf8_prefix_ok(head) {
        return "text/plain";
    }
    "application/octet-stream"
}

/// Whether `head` is UTF-8, allowing a character cut at its end.
fn utf8_prefix_ok(head: &[u8]) -> bool {
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && head.len() - e.valid_up_to() < 4,
    }
}

#[cfg(test)]
mod tests {
    use super::media_type;

    #[test]
    fn signatures_then_names_then_text() {
        assert_eq!(media_type(b"%PDF-1.7\n", "scan.bin"), "application/pdf");
        assert_eq!(media_type(b"\xff\xd8\xff\xe0", "photo.png"), "image/jpeg");
        assert_eq!(
            media_type(b"PK\x03\x04rest", "brief.docx"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        assert_eq!(media_type(b"PK\x03\x04rest", "brief.pdf"), "application/zip");
        assert_eq!(media_type(b"\0\0\0\x20ftypM4A \0\0", "a"), "audio/mp4");
        assert_eq!(media_type(b"\0\0\0\x20ftypisom\0\0", "hearing.mov"), "video/quicktime");
        assert_eq!(media_type(b"RIFF\0\0\0\0WAVEfmt ", "x"), "audio/wav");
        assert_eq!(media_type(b"\xff\xfb\x90\x00", "hearing-2011-05.MP3"), "audio/mpeg");
        assert_eq!(media_type("Протокол допроса".as_bytes(), "notes"), "text/plain");
        assert_eq!(media_type(&"Протокол".as_bytes()[..5], "notes"), "text/plain");
        assert_eq!(media_type(b"\x00\x01\x02", "blob"), "application/octet-stream");
        assert_eq!(media_type(b"", "empty"), "application/octet-stream");
    }
}
