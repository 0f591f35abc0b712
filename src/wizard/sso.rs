//! The wizard's IAM Identity Center questions: the account and the role,
//! where `[aws.sso]` leaves them to each person, chosen among what the
//! person's sign-in is assigned (listed by the portal after signing in).

use super::{SsoAssignments, Wizard};
use crate::Error;

impl Wizard<'_> {
    pub(super) fn sso(&mut self, assigned: &dyn SsoAssignments) -> Result<(), Error> {
        // With [aws.profiles], each profile names its account and role.
        let Some(sso) = self
            .manifest
            .aws
            .as_ref()
            .filter(|a| a.profiles.is_empty())
            .and_then(|a| a.sso.as_ref())
        else {
            return Ok(());
        };
        let account = match &sso.account_id {
            Some(fixed) => fixed.clone(),
            None => {
                let accounts = assigned.accounts()?;
                let choices: Vec<String> = accounts
                    .iter()
                    .map(|a| format!("{}  {} ({})", a.id, a.name, a.email))
                    .collect();
                let current = self.answers.sso.account_id.as_deref();
                let at = accounts
                    .iter()
                    .position(|a| Some(a.id.as_str()) == current)
                    .unwrap_or(0);
                let i = self.p.select("Which AWS account?", &choices, at)?;
                let id = accounts[i].id.clone();
                self.answers.sso.account_id = Some(id.clone());
                id
            }
        };
        if sso.role_name.is_none() {
            let roles = assigned.roles(&account)?;
            let current = self.answers.sso.role_name.as_deref();
            let at = roles
                .iter()
                .position(|r| Some(r.as_str()) == current)
                .unwrap_or(0);
            let i = self
                .p
                .select(&format!("Which role in {account}?"), &roles, at)?;
            self.answers.sso.role_name = Some(roles[i].clone());
        }
        Ok(())
    }
}
