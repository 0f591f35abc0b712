//! Obtaining AWS credentials for a project, as `export` and `activate` need
//! them: the manifest's [aws] and [secrets], the AWS config files, the cache,
//! MFA from a TOTP field or the terminal, STS behind a spinner.

use secrecy::SecretString;
use std::cell::OnceCell;
use std::io::IsTerminal;
use std::time::{Duration, SystemTime};

use envact::aws::cache::{
    CredentialCache, KeyringCache, MemoryCache, NoCache, ResolutionLock, STS_SERVICE,
};
use envact::aws::flow::{self, Flow, FlowError, KeySource, MfaSource};
use envact::aws::profile::{self, AwsFiles, RoleStep};
use envact::aws::sts::{MfaCode, SdkSts, Sts, StsError};
use envact::aws::{Credentials, MfaSerial};
use envact::config::{environment_id, hex16, Dirs};
use envact::manifest::{Manifest, Project};
use envact::secrets::{
    keyring_kind, read_keys, KeyringStore, LongTermKeys, SecretError, SecretStore,
};
use envact::Error;

use super::backend::{open_for, Opened};
use super::progress::spin;

pub struct Obtained {
    pub credentials: Credentials,
    pub region: Option<String>,
}

fn var(k: &str) -> Option<std::ffi::OsString> {
    std::env::var_os(k)
}

/// How an MFA code is obtained when STS needs one.
#[derive(Clone, Copy)]
pub enum Mfa<'a> {
    /// The TOTP field, else a prompt on this process's terminal.
    Terminal,
    /// The TOTP field, else this code (from `envact exec`'s prompt), once.
    Given(Option<&'a SecretString>),
}

/// Everything needed to resolve the project's credentials, built once: the
/// agent resolves again with it for each refresh.
pub struct Resolver {
    chain: profile::ProfileChain,
    pub region: Option<String>,
    opened: Opened,
    item: String,
    cache: Box<dyn CredentialCache>,
    sts: LazySts,
    lock_dir: std::path::PathBuf,
    env_id: String,
    pub margin: Duration,
}

/// Credentials for the project, or `None` when its manifest has no [aws].
pub fn obtain(project: &Project, manifest: &Manifest) -> Result<Option<Obtained>, Error> {
    match Resolver::new(project, manifest, false)? {
        Some(resolver) => resolver.resolve(Mfa::Terminal).map(Some),
        None => Ok(None),
    }
}

impl Resolver {
    /// `None` without [aws]. `agent` keeps sessions in memory when the
    /// manifest keeps none in the keyring, so refreshes need no MFA code.
    pub fn new(
        project: &Project,
        manifest: &Manifest,
        agent: bool,
    ) -> Result<Option<Resolver>, Error> {
        let Some(aws) = &manifest.aws else {
            return Ok(None);
        };
        let secrets = manifest
            .secrets
            .as_ref()
            .ok_or_else(|| Error::AwsWithoutSecrets {
                manifest: project.manifest.clone(),
            })?;
        let item = secrets
            .item_to_read()
            .map(str::to_string)
            .ok_or_else(|| Error::NoItem {
                manifest: project.manifest.clone(),
            })?;
        let dirs = Dirs::from_vars(var);
        let (config_path, credentials_path) = AwsFiles::paths(var, &dirs.home);
        let files = AwsFiles::load(&config_path, &credentials_path)?;
        for name in files.plaintext_keys() {
            eprintln!(
                "warning: the long-term keys of profile {name:?} are in plain text in {}: move them into the backend with `envact add ITEM` and delete them from that file",
                files.credentials_path().display()
            );
        }
        let env_profile = var("AWS_PROFILE").and_then(|p| p.into_string().ok());
        let chain = profile::resolve(aws, &files, env_profile.as_deref())?;

        // A region set for the environment wins over the profile's.
        let region = manifest
            .vars
            .get("AWS_REGION")
            .cloned()
            .or_else(|| var("AWS_REGION").and_then(|v| v.into_string().ok()))
            .or_else(|| var("AWS_DEFAULT_REGION").and_then(|v| v.into_string().ok()))
            .or(chain.region.clone());

        let env_id = environment_id(&project.manifest);
        let fingerprint = {
            use sha2::Digest;
            let roles: Vec<String> = chain.roles.iter().map(describe_role).collect();
            let basis = format!(
                "{}|{:?}|{item}|{:?}|{}|{}",
                secrets.backend,
                secrets.vault,
                chain.mfa_serial.as_ref().map(MfaSerial::as_str),
                chain.session_duration.as_secs(),
                roles.join(",")
            );
            hex16(&sha2::Sha256::digest(basis.as_bytes()))
        };
        let keep = manifest.persistence.keep_sts_session();
        let cache: Box<dyn CredentialCache> = if keep {
            Box::new(KeyringCache::new(
                KeyringStore::new(keyring_kind(&var)?, Some(STS_SERVICE)),
                &env_id,
                &fingerprint,
            ))
        } else if agent {
            Box::new(MemoryCache::default())
        } else {
            Box::new(NoCache)
        };
        let opened = open_for(manifest)?.ok_or_else(|| Error::AwsWithoutSecrets {
            manifest: project.manifest.clone(),
        })?;
        let sts = LazySts {
            region: region.clone().unwrap_or_else(|| "us-east-1".into()),
            endpoint: ["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"]
                .iter()
                .find_map(|k| {
                    var(k)
                        .and_then(|v| v.into_string().ok())
                        .filter(|v| !v.is_empty())
                }),
            inner: OnceCell::new(),
        };
        Ok(Some(Resolver {
            chain,
            region,
            opened,
            item,
            cache,
            sts,
            lock_dir: dirs.config.join("locks"),
            env_id,
            margin: aws.refresh_margin.unwrap_or(flow::DEFAULT_MARGIN),
        }))
    }

