//! direnv's background agent, as `use envact` and its commands use it:
//! credentials for a wrapped command (from the agent, or resolved here and
//! handed to a new one), the agent process itself (`envact agent`), starting
//! it detached, and ending it (`envact stop`).

use std::io::Write as _;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use secrecy::zeroize::Zeroizing;

use super::place_of;
use crate::agent::detached::{self, ECS_URL};
use crate::agent::protocol::{Response, SOCKET};
use crate::agent::Agent;
use crate::aws::Credentials;
use crate::context::Context;
use crate::context::Place;
use crate::credentials::{from_agent, obtain_for, Profiles, Purpose};
use crate::manifest::InjectMode;
use crate::settings::Settings;
use crate::shell::supervise::SignalGuard;
use crate::shell::Enclosing;
use crate::Error;

/// How long `use envact` waits for a server-mode agent to listen.
const AGENT_START: Duration = Duration::from_secs(10);

/// Credentials for `envact exec` (or a shim) under direnv: from the
/// environment's background agent, which is started, with the credentials
/// resolved here (where the person can type an MFA code), when none runs.
pub fn credentials(
    cx: &Context,
    active: &Enclosing,
    direnv: &str,
    envact_bin: &Path,
    profile: Option<&str>,
) -> Result<(Credentials, Option<String>), Error> {
    let place = place_of(direnv, &active.dir)?;
    let settings = cx.settings_at(&place)?;
    crate::app::trust::ensure_trusted_unasked(cx, &settings)?;
    let dir = state_dir(cx, &settings)?;
    if detached::running(&dir) {
        return from_agent(cx, &dir, profile);
    }
    let obtained =
        obtain_for(cx, &settings, Purpose::Once, profile)?.ok_or_else(|| Error::NoAws {
            manifest: settings.project.manifest.clone(),
            what: "give to the command",
        })?;
    let initial = Response::Credentials {
        credentials: obtained.credentials.clone(),
        region: obtained.region.clone(),
    }
    .to_line();
    start_agent(&place, &settings, &dir, envact_bin, Some(&initial))?;
    Ok((obtained.credentials, obtained.region))
}

/// `envact agent` (run by [`credentials`] and `use envact`, not by hand): the
/// background agent of the environment at `place`, starting from
/// `initial` (a response line) when given. Returns when it ends.
pub fn serve_agent(cx: &Context, place: &Place, initial: Option<&str>) -> Result<(), Error> {
    let settings = cx.settings_at(place)?;
    crate::app::trust::ensure_trusted_unasked(cx, &settings)?;
    let dir = state_dir(cx, &settings)?;
    if detached::running(&dir) {
        return Ok(());
    }
    let manifest = settings.effective();
    let Some(profiles) = Profiles::new(cx, &settings)? else {
        return Err(Error::NoAws {
            manifest: settings.project.manifest.clone(),
            what: "serve",
        });
    };
    let resolver = profiles.default_resolver();
    let (current, region) = match initial.and_then(Response::from_line) {
        Some(Response::Credentials {
            credentials,
            region,
        }) => (Some(credentials), region),
        _ => (None, resolver.region()),
    };
    let serve_ecs = manifest
        .aws
        .as_ref()
        .is_some_and(|aws| aws.inject == InjectMode::Server);
    let mut signals = SignalGuard::install().map_err(Error::Agent)?;
    let active = crate::summary::Summary {
        name: manifest.name.clone(),
        credentials: resolver.describe(),
        expires: current
            .as_ref()
            .and_then(|c| c.expiration)
            .map(crate::aws::rfc3339),
        inject: match serve_ecs {
            true => "served to SDKs on loopback (ECS endpoint), through direnv".into(),
            false => "per-command, through direnv's PATH shims".into(),
        },
        profiles: profiles.summaries(),
    };
    let margin = resolver.margin();
    let agent = Agent::start(&dir, current, region, margin, Box::new(profiles), serve_ecs)
        .map_err(Error::Agent)?;
    let _ = active.save(&dir);
    detached::publish_ecs(&dir, &agent).map_err(Error::Agent)?;
    detached::serve(&dir, agent, manifest.persistence.agent_idle(), &mut signals)
        .map_err(Error::Agent)
}

/// Puts the calling process in the background: forks, and returns false in
/// the parent (which should exit at once) and true in the child.
///
/// # Safety
///
/// The process must have one thread when this is called (no thread started
/// yet): a fork copies only the calling thread, and a lock another thread
/// held would stay locked forever in the child.
pub unsafe fn detach() -> std::io::Result<bool> {
    // SAFETY: the caller guarantees one thread, so the child is a full copy.
    match unsafe { nix::unistd::fork() }.map_err(std::io::Error::from)? {
        nix::unistd::ForkResult::Parent { .. } => Ok(false),
        nix::unistd::ForkResult::Child => Ok(true),
    }
}

