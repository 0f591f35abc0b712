//! AWS: the identifiers the manifest names, profile chains from the AWS config
//! files, STS calls, the credential flow with MFA, the session cache, and the
//! export formats. The SDK and its async runtime are only touched from `sts`,
//! so commands that never call AWS never load them.

mod arn;
pub mod cache;
mod credentials;
pub mod export;
pub mod flow;
pub mod profile;
pub mod sts;

pub use arn::{ArnError, MfaSerial, RoleArn};
pub use credentials::{parse_rfc3339, rfc3339, Credentials};
