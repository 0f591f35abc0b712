//! Templates: the built-in ones `envact init` writes, and remote ones a team
//! keeps in a registry (a git repository or a directory): named
//! `REGISTRY/TEMPLATE[@REF]`, fetched with the `git` program, pinned to a
//! commit in the per-user cache so that later uses need no network, read
//! only, and trusted by their content before anything of them runs.

mod builtin;
mod error;
pub mod fetch;
mod flagged;
pub(crate) mod git;
pub mod push;
pub mod reference;
pub mod review;
pub mod tree;

pub use builtin::{find, BuiltinError, Template, BUILTIN, DEFAULT};
pub use reference::TemplateRef;