/// `envact stop`: ends the environment's background agent; false when none ran.
pub fn stop(cx: &Context, place: &Place) -> Result<(String, bool), Error> {
    let settings = cx.settings_at(place)?;
    let dir = state_dir(cx, &settings)?;
    let stopped = detached::stop(&dir).map_err(Error::Agent)?;
    Ok((settings.effective().name.clone(), stopped))
}

/// The environment's directory: the agent's socket, the shims.
pub(super) fn state_dir(cx: &Context, settings: &Settings) -> Result<PathBuf, Error> {
    let base = &cx.dirs.background;
    let dir = detached::dir(base, &settings.env_id);
    detached::prepare(&dir).map_err(|source| Error::RuntimeDir {
        base: base.clone(),
        source,
    })?;
    Ok(dir)
}

/// A server-mode agent listening: started when none runs. Its URL, and the
/// region it uses.
pub(super) fn server_agent(
    cx: &Context,
    settings: &Settings,
    place: &Place,
    dir: &Path,
    envact_bin: &Path,
) -> Result<(String, Option<String>), Error> {
    let url_file = dir.join(ECS_URL);
    if !detached::running(dir) {
        let _ = std::fs::remove_file(&url_file);
        start_agent(place, settings, dir, envact_bin, None)?;
    }
    let deadline = Instant::now() + AGENT_START;
    let mut url = Ok(String::new());
    cx.ui.busy("Starting the credential agent", &mut || {
        url = loop {
            match started(dir, &url_file, deadline) {
                Some(done) => break done,
                None => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    });
    url.map(|text| detached::published(&text))
}

/// What a starting server-mode agent in `dir` has come to: its URL once it
/// listens; its own error, at once, when it ended with one; a timeout past
/// `deadline`; `None` while it is still starting.
fn started(dir: &Path, url_file: &Path, deadline: Instant) -> Option<Result<String, Error>> {
    if let Ok(text) = crate::private_fs::read_text(url_file, 4096) {
        if dir.join(SOCKET).exists() {
            return Some(Ok(text));
        }
    }
    if let Some(said) = detached::failure(dir) {
        return Some(Err(Error::BackgroundAgent {
            log: dir.join(detached::LOG),
            said,
        }));
    }
    (Instant::now() > deadline).then(|| {
        Err(Error::Agent(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!(
                "no agent listened in {} within {} s",
                dir.display(),
                AGENT_START.as_secs()
            ),
        )))
    })
}

/// Starts `envact agent` for the environment, detached from this process
/// (its own session; it outlives the command), handing it `initial` on its
/// standard input, never on its command line.
fn start_agent(
    place: &Place,
    settings: &Settings,
    dir: &Path,
    envact_bin: &Path,
    initial: Option<&Zeroizing<String>>,
) -> Result<(), Error> {
    let log = detached::new_log(dir).map_err(|source| Error::Write {
        path: dir.join(detached::LOG),
        source,
    })?;
    let mut cmd = Command::new(envact_bin);
    cmd.arg("agent");
    match place {
        Place::Remote(tref) => cmd.arg("-r").arg(tref.to_string()),
        Place::Dir(_) => cmd.arg("-d").arg(&settings.project.dir),
    };
    cmd.current_dir(&settings.project.dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(log);
    // SAFETY: setsid, close_range and close are async-signal-safe, as
    // pre_exec requires.
    unsafe {
        cmd.pre_exec(|| {
            nix::unistd::setsid()?;
            // Nothing inherited past stdio: a descriptor of whoever ran us
            // (direnv reads the .envrc's output through one) would stay
            // open as long as the agent lives.
            if nix::libc::syscall(nix::libc::SYS_close_range, 3u32, u32::MAX, 0u32) != 0 {
                for fd in 3..1024 {
                    nix::libc::close(fd);
                }
            }
            Ok(())
        });
    }
    let spawn = |source| Error::Spawn {
        program: envact_bin.to_path_buf(),
        source,
    };
    let mut child = cmd.spawn().map_err(spawn)?;
    // Closed after the line (or at once): the agent reads to the end.
    if let Some(mut stdin) = child.stdin.take() {
        if let Some(line) = initial {
            let _ = stdin.write_all(line.as_bytes());
        }
    }
    // The agent forks into the background at once; this reaps the parent.
    let _ = child.wait();
    Ok(())
}
