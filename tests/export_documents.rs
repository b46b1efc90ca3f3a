//! Document content in extracts: named documents go out (HTML inline, JSON
//! base64, Markdown images), images stripped of EXIF, XMP, GPS, comments and
//! thumbnails with their pixel data byte for byte, other types unchanged and
//! provable by `verify-extract`, the cap, a corrupt image refused, and the
//! custody entry naming the hash of what was sent.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use common::{bare, text, Env};

const CASE: &str = "c1";
/// Planted in every image's metadata: none of it may go out.
const AUTHOR: &str = "Hanna Kavalenka";
const GPS: &str = "GPSLatitude 53.9045N 27.5615E";

fn setup() -> Env {
    let env = Env::new();
    env.ok(&["case", "new", CASE], None);
    env
}

fn attach(env: &Env, name: &str, bytes: &[u8]) -> String {
    let path = env.root.join(name);
    std::fs::write(&path, bytes).unwrap();
    let out = env.ok(&["--json", "attach", CASE, path.to_str().unwrap()], None);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["id"].as_str().unwrap().to_string()
}

fn policy(env: &Env, ids: &[&str]) -> PathBuf {
    let list: Vec<String> = ids.iter().map(|i| format!("\"{}\"", &i[..16])).collect();
    let p = env.root.join("policy.toml");
    std::fs::write(&p, format!("[documents]\ninclude = [{}]\n", list.join(", "))).unwrap();
    p
}

fn export(env: &Env, policy: &Path, format: &str, name: &str) -> (PathBuf, Vec<u8>) {
    let out = env.root.join(name);
    env.ok(
        &[
            "export",
            CASE,
            "--format",
            format,
            "--policy",
            policy.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ],
        None,
    );
    let bytes = std::fs::read(&out).unwrap();
    (out, bytes)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

fn segment(marker: u8, contents: &[u8]) -> Vec<u8> {
    let mut s = vec![0xFF, marker];
    s.extend_from_slice(&((contents.len() + 2) as u16).to_be_bytes());
    s.extend_from_slice(contents);
    s
}

/// An Exif APP1 payload: a TIFF header, an artist tag and a GPS string.
fn exif_payload(extra: &[u8]) -> Vec<u8> {
    let mut e = b"Exif\0\0MM\0*\0\0\0\x08".to_vec();
    e.extend_from_slice(b"Artist\0");
    e.extend_from_slice(AUTHOR.as_bytes());
    e.push(0);
    e.extend_from_slice(GPS.as_bytes());
    e.extend_from_slice(extra);
    e
}

/// A JPEG laid out as a camera writes one: JFIF, Exif (author, GPS), XMP,
/// IPTC, a comment, then the tables, the frame, a scan whose data holds
/// stuffed bytes and a restart marker, a comment between scans, a second
/// scan, EOI and a trailer. Returns it and what it must become: the same
/// without any metadata.
fn planted_jpeg(exif_extra: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let tables = [
        segment(0xDB, &[0u8; 65]),                                              // DQT
        segment(0xC2, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]),                         // SOF2 (progressive) 1x1
        segment(0xC4, &[0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), // DHT
        segment(0xDA, &[1, 1, 0, 0, 63, 0]),                                    // SOS
    ]
    .concat();
    let scan1 = [0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56].to_vec();
    let scan2 = [segment(0xDA, &[1, 1, 0, 1, 63, 0]), vec![0x78, 0xFF, 0x00, 0x9A]].concat();
    let mut planted = vec![0xFF, 0xD8];
    planted.extend(segment(0xE0, b"JFIF\0\x01\x02\0\0\x01\0\x01\0\0"));
    planted.extend(segment(0xE1, &exif_payload(exif_extra)));
    planted.extend(segment(
        0xE1,
        format!("http://ns.adobe.com/xap/1.0/\0<dc:creator>{AUTHOR}</dc:creator>").as_bytes(),
    ));
    planted.extend(segment(0xED, format!("Photoshop 3.0\0{AUTHOR}").as_bytes()));
    planted.extend(segment(0xFE, format!("taken by {AUTHOR}").as_bytes()));
    planted.extend(&tables);
    planted.extend(&scan1);
    planted.extend(segment(0xFE, GPS.as_bytes()));
    planted.extend(&scan2);
    planted.extend([0xFF, 0xD9]);
    planted.extend(format!("trailer {AUTHOR}").as_bytes());

    let mut clean = vec![0xFF, 0xD8];
    clean.extend(&tables);
    clean.extend(&scan1);
    clean.extend(&scan2);
    clean.extend([0xFF, 0xD9]);
    (planted, clean)
}

fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in data {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
        }
    }
    !c
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = (data.len() as u32).to_be_bytes().to_vec();
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    let mut k = kind.to_vec();
    k.extend_from_slice(data);
    c.extend_from_slice(&crc32(&k).to_be_bytes());
    c
}

