//! The HTML extract and the team's report, printed by a real browser.
//!
//! Headless Chromium prints each page to PDF, as a user would print it; the
//! test then checks what can go wrong in print: the PDF is there, A4, with a
//! sensible number of pages; its text (read back with poppler's `pdftotext`)
//! has what the page must say and, for the extract, none of the protected
//! names; the report's "internal, unredacted" line is in the margin of every
//! page; and the browser fetched nothing for the page. Chromium goes through a
//! proxy this test runs, so every request it makes is seen: a control page
//! with a remote image and a web font shows that a fetch would be caught.
//! (Chromium itself calls its own update and time services whatever the
//! flags; those are told apart by their exact host names.)
//!
//! Skipped with a message where Chromium is not installed; under CI it must be
//! (`.ci/run` installs `chromium` and `poppler-utils`). To look at the pages,
//! set `DOSSIER_RENDER_DIR=DIR`: the PDFs (and PNGs of each page, with
//! `pdftoppm`) are kept there.

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Env, CASE, SAMPLE};

/// The Chromium binary, or `None` (with a message) where there is none.
fn chromium() -> Option<PathBuf> {
    for name in ["chromium", "chromium-browser"] {
        let found = Command::new(name)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if found {
            return Some(PathBuf::from(name));
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must install Chromium (apt-get install -y chromium poppler-utils)"
    );
    eprintln!("SKIPPED: the Chromium rendering test needs `chromium` (apt-get install -y chromium poppler-utils)");
    None
}

fn have(tool: &str) -> bool {
    let found = Command::new(tool)
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install {tool} (apt-get install -y poppler-utils)"
        );
        eprintln!("SKIPPED (part): `{tool}` is not installed (apt-get install -y poppler-utils)");
    }
    found
}

/// Hosts Chromium calls on its own whatever the page holds (its clock,
/// component updates, account check; seen with Chromium 156). Exact names, so
/// that a page fetching from another Google host (fonts.googleapis.com) is caught.
const BROWSER_SERVICES: &[&str] = &[
    "clients2.google.com",
    "update.googleapis.com",
    "accounts.google.com",
    "redirector.gvt1.com",
    "edgedl.me.gvt1.com",
    "safebrowsing.googleapis.com",
    "optimizationguide-pa.googleapis.com",
];

/// A proxy that answers nothing and remembers the first line of every request.
struct Proxy {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { continue };
                let _ = conn.set_read_timeout(Some(Duration::from_secs(2)));
                let mut buf = [0u8; 2048];
                let n = conn.read(&mut buf).unwrap_or(0);
                let first = String::from_utf8_lossy(&buf[..n])
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string();
                log.lock().unwrap().push(first);
            }
        });
        Proxy { port, seen }
    }

    /// Requests seen since the last call, leaving out Chromium's own services.
    fn page_requests(&self) -> Vec<String> {
        std::thread::sleep(Duration::from_millis(300));
        let all: Vec<String> = std::mem::take(&mut *self.seen.lock().unwrap());
        all.into_iter()
            .filter(|line| {
                let host = line.split_whitespace().nth(1).unwrap_or("");
                let host = host.trim_start_matches("http://").trim_start_matches("https://");
                let host = host.split(['/', ':']).next().unwrap_or("");
                !BROWSER_SERVICES.contains(&host)
            })
            .collect()
    }
}

/// Prints `page` to `pdf` with headless Chromium, on a fresh profile, through the proxy.
fn print_pdf(chromium: &Path, proxy: &Proxy, page: &Path, pdf: &Path) {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--proxy-server=http://127.0.0.1:{}", proxy.port))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            let _ = child.stderr.take().unwrap().read_to_string(&mut err);
            assert!(status.success(), "chromium failed on {}: {err}", page.display());
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish printing {} in 120 s", page.display());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let bytes = std::fs::read(pdf).unwrap_or_default();
    assert!(bytes.starts_with(b"%PDF-"), "{}: no PDF written", pdf.display());
}

/// `pdfinfo`'s page count and page size line.
fn pages(pdf: &Path) -> (usize, String) {
    let out = Command::new("pdfinfo").arg(pdf).output().unwrap();
    let info = String::from_utf8_lossy(&out.stdout).into_owned();
    let field = |k: &str| {
        info.lines()
            .find(|l| l.starts_with(k))
            .map(|l| l[k.len()..].trim().to_string())
            .unwrap_or_default()
    };
    (field("Pages:").parse().unwrap_or(0), field("Page size:"))
}

