//! The terminal, the one place envact talks to the person: whether standard
//! input and error are a terminal (checked once, at start), spinners on
//! stderr while something slow runs, the wizard's questions, the MFA prompt
//! with its "attempt n of 3", the file backend's passphrase, hidden keys.
//!
//! Text answers are read key by key with console (dialoguer's own terminal
//! layer) rather than with dialoguer's Input, which drops Ctrl-D: here Ctrl-D
//! on an empty answer is the end of input, and stops the wizard. A prompt
//! that slow work itself needs (a passphrase) suspends the spinner, so that
//! the spinner neither draws over it nor races it for the terminal.

use console::{Key, Term};
use dialoguer::{Confirm, Password, Select};
use indicatif::{ProgressBar, ProgressStyle};
use secrecy::SecretString;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use envact::ui::{AskError, MfaRequest, Prompter, Ui, Warning};

#[derive(Debug, Clone, Copy)]
pub struct Terminal {
    stdin: bool,
    stderr: bool,
}

impl Terminal {
    pub fn detect() -> Terminal {
        Terminal {
            stdin: std::io::stdin().is_terminal(),
            stderr: std::io::stderr().is_terminal(),
        }
    }

    /// A hidden answer, trimmed: half of a key pasted in.
    pub fn hidden(&self, prompt: &str) -> Result<SecretString, AskError> {
        Password::new()
            .with_prompt(prompt)
            .interact()
            .map(|v| SecretString::from(v.trim()))
            .map_err(|e| AskError::Stopped(e.to_string()))
    }
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
        work();
        set_spinner(None);
        bar.finish_and_clear();
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
        Password::new()
            .with_prompt(prompt)
            .interact()
            .map(|c| SecretString::from(c.trim()))
            .map_err(|e| AskError::Stopped(e.to_string()))
    }

    fn passphrase(&self, path: &Path, new_file: bool) -> Result<SecretString, AskError> {
        if !self.stderr {
            return Err(AskError::NoTerminal);
        }
        let mut prompt = Password::new().with_prompt(format!("Passphrase for {}", path.display()));
        if new_file {
            prompt =
                prompt.with_confirmation("Repeat the passphrase", "the two passphrases differ");
        }
        suspend(|| prompt.interact())
            .map(SecretString::from)
            .map_err(|e| AskError::Stopped(e.to_string()))
    }
}

impl Prompter for Terminal {
    fn say(&self, text: &str) {
        eprintln!("{text}");
    }

    fn input(&self, prompt: &str, default: Option<&str>) -> Result<String, AskError> {
        let term = Term::stderr();
        let shown = match default {
            Some(d) => format!("{prompt} [{d}]: "),
            None => format!("{prompt}: "),
        };
        term.write_str(&shown).map_err(stopped_io)?;
        let mut line = String::new();
        loop {
            // Ctrl-C raises SIGINT inside read_key: the process ends, nothing written.
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

    fn select(&self, prompt: &str, choices: &[String], default: usize) -> Result<usize, AskError> {
        Select::new()
            .with_prompt(prompt)
            .items(choices)
            .default(default)
            .interact()
            .map_err(stopped)
    }

    fn confirm(&self, prompt: &str, default: bool) -> Result<bool, AskError> {
        Confirm::new()
            .with_prompt(prompt)
            .default(default)
            .interact()
            .map_err(stopped)
    }

    fn secret(&self, prompt: &str) -> Result<SecretString, AskError> {
        // Kept as typed: the wizard checks it.
        let answer = Password::new()
            .with_prompt(prompt)
            .interact()
            .map_err(stopped)?;
        Ok(SecretString::from(answer))
    }

    fn answers_saved(&self, path: &Path) {
        println!("{}", path.display());
    }
}
