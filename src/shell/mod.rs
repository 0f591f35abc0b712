//! The activated subshell: which shell, the rc envact generates for it, the
//! private runtime directory it lives in, and supervising it until it ends.

mod kind;
pub mod rc;
mod runtime_dir;
pub mod supervise;

pub use kind::{Shell, ShellKind, ShellSource, UnsupportedShell};
pub use rc::Invocation;
pub use runtime_dir::RuntimeDir;
