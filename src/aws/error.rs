//! What a failed AWS call comes to, for every service envact calls (STS,
//! IAM, IAM Identity Center): the service's own error (its code and
//! message, bounded, controls shown: they reach a terminal), an endpoint
//! that could not be reached or gave no answer in time, or anything else.
//! One type naming its service, so that each client maps the SDK's errors
//! the same way and a caller asks `code()` or `is_transient()` of any.

use std::time::Duration;

// The same types for every SDK crate (they re-export smithy's).
use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};

use super::call::{cause, no_answer};
use crate::visible;

/// The AWS services envact calls, as its messages name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Sts,
    Iam,
    IdentityCenter,
}

impl std::fmt::Display for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Service::Sts => "STS",
            Service::Iam => "IAM",
            Service::IdentityCenter => "IAM Identity Center",
        })
    }
}

/// A failed call to `service`.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum AwsError {
    #[error("{service} {operation} failed with {code}: {message}")]
    Service {
        service: Service,
        operation: &'static str,
        code: String,
        message: String,
    },

    #[error("cannot reach {service} at {endpoint}: {detail}")]
    Unreachable {
        service: Service,
        endpoint: String,
        detail: String,
    },

    #[error("{service} {operation} failed: {detail}")]
    Other {
        service: Service,
        operation: &'static str,
        detail: String,
    },
}

impl AwsError {
    /// What `err`, from `service`'s `operation` at `endpoint`, comes to;
    /// `waited` is how long the call took, tries included, which a timeout
    /// reports.
    pub fn of<E>(
        service: Service,
        operation: &'static str,
        endpoint: &str,
        err: &SdkError<E, HttpResponse>,
        waited: Duration,
    ) -> AwsError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let unreachable = |detail| AwsError::Unreachable {
            service,
            endpoint: endpoint.to_string(),
            detail,
        };
        match err {
            // An answer without an error code (a proxy's page, a service
            // that fails its own format): its HTTP status is what is known.
            SdkError::ServiceError(se) if se.err().code().is_none() => AwsError::Service {
                service,
                operation,
                code: format!("HTTP {}", se.raw().status().as_u16()),
                message: visible::line(
                    se.err()
                        .message()
                        .unwrap_or("an answer without an error code"),
                    visible::MESSAGE,
                ),
            },
            SdkError::ServiceError(se) => AwsError::Service {
                service,
                operation,
                code: visible::line(se.err().code().unwrap_or_default(), visible::NAME),
                message: visible::line(se.err().message().unwrap_or(""), visible::MESSAGE),
            },
            SdkError::TimeoutError(_) => unreachable(no_answer(waited)),
            SdkError::DispatchFailure(f) if f.is_timeout() => unreachable(no_answer(waited)),
            SdkError::DispatchFailure(_) => {
                unreachable(visible::line(&cause(err), visible::MESSAGE))
            }
            _ => AwsError::other(
                service,
                operation,
                visible::line(&cause(err), visible::MESSAGE),
            ),
        }
    }

    /// A failure of `operation` that is not the service's answer (a
    /// response missing what it must hold, no runtime).
    pub fn other(service: Service, operation: &'static str, detail: impl Into<String>) -> AwsError {
        AwsError::Other {
            service,
            operation,
            detail: detail.into(),
        }
    }

    /// The service that failed.
    pub fn service(&self) -> Service {
        match self {
            AwsError::Service { service, .. }
            | AwsError::Unreachable { service, .. }
            | AwsError::Other { service, .. } => *service,
        }
    }

    /// The service's error code, when it answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            AwsError::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Whether trying again later may work: the service could not be
    /// reached, or said it is throttling or failing itself.
    pub fn is_transient(&self) -> bool {
        match self {
            AwsError::Unreachable { .. } => true,
            AwsError::Service { code, .. } => matches!(
                code.as_str(),
                "Throttling"
                    | "ThrottlingException"
                    | "RequestLimitExceeded"
                    | "InternalFailure"
                    | "InternalError"
                    | "ServiceUnavailable"
                    | "IDPCommunicationError"
            ),
            AwsError::Other { .. } => false,
        }
    }

    /// STS's answer to a wrong or reused MFA code.
    pub fn is_mfa_rejected(&self) -> bool {
        matches!(self, AwsError::Service { code, message, .. }
            if code == "AccessDenied" && message.contains("MultiFactorAuthentication"))
    }
}
