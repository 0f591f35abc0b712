//! envact: activate a project's AWS development environment from its manifest.
//!
//! The library never prints or prompts: it returns values and typed errors, and
//! the `envact` binary's `cli` module talks to the person.

pub mod activation;
pub mod agent;
pub mod aws;
pub mod config;
pub mod error;
pub mod manifest;
pub mod secrets;
pub mod shell;
pub mod template;
pub mod wizard;

pub use error::Error;
