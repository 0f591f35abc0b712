//! `use envact` in an `.envrc`: what direnv may export, and where the
//! credentials come from without an activation. direnv copies every value it
//! exports into `DIRENV_DIFF` and into every process, so nothing secret is
//! ever exported: [`load`] gives the environment's `[vars]`, the `ENVACT_*`
//! variables, and per-command a PATH entry of shims ([`shims`]), or in
//! server mode the ECS endpoint's URL and its token *file*. The credentials
//! live in a background agent per environment (`crate::agent::detached`),
//! started by the first command that needs them ([`credentials`], from
//! `envact exec` or a shim) or, in server mode, by [`load`].

mod background;
pub mod shims;
mod watches;

pub use background::{credentials, detach, serve_agent, stop};

use std::ffi::OsString;
use std::fmt::Write as _;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::agent::detached::{BIN, ECS_TOKEN, ECS_URL};
use crate::context::Context;
use crate::context::Place;
use crate::manifest::InjectMode;
use crate::settings::Settings;
pub use crate::shell::enclosing::ENV_DIRENV;
use crate::shell::enclosing::ENV_RUNTIME_DIR;
use crate::template::TemplateRef;
use crate::Error;

/// The `use_envact` function, for direnv's lib directory; `ENVACT_BIN` is
/// replaced with this program's path.
const HOOK: &str = include_str!("../../../hooks/direnv/use_envact.sh");

/// `envact hook direnv`.
pub fn hook(envact_bin: &Path) -> String {
    HOOK.replace("ENVACT_BIN", &quote(&envact_bin.display().to_string()))
}

/// What [`write_envrc`] did to the `.envrc`.
#[derive(Debug, PartialEq, Eq)]
pub enum Envrc {
    Created,
    /// It was there: the line was added at its end.
    Appended,
    /// It says `use envact` already.
    Unchanged,
}

/// `envact init --direnv`: `use envact` (with `-r TEMPLATE` for a team's
/// template) in `dir/.envrc`, added to one that is there.
pub fn write_envrc(dir: &Path, remote: Option<&TemplateRef>) -> Result<(PathBuf, Envrc), Error> {
    let path = dir.join(".envrc");
    let line = match remote {
        Some(tref) => format!("use envact -r {}\n", quote(&tref.to_string())),
        None => "use envact\n".to_string(),
    };
    let write = |source| Error::Write {
        path: path.clone(),
        source,
    };
    crate::private_fs::refuse_link(&path, "it").map_err(write)?;
    match std::fs::read_to_string(&path) {
        Ok(text)
            if text
                .lines()
                .any(|l| l.trim_start().starts_with("use envact")) =>
        {
            Ok((path, Envrc::Unchanged))
        }
        Ok(text) => {
            let sep = if text.is_empty() || text.ends_with('\n') {
                ""
            } else {
                "\n"
            };
            crate::private_fs::write_project_file(&path, format!("{text}{sep}{line}").as_bytes())
                .map_err(write)?;
            Ok((path, Envrc::Appended))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            crate::private_fs::write_project_file(&path, line.as_bytes()).map_err(write)?;
            Ok((path, Envrc::Created))
        }
        Err(source) => Err(Error::Write { path, source }),
    }
}

/// What `use envact` gives direnv: bash for it to evaluate, and notes for
/// the person.
pub struct Loaded {
    pub script: String,
    pub notes: Vec<String>,
}

