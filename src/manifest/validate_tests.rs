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

/// Every bound at, just inside and just outside it, and every message with
/// its place and its help line: a bound computed wrong, or advice left
/// out, fails here.
mod bounds {
    use super::super::*;

    /// The error for `src`: its `path:line:column: message` and its help.
    fn refused(src: &str) -> (String, String) {
        let err = parse(src, Path::new("m.toml"), "d").unwrap_err();
        let help = err.help().unwrap_or_default().to_string();
        (err.to_string(), help)
    }

    fn accepted(src: &str) -> Manifest {
        parse(src, Path::new("m.toml"), "d").unwrap_or_else(|e| panic!("{src}: {e}"))
    }

    #[test]
    fn agent_idle_is_from_one_second_to_a_day_exactly() {
        let idle = |v: &str| format!("version = 1\n[persistence]\nagent_idle = \"{v}\"\n");
        for (ok, secs) in [("1s", 1), ("24h", 86_400), ("86400s", 86_400)] {
            let m = accepted(&idle(ok));
            assert_eq!(
                m.persistence.agent_idle(),
                Duration::from_secs(secs),
                "{ok}"
            );
        }
        for bad in ["999ms", "0s", "86401s", "24h 1s", "1d 1s"] {
            let (shown, help) = refused(&idle(bad));
            assert_eq!(shown, format!("m.toml:3:14: invalid agent_idle \"{bad}\""));
            assert_eq!(help, "write a duration from 1s to 24h, such as \"15m\"");
        }
    }

    #[test]
    fn a_key_may_be_kept_a_day_or_more_before_a_warning() {
        let secrets = |v: &str| {
            format!("version = 1\n[secrets]\nbackend = \"pass\"\nmax_key_age = \"{v}\"\n")
        };
        for (ok, secs) in [("1d", 86_400), ("86400s", 86_400), ("90d", 90 * 86_400)] {
            let m = accepted(&secrets(ok));
            assert_eq!(
                m.secrets.unwrap().max_key_age,
                Some(Duration::from_secs(secs)),
                "{ok}"
            );
        }
        for bad in ["86399s", "23h", "soon"] {
            let (shown, help) = refused(&secrets(bad));
            assert_eq!(shown, format!("m.toml:4:15: invalid max_key_age \"{bad}\""));
            assert_eq!(help, "write a duration of a day or more, such as \"90d\"");
        }
        assert_eq!(
            accepted("version = 1\n[secrets]\nbackend = \"pass\"\n")
                .secrets
                .unwrap()
                .max_key_age,
            None
        );
    }

    #[test]
    fn a_session_lasts_from_15_minutes_to_12_hours_exactly() {
        let aws = |v: &str| format!("version = 1\n[aws]\nsession_duration = \"{v}\"\n");
        for (ok, secs) in [("15m", 900), ("900s", 900), ("12h", 43_200)] {
            let m = accepted(&aws(ok));
            assert_eq!(
                m.aws.unwrap().session_duration,
                Duration::from_secs(secs),
                "{ok}"
            );
        }
        for bad in ["899s", "14m 59s", "43201s", "12h 1s"] {
            let (shown, help) = refused(&aws(bad));
            assert_eq!(
                shown,
                format!("m.toml:3:20: session_duration \"{bad}\" is outside what STS allows (15m to 12h)")
            );
            assert_eq!(
                help,
                "write a duration between 15m and 12h, such as \"1h\" or \"90m\""
            );
        }
        let (shown, _) = refused(&aws("soon"));
        assert!(
            shown.starts_with("m.toml:3:20: invalid duration \"soon\": "),
            "{shown}"
        );
    }

    #[test]
    fn the_refresh_margin_is_at_most_an_hour() {
        let aws = |v: &str| format!("version = 1\n[aws]\nrefresh_margin = \"{v}\"\n");
        for (ok, secs) in [("0s", 0), ("1h", 3600), ("3600s", 3600)] {
            let m = accepted(&aws(ok));
            assert_eq!(
                m.aws.unwrap().refresh_margin,
                Some(Duration::from_secs(secs)),
                "{ok}"
            );
        }
        for bad in ["3601s", "1h 1s", "later"] {
            let (shown, help) = refused(&aws(bad));
            assert_eq!(
                shown,
                format!("m.toml:3:18: invalid refresh_margin \"{bad}\"")
            );
            assert_eq!(help, "write a duration up to 1h, such as \"5m\"");
        }
    }

