//! STS: GetSessionToken and AssumeRole behind a small trait, so the credential
//! flow reads top to bottom and is testable alone. [`SdkSts`] is the real one,
//! on the AWS SDK with a current-thread tokio runtime made on its first call:
//! a warm cache never builds it.

use crate::visible;
use secrecy::{ExposeSecret, SecretString};
use std::cell::OnceCell;
use std::time::{Duration, SystemTime};

use super::profile::RoleStep;
use super::{Credentials, MfaSerial};

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum StsError {
    #[error("STS {operation} failed with {code}: {message}")]
    Service {
        operation: &'static str,
        code: String,
        message: String,
    },

    #[error("cannot reach STS at {endpoint}: {detail}")]
    Unreachable { endpoint: String, detail: String },

    #[error("STS {operation} failed: {detail}")]
    Other {
        operation: &'static str,
        detail: String,
    },
}

impl StsError {
    /// Whether trying again later may work: STS could not be reached, or
    /// said it is throttling or failing itself.
    pub fn is_transient(&self) -> bool {
        match self {
            StsError::Unreachable { .. } => true,
            StsError::Service { code, .. } => matches!(
                code.as_str(),
                "Throttling"
                    | "ThrottlingException"
                    | "RequestLimitExceeded"
                    | "InternalFailure"
                    | "InternalError"
                    | "ServiceUnavailable"
                    | "IDPCommunicationError"
            ),
            StsError::Other { .. } => false,
        }
    }

    pub fn code(&self) -> Option<&str> {
        match self {
            StsError::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    /// STS's answer to a wrong or reused MFA code.
    pub fn is_mfa_rejected(&self) -> bool {
        matches!(self, StsError::Service { code, message, .. }
            if code == "AccessDenied" && message.contains("MultiFactorAuthentication"))
    }
}

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

    /// Role credentials for `caller` (long-term keys, session or role credentials).
    fn assume_role(
        &self,
        caller: &Credentials,
        step: &RoleStep,
        session_name: &str,
    ) -> Result<Credentials, StsError>;
}

/// How long connecting to STS, and then waiting for its answer, may take:
/// STS answers in well under a second, so a silent endpoint is named soon.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
pub const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// All attempts of one call together.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(12);

/// The largest STS response read: a real one is a few KiB; an endpoint that
/// streams without end is cut off here instead of filling memory.
pub const MAX_RESPONSE: usize = 1024 * 1024;

/// Reads every response body through a limit of [`MAX_RESPONSE`] bytes.
#[derive(Debug)]
struct BoundedResponses;

impl aws_sdk_sts::config::Intercept for BoundedResponses {
    fn name(&self) -> &'static str {
        "BoundedResponses"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut aws_sdk_sts::config::interceptors::BeforeDeserializationInterceptorContextMut<
            '_,
        >,
        _: &aws_sdk_sts::config::RuntimeComponents,
        _: &mut aws_sdk_sts::config::ConfigBag,
    ) -> Result<(), aws_sdk_sts::error::BoxError> {
        use aws_smithy_types::body::SdkBody;
        let body = context.response_mut().body_mut();
        let whole = std::mem::replace(body, SdkBody::taken());
        *body =
            whole.map(|b| SdkBody::from_body_1_x(http_body_util::Limited::new(b, MAX_RESPONSE)));
        Ok(())
    }
}

/// STS through the AWS SDK.
pub struct SdkSts {
    region: String,
    endpoint: Option<String>,
    on_thread_start: fn(),
    runtime: OnceCell<tokio::runtime::Runtime>,
}

impl SdkSts {
    /// `endpoint` is `AWS_ENDPOINT_URL_STS` (or `AWS_ENDPOINT_URL`) when set.
    /// `on_thread_start` runs in each thread the runtime starts (its blocking
    /// pool, for DNS lookups): the caller keeps its signals away from them.
    pub fn new(region: &str, endpoint: Option<String>, on_thread_start: fn()) -> SdkSts {
        SdkSts {
            region: region.to_string(),
            endpoint,
            on_thread_start,
            runtime: OnceCell::new(),
        }
    }

