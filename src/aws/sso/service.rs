//! IAM Identity Center's two APIs behind one small trait, so that signing
//! in reads top to bottom and is testable alone: the OIDC API (registering
//! a client, the device authorization, tokens) and the portal API (role
//! credentials, the accounts and roles a person is assigned, logout).
//! [`SdkIdentityCenter`] is the real one, on the SDK's own clients.

use secrecy::{ExposeSecret, SecretString};
use std::time::{Duration, SystemTime};

use super::token::Client;
use crate::aws::call::{self, Blocking, BoundedResponses};
use crate::aws::error::{AwsError, Service};
use crate::aws::Credentials;

/// IAM Identity Center's failures: an [`AwsError`] naming it.
pub type SsoError = AwsError;

/// What StartDeviceAuthorization gives: the code the person confirms at
/// the verification URL, and how to poll for the token meanwhile.
pub struct DeviceAuthorization {
    pub device_code: SecretString,
    pub user_code: String,
    pub verification_uri: String,
    /// The URL with the code in it, when the service gives one.
    pub verification_uri_complete: Option<String>,
    pub expires_in: Duration,
    pub interval: Duration,
}

/// A token CreateToken issued.
pub struct Issued {
    pub access_token: SecretString,
    pub expires_in: Duration,
    pub refresh_token: Option<SecretString>,
}

/// What CreateToken is asked with.
pub enum Grant<'a> {
    /// The device code, while the person approves (RFC 8628).
    Device(&'a SecretString),
    Refresh(&'a SecretString),
}

/// An account the person is assigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub email: String,
}

pub trait IdentityCenter {
    /// A public OIDC client for envact, as the AWS CLI registers its own.
    fn register_client(&self) -> Result<Client, SsoError>;
    fn start_device_authorization(
        &self,
        client: &Client,
        start_url: &str,
    ) -> Result<DeviceAuthorization, SsoError>;
    fn create_token(&self, client: &Client, grant: Grant) -> Result<Issued, SsoError>;
    fn role_credentials(
        &self,
        access_token: &SecretString,
        account_id: &str,
        role_name: &str,
    ) -> Result<Credentials, SsoError>;
    fn accounts(&self, access_token: &SecretString) -> Result<Vec<Account>, SsoError>;
    fn roles(&self, access_token: &SecretString, account_id: &str)
        -> Result<Vec<String>, SsoError>;
    fn logout(&self, access_token: &SecretString) -> Result<(), SsoError>;
}

/// The name envact's OIDC client is registered with.
const CLIENT_NAME: &str = "envact";

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The two APIs through the SDK, in one region.
pub struct SdkIdentityCenter {
    region: String,
    /// `AWS_ENDPOINT_URL_SSO_OIDC` (or the files' equivalent), when set.
    oidc_endpoint: Option<String>,
    /// `AWS_ENDPOINT_URL_SSO`, when set.
    portal_endpoint: Option<String>,
    blocking: Blocking,
}

impl SdkIdentityCenter {
    pub fn new(
        region: &str,
        oidc_endpoint: Option<String>,
        portal_endpoint: Option<String>,
        on_thread_start: fn(),
    ) -> SdkIdentityCenter {
        SdkIdentityCenter {
            region: region.to_string(),
            oidc_endpoint,
            portal_endpoint,
            blocking: Blocking::new(on_thread_start),
        }
    }

    fn oidc(&self) -> aws_sdk_ssooidc::Client {
        let shared = call::shared_config(&self.region);
        let mut builder =
            aws_sdk_ssooidc::config::Builder::from(&shared).interceptor(BoundedResponses);
        if let Some(url) = &self.oidc_endpoint {
            builder = builder.endpoint_url(url);
        }
        aws_sdk_ssooidc::Client::from_conf(builder.build())
    }

    fn portal(&self) -> aws_sdk_sso::Client {
        let shared = call::shared_config(&self.region);
        let mut builder = aws_sdk_sso::config::Builder::from(&shared).interceptor(BoundedResponses);
        if let Some(url) = &self.portal_endpoint {
            builder = builder.endpoint_url(url);
        }
        aws_sdk_sso::Client::from_conf(builder.build())
    }

    /// Runs one call; `endpoint` names where it went, for a timeout.
    fn call<F, T, E>(
        &self,
        operation: &'static str,
        endpoint: String,
        work: F,
    ) -> Result<T, SsoError>
    where
        F: std::future::Future<Output = Result<T, aws_sdk_sts::error::SdkError<E>>>,
        E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + 'static,
    {
        let started = std::time::Instant::now();
        let out = self
            .blocking
            .run(work)
            .map_err(|detail| AwsError::other(Service::IdentityCenter, "setup", detail))?;
        out.map_err(|err| {
            let waited = started.elapsed();
            AwsError::of(Service::IdentityCenter, operation, &endpoint, &err, waited)
        })
    }

    fn oidc_name(&self) -> String {
        self.oidc_endpoint
            .clone()
            .unwrap_or_else(|| format!("oidc.{}.amazonaws.com", self.region))
    }

    fn portal_name(&self) -> String {
        self.portal_endpoint
            .clone()
            .unwrap_or_else(|| format!("portal.sso.{}.amazonaws.com", self.region))
    }
}

fn at_unix_secs(secs: i64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs.max(0) as u64)
}

fn missing(operation: &'static str, what: &str) -> SsoError {
    AwsError::other(
        Service::IdentityCenter,
        operation,
        format!("the response has no {what}"),
    )
}

