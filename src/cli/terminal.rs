//! The terminal, the one place envact talks to the person: whether standard
//! input and error are a terminal (checked once, at start), spinners on
//! stderr while something slow runs, the wizard's questions, the MFA prompt
//! with its "attempt n of 3", the file backend's passphrase, hidden keys.
//!
//! Text answers are read key by key with console (dialoguer's own terminal
//! layer) rather than with dialoguer's Input, which drops Ctrl-D: here Ctrl-D
//! on an empty answer is the end of input, and stops the wizard. Ctrl-C at a
//! question stops it the same way ("nothing was written"): while a question
//! waits, SIGINT interrupts the read instead of ending envact. Ctrl-C during
//! a spinner clears its line before envact ends. A prompt that slow work
//! itself needs (a passphrase) suspends the spinner, so that the spinner
//! neither draws over it nor races it for the terminal.

use console::{Key, Term};
use dialoguer::theme::Theme;
use dialoguer::{Confirm, Password, Select};
use indicatif::{ProgressBar, ProgressStyle};
use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
use secrecy::SecretString;
use std::fmt;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use envact::ui::{AskError, MfaRequest, Prompter, SignInRequest, Ui, Warning};
use envact::visible;

#[derive(Debug, Clone, Copy)]
pub struct Terminal {
    stdin: bool,
    stdout: bool,
    stderr: bool,
    /// Colour on stderr: a terminal that can show it (TERM is not `dumb`),
    /// and NO_COLOR not set.
    pub colour: bool,
}

impl Terminal {
    pub fn detect() -> Terminal {
        let stderr = std::io::stderr().is_terminal();
        Terminal {
            stdin: std::io::stdin().is_terminal(),
            stdout: std::io::stdout().is_terminal(),
            stderr,
            colour: stderr
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var_os("TERM").is_some_and(|t| t != "dumb"),
        }
    }

    /// A hidden answer, trimmed: half of a key pasted in.
    /// Standard output is a terminal (a person reads it, not a script).
    pub fn stdout_is_terminal(&self) -> bool {
        self.stdout
    }

    pub fn hidden(&self, prompt: &str) -> Result<SecretString, AskError> {
        asking(|| Password::with_theme(&PLAIN).with_prompt(prompt).interact())
            .map(|v| SecretString::from(v.trim()))
            .map_err(|e| AskError::Stopped(e.to_string()))
    }
}

/// dialoguer's plain look, without a colon after a prompt that is a question.
struct Plain;

const PLAIN: Plain = Plain;

/// What separates a prompt from its answer.
fn after(prompt: &str) -> &'static str {
    if prompt.ends_with('?') {
        " "
    } else {
        ": "
    }
}

impl Theme for Plain {
    fn format_prompt(&self, f: &mut dyn fmt::Write, prompt: &str) -> fmt::Result {
        write!(f, "{prompt}{}", after(prompt).trim_end())
    }

    fn format_input_prompt(
        &self,
        f: &mut dyn fmt::Write,
        prompt: &str,
        default: Option<&str>,
    ) -> fmt::Result {
        match default {
            Some(d) => write!(f, "{prompt} [{d}]: "),
            None => write!(f, "{prompt}{}", after(prompt)),
        }
    }

    fn format_input_prompt_selection(
        &self,
        f: &mut dyn fmt::Write,
        prompt: &str,
        sel: &str,
    ) -> fmt::Result {
        write!(f, "{prompt}{}{sel}", after(prompt))
    }
}

extern "C" fn interrupt_the_read(_: nix::libc::c_int) {}

/// Ctrl-C during a spinner: clear its line, show the cursor, then end as
/// SIGINT would have.
extern "C" fn clear_then_stop(_: nix::libc::c_int) {
    const CLEAR: &[u8] = b"\r\x1b[2K\x1b[?25h";
    // SAFETY: write, signal and raise are async-signal-safe.
    unsafe {
        nix::libc::write(2, CLEAR.as_ptr().cast(), CLEAR.len());
        nix::libc::signal(nix::libc::SIGINT, nix::libc::SIG_DFL);
        nix::libc::raise(nix::libc::SIGINT);
    }
}

