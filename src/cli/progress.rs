//! A progress bar on a terminal, nothing when stderr is piped.

use dossier::vault::access::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Shows a rotation's progress on stderr if it is a terminal.
pub struct Bar {
    bar: Option<ProgressBar>,
    what: &'static str,
}

impl Bar {
    pub fn new(what: &'static str) -> Self {
        Bar { bar: None, what }
    }
}

impl Progress for Bar {
    fn start(&mut self, total: u64) {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} files ({eta} left)") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(self.what);
        self.bar = Some(bar);
    }

    fn step(&mut self) {
        if let Some(b) = &self.bar {
            b.inc(1);
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// Shows how many bytes of a document are done, on stderr if it is a terminal.
pub struct ByteBar {
    bar: Option<ProgressBar>,
    what: &'static str,
}

impl ByteBar {
    pub fn new(what: &'static str) -> Self {
        ByteBar { bar: None, what }
    }
}

impl Progress for ByteBar {
    fn start(&mut self, total: u64) {
        // indicatif draws nothing when stderr is not a terminal.
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ({eta} left)")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(self.what);
        self.bar = Some(bar);
    }

    fn step(&mut self) {}

    fn advance(&mut self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }
}

impl Drop for ByteBar {
    fn drop(&mut self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
