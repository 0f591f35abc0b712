//! `envact whoami`: whose credentials a command run here gets, asked of STS
//! (GetCallerIdentity) with the very credentials `envact exec` would give:
//! the activation's agent, direnv's, or resolved here.

use std::path::Path;

use crate::aws::flow::FlowError;
use crate::aws::profile::AwsFiles;
use crate::aws::sts::{CallerIdentity, SdkSts};
use crate::context::{Context, Place};
use crate::credentials::{Purpose, DEFAULT_REGION};
use crate::{ui, Error};

/// The identity STS sees for this place's credentials (of `profile`;
/// `None`: the default, or `AWS_PROFILE`'s in an activation of profiles).
pub fn whoami(
    cx: &Context,
    place: &Place,
    envact_bin: &Path,
    profile: Option<&str>,
) -> Result<CallerIdentity, Error> {
    let profile = super::exec::profile_here(cx, place, profile)?;
    let given = super::exec::credentials(
        cx,
        place,
        envact_bin,
        "ask STS about",
        Purpose::Once,
        profile.as_deref(),
    )?;
    // The STS endpoint a command would call: the environment's settings and
    // the AWS config file's, as the SDKs read them.
    let var = |k: &str| cx.var(k).and_then(|v| v.into_string().ok());
    let (config, credentials) = AwsFiles::paths(|k| cx.var(k), &cx.dirs.home);
    let files = AwsFiles::load(&config, &credentials, var("AWS_PROFILE").as_deref())?;
    let sts = SdkSts::new(
        given.region.as_deref().unwrap_or(DEFAULT_REGION),
        files.sts_endpoint(var),
        crate::shell::supervise::block_in_this_thread,
    );
    let identity = ui::busy(
        cx.ui.as_ref(),
        "Asking STS whose credentials these are",
        || sts.caller_identity(&given.credentials),
    );
    Ok(identity.map_err(FlowError::from)?)
}
