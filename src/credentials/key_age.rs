//! The long-term key's age as IAM says it. When a resolution reads the key
//! to call STS, once a day, ListAccessKeys signed by the key itself gives
//! the key's creation date, which `envact status`, `envact list` and
//! `[secrets] max_key_age` then use. Where IAM does not allow it (a policy
//! without iam:ListAccessKeys, or one that requires MFA) or does not answer
//! within [`BRIEF`](crate::aws::call::BRIEF), the time envact stored the key stands: asking never
//! fails a resolution, and costs it at most that bound once a day.

use std::time::SystemTime;

use secrecy::ExposeSecret;

use crate::aws::iam::SdkIam;
use crate::aws::LongTermKeys;
use crate::state::key_ages::KeyAges;
use crate::ui::Ui;

/// Asks IAM how old the key of one item is.
pub struct KeyAgeCheck {
    ages: KeyAges,
    /// The item's name in [`KeyAges`].
    key: String,
    iam: SdkIam,
}

impl KeyAgeCheck {
    pub fn new(ages: KeyAges, key: String, iam: SdkIam) -> KeyAgeCheck {
        KeyAgeCheck {
            ages,
            key,
            iam: iam.brief(),
        }
    }

    /// Learns `keys`' creation date from IAM, unless IAM was asked today.
    pub fn learn(&self, ui: &dyn Ui, keys: &LongTermKeys, now: SystemTime) {
        if !self.ages.ask_today(&self.key, now) {
            return;
        }
        let listed = crate::ui::busy(ui, "Asking IAM when the key was created", || {
            self.iam.list_access_keys(&keys.as_credentials())
        });
        let id = keys.access_key_id.expose_secret();
        let created = listed
            .ok()
            .and_then(|all| all.into_iter().find(|k| k.id == id))
            .and_then(|k| k.created);
        // Unnoted, the age stays as it was: nothing to tell anyone.
        let _ = self.ages.learned(&self.key, &keys.id_tail(), created, now);
    }
}
