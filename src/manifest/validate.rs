//! From manifest text to a [`Manifest`]: TOML and serde catch syntax, unknown keys
//! and wrong types; the checks here catch values that are well-typed but wrong.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use std::time::Duration;
use toml::Spanned;

use super::names::{check_name, check_var_name};
use super::schema::{Head, RawAws, RawManifest};
use super::{
    Aws, Hook, Location, Manifest, ManifestError, Persistence, SecretFields, Secrets, ShellProfile,
    SCHEMA_VERSION,
};

struct Ctx<'a> {
    source: &'a str,
    path: &'a Path,
    /// The manifest is all there is; false for a part of a composition
    /// (`[include]`), whose rules that span parts are checked on the whole.
    whole: bool,
}

impl Ctx<'_> {
    fn error(
        &self,
        span: Range<usize>,
        message: impl Into<String>,
        help: Option<&str>,
    ) -> ManifestError {
        ManifestError::at(
            self.path,
            self.source,
            span,
            message,
            help.map(str::to_string),
        )
    }

    fn toml_error(&self, e: toml::de::Error) -> ManifestError {
        // serde speaks of sequences and maps; TOML users know arrays and tables.
        let mut message = e
            .message()
            .trim_end()
            .replace("a sequence", "an array")
            .replace("a map", "a table");
        if let Some(near) = did_you_mean(&message) {
            message.push_str(&format!(" (did you mean `{near}`?)"));
        }
        let help = toml_help(&message);
        self.error(e.span().unwrap_or(0..0), message, help)
    }
}

/// For "unknown field `x`, expected one of `a`, `b`" (or variant): the
/// expected name a typo most likely meant, when one is close enough.
fn did_you_mean(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))?;
    let (given, expected) = rest.split_once('`')?;
    let names = expected.split('`').skip(1).step_by(2);
    let (distance, name) = names
        .map(|name| (edit_distance(given, name), name))
        .min_by_key(|(d, _)| *d)?;
    (distance > 0 && distance <= (given.chars().count() / 3).max(1)).then(|| name.to_string())
}

/// Levenshtein distance, counting an adjacent swap as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// Advice for each kind of TOML or serde message.
fn toml_help(message: &str) -> Option<&'static str> {
    Some(if message.starts_with("unknown field") {
        "remove the key or fix its spelling; the keys accepted here are listed above"
    } else if message.starts_with("unknown variant") {
        "use one of the values listed above"
    } else if message.starts_with("invalid type") {
        "change the value to the type named above"
    } else if message.starts_with("missing field") {
        "add the key to this table"
    } else if message.starts_with("duplicate key") {
        "keep one of the two definitions"
    } else {
        "fix the TOML syntax here; see https://toml.io for the format"
    })
}

pub(super) fn parse(
    source: &str,
    path: &Path,
    default_name: &str,
) -> Result<Manifest, ManifestError> {
    parse_as(source, path, default_name, true)
}

