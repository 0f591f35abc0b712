//! The activated subshell: which shell, the rc envact generates for it, the
//! private runtime directory it lives in, supervising it until it ends, and
//! the `ENVACT_*` variables by which a program knows its enclosing
//! activation.

pub mod enclosing;
mod kind;
pub mod profiles;
pub mod rc;
mod runtime_dir;
pub mod supervise;

pub use enclosing::Enclosing;
pub use kind::{Shell, ShellKind, ShellSource, UnsupportedShell};
pub use rc::Invocation;
pub use runtime_dir::RuntimeDir;
