//! What this machine already has, for the wizard's defaults: a reachable
//! Secret Service, a pass store, accounts added to 1Password's `op`, and the
//! profiles (with their MFA devices) in the AWS config files.

use std::ffi::OsString;

use crate::aws::profile::AwsFiles;
use crate::backend::{Backend, Probe};
use crate::secrets::{self, KeyringKind, KeyringStore, OpAccount, SecretStore};
use crate::state::Dirs;

#[derive(Debug, Default, Clone)]
pub struct Detected {
    /// What this machine shows of each backend.
    pub probe: Probe,
    /// Accounts added to op on this device.
    pub op_accounts: Vec<OpAccount>,
    /// Profiles in the AWS config files, with their `mfa_serial` when they have one.
    pub aws_profiles: Vec<(String, Option<String>)>,
    /// `[aws] profile` is unset and `AWS_PROFILE` names one.
    pub env_profile: Option<String>,
}

impl Detected {
    /// Looks around; `with_op` runs `op account list` (only when 1Password may be chosen).
    pub fn probe(var: impl Fn(&str) -> Option<OsString>, dirs: &Dirs, with_op: bool) -> Detected {
        let secret_service = matches!(secrets::keyring_kind(&var), Ok(KeyringKind::SecretService))
            && KeyringStore::new(KeyringKind::SecretService, None)
                .list_items()
                .is_ok();
        let pass_dir = &dirs.pass_store;
        let (config, credentials) = AwsFiles::paths(&var, &dirs.home);
        let op_accounts = if with_op {
            secrets::op_accounts().unwrap_or_default()
        } else {
            Vec::new()
        };
        Detected {
            probe: Probe {
                secret_service,
                pass_store: pass_dir.join(".gpg-id").is_file().then(|| pass_dir.clone()),
                op_accounts: op_accounts.iter().map(|a| a.url.clone()).collect(),
                op_token_in_env: var("OP_SERVICE_ACCOUNT_TOKEN").is_some_and(|t| !t.is_empty()),
            },
            op_accounts,
            aws_profiles: AwsFiles::load(&config, &credentials, None)
                .map(|files| files.profiles())
                .unwrap_or_default(),
            env_profile: var("AWS_PROFILE")
                .and_then(|p| p.into_string().ok())
                .filter(|p| !p.is_empty()),
        }
    }

    /// The backend to offer first: the one this machine is ready for.
    pub fn suggested_backend(&self) -> Backend {
        Backend::suggested(&self.probe)
    }

    /// Why a backend is offered, for the choice list.
    pub fn note_for(&self, backend: Backend) -> Option<String> {
        (backend.info().detect)(&self.probe)
    }

    /// The MFA device the AWS config files suggest: the named profile's, else
    /// the only one any profile has. Returns the profile it came from too.
    pub fn mfa_serial(&self, profile: Option<&str>) -> Option<(String, String)> {
        let with_mfa: Vec<_> = self
            .aws_profiles
            .iter()
            .filter_map(|(name, mfa)| mfa.as_ref().map(|m| (name.clone(), m.clone())))
            .collect();
        match profile.or(self.env_profile.as_deref()) {
            Some(p) => with_mfa.into_iter().find(|(name, _)| name == p),
            None if with_mfa.len() == 1 => with_mfa.into_iter().next(),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detected(profiles: &[(&str, Option<&str>)]) -> Detected {
        Detected {
            aws_profiles: profiles
                .iter()
                .map(|(n, m)| (n.to_string(), m.map(str::to_string)))
                .collect(),
            ..Detected::default()
        }
    }

    #[test]
    fn mfa_device_comes_from_the_named_profile_or_the_only_one() {
        let d = detected(&[("a", Some("arn:a")), ("b", None), ("c", Some("arn:c"))]);
        assert_eq!(d.mfa_serial(Some("c")), Some(("c".into(), "arn:c".into())));
        assert_eq!(d.mfa_serial(Some("b")), None);
        assert_eq!(d.mfa_serial(None), None, "two candidates: no guess");
        let d = detected(&[("a", Some("arn:a")), ("b", None)]);
        assert_eq!(d.mfa_serial(None), Some(("a".into(), "arn:a".into())));
    }
}
