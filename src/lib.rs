//! envact: activate a project's AWS development environment from its manifest.
//!
//! The library never prints or prompts: it returns values and typed errors,
//! and reaches the person only through [`ui::Ui`] and [`ui::Prompter`], which
//! the `envact` binary implements on the terminal. It is built in a few wide
//! floors, each using only the floors below it:
//!
//! 1. [`app`]: the use cases, one per command, each running in a
//!    [`context::Context`] (the environment, the directories, the person;
//!    and [`context::Place`], where a command's manifest is). The command
//!    line calls these and nothing below them.
//! 2. What the use cases are made of: [`settings`] (the one load path:
//!    manifest + each person's answers), [`credentials`] (resolving an
//!    environment's credentials through its cache), [`wizard`], [`agent`]
//!    (the credential holder and its endpoints), [`shell`] (the subshell,
//!    its runtime directory, the enclosing activation), [`template`]
//!    (built-in and remote templates, the trust review).
//! 3. The domain: [`manifest`], [`state`] (each person's files: answers,
//!    registries, where they live), [`secrets`] (the stores), [`aws`]
//!    (profiles, STS, the credential flow), [`summary`].
//! 4. The base everything may use: [`backend`] (each secrets backend's
//!    knowledge), [`ui`], [`visible`], [`private_fs`], [`hardening`], and
//!    [`Error`].
//!
//! `tests/it/source_layout.rs` checks that nothing reaches back up and
//! that there is no cycle.

pub mod agent;
pub mod app;
pub mod aws;
pub mod backend;
pub mod context;
pub mod credentials;
pub mod error;
pub mod hardening;
pub mod manifest;
pub mod private_fs;
pub mod search_path;
pub mod secrets;
pub mod settings;
pub mod shell;
pub mod state;
pub mod summary;
pub mod template;
pub mod ui;
pub mod visible;
pub mod wizard;

pub use error::Error;
