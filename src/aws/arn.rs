//! IAM role and MFA device ARNs, checked for shape so a typo is caught when the
//! manifest is read rather than as an opaque STS error later.

use std::fmt;
use std::str::FromStr;

/// Why a string is not the ARN that was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArnError {
    pub expected: &'static str,
    pub reason: String,
}

impl fmt::Display for ArnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (expected {})", self.reason, self.expected)
    }
}

impl std::error::Error for ArnError {}

/// Parses `arn:PARTITION:iam::ACCOUNT:KIND/NAME` and returns the account and name.
fn parse_iam_arn<'a>(
    s: &'a str,
    kind: &str,
    expected: &'static str,
) -> Result<(&'a str, &'a str), ArnError> {
    let err = |reason: String| ArnError { expected, reason };
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    let [arn, partition, service, region, account, resource] = parts[..] else {
        return Err(err(format!("`{s}` is not an ARN")));
    };
    if arn != "arn" {
        return Err(err(format!("`{s}` does not start with `arn:`")));
    }
    // `aws`, `aws-cn`, `aws-us-gov`, `aws-iso-b`, and those AWS adds
    // later (`aws-eusc`): as AWS itself checks, by shape.
    let partition_ok = partition == "aws"
        || partition.strip_prefix("aws-").is_some_and(|rest| {
            !rest.is_empty()
                && !rest.ends_with('-')
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
    if !partition_ok {
        return Err(err(format!("unknown AWS partition `{partition}`")));
    }
    if service != "iam" {
        return Err(err(format!("service is `{service}`, not `iam`")));
    }
    if !region.is_empty() {
        return Err(err(format!("IAM ARNs have no region, found `{region}`")));
    }
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err(format!(
            "account `{account}` is not a 12-digit AWS account id"
        )));
    }
    match resource.split_once('/') {
        Some((k, name)) if k == kind && !name.is_empty() => Ok((account, name)),
        _ => Err(err(format!("resource `{resource}` is not `{kind}/NAME`"))),
    }
}

macro_rules! iam_arn_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $example:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            pub const EXAMPLE: &'static str = $example;

            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The 12-digit account the ARN belongs to.
            pub fn account(&self) -> &str {
                &self.0.split(':').nth(4).unwrap_or_default()
            }
        }

        impl FromStr for $name {
            type Err = ArnError;
            fn from_str(s: &str) -> Result<Self, ArnError> {
                parse_iam_arn(s, $kind, $example)?;
                Ok($name(s.to_string()))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

iam_arn_type!(
    /// The ARN of an IAM role to assume.
    RoleArn,
    "role",
    "arn:aws:iam::123456789012:role/NAME"
);
/// An MFA device as STS takes it in `SerialNumber`: a virtual device's ARN,
/// or a hardware token's serial number (`GAHT12345678`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaSerial(String);

impl MfaSerial {
    pub const EXAMPLE: &'static str =
        "arn:aws:iam::123456789012:mfa/NAME, or a hardware token's serial number such as GAHT12345678";

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for MfaSerial {
    type Err = ArnError;
    fn from_str(s: &str) -> Result<Self, ArnError> {
        if s.starts_with("arn:") {
            parse_iam_arn(s, "mfa", Self::EXAMPLE)?;
            return Ok(MfaSerial(s.to_string()));
        }
        // A hardware token's serial: letters and digits (GAHT12345678),
        // within STS's bounds for SerialNumber (9 to 256 characters). A
        // typo of an ARN (`arn-aws...`, `my-device`) is not one.
        let ok = (9..=256).contains(&s.len())
            && s.bytes().all(|b| b.is_ascii_alphanumeric())
            && s.bytes().any(|b| b.is_ascii_digit());
        match ok {
            true => Ok(MfaSerial(s.to_string())),
            false => Err(ArnError {
                expected: Self::EXAMPLE,
                reason: format!("`{s}` is neither an MFA device's ARN nor a serial number"),
            }),
        }
    }
}

impl fmt::Display for MfaSerial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's MFA device, or their answer that they have none: not the same
/// as a question not yet answered, which is `Option::None` around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mfa {
    None,
    Device(MfaSerial),
}

impl Mfa {
    pub fn device(&self) -> Option<&MfaSerial> {
        match self {
            Mfa::None => None,
            Mfa::Device(serial) => Some(serial),
        }
    }
}

/// An ARN, or `none` (or nothing at all) for no device.
impl FromStr for Mfa {
    type Err = ArnError;
    fn from_str(s: &str) -> Result<Mfa, ArnError> {
        match s.trim() {
            "" | "none" => Ok(Mfa::None),
            arn => arn.parse().map(Mfa::Device),
        }
    }
}

impl fmt::Display for Mfa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mfa::None => f.write_str("none"),
            Mfa::Device(serial) => serial.fmt(f),
        }
    }
}

