//! IAM, for `envact rotate` only: a user's own access keys created, listed
//! and deleted with the SDK's IAM client (what its calls share is in
//! [`super::call`]). IAM is global: its endpoint is the partition's one
//! (`iam.amazonaws.com`) unless `AWS_ENDPOINT_URL_IAM` (or the AWS config
//! file's endpoint settings) says otherwise.

use secrecy::SecretString;
use std::time::{Duration, SystemTime};

use super::call::{Blocking, BoundedResponses};
use super::error::{AwsError, Service};
use super::{Credentials, LongTermKeys};

/// IAM's failures: an [`AwsError`] naming IAM.
pub type IamError = AwsError;

/// One of a user's access keys, as IAM lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKey {
    pub id: String,
    /// `Active` or `Inactive`.
    pub status: String,
    pub created: Option<SystemTime>,
}

/// IAM through the AWS SDK.
pub struct SdkIam {
    region: String,
    endpoint: Option<String>,
    blocking: Blocking,
    /// One try, a short bound: a question whose answer can wait a day.
    brief: bool,
}

impl SdkIam {
    /// `endpoint` is `AWS_ENDPOINT_URL_IAM` (or `AWS_ENDPOINT_URL`) when set.
    pub fn new(region: &str, endpoint: Option<String>, on_thread_start: fn()) -> SdkIam {
        SdkIam {
            region: region.to_string(),
            endpoint,
            blocking: Blocking::new(on_thread_start),
            brief: false,
        }
    }

    /// The client for a question that may go unanswered: one try, given
    /// [`super::call::BRIEF`] to connect and answer.
    pub fn brief(self) -> SdkIam {
        SdkIam {
            brief: true,
            ..self
        }
    }

    fn client(&self, caller: &Credentials) -> aws_sdk_iam::Client {
        use aws_sdk_iam::config;
        let creds = super::call::static_credentials(caller);
        let shared = match self.brief {
            true => super::call::brief_config(&self.region),
            false => super::call::shared_config(&self.region),
        };
        let mut builder = config::Builder::from(&shared)
            .credentials_provider(creds)
            .interceptor(BoundedResponses);
        if let Some(url) = &self.endpoint {
            builder = builder.endpoint_url(url);
        }
        aws_sdk_iam::Client::from_conf(builder.build())
    }

    fn run<F: std::future::Future>(
        &self,
        operation: &'static str,
        work: F,
    ) -> Result<F::Output, IamError> {
        self.blocking
            .run(work)
            .map_err(|detail| AwsError::other(Service::Iam, operation, detail))
    }

    fn error<E>(
        &self,
        operation: &'static str,
        err: aws_sdk_iam::error::SdkError<E>,
        waited: Duration,
    ) -> IamError
    where
        E: aws_sdk_iam::error::ProvideErrorMetadata + std::error::Error + 'static,
    {
        let endpoint = self.endpoint.as_deref().unwrap_or("iam.amazonaws.com");
        AwsError::of(Service::Iam, operation, endpoint, &err, waited)
    }

    /// A new access key for the user `caller` signs as, and when IAM says
    /// it created it.
    pub fn create_access_key(
        &self,
        caller: &Credentials,
    ) -> Result<(LongTermKeys, Option<SystemTime>), IamError> {
        const OPERATION: &str = "CreateAccessKey";
        let started = std::time::Instant::now();
        let out = self
            .run(OPERATION, self.client(caller).create_access_key().send())?
            .map_err(|e| self.error(OPERATION, e, started.elapsed()))?;
        let key = out
            .access_key()
            .ok_or_else(|| AwsError::other(Service::Iam, OPERATION, "the response holds no key"))?;
        let created = key
            .create_date()
            .and_then(|d| SystemTime::try_from(*d).ok());
        let keys = LongTermKeys {
            access_key_id: SecretString::from(key.access_key_id()),
            secret_access_key: SecretString::from(key.secret_access_key()),
        };
        Ok((keys, created))
    }

    /// Deletes the access key `id` of the user `caller` signs as.
    pub fn delete_access_key(&self, caller: &Credentials, id: &str) -> Result<(), IamError> {
        const OPERATION: &str = "DeleteAccessKey";
        let started = std::time::Instant::now();
        self.run(
            OPERATION,
            self.client(caller)
                .delete_access_key()
                .access_key_id(id)
                .send(),
        )?
        .map_err(|e| self.error(OPERATION, e, started.elapsed()))?;
        Ok(())
    }

    /// The access keys of the user `caller` signs as.
    pub fn list_access_keys(&self, caller: &Credentials) -> Result<Vec<AccessKey>, IamError> {
        const OPERATION: &str = "ListAccessKeys";
        let started = std::time::Instant::now();
        let out = self
            .run(OPERATION, self.client(caller).list_access_keys().send())?
            .map_err(|e| self.error(OPERATION, e, started.elapsed()))?;
        Ok(out
            .access_key_metadata()
            .iter()
            .map(|k| AccessKey {
                id: k.access_key_id().unwrap_or_default().to_string(),
                status: k
                    .status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                created: k.create_date().and_then(|d| SystemTime::try_from(*d).ok()),
            })
            .collect())
    }
}
