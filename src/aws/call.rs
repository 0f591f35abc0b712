//! What every AWS call envact makes through the SDK shares (STS, and IAM
//! Identity Center's OIDC and portal APIs): the timeouts, a bound on what a
//! response may hold, the current-thread runtime made on the first call (a
//! warm cache never builds one), and the words of a failure's causes (what
//! a failed call comes to is [`super::error::AwsError`]).

use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use std::cell::OnceCell;
use std::time::Duration;

/// How long connecting, and then waiting for an answer, may take: AWS
/// answers in well under a second, so a silent endpoint is named soon.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
pub const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// All attempts of one call together.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(12);

/// The largest response read: a real one is a few KiB; an endpoint that
/// streams without end is cut off here instead of filling memory.
pub const MAX_RESPONSE: usize = 1024 * 1024;

/// Reads every response body through a limit of [`MAX_RESPONSE`] bytes.
#[derive(Debug)]
pub struct BoundedResponses;

impl aws_sdk_sts::config::Intercept for BoundedResponses {
    fn name(&self) -> &'static str {
        "BoundedResponses"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut aws_sdk_sts::config::interceptors::BeforeDeserializationInterceptorContextMut<
            '_,
        >,
        _: &aws_sdk_sts::config::RuntimeComponents,
        _: &mut aws_sdk_sts::config::ConfigBag,
    ) -> Result<(), aws_sdk_sts::error::BoxError> {
        use aws_smithy_types::body::SdkBody;
        let body = context.response_mut().body_mut();
        let whole = std::mem::replace(body, SdkBody::taken());
        *body =
            whole.map(|b| SdkBody::from_body_1_x(http_body_util::Limited::new(b, MAX_RESPONSE)));
        Ok(())
    }
}

/// How long a question whose answer can wait a day (a key's age) is
/// given in all, in one try.
pub const BRIEF: Duration = Duration::from_secs(3);

/// What every client envact makes shares: the region, two tries, the
/// timeouts above. Each SDK's config builder starts from it (adding the
/// response bound, the endpoint and the caller's credentials).
pub fn shared_config(region: &str) -> aws_types::SdkConfig {
    config(
        region,
        2,
        TimeoutConfig::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            .operation_timeout(OPERATION_TIMEOUT)
            .build(),
    )
}

/// [`shared_config`] for a question that may go unanswered: one try,
/// [`BRIEF`] in all.
pub fn brief_config(region: &str) -> aws_types::SdkConfig {
    config(
        region,
        1,
        TimeoutConfig::builder().operation_timeout(BRIEF).build(),
    )
}

fn config(region: &str, tries: u32, timeouts: TimeoutConfig) -> aws_types::SdkConfig {
    aws_types::SdkConfig::builder()
        .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
        .region(aws_types::region::Region::new(region.to_string()))
        .retry_config(RetryConfig::standard().with_max_attempts(tries))
        .timeout_config(timeouts)
        .build()
}

/// A current-thread runtime, made on first use. `on_thread_start` runs in
/// each thread it starts (its blocking pool, for DNS lookups): the caller
/// keeps its signals away from them.
pub struct Blocking {
    on_thread_start: fn(),
    runtime: OnceCell<tokio::runtime::Runtime>,
}

impl Blocking {
    pub fn new(on_thread_start: fn()) -> Blocking {
        Blocking {
            on_thread_start,
            runtime: OnceCell::new(),
        }
    }

    /// Runs `work` to its end; an error when no runtime can be made.
    pub fn run<F: std::future::Future>(&self, work: F) -> Result<F::Output, String> {
        if self.runtime.get().is_none() {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .on_thread_start(self.on_thread_start)
                .build()
                .map_err(|e| e.to_string())?;
            let _ = self.runtime.set(runtime);
        }
        match self.runtime.get() {
            Some(runtime) => Ok(runtime.block_on(work)),
            None => Err("no runtime".into()),
        }
    }
}

/// A timeout, with the time really waited (the SDK tries more than once,
/// each try bounded by the read timeout).
pub fn no_answer(waited: Duration) -> String {
    format!(
        "no answer after {:.0} s (each try waits {} s)",
        waited.as_secs_f64(),
        READ_TIMEOUT.as_secs()
    )
}

/// What went wrong, in words: the messages of the error and its sources,
/// each said once (the SDK's `Debug` dumps never reach the person).
pub fn cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut said: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        // A wrapper repeats its source; keep the most specific words.
        if !text.is_empty()
            && !said
                .iter()
                .any(|s| s.contains(&text) || text.contains(s.as_str()))
        {
            said.push(text);
        } else if let Some(last) = said.last_mut() {
            if text.len() > last.len() && text.contains(last.as_str()) {
                *last = text;
            }
        }
        next = e.source();
    }
    said.join(": ")
}

/// `caller` as the SDK clients take static credentials (every SDK crate's
/// `config::Credentials` is this one type).
pub fn static_credentials(caller: &super::Credentials) -> aws_sdk_sts::config::Credentials {
    use secrecy::ExposeSecret;
    aws_sdk_sts::config::Credentials::new(
        caller.access_key_id.expose_secret(),
        caller.secret_access_key.expose_secret(),
        caller
            .session_token
            .as_ref()
            .map(|t| t.expose_secret().to_string()),
        caller.expiration,
        "envact",
    )
}
