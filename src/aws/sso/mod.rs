//! AWS IAM Identity Center (SSO): where a sign-in is declared
//! ([`SsoConfig`]), the token cache shared with the AWS tools ([`token`]),
//! its two APIs ([`service`]), and a valid token had as cheaply as it can
//! be ([`sign_in`]).
pub mod service;
pub mod sign_in;
pub mod token;

/// An IAM Identity Center sign-in and the role it gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoConfig {
    /// The portal's start URL (https).
    pub start_url: String,
    /// The region of the Identity Center instance.
    pub region: String,
    /// The `[sso-session NAME]` it is, when it is one: its token is cached
    /// under that name; without one (the legacy form), under the start URL.
    pub session: Option<String>,
    pub account_id: String,
    pub role_name: String,
}

impl SsoConfig {
    /// What names the token in the cache the AWS tools share.
    pub fn cache_key(&self) -> &str {
        self.session.as_deref().unwrap_or(&self.start_url)
    }

    /// The cache file of its token, under `home`.
    pub fn cache_file(&self, home: &std::path::Path) -> std::path::PathBuf {
        token::cache_file(home, self.cache_key())
    }

    /// Its cached token, if one is there for this portal (a token another
    /// portal's sign-in left under the same name is not its).
    pub fn cached(&self, home: &std::path::Path) -> Option<token::Token> {
        token::read(&self.cache_file(home)).filter(|t| t.start_url == self.start_url)
    }
}
