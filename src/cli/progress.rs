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