/// A 2x2 RGB PNG with eXIf, tEXt (author), iTXt (XMP), tIME and a trailer,
/// and what it must become.
fn planted_png() -> (Vec<u8>, Vec<u8>) {
    let ihdr = chunk(b"IHDR", &[0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0]);
    let raw: Vec<u8> = [0u8, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255].to_vec();
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&raw).unwrap();
    let idat = chunk(b"IDAT", &z.finish().unwrap());
    let iend = chunk(b"IEND", &[]);
    let sig = b"\x89PNG\r\n\x1a\n".to_vec();
    let planted = [
        sig.clone(),
        ihdr.clone(),
        chunk(b"eXIf", &exif_payload(b"")[6..]),
        chunk(b"tEXt", format!("Author\0{AUTHOR}").as_bytes()),
        chunk(b"iTXt", format!("XML:com.adobe.xmp\0\0\0\0\0<x>{GPS}</x>").as_bytes()),
        chunk(b"tIME", &[7, 232, 1, 2, 3, 4, 5]),
        idat.clone(),
        iend.clone(),
        format!("trailer {AUTHOR}").into_bytes(),
    ]
    .concat();
    let clean = [sig, ihdr, idat, iend].concat();
    (planted, clean)
}

fn no_planted(bytes: &[u8]) {
    for s in [
        AUTHOR,
        "Hanna",
        "Kavalenka",
        "GPSLatitude",
        "53.9045",
        "Exif\0",
        "xap/1.0",
        "Photoshop",
    ] {
        assert!(!contains(bytes, s.as_bytes()), "{s:?} went out");
    }
}

/// The JSON extract's document with this id.
fn doc<'a>(x: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    x["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| id.starts_with(d["id"].as_str().unwrap()))
        .unwrap_or_else(|| panic!("document {id} not in the extract: {x}"))
}

fn content(d: &serde_json::Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(d["content"]["base64"].as_str().unwrap())
        .unwrap()
}

fn verify_extract(file: &Path) -> (bool, String, String) {
    let out = common::run(bare(&["verify-extract", file.to_str().unwrap()]), None);
    (out.status.success(), text(&out.stdout), text(&out.stderr))
}