    pub fn resolve(&self, mfa: Mfa) -> Result<Obtained, Error> {
        let _lock = ResolutionLock::acquire(&self.lock_dir, &self.env_id).map_err(|source| {
            Error::Lock {
                path: self.lock_dir.clone(),
                source,
            }
        })?;
        let keys = StoreKeys {
            opened: &self.opened,
            item: &self.item,
        };
        let mfa = TerminalOrTotp {
            store: self.opened.store.as_ref(),
            item: &self.item,
            totp_field: self.opened.fields.mfa_totp.clone(),
            mode: mfa,
        };
        let resolved = Flow {
            chain: &self.chain,
            sts: &self.sts,
            cache: self.cache.as_ref(),
            mfa: &mfa,
            keys: &keys,
            now: SystemTime::now(),
            margin: self.margin,
            session_name: flow::session_name(&whoami()),
        }
        .run()?;
        Ok(Obtained {
            credentials: resolved.credentials,
            region: self.region.clone(),
        })
    }
}

fn describe_role(r: &RoleStep) -> String {
    format!(
        "{}:{}:{}:{}",
        r.role_arn,
        r.external_id.as_deref().unwrap_or(""),
        r.session_name.as_deref().unwrap_or(""),
        r.duration.as_secs()
    )
}

fn whoami() -> String {
    nix::unistd::User::from_uid(nix::unistd::getuid())
        .ok()
        .flatten()
        .map(|u| u.name)
        .unwrap_or_default()
}

struct StoreKeys<'a> {
    opened: &'a Opened,
    item: &'a str,
}

impl KeySource for StoreKeys<'_> {
    fn keys(&self) -> Result<LongTermKeys, SecretError> {
        self.opened
            .spin("Reading the long-term keys from", |store| {
                read_keys(store, self.item, &self.opened.fields)
            })
    }
}

/// MFA codes from the backend's TOTP field when the manifest names one, else
/// from the person at the terminal, else a clear refusal (never a hang).
struct TerminalOrTotp<'a> {
    store: &'a dyn SecretStore,
    item: &'a str,
    totp_field: Option<String>,
    mode: Mfa<'a>,
}

impl MfaSource for TerminalOrTotp<'_> {
    fn code(&self, serial: &MfaSerial, attempt: u32) -> Result<SecretString, FlowError> {
        if let Some(field) = &self.totp_field {
            return Ok(self.store.read_totp(self.item, field)?);
        }
        if let Mfa::Given(code) = self.mode {
            return match code {
                Some(code) if attempt == 1 => Ok(code.clone()),
                Some(_) => Err(FlowError::MfaRejected {
                    serial: serial.to_string(),
                    attempts: 1,
                }),
                None => Err(FlowError::NoMfaSource {
                    serial: serial.to_string(),
                }),
            };
        }
        if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
            return Err(FlowError::NoMfaSource {
                serial: serial.to_string(),
            });
        }
        if attempt > 1 {
            eprintln!(
                "that code was rejected (attempt {attempt} of {})",
                flow::MFA_ATTEMPTS
            );
        }
        dialoguer::Password::new()
            .with_prompt(format!("MFA code for {serial}"))
            .interact()
            .map(|c| SecretString::from(c.trim()))
            .map_err(|e| FlowError::MfaInput(e.to_string()))
    }
}

/// The SDK and its runtime are built on the first STS call only: a warm cache
/// never loads them.
struct LazySts {
    region: String,
    endpoint: Option<String>,
    inner: OnceCell<SdkSts>,
}

impl LazySts {
    fn get(&self) -> Result<&SdkSts, StsError> {
        if let Some(sts) = self.inner.get() {
            return Ok(sts);
        }
        let sts = SdkSts::new(&self.region, self.endpoint.clone())?;
        Ok(self.inner.get_or_init(|| sts))
    }
}

impl Sts for LazySts {
    fn get_session_token(
        &self,
        caller: &Credentials,
        duration: Duration,
        mfa: Option<MfaCode>,
    ) -> Result<Credentials, StsError> {
        let sts = self.get()?;
        spin("Getting an STS session", || {
            sts.get_session_token(caller, duration, mfa)
        })
    }

    fn assume_role(
        &self,
        caller: &Credentials,
        step: &RoleStep,
        session_name: &str,
    ) -> Result<Credentials, StsError> {
        let sts = self.get()?;
        spin(&format!("Assuming {}", step.role_arn), || {
            sts.assume_role(caller, step, session_name)
        })
    }
}