/// `use envact`: checks trust (never asking), exports what is not secret,
/// makes the shims or starts the server-mode agent, and runs the hook.
pub fn load(cx: &Context, place: &Place, envact_bin: &Path) -> Result<Loaded, Error> {
    let settings = cx.settings_at(place)?;
    crate::app::trust::ensure_trusted_unasked(cx, &settings)?;
    if settings.needs_answers() {
        return Err(settings.unanswered());
    }
    let manifest = settings.effective();
    let mut script = String::new();
    let mut watch = watched(cx, &settings, place);

    let dir = background::state_dir(cx, &settings)?;
    let mut exports: Vec<(String, String)> = manifest
        .vars
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    exports.extend(
        crate::shell::enclosing::envact_variables(&manifest.name, &settings.project, &dir)
            .into_iter()
            .map(|(name, value)| (name.to_string(), value.to_string_lossy().into_owned())),
    );
    exports.push((ENV_DIRENV.to_string(), place_name(place)));
    // Profiles by name, through the AWS config file in the state directory.
    if let Some(own) = crate::app::activate::own_profiles(cx, manifest, envact_bin)? {
        let path = dir.join(crate::shell::profiles::CONFIG_FILE);
        crate::private_fs::write_private(&path, &dir, own.config.as_bytes()).map_err(|source| {
            Error::Write {
                path: path.clone(),
                source,
            }
        })?;
        exports.extend(
            own.variables(&path)
                .into_iter()
                .map(|(name, value)| (name.to_string(), value.to_string_lossy().into_owned())),
        );
    }
    let mut path_add = None;
    if let Some(aws) = &manifest.aws {
        match aws.inject {
            InjectMode::Shell => {
                return Err(Error::ShellUnderDirenv {
                    manifest: settings.project.manifest.clone(),
                })
            }
            InjectMode::PerCommand => {
                let bin = dir.join(BIN);
                shims::install(&bin, &aws.wrap, envact_bin).map_err(|source| Error::Write {
                    path: bin.clone(),
                    source,
                })?;
                path_add = Some(bin);
            }
            InjectMode::Server => {
                let held: Vec<String> = crate::secrets::AWS_KEY_VARS
                    .iter()
                    .filter(|name| cx.var(name).is_some_and(|v| !v.is_empty()))
                    .map(|name| name.to_string())
                    .collect();
                if !held.is_empty() {
                    return Err(Error::KeysInShellUnderDirenv { names: held });
                }
                let (url, region) =
                    background::server_agent(cx, &settings, place, &dir, envact_bin)?;
                exports.push(("AWS_CONTAINER_CREDENTIALS_FULL_URI".into(), url));
                // SDKs find no region otherwise: the one envact uses.
                for name in crate::aws::export::REGION_VARS {
                    if let Some(region) = region
                        .as_ref()
                        .filter(|_| !manifest.vars.contains_key(name))
                    {
                        exports.push((name.into(), region.clone()));
                    }
                }
                exports.push((
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE".into(),
                    dir.join(ECS_TOKEN).display().to_string(),
                ));
                // The agent removes it when it ends: direnv loads anew, and
                // the next load starts another.
                watch.push(dir.join(ECS_URL));
            }
        }
    }

    for hook in manifest.hooks() {
        run_hook(cx, &settings, &hook.script, &exports).and_then(|code| match code {
            0 => Ok(()),
            code => Err(Error::HookFailed {
                manifest: hook
                    .file
                    .clone()
                    .unwrap_or(settings.project.manifest.clone()),
                location: hook.location,
                code,
            }),
        })?;
    }

    script.push_str(&watch_lines(&watch, direnv_watches(cx)));
    for (name, value) in &exports {
        let _ = writeln!(script, "export {name}={}", quote(value));
    }
    if let Some(bin) = path_add {
        let _ = writeln!(script, "PATH_add {}", quote(&bin.display().to_string()));
    }
    let p = &manifest.profile;
    let has_profile = [&p.common, &p.bash, &p.zsh, &p.fish]
        .iter()
        .any(|code| code.as_ref().is_some_and(|c| !c.trim().is_empty()));
    let mut notes: Vec<String> = has_profile
        .then(|| {
            format!(
                "{}: [profile] is shell code, which direnv cannot apply; it is left out here (`envact activate` applies it)",
                settings.project.manifest.display()
            )
        })
        .into_iter()
        .collect();
    // direnv cannot take a variable out of the shell without keeping its
    // value in DIRENV_DIFF, which every command inherits: said, not done.
    notes.extend(
        crate::secrets::held_in_environment(manifest)
            .into_iter()
            .filter(|name| cx.var(name).is_some_and(|v| !v.is_empty()))
            .map(|name| format!("{name} is set in your shell: every command you start there sees it (envact's shims and hook do not get it); keep it out of the shell's environment")),
    );
    Ok(Loaded { script, notes })
}

/// What direnv watches: the manifest, the person's answers, the trust
/// record and the template's pin; a change to any loads anew.
fn watched(cx: &Context, settings: &Settings, place: &Place) -> Vec<PathBuf> {
    let mut watch = vec![
        settings.project.manifest.clone(),
        settings.answers_path.clone(),
    ];
    let subject = crate::app::trust::subject(settings);
    watch.push(crate::template::review::record_path(
        &cx.dirs,
        &subject.identity,
    ));
    if let Place::Remote(tref) = place {
        watch.extend(crate::template::fetch::pin_file(&cx.dirs, tref).ok());
    }
    // What it includes: a directory's manifest; a template's pin and trust.
    for part in &settings.parts {
        match &part.remote {
            None => watch.push(part.shown.clone()),
            Some(project) => {
                if let Ok(tref) = part.name.parse() {
                    watch.extend(crate::template::fetch::pin_file(&cx.dirs, &tref).ok());
                }
                if let Some(remote) = &project.remote {
                    let identity = crate::state::remote_id(&remote.url, &remote.template);
                    watch.push(crate::template::review::record_path(&cx.dirs, &identity));
                }
            }
        }
    }
    watch
}

