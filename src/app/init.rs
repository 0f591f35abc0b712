//! `envact init`: a manifest from a built-in template, and whether this
//! machine can use the backend it names.

use std::path::{Path, PathBuf};

use crate::context::Context;
use crate::secrets::{ready, SecretError};
use crate::template::{self, Template};
use crate::Error;

/// A manifest written.
pub struct Initialised {
    pub path: PathBuf,
    pub template: &'static Template,
    /// What this machine lacks for the template's backend. The manifest may
    /// be for the whole team, so it is written all the same; the person
    /// learns now, not after the wizard's questions.
    pub not_ready: Option<SecretError>,
}

/// Writes the built-in template `name` into `dir` as its manifest.
pub fn init(cx: &Context, name: &str, dir: &Path, force: bool) -> Result<Initialised, Error> {
    let template = template::find(name)?;
    let path = template.write_into(dir, force)?;
    let not_ready = template
        .backend()
        .and_then(|backend| ready::check(backend, None, &cx.vars(), &cx.dirs.stores()).err());
    Ok(Initialised {
        path,
        template,
        not_ready,
    })
}