    fn runtime(&self) -> Result<&tokio::runtime::Runtime, StsError> {
        if let Some(runtime) = self.runtime.get() {
            return Ok(runtime);
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .on_thread_start(self.on_thread_start)
            .build()
            .map_err(|e| StsError::Other {
                operation: "setup",
                detail: e.to_string(),
            })?;
        Ok(self.runtime.get_or_init(|| runtime))
    }

    fn client(&self, caller: &Credentials) -> aws_sdk_sts::Client {
        use aws_sdk_sts::config;
        let creds = config::Credentials::new(
            caller.access_key_id.expose_secret(),
            caller.secret_access_key.expose_secret(),
            caller
                .session_token
                .as_ref()
                .map(|t| t.expose_secret().to_string()),
            caller.expiration,
            "envact",
        );
        let mut builder = config::Builder::new()
            .behavior_version(config::BehaviorVersion::latest())
            .region(config::Region::new(self.region.clone()))
            .credentials_provider(creds)
            .interceptor(BoundedResponses)
            .retry_config(config::retry::RetryConfig::standard().with_max_attempts(2))
            .timeout_config(
                config::timeout::TimeoutConfig::builder()
                    .connect_timeout(CONNECT_TIMEOUT)
                    .read_timeout(READ_TIMEOUT)
                    .operation_timeout(OPERATION_TIMEOUT)
                    .build(),
            );
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
        use aws_sdk_sts::error::SdkError;
        match &err {
            // The server's words reach a terminal: bounded, controls shown.
            SdkError::ServiceError(se) => StsError::Service {
                operation,
                code: visible::line(se.err().code().unwrap_or("Unknown"), visible::NAME),
                message: visible::line(se.err().message().unwrap_or(""), visible::MESSAGE),
            },
            SdkError::TimeoutError(_) => StsError::Unreachable {
                endpoint: self.endpoint_name(),
                detail: no_answer(waited),
            },
            SdkError::DispatchFailure(f) if f.is_timeout() => StsError::Unreachable {
                endpoint: self.endpoint_name(),
                detail: no_answer(waited),
            },
            SdkError::DispatchFailure(_) => StsError::Unreachable {
                endpoint: self.endpoint_name(),
                detail: visible::line(&cause(&err), visible::MESSAGE),
            },
            _ => StsError::Other {
                operation,
                detail: visible::line(&cause(&err), visible::MESSAGE),
            },
        }
    }
}

/// A timeout, with the time really waited (the SDK tries more than once,
/// each try bounded by the read timeout).
fn no_answer(waited: Duration) -> String {
    format!(
        "no answer after {:.0} s (each try waits {} s)",
        waited.as_secs_f64(),
        READ_TIMEOUT.as_secs()
    )
}

/// What went wrong, in words: the messages of the error and its sources,
/// each said once (the SDK's `Debug` dumps never reach the person).
fn cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut said: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        // A wrapper repeats its source; keep the most specific words.
        if !text.is_empty()
            && !said
                .iter()
                .any(|s| s.contains(&text) || text.contains(s.as_str()))
        {
            said.push(text);
        } else if let Some(last) = said.last_mut() {
            if text.len() > last.len() && text.contains(last.as_str()) {
                *last = text;
            }
        }
        next = e.source();
    }
    said.join(": ")
}

fn convert(
    operation: &'static str,
    c: Option<&aws_sdk_sts::types::Credentials>,
) -> Result<Credentials, StsError> {
    let c = c.ok_or(StsError::Other {
        operation,
        detail: "the response holds no credentials".into(),
    })?;
    Ok(Credentials {
        access_key_id: SecretString::from(c.access_key_id()),
        secret_access_key: SecretString::from(c.secret_access_key()),
        session_token: Some(SecretString::from(c.session_token())),
        expiration: Some(
            SystemTime::try_from(*c.expiration()).map_err(|e| StsError::Other {
                operation,
                detail: format!("bad expiration: {e}"),
            })?,
        ),
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
            .runtime()?
            .block_on(req.send())
            .map_err(|e| self.error("GetSessionToken", e, started.elapsed()))?;
        convert("GetSessionToken", out.credentials())
    }

    fn assume_role(
        &self,
        caller: &Credentials,
        step: &RoleStep,
        session_name: &str,
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
        let started = std::time::Instant::now();
        let out = self
            .runtime()?
            .block_on(req.send())
            .map_err(|e| self.error("AssumeRole", e, started.elapsed()))?;
        convert("AssumeRole", out.credentials())
    }
}