/// The PDF's text, with every run of white space made one space.
fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext").arg(pdf).arg("-").output().unwrap();
    assert!(out.status.success(), "pdftotext failed on {}", pdf.display());
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Keeps the PDF, and a PNG of each page, where `DOSSIER_RENDER_DIR` says.
fn keep(pdf: &Path, name: &str) {
    let Some(dir) = std::env::var_os("DOSSIER_RENDER_DIR").map(PathBuf::from) else {
        return;
    };
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(pdf, dir.join(format!("{name}.pdf"))).unwrap();
    let _ = Command::new("pdftoppm")
        .args(["-r", "80", "-png"])
        .arg(pdf)
        .arg(dir.join(name))
        .status();
}

/// Names and aliases of the sample's people who are not public: never in an extract.
fn protected() -> Vec<String> {
    let mut out = Vec::new();
    for line in SAMPLE.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v["type"] == "person" && v["public"] != true {
            out.push(v["name"].as_str().unwrap().to_string());
            for a in v["aliases"].as_array().into_iter().flatten() {
                out.push(a.as_str().unwrap().to_string());
            }
        }
    }
    out
}

/// What no self-contained page may hold: anything that makes a browser fetch.
fn assert_self_contained(html: &str, what: &str) {
    // Document content goes in as `data:` URIs only (no fetch).
    let lower = html
        .to_lowercase()
        .replace("src=\"data:", "")
        .replace("href=\"data:", "")
        .replace("<img alt=\"document ", "");
    for bad in [
        "http://", "https://", "//", "src=", "href=", "url(", "@import", "<script", "<link", "<img", "<iframe",
    ] {
        // `//` only as a scheme-relative URL in an attribute.
        let hit = if bad == "//" {
            lower.contains("=\"//") || lower.contains("='//")
        } else {
            lower.contains(bad)
        };
        assert!(!hit, "{what} holds {bad:?}");
    }
    assert!(html.contains("default-src 'none'"), "{what} has no CSP");
}

/// A valid 2x2 RGB PNG.
fn tiny_png() -> Vec<u8> {
    use std::io::Write;
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
        let body = [&kind[..], data].concat();
        c.extend_from_slice(&body);
        c.extend_from_slice(&crc32(&body).to_be_bytes());
        c
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&[0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255])
        .unwrap();
    [
        b"\x89PNG\r\n\x1a\n".to_vec(),
        chunk(b"IHDR", &[0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0]),
        chunk(b"IDAT", &z.finish().unwrap()),
        chunk(b"IEND", &[]),
    ]
    .concat()
}