#[test]
fn images_go_out_stripped_and_other_content_unchanged_and_proven() {
    let env = setup();
    let (jpeg, jpeg_clean) = planted_jpeg(b"");
    let (png, png_clean) = planted_png();
    let pdf = b"%PDF-1.4\n1 0 obj << /Title (ruling) >> endobj\n%%EOF\n".to_vec();
    let j = attach(&env, "photo.jpg", &jpeg);
    let p = attach(&env, "scan.png", &png);
    let d = attach(&env, "ruling.pdf", &pdf);
    let left = attach(&env, "other.pdf", b"%PDF-1.4\nnot named\n");
    let pol = policy(&env, &[&j, &p, &d]);

    // JSON: base64 content, stripped images, the PDF byte for byte.
    let (file, bytes) = export(&env, &pol, "json", "x.json");
    no_planted(&bytes);
    let x: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let jd = doc(&x, &j);
    let got = content(jd);
    assert_eq!(got, jpeg_clean, "the JPEG keeps exactly its tables and scans");
    assert_eq!(&got[..2], &[0xFF, 0xD8]);
    assert_eq!(&got[got.len() - 2..], &[0xFF, 0xD9]);
    assert_eq!(jd["content"]["unchanged"], false);
    assert!(jd["content"]["removed"].to_string().contains("EXIF"), "{jd}");
    let pd = doc(&x, &p);
    let got = content(pd);
    assert_eq!(got, png_clean, "the PNG keeps IHDR, IDAT, IEND");
    assert!(got.starts_with(b"\x89PNG\r\n\x1a\n") && got.ends_with(&chunk(b"IEND", &[])));
    let dd = doc(&x, &d);
    assert_eq!(content(dd), pdf);
    assert_eq!(dd["content"]["unchanged"], true);
    assert_eq!(dd["content"]["hash"], dd["hash"]);
    assert!(
        !x["documents"].to_string().contains(&left[..16]),
        "a document not named stays out"
    );

    // verify-extract proves the PDF against the signed hash, and says the
    // stripped images are not proven.
    let (ok, out, err) = verify_extract(&file);
    assert!(ok, "{err}");
    assert!(
        out.contains(&format!(
            "document {}: its content is carried unchanged and matches",
            &d[..16]
        )),
        "{out}"
    );
    for i in [&j, &p] {
        assert!(
            out.contains(&format!("document {}: its content is carried but NOT proven", &i[..16])),
            "{out}"
        );
    }
    // A changed byte of the PDF's content fails.
    let mut y = x.clone();
    let mut tampered = pdf.clone();
    tampered[5] = b'9';
    let b64 = base64::engine::general_purpose::STANDARD.encode(&tampered);
    for dd in y["documents"].as_array_mut().unwrap() {
        if d.starts_with(dd["id"].as_str().unwrap()) {
            dd["content"]["base64"] = b64.clone().into();
            dd["content"]["hash"] = format!("blake3:{}", blake3::hash(&tampered).to_hex()).into();
        }
    }
    let bad = env.root.join("tampered.json");
    std::fs::write(&bad, serde_json::to_vec_pretty(&y).unwrap()).unwrap();
    let (ok, _, err) = verify_extract(&bad);
    assert!(
        !ok && err.contains("does not match the content hash the signer signed"),
        "{err}"
    );

    // The custody entry lists each document sent with the hash of the bytes sent.
    let h: serde_json::Value = serde_json::from_str(
        env.ok(&["--json", "export", CASE, "--history"], None)
            .lines()
            .last()
            .unwrap(),
    )
    .unwrap();
    let sent = h["documents"].as_array().unwrap();
    assert_eq!(sent.len(), 3, "{h}");
    let sent_of = |id: &str| {
        sent.iter()
            .find(|s| s["record"] == id)
            .unwrap_or_else(|| panic!("{id} not in custody: {h}"))["sent"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(sent_of(&j), blake3::hash(&jpeg_clean).to_hex().to_string());
    assert_eq!(sent_of(&d), blake3::hash(&pdf).to_hex().to_string());

    // HTML: images inline as data: URIs, the PDF as a data: download link.
    let (_, html) = export(&env, &pol, "html", "x.html");
    no_planted(&html);
    let html = String::from_utf8(html).unwrap();
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    assert!(html.contains(&format!("src=\"data:image/jpeg;base64,{}\"", b64(&jpeg_clean))));
    assert!(html.contains(&format!("src=\"data:image/png;base64,{}\"", b64(&png_clean))));
    assert!(html.contains(&format!("href=\"data:application/pdf;base64,{}\"", b64(&pdf))));
    assert!(html.contains("img-src data:"), "the CSP lets data: images show");

    // Markdown: images as data: images, the PDF only described.
    let (_, md) = export(&env, &pol, "md", "x.md");
    no_planted(&md);
    let md = String::from_utf8(md).unwrap();
    assert!(md.contains(&format!("(data:image/png;base64,{})", b64(&png_clean))));
    assert!(!md.contains(&b64(&pdf)));
    assert!(md.contains("not embedded in Markdown"));

    // The dry run says plainly what is stripped and what is not checked.
    let dry = env.ok(&["export", CASE, "--dry-run", "--policy", pol.to_str().unwrap()], None);
    assert!(
        dry.contains(&format!(
            "document {} (application/pdf): its content is NOT checked",
            &d[..16]
        )),
        "{dry}"
    );
    assert!(dry.contains("stripped of") && dry.contains("EXIF"), "{dry}");
}

#[test]
fn a_file_name_naming_a_witness_is_redacted_like_any_text() {
    let env = setup();
    let w = serde_json::json!({"type": "person", "ref": "w1", "name": AUTHOR, "role": "witness"}).to_string();
    env.ok(&["add", CASE, "--from", "-"], Some(&w));
    let (png, png_clean) = planted_png();
    let id = attach(&env, "Hanna Kavalenka at the gate.png", &png);
    let pol = policy(&env, &[&id]);
    for format in ["html", "json", "md"] {
        let (_, bytes) = export(&env, &pol, format, &format!("named.{format}"));
        no_planted(&bytes);
        assert!(contains(&bytes, b"at the gate.png"), "{format}");
        if format != "md" {
            let b64 = base64::engine::general_purpose::STANDARD.encode(&png_clean);
            assert!(contains(&bytes, b64.as_bytes()), "{format}");
        }
    }
}

#[test]
fn a_corrupt_or_unstrippable_image_is_refused_and_nothing_is_written() {
    let env = setup();
    let (jpeg, _) = planted_jpeg(b"");
    // Cut before its end marker: refused, never sent unstripped.
    let cut = attach(&env, "cut.jpg", &jpeg[..jpeg.len() - 40]);
    let tiff = attach(&env, "scan.tif", b"II*\0\x08\0\0\0Artist Hanna");
    for id in [&cut, &tiff] {
        let pol = policy(&env, &[id]);
        let out = env.root.join("x.json");
        let before = env.snapshot();
        let err = refused_export(&env, &pol, &out);
        assert!(err.contains(&format!("document {}", &id[..16])), "{err}");
        assert!(err.contains("unstripped") || err.contains("cannot strip"), "{err}");
        assert!(!out.exists());
        assert_eq!(before, env.snapshot(), "no custody entry");
    }
}

#[test]
fn the_content_cap_is_checked_before_anything_is_read() {
    let env = setup();
    let big = env.root.join("big.bin");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(65 << 20).unwrap();
    drop(f);
    let out = env.ok(&["--json", "attach", CASE, big.to_str().unwrap()], None);
    let id = serde_json::from_str::<serde_json::Value>(&out).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let pol = policy(&env, &[&id]);
    let err = env.fails(
        &["export", CASE, "--format", "json", "--policy", pol.to_str().unwrap()],
        None,
    );
    assert!(
        err.contains(&format!("document {}", &id[..16])) && err.contains("64 MiB"),
        "{err}"
    );
}

mod strip {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Whatever an EXIF payload holds, none of it survives, and the
        /// image data comes out byte for byte.
        #[test]
        fn random_exif_payloads_never_survive(extra in proptest::collection::vec(any::<u8>(), 0..2000)) {
            let (jpeg, clean) = planted_jpeg(&extra);
            let out = dossier::export::content::strip(&jpeg).unwrap().unwrap();
            prop_assert_eq!(&out[..], &clean[..]);
        }

        /// Random bytes after a JPEG or PNG signature never panic.
        #[test]
        fn random_input_never_panics(tail in proptest::collection::vec(any::<u8>(), 0..512), png in any::<bool>()) {
            let mut b = if png { b"\x89PNG\r\n\x1a\n".to_vec() } else { vec![0xFF, 0xD8, 0xFF] };
            b.extend(tail);
            let _ = dossier::export::content::strip(&b);
        }
    }
}

/// Review findings E1 and E2: formats dossier cannot strip (video, office
/// documents, camera RAW, unknown images) are refused rather than sent with
/// their metadata, and a text document naming a protected person is caught
/// by the leak check like every other word of the extract.
#[test]
fn unstrippable_formats_are_refused_and_text_is_leak_checked() {
    let env = setup();
    let sample = env.ok(&["add", CASE, "--from", "-"], Some(common::SAMPLE));
    assert!(!sample.is_empty());
    let cases: [(&str, &[u8]); 3] = [
        ("clip.mp4", b"\0\0\0\x18ftypisom\0\0\0\0isomGPS 53.9N Hanna Kavalenka"),
        (
            "IMG_0001.CR3",
            b"\0\0\0\x18ftypcrx \0\0\0\0crx GPS 53.9N Hanna Kavalenka",
        ),
        ("statement.docx", b"PK\x03\x04docProps/core.xml Hanna Kavalenka"),
    ];
    for (name, bytes) in cases {
        let id = attach(&env, name, bytes);
        let pol = policy(&env, &[&id]);
        let before = env.snapshot();
        let out = env.root.join(format!("{name}.json"));
        let err = refused_export(&env, &pol, &out);
        assert!(err.contains("is not one dossier sends"), "{name}: {err}");
        assert!(!out.exists());
        assert_eq!(env.snapshot(), before, "{name}: a refused export wrote to the vault");
    }

    // A text file that names a protected witness of the sample case.
    let id = attach(&env, "notes.txt", b"Hanna Kavalenka was held in the basement.\n");
    let pol = policy(&env, &[&id]);
    let out = env.root.join("notes.json");
    let err = refused_export(&env, &pol, &out);
    assert!(err.contains("its text names a protected person"), "{err}");
    assert!(!err.contains("Kavalenka"), "the refusal repeats the name: {err}");
    assert!(!out.exists());

    // Clean text goes out as it is, said to be read by the leak check.
    let id = attach(&env, "weather.txt", b"It rained all week.\n");
    let pol = policy(&env, &[&id]);
    let (_, bytes) = export(&env, &pol, "json", "weather.json");
    let x: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let d = doc(&x, &id);
    assert_eq!(content(d), b"It rained all week.\n");
    assert!(
        d["content"]["checked"].as_str().unwrap().contains("leak check read it"),
        "{d}"
    );
}

/// A JSON export under `policy` to `out` that must fail in one line.
fn refused_export(env: &Env, policy: &Path, out: &Path) -> String {
    env.fails(
        &[
            "export",
            CASE,
            "--format",
            "json",
            "--policy",
            policy.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ],
        None,
    )
}
