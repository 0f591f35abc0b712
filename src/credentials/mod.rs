//! Resolving an environment's AWS credentials, what `export`, `exec`
//! outside an activation, an activation's first credentials and every
//! refresh its agent go through: the profile chain (the manifest's `[aws]` over the
//! AWS files), the session cache (a wrapper any resolution goes through), the
//! long-term keys from the secrets backend (read only when STS must be
//! called), STS, and MFA codes from the backend's TOTP field, the person, or a
//! code handed to the agent. It talks to the person only through [`Ui`].

mod agent_client;
mod cached;
mod key_age;
mod keyring_cache;
mod lock;
mod profiles;
mod source;
mod sources;
pub mod sso;
pub mod store;

use secrecy::SecretString;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

pub use agent_client::from_agent;
pub use cached::kept;
pub use keyring_cache::{KeyringCache, STS_SERVICE};
use lock::ResolutionLock;
pub use profiles::Profiles;
pub use source::CredentialSource;
pub use sources::ask_mfa_code;
use sources::Sources;

use crate::aws::cache::{CredentialCache, MemoryCache, NoCache, SessionShelf};
use crate::aws::flow::{self, Flow, FlowError};
use crate::aws::profile::{self, valid_region, AwsFiles, ProfileChain};
use crate::aws::sts::SdkSts;
use crate::aws::{Credentials, MfaSerial};
use crate::context::Context;
use crate::manifest::{Aws, Manifest};
use crate::settings::Settings;
use crate::state::hex16;
use crate::ui::{Ui, Warning};
use crate::Error;

/// Credentials for commands, and the region they go with.
pub struct Obtained {
    pub credentials: Credentials,
    pub region: Option<String>,
}

/// Where an MFA code comes from when STS needs one and the backend has no
/// TOTP field.
pub enum Codes {
    /// The person, asked through the [`Ui`].
    Person,
    /// This code, typed for `envact exec` and handed to the agent, used once;
    /// without one, the answer is that a code is needed.
    Given(Option<SecretString>),
}

/// Everything needed to resolve one environment's credentials, built once:
/// the agent resolves again with it for each refresh.
pub struct Resolver {
    chain: ProfileChain,
    region: Option<String>,
    source: CredentialSource,
    cache: Box<dyn CredentialCache>,
    sts: SdkSts,
    /// The profile the chain starts from, if any.
    profile: Option<String>,
    /// For advice: the project, and whether sessions are kept.
    project_dir: PathBuf,
    keeps_sessions: bool,
    lock_dir: PathBuf,
    /// envact's own directory, which holds the lock directory.
    config_dir: PathBuf,
    env_id: String,
    margin: Duration,
    ui: Arc<dyn Ui>,
}

/// The region when none is configured anywhere: STS's global endpoint's.
pub const DEFAULT_REGION: &str = "us-east-1";

/// Who the credentials are resolved for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// An agent, which refreshes them: sessions are kept in memory when the
    /// manifest keeps none in the keyring, so refreshes need no MFA code.
    Agent,
    /// One command, or one export.
    Once,
    /// An SDK's `credential_process`: the environment envact was configured
    /// for, never the profile in `AWS_PROFILE`, which is the calling SDK's
    /// choice (the profile whose `credential_process` runs envact).
    CredentialProcess,
}

/// Credentials for the environment, or `None` when its manifest has no [aws].
pub fn obtain(
    cx: &Context,
    settings: &Settings,
    purpose: Purpose,
) -> Result<Option<Obtained>, Error> {
    obtain_for(cx, settings, purpose, None)
}

/// Credentials of the profile `profile` of `[aws.profiles]` (`None`: the
/// default), or `None` when the manifest has no [aws].
pub fn obtain_for(
    cx: &Context,
    settings: &Settings,
    purpose: Purpose,
    profile: Option<&str>,
) -> Result<Option<Obtained>, Error> {
    match Resolver::for_profile(cx, settings, purpose, profile, &SessionShelf::default())? {
        Some(resolver) => resolver.resolve(&Codes::Person).map(Some),
        None => Ok(None),
    }
}