/// `whole`: see [`Ctx::whole`].
pub(super) fn parse_as(
    source: &str,
    path: &Path,
    default_name: &str,
    whole: bool,
) -> Result<Manifest, ManifestError> {
    let cx = Ctx {
        source,
        path,
        whole,
    };
    let head: Head = toml::from_str(source).map_err(|e| cx.toml_error(e))?;
    check_version(&cx, head)?;
    let raw: RawManifest = toml::from_str(source).map_err(|e| cx.toml_error(e))?;

    let name = match raw.name {
        Some(name) => {
            let span = name.span();
            let name = name.into_inner();
            check_name(&name).map_err(|msg| {
                cx.error(span, msg, Some("use a short name such as \"payments-dev\""))
            })?;
            name
        }
        None => default_name.to_string(),
    };

    let mut vars = std::collections::BTreeMap::new();
    for (key, value) in raw.vars {
        let span = key.span();
        let key = key.into_inner();
        check_var_name(&key).map_err(|(msg, help)| cx.error(span, msg, Some(help)))?;
        vars.insert(key, value);
    }

    // Where credentials start is said once: an SSO sign-in or a backend's keys.
    if let (Some(sso), Some(_), true) = (
        raw.aws.as_ref().and_then(|a| a.sso.as_ref()),
        &raw.secrets,
        cx.whole,
    ) {
        return Err(cx.error(
            sso.span(),
            "[aws.sso] and [secrets] both say where the credentials start",
            Some("keep [aws.sso] for an IAM Identity Center sign-in, or [secrets] for long-term keys, not both"),
        ));
    }
    let aws = raw.aws.map(|aws| validate_aws(&cx, aws)).transpose()?;
    let agent_idle = raw
        .persistence
        .agent_idle
        .as_ref()
        .map(|idle| {
            humantime::parse_duration(idle.get_ref())
                .ok()
                .filter(|d| *d >= Duration::from_secs(1) && *d <= Duration::from_secs(24 * 3600))
                .ok_or_else(|| {
                    cx.error(
                        idle.span(),
                        format!("invalid agent_idle \"{}\"", idle.get_ref()),
                        Some("write a duration from 1s to 24h, such as \"15m\""),
                    )
                })
        })
        .transpose()?;

    let on_activate = raw.hook.on_activate.map(|hook| Hook {
        location: Location::from_offset(source, hook.span().start),
        script: hook.into_inner(),
        file: None,
    });

    let max_key_age = raw
        .secrets
        .as_ref()
        .and_then(|s| s.get_ref().max_key_age.as_ref())
        .map(|age| {
            humantime::parse_duration(age.get_ref())
                .ok()
                .filter(|d| *d >= Duration::from_secs(86_400))
                .ok_or_else(|| {
                    cx.error(
                        age.span(),
                        format!("invalid max_key_age \"{}\"", age.get_ref()),
                        Some("write a duration of a day or more, such as \"90d\""),
                    )
                })
        })
        .transpose()?;
    // A part's [secrets] without a backend overrides another part's: only
    // the whole must name one.
    let secrets = match raw.secrets {
        Some(s) => match s.get_ref().backend {
            Some(backend) => Some((s.into_inner(), backend)),
            None if cx.whole => {
                let message = "missing field `backend`";
                return Err(cx.error(s.span(), message, toml_help(message)));
            }
            None => None,
        },
        None => None,
    };
    let includes = super::include::validate(raw.include, source, &|span, message, help| {
        cx.error(span, message, Some(help))
    })?;

    Ok(Manifest {
        includes,
        included_hooks: Vec::new(),
        written_at: written_at(source),
        name,
        vars,
        secrets: secrets.map(|(s, backend)| Secrets {
            backend,
            vault: s.vault,
            item: s.item,
            max_key_age,
            fields: SecretFields {
                access_key_id: s.fields.access_key_id,
                secret_access_key: s.fields.secret_access_key,
                mfa_totp: s.fields.mfa_totp,
            },
            sign_in: None,
        }),
        aws,
        persistence: Persistence {
            backend_session: raw.persistence.backend_session,
            sts_session: raw.persistence.sts_session,
            store: raw.persistence.store.unwrap_or_default(),
            agent_idle,
        },
        on_activate,
        profile: ShellProfile {
            common: raw.profile.common,
            bash: raw.profile.bash,
            zsh: raw.profile.zsh,
            fish: raw.profile.fish,
        },
    })
}

/// Where the answerable settings are written, read from the (already valid)
/// source a second time with spans.
fn written_at(source: &str) -> BTreeMap<&'static str, Location> {
    use super::schema::Answerable;
    let mut at = BTreeMap::new();
    let Ok(found) = toml::from_str::<Answerable>(source) else {
        return at;
    };
    let mut put = |key: &'static str, span: Option<Range<usize>>| {
        if let Some(span) = span {
            at.insert(key, Location::from_offset(source, span.start));
        }
    };
    if let Some(s) = found.secrets {
        put("backend", s.backend.map(|v| v.span()));
        put("vault", s.vault.map(|v| v.span()));
        put("item", s.item.map(|v| v.span()));
        let f = s.fields.unwrap_or_default();
        put("fields.access_key_id", f.access_key_id.map(|v| v.span()));
        put(
            "fields.secret_access_key",
            f.secret_access_key.map(|v| v.span()),
        );
        put("fields.mfa_totp", f.mfa_totp.map(|v| v.span()));
    }
    if let Some(a) = found.aws {
        put("mfa_serial", a.mfa_serial.map(|v| v.span()));
        if let Some(sso) = a.sso {
            put("sso.account_id", sso.account_id.map(|v| v.span()));
            put("sso.role_name", sso.role_name.map(|v| v.span()));
        }
    }
    if let Some(p) = found.persistence {
        put(
            "persistence.backend_session",
            p.backend_session.map(|v| v.span()),
        );
        put("persistence.sts_session", p.sts_session.map(|v| v.span()));
    }
    at
}

fn check_version(cx: &Ctx, head: Head) -> Result<(), ManifestError> {
    let Some(version) = head.version else {
        // `versoin = 1` is a typo at its own line, not a missing version.
        if let Err(e) = toml::from_str::<RawManifest>(cx.source) {
            if e.message().starts_with("unknown field") {
                return Err(cx.toml_error(e));
            }
        }
        return Err(cx.error(
            0..0,
            "missing `version`",
            Some("add `version = 1` as the first line of the manifest"),
        ));
    };
    match version.get_ref() {
        toml::Value::Integer(v) if *v == SCHEMA_VERSION => Ok(()),
        toml::Value::Integer(v) => Err(cx.error(
            version.span(),
            format!("unsupported manifest version {v}; this envact reads version {SCHEMA_VERSION}"),
            Some("upgrade envact, or write the manifest for `version = 1`"),
        )),
        other => Err(cx.error(
            version.span(),
            format!("`version` must be an integer, found {}", other.type_str()),
            Some("write `version = 1`"),
        )),
    }
}

