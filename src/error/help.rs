//! What to do about each error, when its message alone does not say: the
//! advice line the command line prints under it.

use super::*;

/// One sentence on what to do about an STS failure.
fn sts_help(e: &StsError) -> &'static str {
    match e.code() {
        Some("InvalidClientTokenId") => {
            "AWS does not know the stored access key (deleted or mistyped): store the current one with `envact add ITEM`"
        }
        Some("SignatureDoesNotMatch") => {
            "the stored secret access key does not belong to the key id: store the pair again with `envact add ITEM`"
        }
        Some("ExpiredToken") => "the session has expired: run `envact clear`, then try again",
        Some("AccessDenied") => {
            "check that the role's trust policy lets you assume it, and that the MFA device is yours"
        }
        Some(code) if code.starts_with("HTTP ") => {
            "the answer is not STS's own (a proxy's?): check HTTPS_PROXY, and AWS_ENDPOINT_URL_STS if you set it"
        }
        _ if matches!(e, StsError::Unreachable { .. }) => {
            "check the network connection, or AWS_ENDPOINT_URL_STS if you set it"
        }
        _ => "try again; if it persists, check the AWS status page",
    }
}

impl Error {
    /// What to do about it, when the message alone does not say.
    pub fn help(&self) -> Option<String> {
        Some(match self {
            Error::Manifest(e) => return e.help().map(str::to_string),
            Error::Secret(e) => return e.help(),
            Error::Profile(e) => e.help().into(),
            Error::Flow(FlowError::Sts(e)) => sts_help(e).into(),
            Error::SignIn(e) => sign_in_help(e)?,
            Error::Flow(FlowError::MfaRejected { .. }) => {
                "check the device's clock and that the manifest's mfa_serial is your device, then try again".into()
            }
            Error::Flow(FlowError::NoMfaSource { .. }) => {
                "run it in a terminal, or name the TOTP field in [secrets.fields] mfa_totp".into()
            }
            Error::Flow(FlowError::MfaInput(_)) => "run it again and type the 6-digit code".into(),
            Error::MfaUnreachable { project, keeps_sessions, .. } => {
                let warm = format!("envact export -d {} --format credential-process", project.display());
                let keep = if *keeps_sessions {
                    "the session is kept until it expires"
                } else {
                    "with persistence.sts_session on (`envact setup --persist-sts-session --yes`), the session is kept until it expires"
                };
                format!("run it in a terminal, or name the TOTP field in [secrets.fields] mfa_totp; where there is none (credential_process), type the code once in a terminal with `{warm}`: {keep}")
            }
            Error::AwsWithoutSecrets { .. } => "add a [secrets] section naming the backend and item of the keys".into(),
            Error::NoAws { .. } => "add an [aws] section to the manifest".into(),
            Error::NothingAssigned { .. } => {
                "ask your AWS administrator to assign you an account and a permission set in IAM Identity Center".into()
            }
            Error::NotAssigned { what, .. } => {
                format!("choose one of yours (`envact setup` lists them), or ask for that {what} to be assigned to you")
            }
            Error::UnknownProfile { known, .. } if known.is_empty() => {
                "leave out -p for the environment's one role, or add [aws.profiles.NAME] to the manifest".into()
            }
            Error::UnknownProfile { .. } => "name one of its profiles".into(),
            Error::NoSso { .. } => {
                "add [aws.sso] with the portal's start_url and region, the account_id and role_name (`envact init --template aws-sso` writes one), or name an SSO profile of ~/.aws/config in [aws] profile".into()
            }
            Error::Agent(_) => "check that the runtime directory is writable and that loopback networking works".into(),
            Error::BackgroundAgent { log, said } => match said.lines().find_map(|l| l.strip_prefix("help: ")) {
                Some(help) => format!("{help} (the agent's log: {})", log.display()),
                None => format!("see the agent's log, {}", log.display()),
            },
            Error::AgentFailed(_) => "exit the activation and activate again".into(),
            Error::AgentUntrusted(_) => "this shell's ENVACT_* variables point at an agent envact cannot trust (left over from an ended activation, or planted): leave this shell or unset ENVACT_RUNTIME_DIR, and type no MFA code for it".into(),
            Error::NoAgent { live: true, .. } => "run the command directly (with inject = \"shell\" the credentials are in the shell), or pass -d DIR to resolve a project's credentials".into(),
            Error::NoAgent { live: false, .. } => "leave this shell (its ENVACT_* variables are left over) and activate again, or pass -d DIR to resolve a project's credentials".into(),
            Error::CommandNotFound { .. } => "check the command's name and PATH".into(),
            Error::Lock { .. } => "check that $XDG_CONFIG_HOME/envact is writable".into(),
            Error::FixedByManifest { .. } => "drop the flag; if it must be each person's choice, remove that line from the manifest (it is the whole team's)".into(),
            Error::NothingToRemove { .. } => "nothing was removed; check the name against the items listed (`envact list`)".into(),
            Error::Template(e) => e.help().into(),
            Error::Registries(_) => "fix the file, or add the registries again with `envact registry add`".into(),
            Error::BadRegistry { .. } => "name it with letters, digits, `-`, `_` and `.`".into(),
            Error::BadRegistryUrl { .. } => "give the URL as git would clone it, without a password".into(),
            Error::ShellUnderDirenv { .. } => "use inject = \"per-command\" (the default) or \"server\" with direnv; `envact activate` still gives shell mode".into(),
            Error::KeysInShellUnderDirenv { names } => format!("unset {} in the shell; keep the keys in a backend (`envact add`), or for the env backend under names of your own ([secrets.fields])", names.join(" ")),
            Error::BadEnvVar { .. } => "leave the directory and enter it again, so that direnv loads it anew".into(),
            Error::UntrustedManifest { dir, .. } => format!("read what it does, then: envact trust -d {}", dir.display()),
            Error::Untrusted { name, .. } => format!("read what it does and trust it: run it in a terminal, or `envact trust -r {name}`"),
            Error::Denied { name } => format!("trust it when you have checked it: `envact trust -r {name}`"),
            Error::BadRegion { .. } => "write a region such as eu-west-1 (lower case, digits and `-`)".into(),
            Error::LockTimeout { .. } => "let it finish (it may be waiting for an MFA code in another terminal) or end it, then try again".into(),
            Error::NoItem { .. } => "answer it with `envact setup --item NAME --yes` (`envact list` shows the items), or set [secrets] item in the manifest".into(),
            Error::Answers(_) => "answer again with `envact setup --reconfigure` (on a terminal, or with the answers as flags and --yes), or fix the file".into(),
            Error::Unanswered { flags, remote, .. } => {
                let r = remote.as_ref().map_or(String::new(), |name| format!(" -r {name}"));
                format!("run `envact setup{r}` in a terminal, or `envact setup{r} {} --yes`", flags.join(" "))
            }
            Error::SetupInterrupted { .. } => "run `envact setup` again to answer".into(),
            Error::NoBackend => "pass --backend (keyring, pass, 1password, file), or run inside a project whose manifest has [secrets]".into(),
            Error::BadKey { .. } => "check that you pasted the right value; nothing was stored".into(),
            Error::Input { help, .. } => (*help).into(),
            Error::Discover(DiscoverError::NotFound { .. }) => {
                "run `envact init` to create one, or pass -d DIR".into()
            }
            Error::Discover(DiscoverError::NotInDir { .. }) => {
                "run `envact init -d DIR` to create one there".into()
            }
            Error::Discover(DiscoverError::NoSuchDir { .. }) => {
                "pass an existing project directory to -d".into()
            }
            Error::UnsupportedShell(_) => {
                "choose a supported shell with --shell PATH or ENVACT_SHELL=PATH, e.g. --shell bash"
                    .into()
            }
            Error::Nested { direnv: true, .. } => {
                "nesting is not supported: leave the directory (direnv unloads it) or run `direnv deny` there, then activate"
                    .into()
            }
            Error::Nested { .. } => {
                "nesting is not supported: `exit` this shell first, then activate the other environment"
                    .into()
            }
            Error::HookFailed { .. } => {
                "fix [hook] on-activate in the manifest, or run it by hand to see why it fails".into()
            }
            Error::Spawn { .. } => {
                "install the program, or choose another shell with --shell PATH".into()
            }
            Error::RuntimeDir { .. } => {
                "check that $XDG_RUNTIME_DIR (or the temp dir) exists and is writable".into()
            }
            Error::ManifestExists { .. } => {
                "pass --force to overwrite it, or edit it by hand".into()
            }
            Error::UnknownTemplate { .. } => "pass one of the names above to --template".into(),
            Error::CurrentDir(_) => "cd to an existing directory, or pass -d DIR".into(),
            Error::Signals(_) | Error::Write { .. } => return None,
            Error::Read { .. } => "check that the file is yours and readable".into(),
            Error::IncludeInvalid { .. } => "write REGISTRY/TEMPLATE[@REF] with a registry of `envact registry list`".into(),
            Error::NothingToPull { included, .. } if included.is_empty() => {
                "`envact pull -r REGISTRY/TEMPLATE` moves a template's pin".into()
            }
            Error::NothingToPull { .. } => "name one of its includes, or none to pull them all".into(),
            Error::Rotate(e) => return e.help(),
            Error::IncludeLoop { .. } => "remove one of the includes that close the loop".into(),
            Error::IncludeTooDeep { .. } => "include the environments deeper down directly, at a shallower level".into(),
            Error::IncludeRefused { .. } => "a template may include other templates of a registry, not directories of whoever uses it".into(),
            Error::IncludeMissing { .. } => "fix the path (it is relative to the including project), or create the environment there with `envact init`".into(),
        })
    }
}