/// Runs `work` with `handler` taking `signals` (and no restart of
/// interrupted reads), then puts back what was there.
fn on_signals<T>(
    signals: &[Signal],
    handler: extern "C" fn(nix::libc::c_int),
    work: impl FnOnce() -> T,
) -> T {
    let action = SigAction::new(
        SigHandler::Handler(handler),
        SaFlags::empty(),
        SigSet::empty(),
    );
    // SAFETY: the handlers above only make async-signal-safe calls.
    let previous: Vec<_> = signals
        .iter()
        .map(|s| (*s, unsafe { sigaction(*s, &action) }))
        .collect();
    let out = work();
    for (signal, previous) in previous {
        if let Ok(previous) = previous {
            // SAFETY: restoring the disposition that was there.
            let _ = unsafe { sigaction(signal, &previous) };
        }
    }
    out
}

fn on_sigint<T>(handler: extern "C" fn(nix::libc::c_int), work: impl FnOnce() -> T) -> T {
    on_signals(&[Signal::SIGINT], handler, work)
}

/// A question: Ctrl-C (or a SIGTERM) ends the read (an error,
/// "interrupted"), not envact, so that the terminal is put back as it was:
/// console restores its mode when the read fails, and the cursor is shown
/// again whatever the answer (dialoguer hides it at a menu or a yes/no
/// question and shows it only once one is answered).
fn asking<T>(question: impl FnOnce() -> T) -> T {
    let out = on_signals(
        &[Signal::SIGINT, Signal::SIGTERM],
        interrupt_the_read,
        question,
    );
    let _ = Term::stderr().show_cursor();
    out
}

/// The spinner on screen, if any.
static SPINNER: Mutex<Option<ProgressBar>> = Mutex::new(None);

const TICK: Duration = Duration::from_millis(80);

fn set_spinner(bar: Option<ProgressBar>) {
    if let Ok(mut current) = SPINNER.lock() {
        *current = bar;
    }
}

/// Runs `prompt` with the spinner (if one is running) hidden and stopped.
fn suspend<T>(prompt: impl FnOnce() -> T) -> T {
    let bar = SPINNER.lock().ok().and_then(|c| c.clone());
    match bar {
        Some(bar) => {
            bar.disable_steady_tick();
            let out = bar.suspend(prompt);
            bar.enable_steady_tick(TICK);
            out
        }
        None => prompt(),
    }
}

/// Ctrl-C, a closed terminal, or Ctrl-D typed into an answer: the question
/// gets no answer.
fn stopped(e: dialoguer::Error) -> AskError {
    let dialoguer::Error::IO(e) = e;
    stopped_io(e)
}

fn stopped_io(e: std::io::Error) -> AskError {
    AskError::Stopped(match e.kind() {
        std::io::ErrorKind::Interrupted => "interrupted".into(),
        std::io::ErrorKind::UnexpectedEof => "end of input".into(),
        _ => format!("cannot read the answer: {e}"),
    })
}

impl Ui for Terminal {
    fn interactive(&self) -> bool {
        self.stdin && self.stderr
    }

    fn warn(&self, warning: &Warning) {
        eprintln!("warning: {warning}");
    }

    fn activated(&self, active: &envact::summary::Summary) {
        eprintln!("envact: {active}");
    }