impl Resolver {
    /// `None` without [aws].
    pub fn new(
        cx: &Context,
        settings: &Settings,
        purpose: Purpose,
    ) -> Result<Option<Resolver>, Error> {
        Resolver::for_profile(cx, settings, purpose, None, &SessionShelf::default())
    }

    /// The resolver of the profile `name` of `[aws.profiles]` (`None`: the
    /// environment's default); `None` without [aws]. Profiles resolved in
    /// one process keep their common session on one `shelf`, as those that
    /// keep sessions in the keyring keep it in one entry: one MFA prompt,
    /// one sign-in, for them all.
    pub fn for_profile(
        cx: &Context,
        settings: &Settings,
        purpose: Purpose,
        name: Option<&str>,
        shelf: &SessionShelf,
    ) -> Result<Option<Resolver>, Error> {
        let manifest = settings.effective();
        let manifest_path = &settings.project.manifest;
        let Some(aws) = &manifest.aws else {
            return Ok(None);
        };
        let named = match name.or(aws.default_profile.as_deref()) {
            None => None,
            Some(name) => match aws.profiles.get_key_value(name) {
                Some(found) => Some(found),
                None => {
                    return Err(Error::UnknownProfile {
                        name: name.to_string(),
                        known: crate::manifest::profiles::names(&aws.profiles),
                        manifest: manifest_path.clone(),
                    })
                }
            },
        };
        let aws_var = as_commands_see_it(cx, manifest);
        let (config_path, credentials_path) =
            AwsFiles::paths(|k| aws_var(k).map(Into::into), &cx.dirs.home);
        let env_profile = match purpose {
            // A manifest's own sign-in, or its own profiles, are not bent by
            // someone's AWS_PROFILE (which may name one of the profiles).
            _ if aws.sso.is_some() || !aws.profiles.is_empty() => None,
            Purpose::CredentialProcess => None,
            Purpose::Agent | Purpose::Once => aws_var("AWS_PROFILE"),
        };
        let selected = aws.profile.as_deref().or(env_profile.as_deref());
        let files = AwsFiles::load(&config_path, &credentials_path, selected)?;
        for (profile, file) in files.plaintext_keys() {
            cx.ui.warn(&Warning::PlaintextKeys {
                profile,
                file: file.to_path_buf(),
            });
        }
        let mut chain = profile::resolve(&aws.chain_request(), &files, env_profile.as_deref())?;
        if let (Some(profile), Some(_)) = (chain.base_profile.as_ref(), &settings.written.secrets) {
            if chain.sso.is_some() {
                cx.ui.warn(&Warning::SecretsUnused {
                    profile: profile.clone(),
                    manifest: manifest_path.clone(),
                });
            }
        }
        // What the session depends on, and then the profile's role on it.
        let session_chain = named.map(|(_, p)| p.session_of(&chain));
        if let Some((_, p)) = named {
            chain = p.chain_on(&chain, aws);
        }
        let sso_manifest = named
            .and_then(|(_, p)| p.sso.as_ref())
            .map(|(account, role)| {
                let mut m = manifest.clone();
                if let Some(sso) = m.aws.as_mut().and_then(|a| a.sso.as_mut()) {
                    sso.account_id = Some(account.clone());
                    sso.role_name = Some(role.clone());
                }
                m
            });
        let manifest_of_source = sso_manifest.as_ref().unwrap_or(manifest);
        let source = CredentialSource::of(
            cx,
            manifest_of_source,
            manifest_path,
            &files,
            &aws_var,
            &chain,
        )?;
        // A profile's own region is its commands' (checked in the manifest).
        let region = match named.and_then(|(_, p)| p.region.clone()) {
            Some(own) => Some(("", own)),
            None => region(&aws_var, chain.region.as_deref()),
        };
        // The profile's own region was checked where the profile was read.
        let unchecked = region.as_ref().filter(|(name, _)| !name.is_empty());
        if let Some((name, value)) = unchecked.filter(|(_, r)| !valid_region(r)) {
            return Err(Error::BadRegion {
                value: value.clone(),
                origin: match manifest.vars.get(*name) {
                    Some(_) => format!("[vars] {name} in {}", manifest_path.display()),
                    None => format!("{name} in the environment"),
                },
            });
        }
        // Without one anywhere, STS's global region: commands get it too,
        // or an SDK that needs one fails where envact worked.
        let region = Some(region.map_or_else(|| DEFAULT_REGION.to_string(), |(_, r)| r));
        let identity = source.identity();
        let session_fingerprint = fingerprint(&identity, session_chain.as_ref().unwrap_or(&chain));
        let cache: Box<dyn CredentialCache> = if manifest.persistence.keep_sts_session() {
            let kept = KeyringCache::of_environment(
                &cx.vars(),
                &settings.env_id,
                &fingerprint(&identity, &chain),
            )?;
            Box::new(match named {
                Some((name, _)) => kept.for_profile(name, &session_fingerprint),
                None => kept,
            })
        } else if purpose == Purpose::Agent {
            Box::new(MemoryCache::on_shelf(shelf, &session_fingerprint))
        } else {
            Box::new(NoCache)
        };
        let endpoint = files.sts_endpoint(aws_var);
        let sts = SdkSts::new(
            region.as_deref().unwrap_or(DEFAULT_REGION),
            endpoint,
            crate::shell::supervise::block_in_this_thread,
        );
        Ok(Some(Resolver {
            chain,
            region,
            source,
            cache,
            sts,
            profile: aws.profile.clone().or(env_profile),
            project_dir: settings.project.dir.clone(),
            keeps_sessions: manifest.persistence.keep_sts_session(),
            lock_dir: cx.dirs.locks(),
            config_dir: cx.dirs.config.clone(),
            env_id: settings.env_id.clone(),
            margin: aws.refresh_margin.unwrap_or(flow::DEFAULT_MARGIN),
            ui: cx.ui(),
        }))
    }