/// What to do when signing in to IAM Identity Center, or using the sign-in,
/// failed.
fn sign_in_help(e: &SignInError) -> Option<String> {
    Some(match e {
        SignInError::Needed { .. } => {
            "run `envact login` in a terminal (it opens the browser), then try again".into()
        }
        SignInError::Expired { .. } => {
            "run `envact login` again, and approve the sign-in in the browser before its code expires".into()
        }
        SignInError::Denied { .. } => {
            "run `envact login` again, and allow the access the browser asks about".into()
        }
        SignInError::Service(SsoError::Service { code, .. }) => match code.as_str() {
            "ForbiddenException" => {
                "you are not assigned that account and role: check [aws.sso] account_id and role_name (the portal lists yours)".into()
            }
            "UnauthorizedException" => "run `envact login`, then try again".into(),
            "InvalidRequestException" | "InvalidClientException" => {
                "check [aws.sso] start_url and region: they must be your organisation's portal".into()
            }
            _ => return None,
        },
        SignInError::Service(SsoError::Unreachable { .. }) => {
            "check the network, and [aws.sso] region (the endpoint's region); AWS_ENDPOINT_URL_SSO_OIDC / AWS_ENDPOINT_URL_SSO override the endpoints".into()
        }
        SignInError::Service(SsoError::Other { .. }) => return None,
        SignInError::Write { .. } => "check that ~/.aws/sso/cache is yours and writable".into(),
    })
}
