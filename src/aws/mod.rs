//! AWS concepts envact works with. Profile resolution and STS calls come later;
//! for now this holds the validated identifiers the manifest refers to.

mod arn;

pub use arn::{ArnError, MfaSerial, RoleArn};