#[test]
fn extract_and_report_print_well_in_chromium() {
    let Some(chromium) = chromium() else { return };
    let env = Env::new();
    env.sample_case();
    // A status of each kind, and a value that is markup.
    let w1 = env
        .log_json()
        .into_iter()
        .find(|r| r["ref"] == "w1")
        .expect("the sample has a person w1")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let person = SAMPLE.lines().find(|l| l.contains("\"ref\":\"w1\"")).unwrap();
    let amended = person.replace("Detained on the night", "Detained <b>at home</b> on the night");
    env.ok(&["amend", &w1, "--from", "-"], Some(&amended));
    let note = env
        .ok(
            &["add", CASE, "--from", "-"],
            Some(r#"{"type":"note","text":"Wrong date, see the <i>court file</i>."}"#),
        )
        .trim()
        .to_string();
    env.ok(&["retract", &note, "--reason", "entered twice"], None);

    let work = tempfile::tempdir().unwrap();
    let extract = work.path().join("extract.html");
    let report = work.path().join("report.html");
    env.ok(
        &[
            "export",
            CASE,
            "--format",
            "html",
            "--output",
            extract.to_str().unwrap(),
        ],
        None,
    );
    env.ok(&["report", CASE, "--output", report.to_str().unwrap()], None);
    for (path, what) in [(&extract, "the extract"), (&report, "the report")] {
        let html = std::fs::read_to_string(path).unwrap();
        assert_self_contained(&html, what);
        assert!(
            !html.contains("<b>at home</b>") && !html.contains("<i>court"),
            "{what}: markup not escaped"
        );
    }

    let proxy = Proxy::start();
    // The control: a page that fetches one image is seen by the proxy.
    let control = work.path().join("control.html");
    std::fs::write(
        &control,
        "<!DOCTYPE html><html><head><link rel=\"stylesheet\" href=\"https://fonts.googleapis.com/css?family=Roboto\">\
         </head><body><p>control</p><img src=\"http://dossier-render-test.invalid/x.png\"></body></html>",
    )
    .unwrap();
    print_pdf(&chromium, &proxy, &control, &work.path().join("control.pdf"));
    let seen = proxy.page_requests();
    for host in ["dossier-render-test.invalid", "fonts.googleapis.com"] {
        assert!(
            seen.iter().any(|l| l.contains(host)),
            "the proxy did not see the control page's fetch from {host}: {seen:?}"
        );
    }

    let extract_pdf = work.path().join("extract.pdf");
    print_pdf(&chromium, &proxy, &extract, &extract_pdf);
    let seen = proxy.page_requests();
    assert!(seen.is_empty(), "printing the extract fetched: {seen:?}");
    let report_pdf = work.path().join("report.pdf");
    print_pdf(&chromium, &proxy, &report, &report_pdf);
    let seen = proxy.page_requests();
    assert!(seen.is_empty(), "printing the report fetched: {seen:?}");
    keep(&extract_pdf, "extract");
    keep(&report_pdf, "report");

    // An extract carrying a named image and a PDF: still nothing fetched.
    let png = env.root.join("scan.png");
    std::fs::write(&png, tiny_png()).unwrap();
    let pdf = env.root.join("ruling.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n%%EOF\n").unwrap();
    let mut include = Vec::new();
    for f in [&png, &pdf] {
        let out = env.ok(&["--json", "attach", CASE, f.to_str().unwrap()], None);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        include.push(format!("\"{}\"", &v["id"].as_str().unwrap()[..16]));
    }
    let policy = work.path().join("docs.toml");
    std::fs::write(&policy, format!("[documents]\ninclude = [{}]\n", include.join(", "))).unwrap();
    let with_docs = work.path().join("extract-docs.html");
    env.ok(
        &[
            "export",
            CASE,
            "--format",
            "html",
            "--policy",
            policy.to_str().unwrap(),
            "--output",
            with_docs.to_str().unwrap(),
        ],
        None,
    );
    let html = std::fs::read_to_string(&with_docs).unwrap();
    assert!(html.contains("src=\"data:image/png;base64,"), "the image is inline");
    assert_self_contained(&html, "the extract with documents");
    let docs_pdf = work.path().join("extract-docs.pdf");
    print_pdf(&chromium, &proxy, &with_docs, &docs_pdf);
    let seen = proxy.page_requests();
    assert!(seen.is_empty(), "printing the extract with documents fetched: {seen:?}");
    keep(&docs_pdf, "extract-docs");

    if !have("pdfinfo") || !have("pdftotext") {
        return;
    }
    let (n, size) = pages(&extract_pdf);
    assert!((1..=4).contains(&n), "the extract prints on {n} pages");
    assert!(size.contains("(A4)"), "the extract's paper: {size}");
    let (m, size) = pages(&report_pdf);
    assert!((3..=8).contains(&m), "the report prints on {m} pages");
    assert!(size.contains("(A4)"), "the report's paper: {size}");

    let text = pdf_text(&extract_pdf);
    for want in [
        "Mikalai Statkevich, 2010 crackdown",
        "Witness A",
        "Timeline",
        "Testimony",
    ] {
        assert!(text.contains(want), "the printed extract lacks {want:?}: {text}");
    }
    for name in protected() {
        assert!(!text.contains(&name), "the printed extract names {name:?}");
    }
    for p in 1..=n {
        assert!(
            text.contains(&format!("page {p} of {n}")),
            "extract page {p} has no page number"
        );
    }
    for phone in ["555 01 23", "555 77 10", "555 40 40", "555 99 88"] {
        assert!(
            !text.contains(phone),
            "the printed extract has the phone number {phone}"
        );
    }

    let text = pdf_text(&report_pdf);
    for want in [
        "INTERNAL — UNREDACTED. NOT FOR SHARING.",
        "Hanna Kavalenka",
        "Siarhei Dubko",
        "+375 29 555 01 23",
        "a.marozava@example.net",
        "AMENDED",
        "RETRACTED",
        "entered twice",
        "Detained <b>at home</b> on the night",
        "Timeline of events",
        "Members and access",
        "Chain of custody",
        "alice",
    ] {
        assert!(text.contains(want), "the printed report lacks {want:?}: {text}");
    }
    // The margin of every page says what the report is, and counts the pages.
    let marked = text.matches("INTERNAL — UNREDACTED — do not share").count();
    assert_eq!(marked, m, "{m} pages, {marked} margin marks");
    for p in 1..=m {
        assert!(
            text.contains(&format!("page {p} of {m}")),
            "page {p} has no page number"
        );
    }
}
