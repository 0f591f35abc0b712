//! `envact activate`: one activation from start to teardown. [`activate`]
//! reads top to bottom: find the project, refuse nesting, load the settings
//! (running the first-run wizard when something is missing), resolve the
//! credentials and decide how they reach commands; then [`Activation::run`]
//! creates the private runtime directory, starts the agent, runs the
//! on-activate hook, supervises the shell, and removes everything when it
//! ends, however it ends.

use std::ffi::OsString;
use std::io;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub use crate::shell::enclosing::envact_variables;

use crate::agent::Agent;
use crate::aws::export::variables;
use crate::aws::rfc3339;
use crate::context::Context;
use crate::context::Place;
use crate::credentials::store::open_for;
use crate::credentials::{Codes, Profiles};
use crate::hardening::CoreLimit;
use crate::manifest::{InjectMode, Manifest, Project};
use crate::secrets::read_keys;
use crate::shell::enclosing::ENV_DIRENV;
use crate::shell::supervise::{ChildKind, NoService, Service, SignalGuard};
use crate::shell::{profiles, rc, Enclosing, Invocation, RuntimeDir, Shell};
use crate::summary::Summary;
use crate::Error;
use secrecy::zeroize::Zeroizing;

/// What `envact activate` was asked for.
pub struct Request {
    /// `-d DIR` (without it, the project is found upward), or `-r TEMPLATE`.
    pub place: Place,
    /// `--shell` (or `ENVACT_SHELL`); without it, `$SHELL`.
    pub shell: Option<PathBuf>,
    /// `--inject`, over the manifest's `[aws] inject`.
    pub inject: Option<InjectMode>,
    pub invocation: Invocation,
    /// This program, which the shell's wrappers run as `envact exec`.
    pub envact_bin: PathBuf,
}

