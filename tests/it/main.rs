//! envact's integration tests: one binary, so that the library and the AWS
//! SDK are linked once, with one module per user story (named after it) and
//! the helpers they share in `support`. They drive the real envact binary
//! against real components started on loopback by the tests themselves:
//! moto's STS, the AWS CLI and the AWS SDK for JavaScript, gnome-keyring's
//! Secret Service, pass with gpg, real shells on pseudo-terminals, direnv
//! and git (see README.md, "Set-up").

mod support;

mod activate_command;
mod activate_subshell;
mod agent_injection_modes;
mod agent_under_attack;
mod aws_cli_through_envact;
mod aws_config_read_like_the_aws_cli;
mod aws_files_like_the_sdks;
mod backend_checked_before_questions;
mod bad_input_is_refused;
mod compose_includes;
mod crash_leaves_no_core_dump;
mod direnv_use_envact;
mod fuzz_fetched_trees_and_server_text;
mod fuzz_manifest_and_answers;
mod hooks_are_valid_shell;
mod hostile_registry;
mod init_templates;
mod install_completions_and_man_pages;
mod js_sdk_second_client;
mod key_rotation;
mod keys_reach_no_command;
mod manifest_errors;
mod onepassword_totp;
mod readme_first_steps;
mod remote_templates;
mod secrets_backends;
mod secrets_never_leak;
mod secrets_onepassword;
mod setup_answers;
mod setup_wizard;
mod several_accounts_by_profile;
mod source_layout;
mod sso_sign_in;
mod sso_standin_speaks_as_aws;
mod status_and_help;
mod sts_mfa_role_chain;
mod sts_session_cache;
mod team_registry_from_scratch;
mod teardown_signals;
mod whoami_shows_whose_credentials;
