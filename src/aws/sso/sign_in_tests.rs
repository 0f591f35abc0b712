//! Signing in against an Identity Center in memory that answers CreateToken
//! from a script, and a person who records what they were shown and waited.

use super::*;
use crate::aws::sso::service::{Account, Issued};
use crate::aws::Credentials;
use secrecy::{ExposeSecret, SecretString};
use std::cell::RefCell;

#[derive(Default)]
struct Center {
    /// What each CreateToken answers, in order: Ok(token name) or an error code.
    answers: RefCell<Vec<Result<&'static str, &'static str>>>,
    calls: RefCell<Vec<String>>,
}

impl Center {
    fn answering(answers: &[Result<&'static str, &'static str>]) -> Center {
        Center {
            answers: RefCell::new(answers.to_vec()),
            ..Center::default()
        }
    }

    fn calls(&self) -> Vec<String> {
        self.calls.borrow().clone()
    }
}

impl IdentityCenter for Center {
    fn register_client(&self) -> Result<Client, SsoError> {
        self.calls.borrow_mut().push("RegisterClient".into());
        Ok(Client {
            id: "new-client".into(),
            secret: SecretString::from("s"),
            expires_at: at(10_000_000),
        })
    }

    fn start_device_authorization(
        &self,
        client: &Client,
        start_url: &str,
    ) -> Result<DeviceAuthorization, SsoError> {
        self.calls.borrow_mut().push(format!(
            "StartDeviceAuthorization({},{start_url})",
            client.id
        ));
        Ok(DeviceAuthorization {
            device_code: SecretString::from("dev-code"),
            user_code: "ABCD-EFGH".into(),
            verification_uri: "https://device.sso/".into(),
            verification_uri_complete: Some("https://device.sso/?user_code=ABCD-EFGH".into()),
            expires_in: Duration::from_secs(30),
            interval: Duration::from_secs(1),
        })
    }

    fn create_token(&self, client: &Client, grant: Grant) -> Result<Issued, SsoError> {
        let what = match grant {
            Grant::Device(code) => format!("device:{}", code.expose_secret()),
            Grant::Refresh(token) => format!("refresh:{}", token.expose_secret()),
        };
        self.calls
            .borrow_mut()
            .push(format!("CreateToken({},{what})", client.id));
        let answer = if self.answers.borrow().is_empty() {
            Err("AuthorizationPendingException")
        } else {
            self.answers.borrow_mut().remove(0)
        };
        match answer {
            Ok(name) => Ok(Issued {
                access_token: SecretString::from(name),
                expires_in: Duration::from_secs(3600),
                refresh_token: Some(SecretString::from(format!("{name}-refresh"))),
            }),
            Err(code) => Err(SsoError::Service {
                service: crate::aws::error::Service::IdentityCenter,
                operation: "CreateToken",
                code: code.into(),
                message: String::new(),
            }),
        }
    }

    fn role_credentials(
        &self,
        _: &SecretString,
        _: &str,
        _: &str,
    ) -> Result<Credentials, SsoError> {
        unreachable!("signing in asks for no role")
    }

    fn accounts(&self, _: &SecretString) -> Result<Vec<Account>, SsoError> {
        unreachable!("signing in lists nothing")
    }

    fn roles(&self, _: &SecretString, _: &str) -> Result<Vec<String>, SsoError> {
        unreachable!("signing in lists nothing")
    }

    fn logout(&self, _: &SecretString) -> Result<(), SsoError> {
        unreachable!("signing in logs nothing out")
    }
}

struct Person {
    present: bool,
    shown: RefCell<Vec<String>>,
    waits: RefCell<Vec<u64>>,
}

impl Person {
    fn new(present: bool) -> Person {
        Person {
            present,
            shown: RefCell::default(),
            waits: RefCell::default(),
        }
    }
}

impl Approver for Person {
    fn present(&self) -> bool {
        self.present
    }