/// In the answers file: the ARN, or `""` for no device.
impl serde::Serialize for Mfa {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.device().map_or("", MfaSerial::as_str))
    }
}

impl<'de> serde::Deserialize<'de> for Mfa {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Mfa, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_well_formed_arns() {
        let role: RoleArn = "arn:aws:iam::123456789012:role/admin".parse().unwrap();
        assert_eq!(role.account(), "123456789012");
        let path_role: RoleArn = "arn:aws-cn:iam::123456789012:role/team/dev"
            .parse()
            .unwrap();
        assert_eq!(
            path_role.as_str(),
            "arn:aws-cn:iam::123456789012:role/team/dev"
        );
        "arn:aws:iam::123456789012:mfa/alice"
            .parse::<MfaSerial>()
            .unwrap();
    }

    #[test]
    fn rejects_each_malformed_part_with_its_reason() {
        let cases = [
            ("admin", "is not an ARN"),
            (
                "urn:aws:iam::123456789012:role/a",
                "does not start with `arn:`",
            ),
            ("arn:gcp:iam::123456789012:role/a", "unknown AWS partition"),
            ("arn:aws:sts::123456789012:role/a", "not `iam`"),
            ("arn:aws:iam:eu-west-1:123456789012:role/a", "no region"),
            ("arn:aws:iam::1234:role/a", "12-digit"),
            ("arn:aws:iam::123456789012:user/a", "not `role/NAME`"),
            ("arn:aws:iam::123456789012:role/", "not `role/NAME`"),
        ];
        for (input, reason) in cases {
            let err = input.parse::<RoleArn>().unwrap_err();
            assert!(err.reason.contains(reason), "{input}: {err}");
        }
        assert!("arn:aws:iam::123456789012:role/a"
            .parse::<MfaSerial>()
            .is_err());
        for bad in [
            "arn:AWS:iam::123456789012:role/a",
            "arn:aws-:iam::123456789012:role/a",
            "arn:aws_x:iam::123456789012:role/a",
        ] {
            let err = bad.parse::<RoleArn>().unwrap_err();
            assert!(err.reason.contains("unknown AWS partition"), "{bad}: {err}");
        }
    }

    /// Partitions AWS adds are taken by their shape, as AWS checks them.
    #[test]
    fn a_partition_envact_has_not_heard_of_is_taken_by_its_shape() {
        for ok in [
            "arn:aws-eusc:iam::123456789012:role/a",
            "arn:aws-iso-f:iam::123456789012:role/a",
            "arn:aws-us-gov:iam::123456789012:role/a",
        ] {
            assert_eq!(ok.parse::<RoleArn>().unwrap().as_str(), ok);
        }
    }

    /// STS takes a hardware token's serial number where a virtual device
    /// has its ARN.
    #[test]
    fn a_hardware_tokens_serial_number_is_an_mfa_device() {
        for ok in [
            "GAHT12345678",
            "SMS123456",
            "arn:aws-eusc:iam::123456789012:mfa/me",
        ] {
            assert_eq!(ok.parse::<MfaSerial>().unwrap().as_str(), ok);
            assert!(matches!(ok.parse::<Mfa>(), Ok(Mfa::Device(_))));
        }
        for bad in [
            "not-an-arn",
            "GAHT1234",
            "ABCDEFGHIJ",
            "my device 1",
            &"A1".repeat(129),
        ] {
            let err = bad.parse::<MfaSerial>().unwrap_err();
            assert!(
                err.reason
                    .contains("neither an MFA device's ARN nor a serial number"),
                "{bad}: {err}"
            );
            assert!(err.expected.contains("GAHT12345678"), "{err}");
        }
    }

    #[test]
    fn no_mfa_device_is_a_value_of_its_own() {
        for (text, parsed) in [
            ("none", Some(Mfa::None)),
            ("", Some(Mfa::None)),
            (
                "arn:aws:iam::123456789012:mfa/a",
                Some(Mfa::Device(
                    "arn:aws:iam::123456789012:mfa/a".parse().unwrap(),
                )),
            ),
            ("arn:aws:iam::1:mfa/a", None),
        ] {
            assert_eq!(text.parse::<Mfa>().ok(), parsed, "{text:?}");
        }
        assert_eq!(Mfa::None.to_string(), "none");
        assert_eq!(Mfa::None.device(), None);
    }
}