    #[test]
    fn a_name_is_one_to_64_characters_without_controls() {
        let named = |v: &str| format!("version = 1\nname = \"{v}\"\n");
        for ok in [
            "a".to_string(),
            "n".repeat(64),
            "é".repeat(64),
            "payments dev".into(),
        ] {
            assert_eq!(accepted(&named(&ok)).name, ok);
        }
        for (bad, why) in [
            ("", "`name` is empty"),
            ("   ", "`name` is empty"),
            (
                "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn",
                "`name` is longer than 64 characters",
            ),
            ("a\\tb", "`name` contains a control character"),
            ("a\\u001bb", "`name` contains a control character"),
        ] {
            let (shown, help) = refused(&named(bad));
            assert_eq!(shown, format!("m.toml:2:8: {why}"), "{bad:?}");
            assert_eq!(help, "use a short name such as \"payments-dev\"");
        }
    }

    #[test]
    fn variable_names_are_shell_names_neither_envacts_nor_credentials() {
        let var = |k: &str| format!("version = 1\n[vars]\n{k} = \"v\"\n");
        for ok in ["A", "_", "_X1", "lower_case", "GREETING"] {
            assert!(accepted(&var(ok)).vars.contains_key(ok), "{ok}");
        }
        let shape = "variable names are letters, digits and `_`, not starting with a digit";
        for (bad, written, why, help) in [
            ("1X", "1X", "`1X` is not a valid variable name", shape),
            ("\"A-B\"", "A-B", "`A-B` is not a valid variable name", shape),
            ("\"\"", "", "`` is not a valid variable name", shape),
            ("\"A B\"", "A B", "`A B` is not a valid variable name", shape),
            ("ENVACT_ENV", "ENVACT_ENV", "`ENVACT_ENV` is reserved: envact sets ENVACT_* variables itself", "rename the variable"),
            ("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID", "`AWS_ACCESS_KEY_ID` is a credential and does not belong in [vars]", "store long-term keys in the secrets backend (`envact add`); envact injects short-lived ones"),
            ("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY", "`AWS_SECRET_ACCESS_KEY` is a credential and does not belong in [vars]", "store long-term keys in the secrets backend (`envact add`); envact injects short-lived ones"),
            ("AWS_SESSION_TOKEN", "AWS_SESSION_TOKEN", "`AWS_SESSION_TOKEN` is a credential and does not belong in [vars]", "store long-term keys in the secrets backend (`envact add`); envact injects short-lived ones"),
        ] {
            let (shown, got_help) = refused(&var(bad));
            assert_eq!(shown, format!("m.toml:3:1: {why}"), "{written:?}");
            assert_eq!(got_help, help, "{written:?}");
        }
    }

    #[test]
    fn wrapped_commands_are_plain_names() {
        let wrap = |v: &str| format!("version = 1\n[aws]\nwrap = [{v}]\n");
        let m = accepted(&wrap(
            "\"aws\", \"terraform-1.9\", \"sam_cli\", \"cdk.v2\", \"g++\"",
        ));
        assert_eq!(
            m.aws.unwrap().wrap,
            ["aws", "terraform-1.9", "sam_cli", "cdk.v2", "g++"]
        );
        assert!(
            accepted(&wrap("")).aws.unwrap().wrap.is_empty(),
            "an empty list wraps nothing"
        );
        for bad in ["", "/usr/bin/aws", "a b", "aws;rm", "$(x)"] {
            let (shown, help) = refused(&wrap(&format!("\"{bad}\"")));
            assert_eq!(
                shown,
                format!("m.toml:3:9: `{bad}` cannot be wrapped: not a plain command name"),
                "{bad:?}"
            );
            assert_eq!(help, "list command names as typed at the prompt, such as \"aws\" or \"terraform\", without paths or spaces");
        }
    }

    #[test]
    fn arns_are_checked_and_named_with_what_they_should_look_like() {
        let (shown, help) = refused("version = 1\n[aws]\nrole_arn = \"arn:aws:iam::12:role/x\"\n");
        assert!(
            shown.starts_with("m.toml:3:12: invalid `role_arn`: "),
            "{shown}"
        );
        assert!(help.starts_with("write it as "), "{help}");
        let (shown, help) =
            refused("version = 1\n[aws]\nmfa_serial = \"arn:aws:iam::123456789012:role/x\"\n");
        assert!(
            shown.starts_with("m.toml:3:14: invalid `mfa_serial`: "),
            "{shown}"
        );
        assert!(help.starts_with("write it as "), "{help}");
    }