    /// The region commands get with the credentials.
    pub fn region(&self) -> Option<String> {
        self.region.clone()
    }

    /// Credentials no nearer their expiry than the refresh margin.
    pub fn margin(&self) -> Duration {
        self.margin
    }

    /// Whose credentials these are, for the person: the last role assumed
    /// (with its account), else the profile, else the key's own session.
    pub fn describe(&self) -> String {
        match (self.chain.roles.last(), &self.profile) {
            (Some(step), _) => {
                let name = step.role_arn.as_str().rsplit('/').next().unwrap_or("");
                format!("role {name} (account {})", step.role_arn.account())
            }
            (None, Some(profile)) => format!("profile {profile}"),
            (None, None) => "a session of your long-term key".into(),
        }
    }

    pub fn resolve(&self, codes: &Codes) -> Result<Obtained, Error> {
        let _lock = ResolutionLock::acquire(
            &self.lock_dir,
            &self.config_dir,
            &self.env_id,
            self.ui.as_ref(),
            lock::WAIT,
        )?;
        let sources = Sources {
            resolver: self,
            codes,
        };
        let credentials = Flow {
            chain: &self.chain,
            sts: &self.sts,
            cache: self.cache.as_ref(),
            mfa: &sources,
            source: &sources,
            ui: self.ui.as_ref(),
            now: SystemTime::now(),
            margin: self.margin,
            session_name: flow::session_name(&whoami()),
        }
        .run()
        .map_err(|e| match e {
            // Where no one can type a code (credential_process), say how
            // to give one ahead of time.
            Error::Flow(FlowError::NoMfaSource { serial }) => Error::MfaUnreachable {
                serial,
                project: self.project_dir.clone(),
                keeps_sessions: self.keeps_sessions,
            },
            other => other,
        })?;
        Ok(Obtained {
            credentials,
            region: self.region.clone(),
        })
    }
}

/// envact's own AWS calls see the variables the activated shell sees: the
/// person's environment with the manifest's [vars] over it.
fn as_commands_see_it<'a>(
    cx: &'a Context,
    manifest: &'a crate::manifest::Manifest,
) -> impl Fn(&str) -> Option<String> + 'a {
    |k: &str| {
        manifest
            .vars
            .get(k)
            .filter(|v| !v.is_empty())
            .cloned()
            .or_else(|| cx.var_string(k))
    }
}

