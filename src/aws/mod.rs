//! AWS: the identifiers the manifest names, the long-term key's shape, profile
//! chains from the AWS config files, STS calls, the credential flow with MFA,
//! the session cache, and the export formats. It depends on nothing else in
//! envact but [`crate::ui`] (to mark slow calls). The SDK and its async
//! runtime are only touched from `sts`, on the first call, so commands that
//! never call AWS never load them.

mod arn;
pub mod cache;
pub mod call;
mod credentials;
pub mod error;
pub mod export;
pub mod flow;
pub mod iam;
mod keys;
pub mod profile;
pub mod sso;
pub mod sts;

pub use arn::{ArnError, Mfa, MfaSerial, RoleArn};
pub use credentials::{parse_rfc3339, rfc3339, Credentials};
pub use keys::{check_access_key_id, check_secret_access_key, LongTermKeys};
