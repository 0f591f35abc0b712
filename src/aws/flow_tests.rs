//! The flow against an STS, a cache and sources in memory.

use super::*;
use secrecy::ExposeSecret;
use std::cell::RefCell;
use std::collections::HashMap;

/// STS in memory: records calls, rejects MFA codes other than "123456".
#[derive(Default)]
struct FakeSts {
    log: RefCell<Vec<String>>,
    fail_assume_with: RefCell<Option<StsError>>,
}

fn issued(name: &str, ttl: u64) -> Credentials {
    Credentials {
        access_key_id: SecretString::from(name),
        secret_access_key: SecretString::from("s"),
        session_token: Some(SecretString::from("t")),
        expiration: Some(t0() + Duration::from_secs(ttl)),
    }
}

impl Sts for FakeSts {
    fn get_session_token(
        &self,
        caller: &Credentials,
        _: Duration,
        mfa: Option<MfaCode>,
    ) -> Result<Credentials, StsError> {
        let code = mfa.map(|m| m.code.expose_secret().to_string());
        self.log.borrow_mut().push(format!(
            "GST({},{})",
            caller.access_key_id.expose_secret(),
            code.clone().unwrap_or_default()
        ));
        if code.as_deref().is_some_and(|c| c != "123456") {
            return Err(StsError::Service {
                service: crate::aws::error::Service::Sts,
                operation: "GetSessionToken",
                code: "AccessDenied".into(),
                message: "MultiFactorAuthentication failed with invalid MFA one time pass code."
                    .into(),
            });
        }
        Ok(issued("session", 3600))
    }
    fn assume_role(
        &self,
        caller: &Credentials,
        step: &RoleStep,
        _: &str,
        mfa: Option<MfaCode>,
    ) -> Result<Credentials, StsError> {
        let code = mfa.map(|m| format!(",{}", m.code.expose_secret()));
        self.log.borrow_mut().push(format!(
            "AR({}->{}{})",
            caller.access_key_id.expose_secret(),
            step.role_arn.as_str().rsplit('/').next().unwrap(),
            code.clone().unwrap_or_default()
        ));
        if let Some(e) = self.fail_assume_with.borrow_mut().take() {
            return Err(e);
        }
        if code.is_some_and(|c| c != ",123456") {
            return Err(StsError::Service {
                service: crate::aws::error::Service::Sts,
                operation: "AssumeRole",
                code: "AccessDenied".into(),
                message: "MultiFactorAuthentication failed with invalid MFA one time pass code."
                    .into(),
            });
        }
        Ok(issued(
            step.role_arn.as_str().rsplit('/').next().unwrap(),
            3600,
        ))
    }
}

#[derive(Default)]
struct MemCache(RefCell<HashMap<&'static str, Credentials>>);
impl CredentialCache for MemCache {
    fn load(&self, slot: Slot) -> Option<Credentials> {
        self.0.borrow().get(key(slot)).cloned()
    }
    fn save(&self, slot: Slot, c: &Credentials) {
        self.0.borrow_mut().insert(key(slot), c.clone());
    }
    fn forget(&self, slot: Slot) {
        self.0.borrow_mut().remove(key(slot));
    }
}
fn key(slot: Slot) -> &'static str {
    match slot {
        Slot::Session => "session",
        Slot::Final => "final",
    }
}

struct Codes(RefCell<Vec<&'static str>>);
impl MfaSource<FlowError> for Codes {
    fn code(&self, _: &MfaSerial, _: u32) -> Result<SecretString, FlowError> {
        Ok(SecretString::from(self.0.borrow_mut().remove(0)))
    }
}

struct Keys;
impl Source<FlowError> for Keys {
    fn temporary(&self) -> bool {
        false
    }
    fn start(&self) -> Result<Start, FlowError> {
        Ok(Start::LongTerm(LongTermKeys {
            access_key_id: SecretString::from("AKIA"),
            secret_access_key: SecretString::from("x"),
        }))
    }
}

/// A source of role credentials (an SSO portal's), counting its calls.
#[derive(Default)]
struct Portal(RefCell<u32>);
impl Source<FlowError> for Portal {
    fn temporary(&self) -> bool {
        true
    }
    fn start(&self) -> Result<Start, FlowError> {
        *self.0.borrow_mut() += 1;
        Ok(Start::Temporary(issued("portal", 3600)))
    }
}

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000)
}

