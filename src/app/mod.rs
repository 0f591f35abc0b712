//! The use cases: one function per command (or per group of commands),
//! each reading top to bottom, running in a [`Context`] and loading an
//! environment once through [`Settings`]. The command line calls these and
//! nothing below them; they build on the domain modules, which never reach
//! back up.
//!
//! - [`activate`]: an activation from start to teardown
//! - [`exec`]: one command with credentials
//! - [`export`], [`clear`]: credentials printed, or forgotten
//! - [`init`]: a manifest from a built-in template
//! - [`login`]: the IAM Identity Center sign-in, and `logout`
//! - [`status`]: what is active here, what is kept, until when
//! - [`whoami`]: whose credentials a command run here gets
//! - [`setup`]: the first-run wizard, or its flags
//! - [`items`]: `add`, `list`, `remove` (the long-term keys in a backend)
//! - [`rotate`]: the long-term key replaced by a new one, none ever lost
//! - [`templates`]: registries, `pull`, `pull --copy`, `push`
//! - [`trust`]: the trust gate and `envact trust`
//! - [`direnv`]: `use envact`, its background agent, `stop`

pub mod activate;
pub mod clear;
pub mod direnv;
pub mod exec;
pub mod export;
pub mod init;
pub mod items;
pub mod login;
pub mod rotate;
pub mod setup;
pub mod status;
pub mod templates;
pub mod trust;
pub mod whoami;

use crate::context::{Context, Place};
use crate::credentials::{obtain_for, Obtained, Purpose};
use crate::settings::Settings;
use crate::Error;

/// The environment at `place`, trusted, and the credentials of its
/// `profile` (`None`: the default): the steps `export` and `exec` (outside
/// an activation) share. `what` names the command for the error of an
/// environment without `[aws]`.
fn resolve_at(
    cx: &Context,
    place: &Place,
    purpose: Purpose,
    what: &'static str,
    profile: Option<&str>,
) -> Result<(Settings, Obtained), Error> {
    let settings = cx.settings_at(place)?;
    trust::ensure_trusted(cx, &settings)?;
    let obtained = obtain_for(cx, &settings, purpose, profile)?.ok_or_else(|| Error::NoAws {
        manifest: settings.project.manifest.clone(),
        what,
    })?;
    Ok((settings, obtained))
}
