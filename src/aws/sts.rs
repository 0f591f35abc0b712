//! STS: GetSessionToken and AssumeRole behind a small trait, so the credential
//! flow reads top to bottom and is testable alone. [`SdkSts`] is the real one,
//! on the AWS SDK (what its calls share is in [`super::call`]); it also asks
//! whose credentials these are (GetCallerIdentity), which no flow needs.

use secrecy::{ExposeSecret, SecretString};
use std::time::{Duration, SystemTime};

use super::error::{AwsError, Service};
use super::profile::RoleStep;
use super::{Credentials, MfaSerial};

/// STS's failures: an [`AwsError`] naming STS.
pub type StsError = AwsError;

/// An MFA device and the code it shows now.
pub struct MfaCode<'a> {
    pub serial: &'a MfaSerial,
    pub code: &'a SecretString,
}

pub trait Sts {
    /// Session credentials for `caller` (long-term keys).
    fn get_session_token(
        &self,
        caller: &Credentials,
        duration: Duration,
        mfa: Option<MfaCode>,
    ) -> Result<Credentials, StsError>;

    /// Role credentials for `caller` (long-term keys, session or role
    /// credentials), with an MFA code when the role's trust needs one.
    fn assume_role(
        &self,
        caller: &Credentials,
        step: &RoleStep,
        session_name: &str,
        mfa: Option<MfaCode>,
    ) -> Result<Credentials, StsError>;
}

use super::call::{Blocking, BoundedResponses};
pub use super::call::{CONNECT_TIMEOUT, MAX_RESPONSE, OPERATION_TIMEOUT, READ_TIMEOUT};

/// STS through the AWS SDK.
pub struct SdkSts {
    region: String,
    endpoint: Option<String>,
    blocking: Blocking,
}

impl SdkSts {
    /// `endpoint` is `AWS_ENDPOINT_URL_STS` (or `AWS_ENDPOINT_URL`) when set.
    /// `on_thread_start` runs in each thread the runtime starts (its blocking
    /// pool, for DNS lookups): the caller keeps its signals away from them.
    pub fn new(region: &str, endpoint: Option<String>, on_thread_start: fn()) -> SdkSts {
        SdkSts {
            region: region.to_string(),
            endpoint,
            blocking: Blocking::new(on_thread_start),
        }
    }

    fn run<F: std::future::Future>(&self, work: F) -> Result<F::Output, StsError> {
        self.blocking
            .run(work)
            .map_err(|detail| AwsError::other(Service::Sts, "setup", detail))
    }

    fn client(&self, caller: &Credentials) -> aws_sdk_sts::Client {
        use aws_sdk_sts::config;
        let creds = super::call::static_credentials(caller);
        let shared = super::call::shared_config(&self.region);
        let mut builder = config::Builder::from(&shared)
            .credentials_provider(creds)
            .interceptor(BoundedResponses);
        if let Some(url) = &self.endpoint {
            builder = builder.endpoint_url(url);
        }
        aws_sdk_sts::Client::from_conf(builder.build())
    }

    fn endpoint_name(&self) -> String {
        self.endpoint
            .clone()
            .unwrap_or_else(|| format!("sts.{}.amazonaws.com", self.region))
    }

    /// What went wrong; `waited` is how long the call took, tries
    /// included, which a timeout reports.
    fn error<E>(
        &self,
        operation: &'static str,
        err: aws_sdk_sts::error::SdkError<E>,
        waited: Duration,
    ) -> StsError
    where
        E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + 'static,
    {
        AwsError::of(Service::Sts, operation, &self.endpoint_name(), &err, waited)
    }
}

/// Whose credentials these are, as STS says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

impl SdkSts {
    /// GetCallerIdentity with `caller`.
    pub fn caller_identity(&self, caller: &Credentials) -> Result<CallerIdentity, StsError> {
        const OPERATION: &str = "GetCallerIdentity";
        let started = std::time::Instant::now();
        let out = self
            .run(self.client(caller).get_caller_identity().send())?
            .map_err(|e| self.error(OPERATION, e, started.elapsed()))?;
        let field = |value: Option<&str>, name: &str| {
            value.map(str::to_string).ok_or_else(|| {
                AwsError::other(
                    Service::Sts,
                    OPERATION,
                    format!("the response has no {name}"),
                )
            })
        };
        Ok(CallerIdentity {
            account: field(out.account(), "Account")?,
            arn: field(out.arn(), "Arn")?,
            user_id: field(out.user_id(), "UserId")?,
        })
    }
}

fn convert(
    operation: &'static str,
    c: Option<&aws_sdk_sts::types::Credentials>,
) -> Result<Credentials, StsError> {
    let c = c.ok_or_else(|| {
        AwsError::other(Service::Sts, operation, "the response holds no credentials")
    })?;
    Ok(Credentials {
        access_key_id: SecretString::from(c.access_key_id()),
        secret_access_key: SecretString::from(c.secret_access_key()),
        session_token: Some(SecretString::from(c.session_token())),
        expiration: Some(SystemTime::try_from(*c.expiration()).map_err(|e| {
            AwsError::other(Service::Sts, operation, format!("bad expiration: {e}"))
        })?),
    })
}

impl Sts for SdkSts {
    fn get_session_token(
        &self,
        caller: &Credentials,
        duration: Duration,
        mfa: Option<MfaCode>,
    ) -> Result<Credentials, StsError> {
        let mut req = self
            .client(caller)
            .get_session_token()
            .duration_seconds(duration.as_secs() as i32);
        if let Some(mfa) = mfa {
            req = req
                .serial_number(mfa.serial.as_str())
                .token_code(mfa.code.expose_secret());
        }
        let started = std::time::Instant::now();
        let out = self
            .run(req.send())?
            .map_err(|e| self.error("GetSessionToken", e, started.elapsed()))?;
        convert("GetSessionToken", out.credentials())
    }

    fn assume_role(
        &self,
        caller: &Credentials,
        step: &RoleStep,
        session_name: &str,
        mfa: Option<MfaCode>,
    ) -> Result<Credentials, StsError> {
        let mut req = self
            .client(caller)
            .assume_role()
            .role_arn(step.role_arn.as_str())
            .role_session_name(step.session_name.as_deref().unwrap_or(session_name))
            .duration_seconds(step.duration.as_secs() as i32);
        if let Some(id) = &step.external_id {
            req = req.external_id(id);
        }
        if let Some(mfa) = mfa {
            req = req
                .serial_number(mfa.serial.as_str())
                .token_code(mfa.code.expose_secret());
        }
        let started = std::time::Instant::now();
        let out = self
            .run(req.send())?
            .map_err(|e| self.error("AssumeRole", e, started.elapsed()))?;
        convert("AssumeRole", out.credentials())
    }
}