impl IdentityCenter for SdkIdentityCenter {
    fn register_client(&self) -> Result<Client, SsoError> {
        const OP: &str = "RegisterClient";
        let req = self
            .oidc()
            .register_client()
            .client_name(CLIENT_NAME)
            .client_type("public");
        let out = self.call(OP, self.oidc_name(), req.send())?;
        Ok(Client {
            id: out.client_id().ok_or(missing(OP, "clientId"))?.to_string(),
            secret: SecretString::from(out.client_secret().ok_or(missing(OP, "clientSecret"))?),
            expires_at: at_unix_secs(out.client_secret_expires_at()),
        })
    }

    fn start_device_authorization(
        &self,
        client: &Client,
        start_url: &str,
    ) -> Result<DeviceAuthorization, SsoError> {
        const OP: &str = "StartDeviceAuthorization";
        let req = self
            .oidc()
            .start_device_authorization()
            .client_id(&client.id)
            .client_secret(client.secret.expose_secret())
            .start_url(start_url);
        let out = self.call(OP, self.oidc_name(), req.send())?;
        Ok(DeviceAuthorization {
            device_code: SecretString::from(out.device_code().ok_or(missing(OP, "deviceCode"))?),
            user_code: out.user_code().ok_or(missing(OP, "userCode"))?.to_string(),
            verification_uri: out
                .verification_uri()
                .ok_or(missing(OP, "verificationUri"))?
                .to_string(),
            verification_uri_complete: out.verification_uri_complete().map(str::to_string),
            expires_in: Duration::from_secs(out.expires_in().max(0) as u64),
            // RFC 8628: five seconds when the server says nothing.
            interval: Duration::from_secs(match out.interval() {
                i if i > 0 => i as u64,
                _ => 5,
            }),
        })
    }

    fn create_token(&self, client: &Client, grant: Grant) -> Result<Issued, SsoError> {
        const OP: &str = "CreateToken";
        let mut req = self
            .oidc()
            .create_token()
            .client_id(&client.id)
            .client_secret(client.secret.expose_secret());
        req = match grant {
            Grant::Device(code) => req
                .grant_type(DEVICE_GRANT)
                .device_code(code.expose_secret()),
            Grant::Refresh(token) => req
                .grant_type("refresh_token")
                .refresh_token(token.expose_secret()),
        };
        let out = self.call(OP, self.oidc_name(), req.send())?;
        Ok(Issued {
            access_token: SecretString::from(out.access_token().ok_or(missing(OP, "accessToken"))?),
            expires_in: Duration::from_secs(out.expires_in().max(0) as u64),
            refresh_token: out.refresh_token().map(SecretString::from),
        })
    }

    fn role_credentials(
        &self,
        access_token: &SecretString,
        account_id: &str,
        role_name: &str,
    ) -> Result<Credentials, SsoError> {
        const OP: &str = "GetRoleCredentials";
        let req = self
            .portal()
            .get_role_credentials()
            .access_token(access_token.expose_secret())
            .account_id(account_id)
            .role_name(role_name);
        let out = self.call(OP, self.portal_name(), req.send())?;
        let c = out
            .role_credentials()
            .ok_or(missing(OP, "roleCredentials"))?;
        Ok(Credentials {
            access_key_id: SecretString::from(c.access_key_id().ok_or(missing(OP, "accessKeyId"))?),
            secret_access_key: SecretString::from(
                c.secret_access_key()
                    .ok_or(missing(OP, "secretAccessKey"))?,
            ),
            session_token: Some(SecretString::from(
                c.session_token().ok_or(missing(OP, "sessionToken"))?,
            )),
            // Milliseconds since the epoch.
            expiration: Some(
                SystemTime::UNIX_EPOCH + Duration::from_millis(c.expiration().max(0) as u64),
            ),
        })
    }

    fn accounts(&self, access_token: &SecretString) -> Result<Vec<Account>, SsoError> {
        const OP: &str = "ListAccounts";
        let mut accounts = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let req = self
                .portal()
                .list_accounts()
                .access_token(access_token.expose_secret())
                .set_next_token(next.take());
            let out = self.call(OP, self.portal_name(), req.send())?;
            accounts.extend(out.account_list().iter().map(|a| Account {
                id: a.account_id().unwrap_or_default().to_string(),
                name: a.account_name().unwrap_or_default().to_string(),
                email: a.email_address().unwrap_or_default().to_string(),
            }));
            match out.next_token() {
                Some(token) if !token.is_empty() => next = Some(token.to_string()),
                _ => return Ok(accounts),
            }
        }
    }

    fn roles(
        &self,
        access_token: &SecretString,
        account_id: &str,
    ) -> Result<Vec<String>, SsoError> {
        const OP: &str = "ListAccountRoles";
        let mut roles = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let req = self
                .portal()
                .list_account_roles()
                .access_token(access_token.expose_secret())
                .account_id(account_id)
                .set_next_token(next.take());
            let out = self.call(OP, self.portal_name(), req.send())?;
            roles.extend(
                out.role_list()
                    .iter()
                    .filter_map(|r| r.role_name().map(str::to_string)),
            );
            match out.next_token() {
                Some(token) if !token.is_empty() => next = Some(token.to_string()),
                _ => return Ok(roles),
            }
        }
    }

    fn logout(&self, access_token: &SecretString) -> Result<(), SsoError> {
        let req = self
            .portal()
            .logout()
            .access_token(access_token.expose_secret());
        self.call("Logout", self.portal_name(), req.send())?;
        Ok(())
    }
}
