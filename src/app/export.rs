//! `envact export`: the environment's credentials printed in a format
//! (variables, JSON, or as an SDK's `credential_process`).

use secrecy::zeroize::Zeroizing;

use std::path::Path;

use crate::aws::export::{render, Format};
use crate::context::{Context, Place};
use crate::credentials::Purpose;
use crate::Error;

/// `envact export`: the credentials of `profile` (`None`: the default) in
/// `format`: inside an activation or a direnv environment from its agent,
/// else resolved here.
pub fn export(
    cx: &Context,
    place: &Place,
    format: Format,
    profile: Option<&str>,
    envact_bin: &Path,
) -> Result<Zeroizing<String>, Error> {
    let purpose = match format {
        Format::CredentialProcess => Purpose::CredentialProcess,
        _ => Purpose::Once,
    };
    let profile = super::exec::profile_here(cx, place, profile)?;
    let given =
        super::exec::credentials(cx, place, envact_bin, "export", purpose, profile.as_deref())?;
    Ok(render(&given.credentials, given.region.as_deref(), format))
}