fn chain(mfa: bool, roles: &[&str]) -> ProfileChain {
    ProfileChain {
        region: None,
        base_profile: None,
        sso: None,
        mfa_serial: mfa.then(|| "arn:aws:iam::123456789012:mfa/a".parse().unwrap()),
        session_duration: Duration::from_secs(3600),
        roles: roles
            .iter()
            .map(|r| RoleStep {
                role_arn: format!("arn:aws:iam::123456789012:role/{r}")
                    .parse()
                    .unwrap(),
                external_id: None,
                session_name: None,
                duration: Duration::from_secs(3600),
                profile: None,
            })
            .collect(),
    }
}

fn run(
    chain: &ProfileChain,
    sts: &FakeSts,
    cache: &MemCache,
    codes: &[&'static str],
    now: SystemTime,
) -> Result<Credentials, FlowError> {
    run_from(&Keys, chain, sts, cache, codes, now)
}

fn run_from(
    source: &dyn Source<FlowError>,
    chain: &ProfileChain,
    sts: &dyn Sts,
    cache: &MemCache,
    codes: &[&'static str],
    now: SystemTime,
) -> Result<Credentials, FlowError> {
    let mfa = Codes(RefCell::new(codes.to_vec()));
    Flow {
        chain,
        sts,
        cache,
        mfa: &mfa,
        source,
        ui: &crate::ui::Quiet,
        now,
        margin: DEFAULT_MARGIN,
        session_name: "envact-test".into(),
    }
    .run()
}

#[test]
fn the_four_shapes_of_the_flow() {
    let table: [(bool, &[&str], &[&str]); 4] = [
        (
            true,
            &["a", "b"],
            &["GST(AKIA,123456)", "AR(session->a)", "AR(a->b)"],
        ),
        (false, &["a"], &["AR(AKIA->a)"]),
        (false, &[], &["GST(AKIA,)"]),
        (true, &[], &["GST(AKIA,123456)"]),
    ];
    for (mfa, roles, expected) in table {
        let sts = FakeSts::default();
        run(
            &chain(mfa, roles),
            &sts,
            &MemCache::default(),
            &["123456"],
            t0(),
        )
        .unwrap();
        assert_eq!(*sts.log.borrow(), expected, "mfa={mfa} roles={roles:?}");
    }
}

#[test]
fn a_rejected_code_is_asked_again_up_to_three_times() {
    let sts = FakeSts::default();
    run(
        &chain(true, &[]),
        &sts,
        &MemCache::default(),
        &["000000", "111111", "123456"],
        t0(),
    )
    .unwrap();
    assert_eq!(sts.log.borrow().len(), 3);
    let err = run(
        &chain(true, &[]),
        &FakeSts::default(),
        &MemCache::default(),
        &["1", "2", "3"],
        t0(),
    )
    .unwrap_err();
    assert!(
        matches!(err, FlowError::MfaRejected { attempts: 3, .. }),
        "{err}"
    );
}

#[test]
fn warm_cache_means_no_call_and_a_warm_session_means_no_mfa() {
    let c = chain(true, &["a"]);
    let cache = MemCache::default();
    run(&c, &FakeSts::default(), &cache, &["123456"], t0()).unwrap();

    let sts = FakeSts::default();
    run(&c, &sts, &cache, &[], t0() + Duration::from_secs(60)).unwrap();
    assert!(sts.log.borrow().is_empty());

    // Final credentials inside the margin are not served; the session is
    // still good for a new role without an MFA code.
    let mut cache_state = cache.0.borrow_mut();
    cache_state.insert("final", issued("old", 200));
    cache_state.insert("session", issued("session", 3000));
    drop(cache_state);
    let sts = FakeSts::default();
    let out = run(&c, &sts, &cache, &[], t0()).unwrap();
    assert_eq!(*sts.log.borrow(), ["AR(session->a)"]);
    assert_eq!(out.access_key_id.expose_secret(), "a");
}

#[test]
fn a_refused_cached_session_starts_over_from_the_keys() {
    let c = chain(true, &["a"]);
    let cache = MemCache::default();
    cache.save(Slot::Session, &issued("revoked", 3000));
    let sts = FakeSts::default();
    *sts.fail_assume_with.borrow_mut() = Some(StsError::Service {
        service: crate::aws::error::Service::Sts,
        operation: "AssumeRole",
        code: "ExpiredToken".into(),
        message: "The security token included in the request is expired".into(),
    });
    run(&c, &sts, &cache, &["123456"], t0()).unwrap();
    assert_eq!(
        *sts.log.borrow(),
        ["AR(revoked->a)", "GST(AKIA,123456)", "AR(session->a)"]
    );
}

#[test]
fn temporary_credentials_are_a_session_roles_go_on_top_and_are_kept() {
    // No GetSessionToken, no MFA code, whatever the chain: the source's
    // credentials are a session already.
    for roles in [&[][..], &["a", "b"]] {
        let (sts, portal, cache) = (FakeSts::default(), Portal::default(), MemCache::default());
        let out = run_from(&portal, &chain(false, roles), &sts, &cache, &[], t0()).unwrap();
        let assumed: Vec<String> = match roles {
            [] => vec![],
            _ => vec!["AR(portal->a)".into(), "AR(a->b)".into()],
        };
        assert_eq!(*sts.log.borrow(), assumed);
        let last = roles.last().copied().unwrap_or("portal");
        assert_eq!(out.access_key_id.expose_secret(), last);
        assert_eq!(*portal.0.borrow(), 1);
    }
    // Kept as the session: a new role needs neither the source nor STS
    // beyond the AssumeRole.
    let (portal, cache) = (Portal::default(), MemCache::default());
    run_from(
        &portal,
        &chain(false, &["a"]),
        &FakeSts::default(),
        &cache,
        &[],
        t0(),
    )
    .unwrap();
    cache.forget(Slot::Final);
    let sts = FakeSts::default();
    run_from(&portal, &chain(false, &["a"]), &sts, &cache, &[], t0()).unwrap();
    assert_eq!(*sts.log.borrow(), ["AR(portal->a)"]);
    assert_eq!(*portal.0.borrow(), 1, "the source was asked again");
}

#[test]
fn over_a_temporary_source_the_mfa_device_goes_with_the_first_role() {
    // As the AWS CLI does for a role profile with mfa_serial above an SSO
    // profile: no GetSessionToken (role credentials cannot call it), the
    // code on the first AssumeRole only, asked again when refused.
    let (sts, portal, cache) = (FakeSts::default(), Portal::default(), MemCache::default());
    let c = chain(true, &["a", "b"]);
    let out = run_from(&portal, &c, &sts, &cache, &["000000", "123456"], t0()).unwrap();
    assert_eq!(
        *sts.log.borrow(),
        ["AR(portal->a,000000)", "AR(portal->a,123456)", "AR(a->b)"]
    );
    assert_eq!(out.access_key_id.expose_secret(), "b");

    // From the cached session, the role needs a code again: it is the
    // role's trust that asks for MFA, not the session's.
    cache.forget(Slot::Final);
    let sts = FakeSts::default();
    run_from(&portal, &c, &sts, &cache, &["123456"], t0()).unwrap();
    assert_eq!(*sts.log.borrow(), ["AR(portal->a,123456)", "AR(a->b)"]);
    assert_eq!(*portal.0.borrow(), 1);

    // Three wrong codes end it; without roles there is nothing to give a code to.
    let err = run_from(
        &Portal::default(),
        &chain(true, &["a"]),
        &FakeSts::default(),
        &MemCache::default(),
        &["1", "2", "3"],
        t0(),
    )
    .unwrap_err();
    assert!(
        matches!(err, FlowError::MfaRejected { attempts: 3, .. }),
        "{err}"
    );
    let sts = FakeSts::default();
    run_from(
        &Portal::default(),
        &chain(true, &[]),
        &sts,
        &MemCache::default(),
        &[],
        t0(),
    )
    .unwrap();
    assert!(sts.log.borrow().is_empty());
}

#[test]
fn a_cached_session_refused_for_another_reason_is_an_error_not_a_new_start() {
    // Revoked (invalid) starts over like expired; a role refused is said.
    for (code, starts_over) in [
        ("InvalidClientTokenId", true),
        ("ExpiredToken", true),
        ("AccessDenied", false),
    ] {
        let c = chain(true, &["a"]);
        let cache = MemCache::default();
        cache.save(Slot::Session, &issued("cached", 3000));
        let sts = FakeSts::default();
        *sts.fail_assume_with.borrow_mut() = Some(StsError::Service {
            service: crate::aws::error::Service::Sts,
            operation: "AssumeRole",
            code: code.into(),
            message: "refused".into(),
        });
        let result = run(&c, &sts, &cache, &["123456"], t0());
        assert_eq!(result.is_ok(), starts_over, "{code}");
        let called_gst = sts.log.borrow().iter().any(|l| l.starts_with("GST"));
        assert_eq!(called_gst, starts_over, "{code}: {:?}", sts.log.borrow());
    }
}

#[test]
fn an_error_other_than_a_wrong_code_is_not_asked_again() {
    // GetSessionToken and, over a temporary source, the role with MFA: a
    // refusal that is not about the code ends it at once, one code asked.
    let refused = || StsError::Service {
        service: crate::aws::error::Service::Sts,
        operation: "AssumeRole",
        code: "AccessDenied".into(),
        message: "not authorized to perform sts:AssumeRole".into(),
    };
    let sts = FakeSts::default();
    *sts.fail_assume_with.borrow_mut() = Some(refused());
    let err = run_from(
        &Portal::default(),
        &chain(true, &["a"]),
        &sts,
        &MemCache::default(),
        &["123456"],
        t0(),
    )
    .unwrap_err();
    assert!(matches!(err, FlowError::Sts(_)), "{err}");
    assert_eq!(sts.log.borrow().len(), 1);

    struct Refusing(FakeSts);
    impl Sts for Refusing {
        fn get_session_token(
            &self,
            caller: &Credentials,
            d: Duration,
            mfa: Option<MfaCode>,
        ) -> Result<Credentials, StsError> {
            self.0.get_session_token(caller, d, mfa)?;
            Err(StsError::Service {
                service: crate::aws::error::Service::Sts,
                operation: "GetSessionToken",
                code: "AccessDenied".into(),
                message: "not authorized to perform sts:GetSessionToken".into(),
            })
        }
        fn assume_role(
            &self,
            caller: &Credentials,
            step: &RoleStep,
            name: &str,
            mfa: Option<MfaCode>,
        ) -> Result<Credentials, StsError> {
            self.0.assume_role(caller, step, name, mfa)
        }
    }
    let sts = Refusing(FakeSts::default());
    let err = run_from(
        &Keys,
        &chain(true, &[]),
        &sts,
        &MemCache::default(),
        &["123456", "123456"],
        t0(),
    )
    .unwrap_err();
    assert!(matches!(err, FlowError::Sts(_)), "{err}");
    assert_eq!(sts.0.log.borrow().len(), 1, "asked again");
}

#[test]
fn session_names_are_what_sts_accepts() {
    assert_eq!(session_name("alice"), "envact-alice");
    assert_eq!(session_name("a b/c"), "envact-abc");
    assert_eq!(session_name(""), "envact-user");
    assert_eq!(session_name(&"x".repeat(100)).len(), 64);
}