/// The IAM Identity Center sign-in of the environment, when its `[aws.sso]`
/// or the AWS profile it names starts from one (for `envact login` and
/// `logout`).
pub fn sign_in_of(cx: &Context, settings: &Settings) -> Result<Option<sso::Sso>, Error> {
    let manifest = settings.effective();
    let Some(aws) = &manifest.aws else {
        return Ok(None);
    };
    let var = as_commands_see_it(cx, manifest);
    let (config_path, credentials_path) =
        AwsFiles::paths(|k| var(k).map(Into::into), &cx.dirs.home);
    let config = match &aws.sso {
        // The sign-in alone: logging in needs no account or role.
        Some(sso) => Some(sso.sign_in()),
        // Else the sign-in the profile's chain starts from, if it does.
        None => base_chain(cx, manifest, aws)?.sso,
    };
    let Some(config) = config else {
        return Ok(None);
    };
    let files = AwsFiles::load(&config_path, &credentials_path, None)?;
    Ok(Some(sso::Sso::new(
        config,
        &files,
        &var,
        cx.dirs.home.clone(),
    )))
}

/// The MFA device of the environment's long-term keys, wherever it is
/// said (`[aws] mfa_serial`, else its profile's in the AWS config file), as
/// a resolution finds it: `envact rotate` signs with it.
pub fn mfa_device_of(cx: &Context, settings: &Settings) -> Result<Option<MfaSerial>, Error> {
    let manifest = settings.effective();
    match &manifest.aws {
        Some(aws) => Ok(base_chain(cx, manifest, aws)?.mfa_serial),
        None => Ok(None),
    }
}

/// The chain of `aws`'s own profile (or AWS_PROFILE's), without a named
/// profile of `[aws.profiles]` on top.
fn base_chain(cx: &Context, manifest: &Manifest, aws: &Aws) -> Result<ProfileChain, Error> {
    let var = as_commands_see_it(cx, manifest);
    let (config_path, credentials_path) =
        AwsFiles::paths(|k| var(k).map(Into::into), &cx.dirs.home);
    let env_profile = var("AWS_PROFILE");
    let selected = aws.profile.as_deref().or(env_profile.as_deref());
    let files = AwsFiles::load(&config_path, &credentials_path, selected)?;
    Ok(profile::resolve(
        &aws.chain_request(),
        &files,
        env_profile.as_deref(),
    )?)
}

/// The region for envact's own STS calls and for commands, with the
/// variable it came from: `AWS_REGION`, then `AWS_DEFAULT_REGION` (as the
/// activated shell has them: `[vars]` over the environment), then the
/// profile's (`None` as the name: validated where the profile is read).
fn region(
    var: &dyn Fn(&str) -> Option<String>,
    profile: Option<&str>,
) -> Option<(&'static str, String)> {
    ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .into_iter()
        .find_map(|name| var(name).map(|v| (name, v)))
        .or(profile.map(|p| ("", p.to_string())))
}

/// What produced kept credentials (the source's identity, then the chain):
/// a change to any of these means they are not reused.
fn fingerprint(source: &str, chain: &ProfileChain) -> String {
    use sha2::Digest;
    let roles: Vec<String> = chain
        .roles
        .iter()
        .map(|r| {
            format!(
                "{}:{}:{}:{}",
                r.role_arn,
                r.external_id.as_deref().unwrap_or(""),
                r.session_name.as_deref().unwrap_or(""),
                r.duration.as_secs()
            )
        })
        .collect();
    let basis = format!(
        "{source}|{:?}|{}|{}",
        chain.mfa_serial.as_ref().map(MfaSerial::as_str),
        chain.session_duration.as_secs(),
        roles.join(",")
    );
    hex16(&sha2::Sha256::digest(basis.as_bytes()))
}

fn whoami() -> String {
    nix::unistd::User::from_uid(nix::unistd::getuid())
        .ok()
        .flatten()
        .map(|u| u.name)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