    #[test]
    fn the_version_is_one_integer() {
        let (shown, help) = refused("name = \"x\"\n");
        assert_eq!(shown, "m.toml:1:1: missing `version`");
        assert_eq!(help, "add `version = 1` as the first line of the manifest");
        let (shown, help) = refused("version = 2\n");
        assert_eq!(
            shown,
            "m.toml:1:11: unsupported manifest version 2; this envact reads version 1"
        );
        assert_eq!(
            help,
            "upgrade envact, or write the manifest for `version = 1`"
        );
        let (shown, help) = refused("version = \"1\"\n");
        assert_eq!(
            shown,
            "m.toml:1:11: `version` must be an integer, found string"
        );
        assert_eq!(help, "write `version = 1`");
        let (shown, _) = refused("versoin = 1\n");
        assert!(
            shown.contains("unknown field `versoin`")
                && shown.contains("(did you mean `version`?)"),
            "{shown}"
        );
    }

    #[test]
    fn each_kind_of_toml_error_gets_its_own_advice() {
        for (message, help) in [
            (
                "unknown field `x`",
                "remove the key or fix its spelling; the keys accepted here are listed above",
            ),
            ("unknown variant `x`", "use one of the values listed above"),
            (
                "invalid type: string",
                "change the value to the type named above",
            ),
            ("missing field `x`", "add the key to this table"),
            ("duplicate key `x`", "keep one of the two definitions"),
            (
                "expected `=`",
                "fix the TOML syntax here; see https://toml.io for the format",
            ),
        ] {
            assert_eq!(toml_help(message), Some(help), "{message}");
        }
        let (_, help) = refused("version = 1\n[secrets]\nbackend = 3\n");
        assert_eq!(help, "change the value to the type named above");
    }

    #[test]
    fn a_typo_is_matched_only_when_close_enough() {
        let m = |given: &str| {
            did_you_mean(&format!(
                "unknown field `{given}`, expected one of `persistence`, `aws`"
            ))
        };
        // A third of the typed length, at least one edit.
        assert_eq!(m("persistance").as_deref(), Some("persistence"));
        assert_eq!(m("aws").as_deref(), None, "the same name is no typo");
        assert_eq!(m("asw").as_deref(), Some("aws"), "a swap is one edit");
        assert_eq!(
            m("axx").as_deref(),
            None,
            "two edits of three letters is too far"
        );
        assert_eq!(
            m("persXXXXnce").as_deref(),
            None,
            "four of eleven is too far"
        );
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(did_you_mean("missing field `x`"), None);
        // Thirteen letters allow four edits: two is close enough.
        assert_eq!(
            did_you_mean(
                "unknown field `backnd_sesion`, expected one of `backend_session`, `sts_session`"
            )
            .as_deref(),
            Some("backend_session")
        );
    }

    /// Where the manifest itself sets what a person could otherwise answer:
    /// `setup --show` names the manifest, and the wizard never asks it.
    #[test]
    fn what_the_manifest_sets_is_located_where_it_is_written() {
        let m = accepted(
            "version = 1\n[secrets]\nbackend = \"pass\"\nvault = \"v\"\nitem = \"i\"\n\
             [secrets.fields]\naccess_key_id = \"a\"\nsecret_access_key = \"s\"\nmfa_totp = \"t\"\n\
             [aws]\nmfa_serial = \"arn:aws:iam::123456789012:mfa/me\"\n\
             [persistence]\nbackend_session = true\nsts_session = false\n",
        );
        let at: Vec<(&str, usize, usize)> = m
            .written_at
            .iter()
            .map(|(k, l)| (*k, l.line, l.column))
            .collect();
        assert_eq!(
            at,
            [
                ("backend", 3, 11),
                ("fields.access_key_id", 7, 17),
                ("fields.mfa_totp", 9, 12),
                ("fields.secret_access_key", 8, 21),
                ("item", 5, 8),
                ("mfa_serial", 11, 14),
                ("persistence.backend_session", 13, 19),
                ("persistence.sts_session", 14, 15),
                ("vault", 4, 9),
            ]
        );
        assert!(accepted("version = 1\n").written_at.is_empty());
    }

    #[test]
    fn a_part_may_leave_the_backend_to_another_but_the_whole_may_not() {
        let text = "version = 1\n[secrets]\nitem = \"mine\"\n";
        let path = Path::new("m.toml");
        let part = Manifest::parse_part(text, path, "p").unwrap_or_else(|e| panic!("{e}"));
        assert!(part.secrets.is_none(), "only an override");
        let whole = Manifest::parse(text, path, "p")
            .err()
            .map(|e| e.to_string());
        assert!(
            whole
                .as_deref()
                .is_some_and(|e| e.starts_with("m.toml:2:1: missing field `backend`")),
            "{whole:?}"
        );
    }
}
