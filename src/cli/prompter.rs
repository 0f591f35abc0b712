//! The wizard's questions on the terminal, with dialoguer, on stderr.
//!
//! Text answers are read key by key with console (dialoguer's own terminal
//! layer) rather than with dialoguer's Input, which drops Ctrl-D: here Ctrl-D
//! on an empty answer is the end of input, and stops the wizard.

use console::{Key, Term};
use dialoguer::{Confirm, Password, Select};
use secrecy::SecretString;

use envact::wizard::Prompter;
use envact::Error;

pub struct TerminalPrompter;

/// Ctrl-C, a closed terminal, or Ctrl-D typed into an answer: setup stops.
fn stopped(e: dialoguer::Error) -> Error {
    let dialoguer::Error::IO(e) = e;
    stopped_io(e)
}

fn stopped_io(e: std::io::Error) -> Error {
    Error::SetupInterrupted {
        reason: match e.kind() {
            std::io::ErrorKind::Interrupted => "interrupted".into(),
            std::io::ErrorKind::UnexpectedEof => "end of input".into(),
            _ => format!("cannot read the answer: {e}"),
        },
    }
}

fn end_of_input() -> Error {
    Error::SetupInterrupted {
        reason: "end of input (Ctrl-D)".into(),
    }
}

impl Prompter for TerminalPrompter {
    fn say(&mut self, text: &str) {
        eprintln!("{text}");
    }

    fn input(&mut self, prompt: &str, default: Option<&str>) -> Result<String, Error> {
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
                    return Err(end_of_input());
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

    fn select(&mut self, prompt: &str, choices: &[String], default: usize) -> Result<usize, Error> {
        Select::new()
            .with_prompt(prompt)
            .items(choices)
            .default(default)
            .interact()
            .map_err(stopped)
    }

    fn confirm(&mut self, prompt: &str, default: bool) -> Result<bool, Error> {
        Confirm::new()
            .with_prompt(prompt)
            .default(default)
            .interact()
            .map_err(stopped)
    }

    fn secret(&mut self, prompt: &str) -> Result<SecretString, Error> {
        let answer = Password::new()
            .with_prompt(prompt)
            .interact()
            .map_err(stopped)?;
        Ok(SecretString::from(answer))
    }

    fn busy(&mut self, label: &str, work: &mut dyn FnMut()) {
        super::progress::spin(label, work)
    }
}
