//! A spinner on stderr while something slow runs (a backend program, the
//! network), shown only when stderr is a terminal. A prompt that the slow work
//! itself needs (a passphrase) runs under [`suspend`], so that the spinner
//! neither draws over it nor races it for the terminal.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

/// The spinner on screen, if any.
static CURRENT: Mutex<Option<ProgressBar>> = Mutex::new(None);

pub fn spin<T>(label: &str, work: impl FnOnce() -> T) -> T {
    if !std::io::stderr().is_terminal() {
        return work();
    }
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg}") {
        bar.set_style(style);
    }
    bar.set_message(label.to_string());
    bar.enable_steady_tick(Duration::from_millis(80));
    set_current(Some(bar.clone()));
    let out = work();
    set_current(None);
    bar.finish_and_clear();
    out
}

/// Runs `prompt` with the spinner (if one is running) hidden and stopped.
pub fn suspend<T>(prompt: impl FnOnce() -> T) -> T {
    let bar = CURRENT.lock().ok().and_then(|c| c.clone());
    match bar {
        Some(bar) => {
            bar.disable_steady_tick();
            let out = bar.suspend(prompt);
            bar.enable_steady_tick(Duration::from_millis(80));
            out
        }
        None => prompt(),
    }
}

fn set_current(bar: Option<ProgressBar>) {
    if let Ok(mut current) = CURRENT.lock() {
        *current = bar;
    }
}
