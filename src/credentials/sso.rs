//! IAM Identity Center as where credentials start: a token had as cheaply
//! as it can be (see [`crate::aws::sso::sign_in`]), the person approving a
//! new sign-in through the [`Ui`] (the URL and code shown, the browser
//! opened), then the role's credentials from the portal. A token the portal
//! refuses although it looked good (signed out elsewhere) means one new
//! sign-in where someone can approve it.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use crate::aws::flow::Start;
use crate::aws::profile::AwsFiles;
use crate::aws::sso::service::{DeviceAuthorization, IdentityCenter, SdkIdentityCenter};
use crate::aws::sso::sign_in::{self, Approver, Had};
use crate::aws::sso::token::Token;
use crate::aws::sso::SsoConfig;
use crate::ui::{SignInRequest, Ui};
use crate::Error;

/// A sign-in, the two APIs it goes through, and the home its token is
/// cached under.
pub struct Sso {
    pub config: SsoConfig,
    pub center: SdkIdentityCenter,
    pub home: PathBuf,
}

impl Sso {
    /// `var` reads the environment as commands see it, for the endpoints.
    pub fn new(
        config: SsoConfig,
        files: &AwsFiles,
        var: &dyn Fn(&str) -> Option<String>,
        home: PathBuf,
    ) -> Sso {
        let center = SdkIdentityCenter::new(
            &config.region,
            files.endpoint("SSO OIDC", var),
            files.endpoint("SSO", var),
            crate::shell::supervise::block_in_this_thread,
        );
        Sso {
            config,
            center,
            home,
        }
    }

    /// A token, signing in when needed and someone is there (`present`).
    pub fn token(
        &self,
        ui: &dyn Ui,
        present: bool,
        open_browser: bool,
    ) -> Result<(Token, Had), Error> {
        let approver = UiApprover {
            ui,
            present,
            open_browser,
        };
        Ok(sign_in::token(
            &self.config,
            &self.home,
            &self.center,
            &approver,
            SystemTime::now(),
        )?)
    }

    /// The role's credentials: the flow's start. A sign-in is started only
    /// when `may_ask` and someone is at the terminal.
    pub fn start(&self, ui: &dyn Ui, may_ask: bool) -> Result<Start, Error> {
        let present = may_ask && ui.interactive();
        let (token, had) = self.token(ui, present, true)?;
        let label = format!(
            "Getting {} credentials in account {}",
            self.config.role_name, self.config.account_id
        );
        let get = |token: &Token| {
            crate::ui::busy(ui, &label, || {
                self.center.role_credentials(
                    &token.access_token,
                    &self.config.account_id,
                    &self.config.role_name,
                )
            })
        };
        match get(&token) {
            Ok(credentials) => Ok(Start::Temporary(credentials)),
            // Signed out elsewhere, or revoked: once more, from a new sign-in.
            Err(e)
                if e.code() == Some("UnauthorizedException") && had != Had::SignedIn && present =>
            {
                let approver = UiApprover {
                    ui,
                    present,
                    open_browser: true,
                };
                let token = sign_in::sign_in_anew(
                    &self.config,
                    &self.home,
                    &self.center,
                    &approver,
                    SystemTime::now(),
                )?;
                Ok(Start::Temporary(get(&token)?))
            }
            Err(e) if e.code() == Some("UnauthorizedException") => {
                Err(sign_in::SignInError::Needed {
                    start_url: self.config.start_url.clone(),
                }
                .into())
            }
            // Not assigned: say what the person is assigned instead (or,
            // when the portal cannot list it, what it said).
            Err(e) if e.code() == Some("ForbiddenException") => {
                let assigned = Assigned::signed_in(self, ui, token);
                let (account, role) = (&self.config.account_id, &self.config.role_name);
                match assigned
                    .check_account(account)
                    .and_then(|()| assigned.check_role(account, role))
                {
                    Err(said @ (Error::NotAssigned { .. } | Error::NothingAssigned { .. })) => {
                        Err(said)
                    }
                    _ => Err(e.into()),
                }
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// The person's side of a sign-in, through the [`Ui`].
struct UiApprover<'a> {
    ui: &'a dyn Ui,
    present: bool,
    open_browser: bool,
}

impl Approver for UiApprover<'_> {
    fn present(&self) -> bool {
        self.present
    }

    fn approve(&self, start_url: &str, auth: &DeviceAuthorization) {
        self.ui.approve_sign_in(&SignInRequest {
            start_url,
            url: auth
                .verification_uri_complete
                .as_deref()
                .unwrap_or(&auth.verification_uri),
            code: &auth.user_code,
            open_browser: self.open_browser,
        });
    }

    fn wait(&self, interval: Duration) {
        crate::ui::busy(
            self.ui,
            "Waiting for the sign-in to be approved in the browser",
            || std::thread::sleep(interval),
        );
    }
}

/// What the sign-in is assigned, for the wizard and `setup --sso-account`:
/// signed in once (when needed), then listed by the portal.
pub struct Assigned<'a> {
    sso: &'a Sso,
    ui: &'a dyn Ui,
    token: std::cell::OnceCell<Token>,
}

impl<'a> Assigned<'a> {
    pub fn new(sso: &'a Sso, ui: &'a dyn Ui) -> Assigned<'a> {
        Assigned {
            sso,
            ui,
            token: std::cell::OnceCell::new(),
        }
    }