    fn busy(&self, label: &str, work: &mut dyn FnMut()) {
        if !self.stderr {
            return work();
        }
        let bar = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg}") {
            bar.set_style(style);
        }
        bar.set_message(label.to_string());
        bar.enable_steady_tick(TICK);
        set_spinner(Some(bar.clone()));
        on_sigint(clear_then_stop, work);
        set_spinner(None);
        bar.finish_and_clear();
    }

    fn pause(&self, work: &mut dyn FnMut()) {
        suspend(work)
    }

    fn mfa_code(&self, request: &MfaRequest) -> Result<SecretString, AskError> {
        if !self.interactive() {
            return Err(AskError::NoTerminal);
        }
        if request.attempt > 1 {
            eprintln!(
                "that code was rejected (attempt {} of {})",
                request.attempt, request.attempts
            );
        }
        let prompt = if request.expired {
            format!("The session expired. MFA code for {}", request.serial)
        } else {
            format!("MFA code for {}", request.serial)
        };
        asking(|| Password::with_theme(&PLAIN).with_prompt(prompt).interact())
            .map(|c| SecretString::from(c.trim()))
            .map_err(|e| AskError::Stopped(e.to_string()))
    }

    fn approve_sign_in(&self, request: &SignInRequest) {
        let url = visible::line(request.url, visible::MESSAGE);
        suspend(|| {
            eprintln!(
                "Sign in to IAM Identity Center ({}): open\n  {url}\nand check that the page shows the code {}",
                visible::line(request.start_url, visible::MESSAGE),
                visible::line(request.code, visible::NAME)
            );
        });
        if request.open_browser && !super::browser::open(request.url) {
            eprintln!("(no browser to open here: open the address on any device)");
        }
    }

    fn passphrase(&self, path: &Path, new_file: bool) -> Result<SecretString, AskError> {
        if !self.stderr {
            return Err(AskError::NoTerminal);
        }
        let mut prompt =
            Password::with_theme(&PLAIN).with_prompt(format!("Passphrase for {}", path.display()));
        if new_file {
            prompt =
                prompt.with_confirmation("Repeat the passphrase", "the two passphrases differ");
        }
        suspend(|| asking(|| prompt.interact()))
            .map(SecretString::from)
            .map_err(|e| AskError::Stopped(e.to_string()))
    }
}

impl Prompter for Terminal {
    fn say(&self, text: &str) {
        eprintln!("{text}");
    }

    fn input(&self, prompt: &str, default: Option<&str>) -> Result<String, AskError> {
        asking(|| self.read_line(prompt, default))
    }

    fn select(&self, prompt: &str, choices: &[String], default: usize) -> Result<usize, AskError> {
        asking(|| {
            Select::with_theme(&PLAIN)
                .with_prompt(prompt)
                .items(choices)
                .default(default)
                .interact()
        })
        .map_err(stopped)
    }

    fn confirm(&self, prompt: &str, default: bool) -> Result<bool, AskError> {
        asking(|| {
            // An answer is a line, as everywhere else: `y` then Enter must
            // not leave the Enter to answer the next question.
            Confirm::with_theme(&PLAIN)
                .with_prompt(prompt)
                .default(default)
                .wait_for_newline(true)
                .interact()
        })
        .map_err(stopped)
    }

    fn secret(&self, prompt: &str) -> Result<SecretString, AskError> {
        // Kept as typed: the wizard checks it.
        let answer = asking(|| Password::with_theme(&PLAIN).with_prompt(prompt).interact())
            .map_err(stopped)?;
        Ok(SecretString::from(answer))
    }

    /// The path goes to standard output too when that is not the person's
    /// terminal: a script running setup gets it there.
    fn answers_saved(&self, path: &Path) {
        eprintln!("wrote {}", path.display());
        if !self.stdout {
            outln!("{}", path.display());
        }
    }
}

impl Terminal {
    fn read_line(&self, prompt: &str, default: Option<&str>) -> Result<String, AskError> {
        let term = Term::stderr();
        let shown = match default {
            Some(d) => format!("{prompt} [{d}]: "),
            None => format!("{prompt}{}", after(prompt)),
        };
        term.write_str(&shown).map_err(stopped_io)?;
        let mut line = String::new();
        loop {
            // Ctrl-C raises SIGINT inside read_key; `asking` makes that an
            // interrupted read, so the wizard stops, writing nothing.
            match term.read_key().map_err(stopped_io)? {
                Key::Enter => break,
                Key::Char('\u{4}') if line.is_empty() => {
                    let _ = term.write_line("");
                    return Err(AskError::Stopped("end of input (Ctrl-D)".into()));
                }
                Key::Backspace if line.pop().is_some() => {
                    term.clear_chars(1).map_err(stopped_io)?;
                }
                Key::Char(c) if !c.is_control() => {
                    line.push(c);
                    term.write_str(c.encode_utf8(&mut [0; 4]))
                        .map_err(stopped_io)?;
                }
                _ => {}
            }
        }
        term.write_line("").map_err(stopped_io)?;
        let answer = line.trim();
        Ok(match default {
            Some(d) if answer.is_empty() => d.to_string(),
            _ => answer.to_string(),
        })
    }
}