/// When `use envact` fails: what direnv should still watch, so that fixing
/// the manifest or trusting it loads anew (as much as can be found).
pub fn watch_after_failure(cx: &Context, place: &Place) -> String {
    let Ok(project) = cx.project_at(place) else {
        return String::new();
    };
    let paths = match cx.settings_of(project.clone()) {
        Ok(settings) => watched(cx, &settings, place),
        Err(_) => vec![project.manifest],
    };
    watch_lines(&paths, direnv_watches(cx))
}

/// What direnv watches so far, as the .envrc sees it.
fn direnv_watches(cx: &Context) -> Option<String> {
    cx.var("DIRENV_WATCHES").and_then(|v| v.into_string().ok())
}

/// Adds `paths` to direnv's watches: `DIRENV_WATCHES` brought up to date
/// here when it can be read (`current`), else one `watch_file` for all (each
/// call runs `direnv watch`).
fn watch_lines(paths: &[PathBuf], current: Option<String>) -> String {
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    if let Some(new) = current.and_then(|c| watches::updated(&c, &refs)) {
        return format!("export DIRENV_WATCHES={}\n", quote(&new));
    }
    let quoted: Vec<String> = paths
        .iter()
        .map(|path| quote(&path.display().to_string()))
        .collect();
    match quoted.is_empty() {
        true => String::new(),
        false => format!("watch_file {}\n", quoted.join(" ")),
    }
}

/// Runs the on-activate hook with what `use envact` exports; its output
/// goes to stderr (stdout is the script direnv evaluates). Its exit code.
fn run_hook(
    cx: &Context,
    settings: &Settings,
    script: &str,
    exports: &[(String, String)],
) -> Result<i32, Error> {
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c")
        .arg(script)
        .current_dir(&settings.project.dir)
        .stdin(Stdio::null())
        .envs(exports.iter().map(|(k, v)| (k, v)));
    for name in crate::secrets::held_in_environment(settings.effective()) {
        cmd.env_remove(name);
    }
    if let Ok(stderr) = std::io::stderr().as_fd().try_clone_to_owned() {
        cmd.stdout(Stdio::from(stderr));
    }
    cx.core_limit.give_to(&mut cmd);
    let status = cmd.status().map_err(|source| Error::Spawn {
        program: "/bin/sh".into(),
        source,
    })?;
    Ok(status.code().unwrap_or(1))
}

/// What `ENVACT_DIRENV` says for `place`.
fn place_name(place: &Place) -> String {
    match place {
        Place::Dir(_) => ".".into(),
        Place::Remote(tref) => tref.to_string(),
    }
}

/// The place `ENVACT_DIRENV` names, the project being `dir`.
pub(super) fn place_of(direnv: &str, dir: &Path) -> Result<Place, Error> {
    match direnv {
        "." => Ok(Place::Dir(Some(dir.to_path_buf()))),
        tref => tref
            .parse::<TemplateRef>()
            .map(Place::Remote)
            .map_err(|reason| Error::BadEnvVar {
                name: ENV_DIRENV,
                reason,
            }),
    }
}

/// `value` quoted for bash.
fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// When this process was run as a shim: the command it stands for (the
/// real program of that name on PATH past the shims, else the bare name,
/// which then fails as a missing command) and its arguments.
pub fn shim_call(
    args: &[OsString],
    var: impl Fn(&str) -> Option<OsString>,
) -> Option<Vec<OsString>> {
    let (argv0, rest) = args.split_first()?;
    var(ENV_DIRENV)?;
    let bin = PathBuf::from(var(ENV_RUNTIME_DIR)?).join(BIN);
    let name = shims::shim_name(argv0, &bin)?;
    let real = var("PATH")
        .and_then(|path| shims::real_command(&name, &path, &bin))
        .map_or(name, PathBuf::into_os_string);
    Some(std::iter::once(real).chain(rest.iter().cloned()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_quoted_for_bash() {
        assert_eq!(quote("plain"), "'plain'");
        assert_eq!(quote("it's $HOME `x`"), r"'it'\''s $HOME `x`'");
    }

    #[test]
    fn the_place_survives_the_variable() {
        let dir = Path::new("/p");
        assert!(matches!(place_of(".", dir), Ok(Place::Dir(Some(d))) if d == dir));
        let tref: TemplateRef = "team/aws@v1".parse().unwrap();
        assert_eq!(place_name(&Place::Remote(tref.clone())), "team/aws@v1");
        assert!(matches!(place_of("team/aws@v1", dir), Ok(Place::Remote(t)) if t == tref));
        assert!(place_of("nonsense", dir).is_err());
    }
}
