//! What can stop a key rotation (`envact rotate`), and where each key is
//! then: the outcome a person needs to act on, with the advice for each.

use std::time::Duration;

use crate::aws::iam::IamError;
use crate::secrets::SecretError;

/// Why a rotation stopped, and where each key is then.
#[derive(Debug, thiserror::Error)]
pub enum RotateError {
    #[error("{backend} keys cannot be rotated by envact: it cannot write them")]
    ReadOnly { backend: &'static str },

    #[error(
        "IAM refused a new key: {source}; nothing changed, the stored key is the old one and works"
    )]
    Create { source: IamError },

    #[error("the new key could not be stored ({source}); it was deleted in IAM{}; the stored key is the old one and works", if *new_left { " (deleting it failed: it is still there, unused)" } else { "" })]
    Store { source: SecretError, new_left: bool },

    #[error("the new key did not work within {waited:?}; the old key is stored again and works, and the new one was {}", if *new_left { "not deleted (IAM refused): it is there, unused" } else { "deleted" })]
    NeverValid { waited: Duration, new_left: bool },

    #[error("the new key (…{new}) is stored and works, but the old key (…{old}) could not be deleted: {source}")]
    DeleteOld {
        old: String,
        new: String,
        source: IamError,
    },

    #[error("the new key did not work, and putting the old one back failed: {source}; the backend now holds the new key (…{new}), which IAM may still accept; the old key (…{old}) is unchanged in IAM")]
    Restore {
        old: String,
        new: String,
        source: SecretError,
    },
}

impl RotateError {
    pub fn help(&self) -> Option<String> {
        Some(match self {
            RotateError::ReadOnly { .. } => {
                "rotate the key where it is kept, or move it to a backend envact writes (`envact add`)".into()
            }
            RotateError::Create { source } if source.code() == Some("LimitExceeded") => {
                "the user has two keys already: delete the one you do not use (`aws iam list-access-keys`, `aws iam delete-access-key`), then run `envact rotate` again".into()
            }
            RotateError::Create { .. } => {
                "check that the user may create its own keys (iam:CreateAccessKey; where a policy requires MFA, give the environment its MFA device: `envact setup --mfa-serial ARN`), then run `envact rotate` again".into()
            }
            RotateError::Store { .. } => "fix the backend (see the error), then run `envact rotate` again".into(),
            RotateError::NeverValid { .. } => {
                "run `envact rotate` again later, or with a longer `--wait`".into()
            }
            RotateError::DeleteOld { old, .. } => format!(
                "delete the old key yourself: `aws iam list-access-keys` shows the one ending in {old}; `aws iam delete-access-key --access-key-id ID`"
            ),
            RotateError::Restore { .. } => {
                "run `envact rotate` again once the backend works: the stored new key is the one to keep".into()
            }
        })
    }
}