    fn approve(&self, _: &str, auth: &DeviceAuthorization) {
        self.shown.borrow_mut().push(auth.user_code.clone());
    }

    fn wait(&self, interval: Duration) {
        self.waits.borrow_mut().push(interval.as_secs());
    }
}

fn at(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

const NOW: u64 = 1_000_000;

fn config() -> SsoConfig {
    SsoConfig {
        start_url: "https://corp.awsapps.com/start".into(),
        region: "eu-west-1".into(),
        session: Some("corp".into()),
        account_id: "111122223333".into(),
        role_name: "Developer".into(),
    }
}

/// A cached token expiring at `expires`, refreshable until `registration`.
fn cache(home: &Path, expires: u64, registration: u64) {
    let t = Token::new(
        "https://corp.awsapps.com/start",
        "eu-west-1",
        SecretString::from("cached"),
        at(expires),
        Some(SecretString::from("cached-refresh")),
        Some(Client {
            id: "old-client".into(),
            secret: SecretString::from("s"),
            expires_at: at(registration),
        }),
    );
    token::write(&token::cache_file(home, "corp"), &t).unwrap();
}

fn cached_access(home: &Path) -> String {
    token::read(&token::cache_file(home, "corp"))
        .unwrap()
        .access_token
        .expose_secret()
        .to_string()
}

#[test]
fn a_fresh_cached_token_is_used_as_it_is() {
    let home = tempfile::tempdir().unwrap();
    cache(home.path(), NOW + 3600, NOW + 86400 * 30);
    let center = Center::default();
    let (t, had) = token(
        &config(),
        home.path(),
        &center,
        &Person::new(false),
        at(NOW),
    )
    .unwrap();
    assert_eq!(
        (t.access_token.expose_secret(), had),
        ("cached", Had::Cached)
    );
    assert!(center.calls().is_empty());
}

#[test]
fn a_token_near_its_expiry_is_refreshed_without_anyone_there() {
    let home = tempfile::tempdir().unwrap();
    cache(home.path(), NOW + 600, NOW + 86400 * 30);
    let center = Center::answering(&[Ok("refreshed")]);
    let (t, had) = token(
        &config(),
        home.path(),
        &center,
        &Person::new(false),
        at(NOW),
    )
    .unwrap();
    assert_eq!(had, Had::Refreshed);
    assert_eq!(
        center.calls(),
        ["CreateToken(old-client,refresh:cached-refresh)"]
    );
    assert_eq!(t.expires_at, at(NOW + 3600));
    assert_eq!(cached_access(home.path()), "refreshed");
}

#[test]
fn without_a_working_refresh_someone_must_sign_in_and_nobody_there_is_told_so() {
    let home = tempfile::tempdir().unwrap();
    // Expired, and its refresh refused.
    cache(home.path(), NOW - 10, NOW + 86400 * 30);
    let center = Center::answering(&[Err("InvalidGrantException")]);
    let err = token(
        &config(),
        home.path(),
        &center,
        &Person::new(false),
        at(NOW),
    )
    .unwrap_err();
    assert!(matches!(err, SignInError::Needed { .. }), "{err}");
    assert_eq!(center.calls().len(), 1, "{:?}", center.calls());
    assert_eq!(cached_access(home.path()), "cached", "the cache changed");
}

#[test]
fn the_device_flow_polls_at_the_interval_slower_after_slow_down_and_keeps_the_client() {
    let home = tempfile::tempdir().unwrap();
    // Expired; no refresh possible (registration over, a new client is needed).
    cache(home.path(), NOW - 10, NOW - 1);
    let center = Center::answering(&[
        Err("AuthorizationPendingException"),
        Err("SlowDownException"),
        Err("AuthorizationPendingException"),
        Ok("signed-in"),
    ]);
    let person = Person::new(true);
    let (t, had) = token(&config(), home.path(), &center, &person, at(NOW)).unwrap();
    assert_eq!(had, Had::SignedIn);
    assert_eq!(*person.shown.borrow(), ["ABCD-EFGH"], "shown once");
    assert_eq!(*person.waits.borrow(), [1, 1, 6, 6]);
    assert_eq!(
        center.calls()[..2],
        [
            "RegisterClient".to_string(),
            "StartDeviceAuthorization(new-client,https://corp.awsapps.com/start)".to_string()
        ]
    );
    assert_eq!(t.expires_at, at(NOW + 14 + 3600));
    let kept = token::read(&token::cache_file(home.path(), "corp")).unwrap();
    assert_eq!(kept.access_token.expose_secret(), "signed-in");
    assert_eq!(
        kept.refresh_token.unwrap().expose_secret(),
        "signed-in-refresh"
    );
    assert_eq!(kept.client.unwrap().id, "new-client");

    // A second sign-in reuses the registered client.
    let center = Center::answering(&[Ok("again")]);
    sign_in_anew(&config(), home.path(), &center, &person, at(NOW)).unwrap();
    assert_eq!(
        center.calls()[0],
        "StartDeviceAuthorization(new-client,https://corp.awsapps.com/start)"
    );
}

#[test]
fn an_expired_or_denied_sign_in_ends_with_nothing_written() {
    for (code, denied) in [
        ("ExpiredTokenException", false),
        ("AccessDeniedException", true),
    ] {
        let home = tempfile::tempdir().unwrap();
        let center = Center::answering(&[Err("AuthorizationPendingException"), Err(code)]);
        let err = token(&config(), home.path(), &center, &Person::new(true), at(NOW)).unwrap_err();
        match (&err, denied) {
            (SignInError::Denied { .. }, true) | (SignInError::Expired { .. }, false) => {}
            _ => panic!("{code}: {err}"),
        }
        assert!(!token::cache_file(home.path(), "corp").exists(), "{code}");
    }
    // Never approved: it stops once the code has expired (30 s here).
    let home = tempfile::tempdir().unwrap();
    let person = Person::new(true);
    let err = token(&config(), home.path(), &Center::default(), &person, at(NOW)).unwrap_err();
    assert!(matches!(err, SignInError::Expired { .. }), "{err}");
    assert_eq!(person.waits.borrow().iter().sum::<u64>(), 30);
}

#[test]
fn a_token_for_another_portal_is_not_used() {
    let home = tempfile::tempdir().unwrap();
    cache(home.path(), NOW + 3600, NOW + 86400 * 30);
    let other = SsoConfig {
        start_url: "https://other.awsapps.com/start".into(),
        ..config()
    };
    let center = Center::answering(&[Ok("other")]);
    let (t, had) = token(&other, home.path(), &center, &Person::new(true), at(NOW)).unwrap();
    assert_eq!(
        (t.access_token.expose_secret(), had),
        ("other", Had::SignedIn)
    );
}

#[test]
fn a_client_registration_is_reused_only_with_more_than_an_hour_left() {
    for (left, reused) in [(3600, false), (3601, true)] {
        let home = tempfile::tempdir().unwrap();
        // Expired, its refresh refused: a new sign-in, with or without the
        // registered client.
        cache(home.path(), NOW - 10, NOW + left);
        let center = Center::answering(&[Err("InvalidGrantException"), Ok("new")]);
        token(&config(), home.path(), &center, &Person::new(true), at(NOW)).unwrap();
        let registered = center.calls().contains(&"RegisterClient".to_string());
        assert_eq!(registered, !reused, "{left} s left: {:?}", center.calls());

        let home = tempfile::tempdir().unwrap();
        cache(home.path(), NOW - 10, NOW + left);
        let center = Center::answering(&[Ok("again")]);
        sign_in_anew(&config(), home.path(), &center, &Person::new(true), at(NOW)).unwrap();
        let registered = center.calls().contains(&"RegisterClient".to_string());
        assert_eq!(
            registered,
            !reused,
            "anew, {left} s left: {:?}",
            center.calls()
        );
    }
}
