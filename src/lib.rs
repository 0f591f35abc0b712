//! envact: activate a project's AWS development environment from its manifest.
//!
//! The library never prints or prompts: it returns values and typed errors,
//! and reaches the person only through [`ui::Ui`] and [`ui::Prompter`], which
//! the `envact` binary implements on the terminal. Dependencies point one way:
//! the command line calls one use case per command ([`activation`],
//! [`exec`], [`credentials`] for export and clear, [`setup`], [`keys`] for
//! add, list and remove), which run in a [`context::Context`] and load an
//! environment once through [`settings`]; the use cases build on the domain
//! modules ([`manifest`], [`config`], [`secrets`], [`aws`], [`agent`],
//! [`shell`], [`wizard`], [`template`]), and those never reach back up.

pub mod activation;
pub mod agent;
pub mod aws;
pub mod backend;
pub mod context;
pub mod credentials;
pub mod direnv;
pub mod error;
pub mod exec;
pub mod hardening;
pub mod keys;
pub mod manifest;
pub mod private_fs;
pub mod remote;
pub mod secrets;
pub mod settings;
pub mod setup;
pub mod shell;
pub mod state;
pub mod template;
pub mod trust;
pub mod ui;
pub mod visible;
pub mod wizard;

pub use error::Error;
