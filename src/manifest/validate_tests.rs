//! Unit tests of manifest validation.

mod suggestions {
    use super::super::*;

    #[test]
    fn a_typo_gets_the_name_it_meant() {
        let m = |given: &str| {
            did_you_mean(&format!(
                "unknown field `{given}`, expected one of `version`, `name`, `vars`, `secrets`, `aws`"
            ))
        };
        assert_eq!(m("versoin").as_deref(), Some("version"));
        assert_eq!(m("secret").as_deref(), Some("secrets"));
        assert_eq!(m("colour"), None);
        assert_eq!(
            did_you_mean("unknown variant `keyrng`, expected one of `1password`, `keyring`")
                .as_deref(),
            Some("keyring")
        );
    }
}

mod parsing {
    use super::super::*;
    use crate::manifest::{Backend, InjectMode, PersistStore};

    fn parse_ok(src: &str) -> Manifest {
        parse(src, Path::new("m.toml"), "dir").unwrap()
    }

    #[test]
    fn the_design_example_parses_into_types() {
        let m = parse_ok(
            r#"
version = 1
name = "payments-dev"
[vars]
AWS_REGION = "eu-west-1"
[secrets]
backend = "1password"
vault = "Engineering"
item = "aws-payments"
[secrets.fields]
access_key_id = "username"
secret_access_key = "credential"
mfa_totp = "one-time password"
[aws]
profile = "payments-admin"
role_arn = "arn:aws:iam::123456789012:role/admin"
mfa_serial = "arn:aws:iam::123456789012:mfa/alice"
session_duration = "2h"
inject = "server"
wrap = ["aws", "terraform"]
[persistence]
backend_session = true
sts_session = true
store = "memory"
[hook]
on-activate = "echo ready"
[profile]
common = "alias tf=terraform"
"#,
        );
        assert_eq!(m.name, "payments-dev");
        assert_eq!(m.vars["AWS_REGION"], "eu-west-1");
        let s = m.secrets.unwrap();
        assert_eq!(s.backend, Backend::OnePassword);
        assert_eq!(s.fields.mfa_totp.as_deref(), Some("one-time password"));
        let aws = m.aws.unwrap();
        assert_eq!(aws.session_duration, Duration::from_secs(7200));
        assert_eq!(aws.inject, InjectMode::Server);
        assert_eq!(aws.wrap, ["aws", "terraform"]);
        assert_eq!(aws.role_arn.unwrap().account(), "123456789012");
        assert_eq!(m.persistence.store, PersistStore::Memory);
        let hook = m.on_activate.unwrap();
        assert_eq!(hook.script, "echo ready");
        assert_eq!(
            hook.location,
            Location {
                line: 26,
                column: 15
            }
        );
    }

    #[test]
    fn defaults_are_the_safe_ones() {
        let m = parse_ok("version = 1\n[aws]\n");
        assert_eq!(m.name, "dir");
        assert!(!m.persistence.keep_backend_session() && !m.persistence.keep_sts_session());
        let aws = m.aws.unwrap();
        assert_eq!(aws.inject, InjectMode::PerCommand);
        assert_eq!(aws.wrap, ["aws"]);
        assert_eq!(aws.session_duration, Aws::DEFAULT_SESSION_DURATION);
        assert_eq!(m.persistence.agent_idle(), Persistence::DEFAULT_AGENT_IDLE);
    }

    #[test]
    fn agent_idle_is_a_duration_from_1s_to_24h() {
        let m = parse_ok("version = 1\n[persistence]\nagent_idle = \"90s\"\n");
        assert_eq!(m.persistence.agent_idle(), Duration::from_secs(90));
        for bad in ["\"0s\"", "\"2d\"", "\"soon\""] {
            let err = parse(
                &format!("version = 1\n[persistence]\nagent_idle = {bad}\n"),
                Path::new("m.toml"),
                "d",
            )
            .unwrap_err();
            assert!(
                err.to_string()
                    .starts_with("m.toml:3:14: invalid agent_idle"),
                "{err}"
            );
        }
    }

    #[test]
    fn version_is_checked_before_unknown_keys() {
        let err = parse("version = 2\nfuture = true\n", Path::new("m.toml"), "d").unwrap_err();
        assert!(
            err.to_string().contains("unsupported manifest version 2"),
            "{err}"
        );
    }
}
