//! The agent's refresher: a [`Resolver`] for each profile of the
//! environment's `[aws.profiles]` (or for its one role), built when the
//! agent starts, all sharing one session, so that a refresh by name needs no
//! MFA code while the session lasts.

use secrecy::SecretString;
use std::collections::BTreeMap;
use std::path::PathBuf;

use super::{Codes, Purpose, Resolver};
use crate::agent::{Refresh, RefreshError};
use crate::aws::cache::SessionShelf;
use crate::aws::flow::FlowError;
use crate::aws::sso::sign_in::SignInError;
use crate::aws::Credentials;
use crate::context::Context;
use crate::settings::Settings;
use crate::Error;

impl Resolver {
    /// A refresh for the agent, with a code from `envact exec`.
    fn refresh(&self, mfa_code: Option<&SecretString>) -> Result<Credentials, RefreshError> {
        match self.resolve(&Codes::Given(mfa_code.cloned())) {
            Ok(obtained) => Ok(obtained.credentials),
            Err(Error::MfaUnreachable { serial, .. }) => Err(RefreshError::NeedMfa(serial)),
            Err(e) => Err(refresh_error(e)),
        }
    }
}

/// What the agent says of an error: its message with its help, and whether
/// trying again later may work.
fn refresh_error(e: Error) -> RefreshError {
    RefreshError::Failed {
        // An expired sign-in mends with `envact login` elsewhere:
        // trying again later works (the ECS endpoint says 503).
        transient: matches!(&e, Error::Flow(FlowError::Sts(sts)) if sts.is_transient())
            || matches!(&e, Error::SignIn(SignInError::Needed { .. })),
        message: match e.help() {
            Some(help) => format!("{e} ({help})"),
            None => e.to_string(),
        },
    }
}

/// The agent's refresher: a resolver for each profile of the environment
/// (or its one role), built at start, sharing one session.
pub struct Profiles {
    resolvers: BTreeMap<Option<String>, Resolver>,
    /// What a request that names no profile gets.
    default: Option<String>,
    manifest: PathBuf,
}

impl Profiles {
    /// `None` without [aws].
    pub fn new(cx: &Context, settings: &Settings) -> Result<Option<Profiles>, Error> {
        let shelf = SessionShelf::default();
        let Some(aws) = &settings.effective().aws else {
            return Ok(None);
        };
        let names: Vec<Option<String>> = match aws.profiles.is_empty() {
            true => vec![None],
            false => aws.profiles.keys().cloned().map(Some).collect(),
        };
        let mut resolvers = BTreeMap::new();
        for name in names {
            let resolver =
                Resolver::for_profile(cx, settings, Purpose::Agent, name.as_deref(), &shelf)?
                    .ok_or_else(|| Error::NoAws {
                        manifest: settings.project.manifest.clone(),
                        what: "refresh",
                    })?;
            resolvers.insert(name, resolver);
        }
        Ok(Some(Profiles {
            resolvers,
            default: aws.default_profile.clone(),
            manifest: settings.project.manifest.clone(),
        }))
    }

    /// Each profile's name and whose credentials it gives (none for an
    /// environment of one role).
    pub fn summaries(&self) -> Vec<crate::summary::ProfileSummary> {
        self.resolvers
            .iter()
            .filter_map(|(name, resolver)| {
                Some(crate::summary::ProfileSummary {
                    name: name.clone()?,
                    credentials: resolver.describe(),
                    expires: None,
                })
            })
            .collect()
    }

    /// The resolver of what commands get when they name no profile.
    pub fn default_resolver(&self) -> &Resolver {
        match self.resolvers.get(&self.default) {
            Some(resolver) => resolver,
            None => {
                unreachable!("the default profile is one of the profiles (the manifest's checks)")
            }
        }
    }
}

impl Refresh for Profiles {
    fn refresh(
        &mut self,
        profile: Option<&str>,
        mfa_code: Option<&SecretString>,
    ) -> Result<Credentials, RefreshError> {
        let key = profile.map(str::to_string).or(self.default.clone());
        match self.resolvers.get(&key) {
            Some(resolver) => resolver.refresh(mfa_code),
            None => Err(refresh_error(Error::UnknownProfile {
                name: key.unwrap_or_default(),
                known: self
                    .resolvers
                    .keys()
                    .flatten()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
                manifest: self.manifest.clone(),
            })),
        }
    }
}
