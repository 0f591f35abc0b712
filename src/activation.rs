//! One activation from start to teardown: refuse nesting, load the manifest,
//! create the private runtime directory, run the on-activate hook, supervise the
//! shell, and remove everything when it ends, however it ends.

use std::ffi::OsString;
use std::io;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::agent::Agent;
use crate::manifest::{Manifest, Project};
use crate::secrets::{read_keys, FieldNames, LongTermKeys, SecretStore};
use crate::shell::supervise::{ChildKind, NoService, Service, SignalGuard};
use crate::shell::{rc, Invocation, RuntimeDir, Shell};
use crate::Error;
use secrecy::zeroize::Zeroizing;

/// Variables that envact sets in the activated shell.
pub const ENV_NAME: &str = "ENVACT_ENV";
pub const ENV_DIR: &str = "ENVACT_DIR";
pub const ENV_MANIFEST: &str = "ENVACT_MANIFEST";
pub const ENV_RUNTIME_DIR: &str = "ENVACT_RUNTIME_DIR";

/// The activation this process runs in, as its environment describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveEnv {
    pub name: String,
    pub dir: PathBuf,
    pub manifest: Option<PathBuf>,
    pub runtime_dir: Option<PathBuf>,
}

impl ActiveEnv {
    /// Reads `ENVACT_*` through `var` (the process environment in the CLI).
    pub fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> Option<ActiveEnv> {
        let name = var(ENV_NAME)?.into_string().ok()?;
        Some(ActiveEnv {
            name,
            dir: var(ENV_DIR).map(PathBuf::from).unwrap_or_default(),
            manifest: var(ENV_MANIFEST).map(PathBuf::from),
            runtime_dir: var(ENV_RUNTIME_DIR).map(PathBuf::from),
        })
    }

    /// False when the variables were inherited by something that outlived the
    /// activation, whose runtime directory is gone.
    pub fn is_live(&self) -> bool {
        self.runtime_dir.as_deref().is_some_and(Path::is_dir)
    }
}

/// Everything an activation needs, decided before anything is created.
pub struct Activation {
    pub project: Project,
    pub manifest: Manifest,
    pub shell: Shell,
    pub invocation: Invocation,
    pub runtime_base: PathBuf,
    /// Credential variables for the shell, when the injection mode gives them to it.
    credential_env: Vec<(&'static str, Zeroizing<String>)>,
    /// Starts the credential agent in the runtime directory.
    agent: Option<AgentStarter>,
    /// Commands defined in the shell to run through `envact exec` (this binary).
    wrappers: Option<(PathBuf, Vec<String>)>,
}

/// Starts the agent once the runtime directory exists.
pub type AgentStarter = Box<dyn FnOnce(&Path) -> Result<Agent, Error>>;

impl Activation {
    /// Checks nesting and loads the manifest; nothing is created yet.
    pub fn prepare(
        project: Project,
        shell: Shell,
        invocation: Invocation,
        runtime_base: PathBuf,
        active: Option<&ActiveEnv>,
    ) -> Result<Activation, Error> {
        if let Some(active) = active.filter(|a| a.is_live()) {
            return Err(Error::Nested {
                name: active.name.clone(),
                dir: active.dir.clone(),
            });
        }
        let manifest = Manifest::load(&project.manifest, &crate::manifest::dir_name(&project.dir))?;
        Ok(Activation {
            project,
            manifest,
            shell,
            invocation,
            runtime_base,
            credential_env: Vec::new(),
            agent: None,
            wrappers: None,
        })
    }

    /// Gives the shell these credential variables (`inject = "shell"`).
    pub fn inject(&mut self, vars: Vec<(&'static str, Zeroizing<String>)>) {
        self.credential_env = vars;
    }

    /// Runs the credential agent for the activation's lifetime, and defines
    /// `wrappers` in the shell as `ENVACT_BIN exec -- NAME`.
    pub fn serve(&mut self, start: AgentStarter, envact_bin: PathBuf, wrappers: Vec<String>) {
        self.agent = Some(start);
        self.wrappers = Some((envact_bin, wrappers));
    }

    /// Reads the long-term keys the manifest names, so that a missing item, a
    /// locked keyring or a signed-out backend stops the activation before any
    /// shell starts.
    pub fn read_long_term_keys(
        &self,
        store: &dyn SecretStore,
        fields: &FieldNames,
    ) -> Result<LongTermKeys, Error> {
        let item = self
            .manifest
            .secrets
            .as_ref()
            .and_then(|s| s.item_to_read())
            .ok_or_else(|| Error::NoItem {
                manifest: self.project.manifest.clone(),
            })?;
        Ok(read_keys(store, item, fields)?)
    }

    /// Runs the activation to its end and returns the exit code to report.
    /// The runtime directory is removed on every path out of here.
    pub fn run(mut self) -> Result<i32, Error> {
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

        if let Some(hook) = &self.manifest.on_activate {
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
                    manifest: self.project.manifest.clone(),
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

    fn set_env(&self, cmd: &mut Command, runtime_dir: &Path) {
        cmd.env(ENV_NAME, &self.manifest.name)
            .env(ENV_DIR, &self.project.dir)
            .env(ENV_MANIFEST, &self.project.manifest)
            .env(ENV_RUNTIME_DIR, runtime_dir);
    }
}
