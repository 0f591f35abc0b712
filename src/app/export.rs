//! `envact export`: the environment's credentials printed in a format
//! (variables, JSON, or as an SDK's `credential_process`).

use secrecy::zeroize::Zeroizing;

use crate::aws::export::{render, Format};
use crate::context::{Context, Place};
use crate::credentials::Purpose;
use crate::Error;

/// `envact export`: the credentials in `format`.
pub fn export(cx: &Context, place: &Place, format: Format) -> Result<Zeroizing<String>, Error> {
    let purpose = match format {
        Format::CredentialProcess => Purpose::CredentialProcess,
        _ => Purpose::Once,
    };
    let (settings, obtained) = super::resolve_at(cx, place, purpose, "export")?;
    drop(settings);
    Ok(render(
        &obtained.credentials,
        obtained.region.as_deref(),
        format,
    ))
}
