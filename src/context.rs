//! What every use case runs in, resolved once by the command line: the
//! environment (read through a closure, so that tests give their own), the
//! per-user directories derived from it, and the person (the terminal, or no
//! one). Use cases take a `&Context` and never read the process environment
//! themselves.

use std::ffi::OsString;
use std::path::Path;
use std::sync::Arc;

use crate::hardening::CoreLimit;
use crate::manifest::Include;
use crate::manifest::Remote;
use crate::manifest::{discover, Project};
use crate::settings::{Part, Settings};
use crate::state::Dirs;
use crate::template::fetch::{self, Fetched};
use crate::template::TemplateRef;
use crate::ui::{Prompter, Ui};
use crate::Error;
use std::path::PathBuf;

type Vars = Arc<dyn Fn(&str) -> Option<OsString> + Send + Sync>;

pub struct Context {
    vars: Vars,
    pub dirs: Dirs,
    pub ui: Arc<dyn Prompter>,
    /// The core-size limit the programs envact starts get back.
    pub core_limit: CoreLimit,
    /// The file backend's passphrases typed during this command.
    pub passphrases: crate::secrets::Passphrases,
}

impl Context {
    pub fn new(
        vars: impl Fn(&str) -> Option<OsString> + Send + Sync + 'static,
        ui: Arc<dyn Prompter>,
        core_limit: CoreLimit,
    ) -> Context {
        let dirs = Dirs::from_vars(&vars);
        Context {
            vars: Arc::new(vars),
            dirs,
            ui,
            core_limit,
            passphrases: Default::default(),
        }
    }

    pub fn var(&self, name: &str) -> Option<OsString> {
        (self.vars)(name)
    }

    /// A variable that is set, not empty, and UTF-8.
    pub fn var_string(&self, name: &str) -> Option<String> {
        self.var(name)
            .and_then(|v| v.into_string().ok())
            .filter(|v| !v.is_empty())
    }

    /// The environment as a closure that stores may keep.
    pub fn vars(&self) -> impl Fn(&str) -> Option<OsString> + Clone + Send + Sync + 'static {
        let vars = self.vars.clone();
        move |name| vars(name)
    }

    /// The person, for what only reports and asks MFA codes or passphrases.
    pub fn ui(&self) -> Arc<dyn Ui> {
        self.ui.clone()
    }

    /// The project in `-d DIR`, else the nearest one upward from the current directory.
    pub fn project(&self, dir: Option<&Path>) -> Result<Project, Error> {
        match dir {
            Some(dir) => Ok(Project::in_dir(dir)?),
            None => {
                let cwd = std::env::current_dir().map_err(Error::CurrentDir)?;
                Ok(discover(&cwd)?)
            }
        }
    }
}

/// Where a command's manifest is: a project directory (or the one found
/// upward), or a template in a registry.
#[derive(Debug, Clone)]
pub enum Place {
    Dir(Option<PathBuf>),
    Remote(TemplateRef),
}

impl Context {
    /// The project at `place`: a template is fetched (or taken from its pin)
    /// and used from the current directory.
    pub fn project_at(&self, place: &Place) -> Result<Project, Error> {
        match place {
            Place::Dir(dir) => self.project(dir.as_deref()),
            Place::Remote(tref) => {
                let fetched = self.fetch(tref)?;
                let cwd = std::env::current_dir().map_err(Error::CurrentDir)?;
                Ok(project_of(tref, &fetched, cwd))
            }
        }
    }

    /// The settings of the project at `place`.
    pub fn settings_at(&self, place: &Place) -> Result<Settings, Error> {
        self.settings_of(self.project_at(place)?)
    }

    /// The settings of `project`, composed with what it includes.
    pub fn settings_of(&self, project: Project) -> Result<Settings, Error> {
        Settings::load(project, &self.dirs, &|include, from| {
            self.load_include(include, from)
        })
    }

    /// Like [`Context::settings_of`], answers that cannot be read counting as none.
    pub fn settings_over_broken_answers(
        &self,
        project: Project,
    ) -> Result<(Settings, Option<Error>), Error> {
        Settings::load_over_broken_answers(project, &self.dirs, &|include, from| {
            self.load_include(include, from)
        })
    }

    /// What `include` (written in `from`) names: a registry's template,
    /// fetched or taken from its pin as `-r` takes it, or a directory.
    fn load_include(&self, include: &Include, from: &Part) -> Result<Part, Error> {
        match include {
            Include::Remote { name, location } => {
                let tref: TemplateRef = name.parse().map_err(|detail| Error::IncludeInvalid {
                    manifest: from.shown.clone(),
                    line: location.line,
                    detail,
                })?;
                let fetched = self.fetch(&tref)?;
                let project = project_of(&tref, &fetched, from.dir.clone());
                let text = crate::private_fs::read_text(
                    &fetched.manifest(),
                    crate::manifest::MAX_MANIFEST,
                )
                .map_err(|source| Error::Read {
                    path: fetched.manifest(),
                    source,
                })?;
                Ok(Part {
                    name: tref.to_string(),
                    shown: project
                        .remote
                        .as_ref()
                        .map_or_else(|| fetched.manifest(), |r| r.shown_manifest()),
                    dir: fetched.dir.clone(),
                    text,
                    remote: Some(project),
                    key: tref.name(),
                })
            }
            Include::Dir { dir, location } => {
                let at = from.dir.join(dir);
                let missing = || Error::IncludeMissing {
                    manifest: from.shown.clone(),
                    line: location.line,
                    dir: at.clone(),
                };
                let manifest = crate::settings::compose::manifest_in(&at).ok_or_else(missing)?;
                let text = crate::private_fs::read_text(&manifest, crate::manifest::MAX_MANIFEST)
                    .map_err(|source| Error::Read {
                    path: manifest.clone(),
                    source,
                })?;
                let key = at.canonicalize().unwrap_or_else(|_| at.clone());
                Ok(Part {
                    name: dir.display().to_string(),
                    shown: manifest,
                    dir: at,
                    text,
                    remote: None,
                    key: key.display().to_string(),
                })
            }
        }
    }

    fn fetch(&self, tref: &TemplateRef) -> Result<Fetched, Error> {
        let ui = self.ui();
        let busy = |label: &str, work: &mut dyn FnMut()| ui.busy(label, work);
        Ok(fetch::pinned(
            &self.dirs,
            tref,
            self.ui.interactive(),
            &busy,
        )?)
    }
}

fn project_of(tref: &TemplateRef, fetched: &Fetched, dir: PathBuf) -> Project {
    Project {
        dir,
        manifest: fetched.manifest(),
        remote: Some(Remote {
            name: tref.name(),
            url: fetched.pin.url.clone(),
            template: fetched.pin.template.clone(),
            commit: fetched.pin.commit.clone(),
            content_hash: fetched.pin.content_hash.clone(),
        }),
    }
}
