//! Which variables a manifest may set only with the person's eyes on them:
//! those that change how programs load code, what the shell runs, which
//! program is run for a job, which endpoint AWS tools call, which
//! configuration, credentials and certificates programs read, and where
//! traffic goes. A flagged variable is marked in the trust review, and
//! makes a local manifest need trust under direnv.
//!
//! The decision is one table, read in order: first the allow-list of names
//! known to hold plain data (a region, a locale, Terraform's `TF_VAR_`
//! inputs), then the rules. The rules take whole families where programs
//! own the namespace (`LD_`, `AWS_`, `GIT_`, `PYTHON`, `NODE_`, ...), so a
//! variable that a program adds later is flagged from the start, and the
//! shapes that name code, commands or configuration (`…PATH`, `…_OPTIONS`,
//! `…_COMMAND`, `…_CONFIG`, `…HOME`, `…_PROXY`, ...). A name that matches
//! nothing (`GREETING`) is the project's own and is not flagged.

/// How a rule matches a name (compared in upper case).
#[derive(Debug, Clone, Copy)]
enum Name {
    Is(&'static str),
    Starts(&'static str),
    Ends(&'static str),
}

impl Name {
    fn matches(self, upper: &str) -> bool {
        match self {
            Name::Is(n) => upper == n,
            Name::Starts(p) => upper.starts_with(p),
            Name::Ends(s) => upper.ends_with(s),
        }
    }
}

use Name::{Ends, Is, Starts};

const CODE: &str = "loads code into programs";
const SHELL: &str = "changes what the shell runs";
const RUNS: &str = "names a program that is run";
const FINDS: &str = "decides which programs and libraries are found";
const ENDPOINT: &str = "sends AWS requests elsewhere";
const AWS: &str = "changes which AWS credentials or configuration tools use";
const CERTS: &str = "decides which servers are trusted";
const PROXY: &str = "routes network traffic through another host";
const CONFIG: &str = "changes which configuration programs read";
const SECRETS: &str = "changes where secrets and keys are read from";
const ITSELF: &str = "changes how envact or direnv itself works";

/// Names that hold plain data, though a rule below would take them.
const DATA: &[Name] = &[
    Is("AWS_REGION"),
    Is("AWS_DEFAULT_REGION"),
    Is("AWS_DEFAULT_OUTPUT"),
    Is("AWS_RETRY_MODE"),
    Is("AWS_MAX_ATTEMPTS"),
    Is("AWS_SDK_UA_APP_ID"),
    Starts("TF_VAR_"),
    Is("TF_IN_AUTOMATION"),
    Is("TF_INPUT"),
    Is("TF_WORKSPACE"),
    Is("NODE_ENV"),
];

/// The rules, each with why it is flagged.
const RULES: &[(Name, &str)] = &[
    // The dynamic loader and the C library.
    (Starts("LD_"), CODE),
    (Starts("DYLD_"), CODE),
    (Is("GCONV_PATH"), CODE),
    (Is("GLIBC_TUNABLES"), CODE),
    (Starts("MALLOC_"), CODE),
    (Is("LOCPATH"), CODE),
    (Is("NLSPATH"), CODE),
    (Is("HOSTALIASES"), CONFIG),
    (Is("RES_OPTIONS"), CONFIG),
    (Is("RESOLV_HOST_CONF"), CONFIG),
    // Shells: code read at start, prompts that expand commands, hooks.
    (Is("BASH_ENV"), SHELL),
    (Is("ENV"), SHELL),
    (Starts("BASH_"), SHELL),
    (Is("ZDOTDIR"), SHELL),
    (Is("PROMPT_COMMAND"), SHELL),
    (Is("PS0"), SHELL),
    (Is("PS1"), SHELL),
    (Is("PS2"), SHELL),
    (Is("PS3"), SHELL),
    (Is("PS4"), SHELL),
    (Is("PROMPT"), SHELL),
    (Is("RPROMPT"), SHELL),
    (Is("IFS"), SHELL),
    (Is("SHELLOPTS"), SHELL),
    (Is("BASHOPTS"), SHELL),
    (Is("INPUTRC"), SHELL),
    (Is("HISTFILE"), SHELL),
    (Is("FPATH"), SHELL),
    (Starts("FISH_"), SHELL),
    // Programs run for a job.
    (Is("SHELL"), RUNS),
    (Is("EDITOR"), RUNS),
    (Is("VISUAL"), RUNS),
    (Is("PAGER"), RUNS),
    (Is("BROWSER"), RUNS),
    (Is("TERMINAL"), RUNS),
    (Is("LESSOPEN"), RUNS),
    (Is("LESSCLOSE"), RUNS),
    (Ends("_EDITOR"), RUNS),
    (Ends("_PAGER"), RUNS),
    (Ends("PAGER"), RUNS),
    (Ends("ASKPASS"), RUNS),
    (Ends("_COMMAND"), RUNS),
    (Ends("_CMD"), RUNS),
    (Ends("_HOOK"), RUNS),
    (Ends("_WRAPPER"), RUNS),
    // Search paths, for programs and for code.
    (Ends("PATH"), FINDS),
    // AWS: endpoints and certificates first, then everything else of it.
    (Starts("AWS_ENDPOINT_URL"), ENDPOINT),
    (Is("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), ENDPOINT),
    (Is("AWS_USE_FIPS_ENDPOINT"), ENDPOINT),
    (Is("AWS_USE_DUALSTACK_ENDPOINT"), ENDPOINT),
    (Is("AWS_STS_REGIONAL_ENDPOINTS"), ENDPOINT),
    (Starts("AWS_CONTAINER_"), ENDPOINT),
    (Starts("AWS_EC2_METADATA_"), ENDPOINT),
    (Is("AWS_CA_BUNDLE"), CERTS),
    (Starts("AWS_"), AWS),
    // Certificates and TLS checks.
    (Starts("SSL_CERT_"), CERTS),
    (Ends("_CA_BUNDLE"), CERTS),
    (Ends("_CA_CERTS"), CERTS),
    (Ends("_CAINFO"), CERTS),
    (Ends("_CAPATH"), CERTS),
    (Is("NODE_TLS_REJECT_UNAUTHORIZED"), CERTS),
    (Is("PYTHONHTTPSVERIFY"), CERTS),
    (Is("GIT_SSL_NO_VERIFY"), CERTS),
    // Where traffic goes.
    (Ends("_PROXY"), PROXY),
    // Language runtimes and their package tools.
    (Starts("PYTHON"), CODE),
    (Starts("PERL"), CODE),
    (Starts("RUBY"), CODE),
    (Starts("GEM_"), CODE),
    (Starts("BUNDLE_"), CODE),
    (Starts("NODE_"), CODE),
    (Starts("NPM_CONFIG_"), CODE),
    (Starts("YARN_"), CODE),
    (Starts("JAVA"), CODE),
    (Starts("_JAVA_"), CODE),
    (Starts("JDK_"), CODE),
    (Is("CLASSPATH"), CODE),
    (Starts("LUA_"), CODE),
    (Starts("PIP_"), CODE),
    (Starts("CARGO"), CODE),
    (Starts("RUSTC"), CODE),
    (Is("RUSTFLAGS"), CODE),
    (Is("GOFLAGS"), CODE),
    (Is("GOPROXY"), CODE),
    (Is("GOPRIVATE"), CODE),
    (Is("GONOSUMDB"), CODE),
    (Is("GOINSECURE"), CODE),
    (Is("GOTOOLCHAIN"), CODE),
    (Is("GOENV"), CODE),
    (Is("GOOGLE_APPLICATION_CREDENTIALS"), SECRETS),
    (Starts("DOTNET_"), CODE),
    (Ends("_OPTIONS"), CODE),
    (Ends("_OPTS"), CODE),
    (Ends("_FLAGS"), CODE),
    // Tools that connect or run things for the person.
    (Starts("GIT_"), RUNS),
    (Starts("SSH_"), SECRETS),
    (Starts("TF_"), CONFIG),
    (Starts("DOCKER_"), CONFIG),
    (Starts("KUBE"), CONFIG),
    // Where envact's own backends read secrets.
    (Starts("GNUPG"), SECRETS),
    (Starts("GPG_"), SECRETS),
    (Starts("PASSWORD_STORE_"), SECRETS),
    (Starts("OP_"), SECRETS),
    (Starts("DBUS_"), SECRETS),
    (Starts("KEYRING"), SECRETS),
    // envact and direnv themselves.
    (Starts("ENVACT_"), ITSELF),
    (Starts("DIRENV_"), ITSELF),
    // Where programs read their configuration.
    (Ends("HOME"), CONFIG),
    (Starts("XDG_"), CONFIG),
    (Is("TMPDIR"), CONFIG),
    (Starts("TERMINFO"), CONFIG),
    (Ends("_CONFIG"), CONFIG),
    (Ends("CONFIG_FILE"), CONFIG),
    (Ends("_CONFIG_DIR"), CONFIG),
    (Ends("RC"), CONFIG),
];

/// Why `name` is flagged, or `None` for a variable of plain data.
pub fn flagged(name: &str) -> Option<&'static str> {
    let upper = name.to_ascii_uppercase();
    if DATA.iter().any(|n| n.matches(&upper)) {
        return None;
    }
    RULES
        .iter()
        .find(|(n, _)| n.matches(&upper))
        .map(|(_, why)| *why)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The list, enumerated: every variable the audits named, and the
    /// families around them, with the reason the review gives.
    #[test]
    fn variables_that_change_what_runs_or_where_it_goes_are_flagged() {
        let expected: &[(&str, &str)] = &[
            ("PATH", FINDS),
            ("LD_PRELOAD", CODE),
            ("LD_LIBRARY_PATH", CODE),
            ("LD_AUDIT", CODE),
            ("DYLD_INSERT_LIBRARIES", CODE),
            ("GCONV_PATH", CODE),
            ("GLIBC_TUNABLES", CODE),
            ("BASH_ENV", SHELL),
            ("ENV", SHELL),
            ("BASH_FUNC_ls%%", SHELL),
            ("ZDOTDIR", SHELL),
            ("PROMPT_COMMAND", SHELL),
            ("PS0", SHELL),
            ("PS1", SHELL),
            ("PS4", SHELL),
            ("IFS", SHELL),
            ("EDITOR", RUNS),
            ("PAGER", RUNS),
            ("AWS_PAGER", RUNS),
            ("LESSOPEN", RUNS),
            ("SSH_ASKPASS", RUNS),
            ("GIT_SSH_COMMAND", RUNS),
            ("FZF_DEFAULT_COMMAND", RUNS),
            ("MANPATH", FINDS),
            ("CDPATH", FINDS),
            ("PYTHONPATH", FINDS),
            ("NODE_PATH", FINDS),
            ("AWS_ENDPOINT_URL", ENDPOINT),
            ("AWS_ENDPOINT_URL_STS", ENDPOINT),
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", ENDPOINT),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", ENDPOINT),
            ("AWS_STS_REGIONAL_ENDPOINTS", ENDPOINT),
            ("AWS_CA_BUNDLE", CERTS),
            ("AWS_CONFIG_FILE", AWS),
            ("AWS_SHARED_CREDENTIALS_FILE", AWS),
            ("AWS_PROFILE", AWS),
            ("AWS_ACCESS_KEY_ID", AWS),
            ("AWS_WEB_IDENTITY_TOKEN_FILE", AWS),
            ("SSL_CERT_FILE", CERTS),
            ("SSL_CERT_DIR", CERTS),
            ("REQUESTS_CA_BUNDLE", CERTS),
            ("CURL_CA_BUNDLE", CERTS),
            ("NODE_EXTRA_CA_CERTS", CERTS),
            ("NODE_TLS_REJECT_UNAUTHORIZED", CERTS),
            ("GIT_SSL_NO_VERIFY", CERTS),
            ("HTTPS_PROXY", PROXY),
            ("http_proxy", PROXY),
            ("no_proxy", PROXY),
            ("ALL_PROXY", PROXY),
            ("NODE_OPTIONS", CODE),
            ("PYTHONSTARTUP", CODE),
            ("PERL5OPT", CODE),
            ("RUBYOPT", CODE),
            ("JAVA_TOOL_OPTIONS", CODE),
            ("_JAVA_OPTIONS", CODE),
            ("CLASSPATH", FINDS),
            ("PIP_INDEX_URL", CODE),
            ("NPM_CONFIG_REGISTRY", CODE),
            ("RUSTC_WRAPPER", RUNS),
            ("GOFLAGS", CODE),
            ("MAVEN_OPTS", CODE),
            ("GIT_CONFIG_GLOBAL", RUNS),
            ("SSH_AUTH_SOCK", SECRETS),
            ("TF_CLI_CONFIG_FILE", CONFIG),
            ("TF_CLI_ARGS", CONFIG),
            ("DOCKER_HOST", CONFIG),
            ("KUBECONFIG", CONFIG),
            ("GNUPGHOME", SECRETS),
            ("PASSWORD_STORE_DIR", SECRETS),
            ("OP_SERVICE_ACCOUNT_TOKEN", SECRETS),
            ("DBUS_SESSION_BUS_ADDRESS", SECRETS),
            ("ENVACT_FILE_PASSPHRASE", ITSELF),
            ("DIRENV_DIR", ITSELF),
            ("HOME", CONFIG),
            ("XDG_CONFIG_HOME", CONFIG),
            ("TMPDIR", CONFIG),
            ("TERMINFO", CONFIG),
            ("WGETRC", CONFIG),
            ("CURL_HOME", CONFIG),
        ];
        for (name, why) in expected {
            assert_eq!(flagged(name), Some(*why), "{name}");
        }
    }

    #[test]
    fn plain_data_and_the_projects_own_names_are_not_flagged() {
        for name in [
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "aws_default_region",
            "AWS_DEFAULT_OUTPUT",
            "AWS_MAX_ATTEMPTS",
            "TF_VAR_region",
            "TF_WORKSPACE",
            "NODE_ENV",
            "GREETING",
            "LANG",
            "LC_ALL",
            "TZ",
            "DATABASE_URL",
            "SERVICE_NAME",
            "LOG_LEVEL",
        ] {
            assert_eq!(flagged(name), None, "{name}");
        }
    }
}