/// Activates the environment; returns the exit code to report (the shell's
/// or the command's, 1 when the first-run wizard was declined).
pub fn activate(cx: &Context, request: Request) -> Result<i32, Error> {
    let project = cx.project_at(&request.place)?;
    let shell = Shell::detect(request.shell.as_deref(), cx.var("SHELL"))?;
    let runtime_base = cx.dirs.runtime.clone();
    if let Some(active) = Enclosing::from_vars(|k| cx.var(k)).filter(Enclosing::is_live) {
        return Err(Error::Nested {
            name: active.name,
            dir: active.dir,
            direnv: cx.var(ENV_DIRENV).is_some(),
        });
    }
    let mut settings = cx.settings_of(project)?;
    // Nothing of a remote template runs before its content is trusted.
    crate::app::trust::ensure_trusted(cx, &settings)?;
    // First run: what the manifest leaves to this person is asked now, on a
    // terminal; without one, the flags that would answer it are named.
    if settings.needs_answers() {
        if !cx.ui.interactive() {
            return Err(settings.unanswered());
        }
        settings = match crate::app::setup::ask_and_save(cx, &settings)? {
            Some(answered) => answered,
            None => return Ok(1),
        };
    }
    let mut manifest = settings.effective().clone();
    if let Some(mode) = request.inject {
        match manifest.aws.as_mut() {
            Some(aws) => aws.inject = mode,
            None => {
                return Err(Error::NoAws {
                    manifest: settings.project.manifest.clone(),
                    what: "inject",
                })
            }
        }
    }
    let mut activation = Activation {
        held: crate::secrets::held_in_environment(&manifest),
        core_limit: cx.core_limit,
        project: settings.project.clone(),
        manifest,
        shell,
        invocation: request.invocation,
        runtime_base,
        credential_env: Vec::new(),
        agent: None,
        wrappers: None,
        active: None,
        profiles: None,
    };
    match Profiles::new(cx, &settings)? {
        Some(profiles) => {
            let resolver = profiles.default_resolver();
            let obtained = resolver.resolve(&Codes::Person)?;
            let aws = activation
                .manifest
                .aws
                .clone()
                .unwrap_or_else(|| unreachable!("a resolver means [aws]"));
            let expires = obtained.credentials.expiration.map(rfc3339);
            let mut by_name = profiles.summaries();
            for p in &mut by_name {
                if Some(&p.name) == aws.default_profile.as_ref() {
                    p.expires = expires.clone();
                }
            }
            let inject = match (aws.inject, by_name.is_empty()) {
                (InjectMode::PerCommand, _) => format!("per-command for {}", aws.wrap.join(", ")),
                (InjectMode::Shell, true) => "exported into the shell".into(),
                (InjectMode::Shell, false) => "AWS_PROFILE in the shell".into(),
                (InjectMode::Server, _) => "served to SDKs on loopback (ECS endpoint)".into(),
            };
            let active = Summary {
                name: activation.manifest.name.clone(),
                credentials: resolver.describe(),
                expires,
                inject: match by_name.is_empty() {
                    true => inject,
                    false => format!(
                        "{inject}; every profile by name ({})",
                        aws.profiles.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                },
                profiles: by_name,
            };
            cx.ui.activated(&active);
            activation.active = Some(active);
            activation.profiles = own_profiles(cx, &activation.manifest, &request.envact_bin)?;
            match aws.inject {
                // With profiles, the shell names the default one instead,
                // and the agent answers for them all.
                InjectMode::Shell if activation.profiles.is_none() => {
                    activation.credential_env =
                        variables(&obtained.credentials, obtained.region.as_deref());
                }
                mode => {
                    let margin = resolver.margin();
                    let serve_ecs = mode == InjectMode::Server;
                    // SDKs that fetch from the endpoint need the region too.
                    if let Some(region) = obtained.region.as_deref().filter(|_| serve_ecs) {
                        activation.credential_env = crate::aws::export::REGION_VARS
                            .iter()
                            .map(|name| (*name, Zeroizing::new(region.to_string())))
                            .collect();
                    }
                    activation.agent = Some(Box::new(move |dir| {
                        Agent::start(
                            dir,
                            Some(obtained.credentials),
                            obtained.region,
                            margin,
                            Box::new(profiles),
                            serve_ecs,
                        )
                        .map_err(Error::Agent)
                    }));
                    let wrappers = match mode {
                        InjectMode::PerCommand => aws.wrap,
                        _ => Vec::new(),
                    };
                    activation.wrappers = Some((request.envact_bin, wrappers));
                }
            }
        }
        // No [aws]: check that the long-term keys can be read, then wipe them.
        None => check_keys(cx, &activation)?,
    }
    // After the keys were read: IAM may have just said how old the key is.
    warn_of_an_old_key(cx, &settings);
    activation.run()
}

/// Once a day, when the key is older than `[secrets] max_key_age` (by
/// IAM's creation date, else since envact stored it): a warning naming
/// `envact rotate`.
fn warn_of_an_old_key(cx: &Context, settings: &crate::settings::Settings) {
    let Some(secrets) = &settings.effective().secrets else {
        return;
    };
    let Some(max) = secrets.max_key_age else {
        return;
    };
    let Some((item, key)) = crate::app::status::aged_item(settings) else {
        return;
    };
    let ages = crate::state::key_ages::KeyAges::of(&cx.dirs);
    let now = std::time::SystemTime::now();
    let Some(age) = ages.age(&key, now) else {
        return;
    };
    if age.age > max && ages.warn_today(&key, now) {
        cx.ui.warn(&crate::ui::Warning::OldKey {
            item,
            age: age.to_string(),
            max: crate::state::key_ages::shown(max),
        });
    }
}

/// Reads the long-term keys the manifest names, so that a missing item, a
/// locked keyring or a signed-out backend stops the activation before any
/// shell starts; the keys are dropped (wiped) at once.
fn check_keys(cx: &Context, activation: &Activation) -> Result<(), Error> {
    let Some(opened) = open_for(cx, &activation.manifest)? else {
        return Ok(());
    };
    let keys = opened.busy(cx, "Reading the long-term keys from", |store| {
        let item = activation
            .manifest
            .secrets
            .as_ref()
            .and_then(|s| s.item_to_read())
            .ok_or_else(|| Error::NoItem {
                manifest: activation.project.manifest.clone(),
            })?;
        Ok::<_, Error>(read_keys(store, item, &opened.fields)?)
    })?;
    drop(keys);
    Ok(())
}

/// Everything an activation needs, decided before anything is created.
pub struct Activation {
    project: Project,
    /// Completed with the answers, `--inject` applied.
    manifest: Manifest,
    /// What the hook and the shell get back of the person's core-size limit.
    core_limit: CoreLimit,
    shell: Shell,
    invocation: Invocation,
    runtime_base: PathBuf,
    /// Variables for the shell from the credentials' resolution: in shell
    /// mode the credentials and the region, in server mode the region.
    credential_env: Vec<(&'static str, Zeroizing<String>)>,
    /// Starts the credential agent in the runtime directory.
    agent: Option<AgentStarter>,
    /// Commands defined in the shell to run through `envact exec` (this binary).
    wrappers: Option<(PathBuf, Vec<String>)>,
    /// What it gives, kept in the runtime directory for `envact status`.
    active: Option<Summary>,
    /// The profiles of `[aws.profiles]`, given through an AWS config file.
    profiles: Option<OwnProfiles>,
    /// Variables of envact's environment that hold long-term keys or unlock
    /// them: nothing the activation starts inherits them.
    held: Vec<String>,
}

/// Starts the agent once the runtime directory exists.
type AgentStarter = Box<dyn FnOnce(&Path) -> Result<Agent, Error>>;

impl Activation {
    /// Runs the activation to its end and returns the exit code to report.
    /// The runtime directory is removed on every path out of here.
    fn run(mut self) -> Result<i32, Error> {
        let mut signals = SignalGuard::install().map_err(Error::Signals)?;
        RuntimeDir::sweep_stale(&self.runtime_base);
        let runtime =
            RuntimeDir::create_in(&self.runtime_base).map_err(|source| Error::RuntimeDir {
                base: self.runtime_base.clone(),
                source,
            })?;
        let result = self.run_in(&runtime, &mut signals);
        let removed = runtime.remove();
        let code = result?;
        removed.map_err(|source| Error::RuntimeDir {
            base: self.runtime_base.clone(),
            source,
        })?;
        Ok(code)
    }

    fn run_in(&mut self, runtime: &RuntimeDir, signals: &mut SignalGuard) -> Result<i32, Error> {
        let wrappers = self.wrappers.as_ref().map(|(bin, names)| rc::Wrappers {
            envact_bin: bin,
            commands: names,
        });
        for file in rc::render(self.shell.kind, &self.manifest, &self.invocation, wrappers) {
            runtime
                .write(file.name, &file.content)
                .map_err(|source| Error::Write {
                    path: runtime.path().join(file.name),
                    source,
                })?;
        }

        if let Some(own) = &self.profiles {
            let path = runtime.path().join(profiles::CONFIG_FILE);
            runtime
                .write(profiles::CONFIG_FILE, &own.config)
                .map_err(|source| Error::Write { path, source })?;
        }
        if let Some(active) = &self.active {
            active.save(runtime.path()).map_err(|source| Error::Write {
                path: Summary::path(runtime.path()),
                source,
            })?;
        }
        let mut agent = match self.agent.take() {
            Some(start) => Some(start(runtime.path())?),
            None => None,
        };
        let ecs_env = agent.as_ref().and_then(Agent::ecs_env);
        let mut no_service = NoService;
        let service: &mut dyn Service = match agent.as_mut() {
            Some(agent) => agent,
            None => &mut no_service,
        };

        for hook in self.manifest.hooks() {
            let mut cmd = Command::new("/bin/sh");
            cmd.arg("-c").arg(&hook.script).envs(&self.manifest.vars);
            self.set_env(&mut cmd, runtime.path());
            // Hook output goes to stderr so that `activate -- CMD` prints only CMD's output.
            if let Ok(stderr) = io::stderr().as_fd().try_clone_to_owned() {
                cmd.stdout(Stdio::from(stderr));
            }
            let outcome = signals
                .run(cmd, ChildKind::Command, service)
                .map_err(|source| Error::Spawn {
                    program: "/bin/sh".into(),
                    source,
                })?;
            if outcome.stopped_by.is_some() {
                return Ok(outcome.exit_code());
            }
            if !outcome.status.success() {
                return Err(Error::HookFailed {
                    manifest: hook.file.clone().unwrap_or(self.project.manifest.clone()),
                    location: hook.location,
                    code: outcome.exit_code(),
                });
            }
        }

        let mut cmd = rc::command(&self.shell, runtime.path(), &self.invocation);
        self.set_env(&mut cmd, runtime.path());
        for (name, value) in &self.credential_env {
            cmd.env(name, value.as_str());
        }
        if let Some(vars) = ecs_env {
            cmd.envs(vars);
        }
        let kind = match self.invocation {
            Invocation::Interactive => ChildKind::InteractiveShell,
            Invocation::Command(_) => ChildKind::Command,
        };
        let outcome = signals
            .run(cmd, kind, service)
            .map_err(|source| Error::Spawn {
                program: self.shell.program.clone(),
                source,
            })?;
        Ok(outcome.exit_code())
    }

    /// What every program the activation starts gets: its variables, the
    /// person's own core-size limit, and none of the variables that hold keys.
    fn set_env(&self, cmd: &mut Command, runtime_dir: &Path) {
        self.core_limit.give_to(cmd);
        for name in &self.held {
            cmd.env_remove(name);
        }
        cmd.envs(envact_variables(
            &self.manifest.name,
            &self.project,
            runtime_dir,
        ));
        if let Some(own) = &self.profiles {
            cmd.envs(own.variables(&runtime_dir.join(profiles::CONFIG_FILE)));
        }
    }
}

/// An activation's profiles: its AWS config file, and what it tells commands.
pub(super) struct OwnProfiles {
    pub(super) config: String,
    /// Comma-separated.
    pub(super) names: String,
    pub(super) default: String,
    /// Shell mode: the shell itself names the default profile.
    shell_names_default: bool,
}

impl OwnProfiles {
    /// The variables every command of the activation gets, the file at `config`.
    pub(super) fn variables(&self, config: &Path) -> Vec<(&'static str, OsString)> {
        let mut vars = vec![
            ("AWS_CONFIG_FILE", config.as_os_str().to_owned()),
            (profiles::ENV_PROFILES, self.names.clone().into()),
            (profiles::ENV_DEFAULT_PROFILE, self.default.clone().into()),
        ];
        if self.shell_names_default {
            vars.push(("AWS_PROFILE", self.default.clone().into()));
        }
        vars
    }
}

/// The profiles of `manifest`'s `[aws.profiles]`, when it has any: the
/// person's own AWS config file (as commands would read it) with them in it.
pub(super) fn own_profiles(
    cx: &Context,
    manifest: &Manifest,
    envact_bin: &Path,
) -> Result<Option<OwnProfiles>, Error> {
    let Some(aws) = manifest.aws.as_ref().filter(|a| !a.profiles.is_empty()) else {
        return Ok(None);
    };
    let var = |k: &str| manifest.vars.get(k).map(Into::into).or_else(|| cx.var(k));
    let (path, _) = crate::aws::profile::AwsFiles::paths(var, &cx.dirs.home);
    let person = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(source) => return Err(Error::Read { path, source }),
    };
    let entries: Vec<profiles::Entry> = aws
        .profiles
        .iter()
        .map(|(name, p)| profiles::Entry {
            name,
            region: p.region.as_deref(),
        })
        .collect();
    Ok(Some(OwnProfiles {
        config: profiles::config_text(person.as_deref(), &entries, envact_bin),
        names: aws.profiles.keys().cloned().collect::<Vec<_>>().join(","),
        default: aws.default_profile.clone().unwrap_or_default(),
        shell_names_default: aws.inject == InjectMode::Shell,
    }))
}