fn validate_aws(cx: &Ctx, aws: RawAws) -> Result<Aws, ManifestError> {
    fn arn<T: std::str::FromStr<Err = crate::aws::ArnError>>(
        cx: &Ctx,
        key: &str,
        value: Option<Spanned<String>>,
    ) -> Result<Option<T>, ManifestError> {
        value
            .map(|v| {
                v.get_ref().parse::<T>().map_err(|e| {
                    cx.error(
                        v.span(),
                        format!("invalid `{key}`: {}", e.reason),
                        Some(&format!("write it as {}", e.expected)),
                    )
                })
            })
            .transpose()
    }

    let session_duration = match aws.session_duration {
        None => Aws::DEFAULT_SESSION_DURATION,
        Some(d) => parse_duration(d.get_ref()).map_err(|msg| {
            cx.error(
                d.span(),
                msg,
                Some("write a duration between 15m and 12h, such as \"1h\" or \"90m\""),
            )
        })?,
    };

    let mut wrap = Vec::new();
    for cmd in aws
        .wrap
        .unwrap_or_else(|| vec![Spanned::new(0..0, "aws".to_string())])
    {
        let span = cmd.span();
        let cmd = cmd.into_inner();
        let ok = !cmd.is_empty()
            && cmd
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+'));
        if !ok {
            return Err(cx.error(
                span,
                format!("`{cmd}` cannot be wrapped: not a plain command name"),
                Some("list command names as typed at the prompt, such as \"aws\" or \"terraform\", without paths or spaces"),
            ));
        }
        wrap.push(cmd);
    }

    let refresh_margin = aws
        .refresh_margin
        .map(|m| {
            humantime::parse_duration(m.get_ref())
                .ok()
                .filter(|d| *d <= Duration::from_secs(3600))
                .ok_or_else(|| {
                    cx.error(
                        m.span(),
                        format!("invalid refresh_margin \"{}\"", m.get_ref()),
                        Some("write a duration up to 1h, such as \"5m\""),
                    )
                })
        })
        .transpose()?;

    let sso = match aws.sso {
        None => None,
        Some(sso) => {
            let span = sso.span();
            let refused = |key: &str, why: &str| {
                cx.error(
                    span.clone(),
                    format!("[aws.sso] and `{key}` do not go together: {why}"),
                    Some(&format!("remove `{key}`")),
                )
            };
            if aws.mfa_serial.is_some() && cx.whole {
                return Err(refused(
                    "mfa_serial",
                    "the sign-in in the browser is the second factor",
                ));
            }
            if aws.profile.is_some() && cx.whole {
                return Err(refused(
                    "profile",
                    "a profile says where its own credentials start",
                ));
            }
            let error = |span, message: String, help: &str| cx.error(span, message, Some(help));
            Some(super::sso::validate(sso, &error)?)
        }
    };

    let error = |span, message: String, help: &str| cx.error(span, message, Some(help));
    if !aws.profiles.is_empty() && cx.whole {
        let own = [
            ("role_arn", aws.role_arn.as_ref().map(Spanned::span)),
            ("profile", aws.profile.as_ref().map(|_| 0..0)),
        ];
        if let Some((key, span)) = own.into_iter().find_map(|(k, s)| s.map(|s| (k, s))) {
            let at = aws.profiles.keys().next().map(Spanned::span);
            return Err(error(
                if span.is_empty() { at.unwrap_or(span) } else { span },
                format!("[aws] `{key}` and [aws.profiles] do not go together: each profile names its own role"),
                &format!("move the role into a profile of [aws.profiles] and remove `{key}` from [aws]"),
            ));
        }
    }
    let (profiles, default_profile) = super::profiles::validate(
        aws.profiles,
        aws.default_profile,
        sso.is_some(),
        cx.whole,
        &parse_duration,
        &error,
    )?;

    Ok(Aws {
        sso,
        profiles,
        default_profile,
        refresh_margin,
        profile: aws.profile,
        role_arn: arn(cx, "role_arn", aws.role_arn)?,
        mfa_serial: arn(cx, "mfa_serial", aws.mfa_serial)?,
        session_duration,
        inject: aws.inject.unwrap_or_default(),
        wrap,
    })
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let d =
        humantime::parse_duration(text).map_err(|e| format!("invalid duration \"{text}\": {e}"))?;
    if d < Aws::MIN_SESSION_DURATION || d > Aws::MAX_SESSION_DURATION {
        return Err(format!(
            "session_duration \"{text}\" is outside what STS allows (15m to 12h)"
        ));
    }
    Ok(d)
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