    /// With a token already had.
    fn signed_in(sso: &'a Sso, ui: &'a dyn Ui, token: Token) -> Assigned<'a> {
        Assigned {
            sso,
            ui,
            token: std::cell::OnceCell::from(token),
        }
    }

    /// Refuses an account the sign-in is not assigned, listing those it is.
    pub fn check_account(&self, account_id: &str) -> Result<(), Error> {
        use crate::wizard::SsoAssignments;
        let ids: Vec<String> = self.accounts()?.into_iter().map(|a| a.id).collect();
        match ids.iter().any(|id| id == account_id) {
            true => Ok(()),
            false => Err(self.not_assigned("account", account_id, ids)),
        }
    }

    /// Refuses a role the sign-in is not assigned in `account_id`, listing
    /// those it is.
    pub fn check_role(&self, account_id: &str, role_name: &str) -> Result<(), Error> {
        use crate::wizard::SsoAssignments;
        let roles = self.roles(account_id)?;
        match roles.iter().any(|r| r == role_name) {
            true => Ok(()),
            false => Err(self.not_assigned("role", role_name, roles)),
        }
    }

    fn not_assigned(&self, what: &'static str, value: &str, available: Vec<String>) -> Error {
        Error::NotAssigned {
            what,
            value: value.to_string(),
            available,
            start_url: self.sso.config.start_url.clone(),
        }
    }

    fn token(&self) -> Result<&Token, Error> {
        if let Some(token) = self.token.get() {
            return Ok(token);
        }
        let (token, _) = self.sso.token(self.ui, true, true)?;
        Ok(self.token.get_or_init(|| token))
    }

    fn nothing(&self, what: String) -> Error {
        Error::NothingAssigned {
            what,
            start_url: self.sso.config.start_url.clone(),
        }
    }
}

impl crate::wizard::SsoAssignments for Assigned<'_> {
    fn accounts(&self) -> Result<Vec<crate::aws::sso::service::Account>, Error> {
        let token = self.token()?;
        let accounts = crate::ui::busy(self.ui, "Listing your AWS accounts", || {
            self.sso.center.accounts(&token.access_token)
        })?;
        match accounts.is_empty() {
            true => Err(self.nothing("no AWS account".into())),
            false => Ok(accounts),
        }
    }

    fn roles(&self, account_id: &str) -> Result<Vec<String>, Error> {
        let token = self.token()?;
        let label = format!("Listing your roles in account {account_id}");
        let roles = crate::ui::busy(self.ui, &label, || {
            self.sso.center.roles(&token.access_token, account_id)
        })?;
        match roles.is_empty() {
            true => Err(self.nothing(format!("no role in account {account_id}"))),
            false => Ok(roles),
        }
    }
}
