//! Arguments more than one command takes, declared once, and the parser that
//! turns a name on the command line into the library's typed value.

use clap::builder::{PossibleValue, TypedValueParser};
use clap::ValueEnum;
use std::marker::PhantomData;
use std::path::PathBuf;

use envact::context::Place;
use envact::manifest::Backend;
use envact::template::TemplateRef;

/// `-d DIR` or `-r TEMPLATE`: the manifest a command acts on.
#[derive(clap::Args, Debug, Clone)]
pub struct ProjectDir {
    /// Project directory holding .envact/manifest.toml (default: search from
    /// the current directory upward). A template directory with
    /// manifest.toml works too.
    #[arg(short = 'd', long = "dir", value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// A template from one of your registries (`envact registry`), used in
    /// the current directory: REGISTRY/TEMPLATE, or REGISTRY/TEMPLATE@REF for
    /// a branch, tag or commit.
    #[arg(
        short = 'r',
        long = "remote",
        value_name = "TEMPLATE",
        conflicts_with = "dir"
    )]
    pub remote: Option<TemplateRef>,
}

impl ProjectDir {
    pub fn place(&self) -> Place {
        match &self.remote {
            Some(tref) => Place::Remote(tref.clone()),
            None => Place::Dir(self.dir.clone()),
        }
    }
}

/// `-p NAME`: one of the environment's `[aws.profiles]`.
#[derive(clap::Args, Debug, Clone)]
pub struct ProfileArg {
    /// A profile of the manifest's [aws.profiles] (default: its
    /// default_profile; inside an activation, the one AWS_PROFILE names).
    #[arg(short = 'p', long = "profile", value_name = "NAME")]
    pub profile: Option<String>,
}

/// The backend that `add`, `list` and `remove` work on.
#[derive(clap::Args)]
pub struct BackendArgs {
    /// Backend to use instead of the manifest's [secrets] backend.
    #[arg(long, value_name = "BACKEND", value_parser = OneOf::<Backend>::new())]
    backend: Option<Backend>,

    /// Vault (keyring service, pass prefix, 1Password vault, file name) instead of the manifest's.
    #[arg(long, value_name = "VAULT")]
    vault: Option<String>,

    #[command(flatten)]
    project: ProjectDir,
}

impl BackendArgs {
    pub fn choice(self) -> envact::app::items::Choice {
        envact::app::items::Choice {
            backend: self.backend,
            vault: self.vault,
            place: self.project.place(),
        }
    }
}

/// One of a [`ValueEnum`]'s names; anything else is refused listing them all
/// ("expected one of ..."), and help and completions show them.
#[derive(Clone)]
pub struct OneOf<E>(PhantomData<E>);

impl<E> OneOf<E> {
    pub fn new() -> OneOf<E> {
        OneOf(PhantomData)
    }
}

impl<E: ValueEnum + Clone + Send + Sync + 'static> TypedValueParser for OneOf<E> {
    type Value = E;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<E, clap::Error> {
        let text = value.to_string_lossy();
        E::from_str(&text, false).map_err(|_| {
            let names: Vec<String> = E::value_variants()
                .iter()
                .filter_map(|v| v.to_possible_value())
                .map(|v| v.get_name().to_string())
                .collect();
            let arg = arg.map(|a| format!(" for '{a}'")).unwrap_or_default();
            clap::Error::raw(
                clap::error::ErrorKind::InvalidValue,
                format!(
                    "invalid value '{text}'{arg}: expected one of {}\n",
                    names.join(", ")
                ),
            )
            .with_cmd(cmd)
        })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            E::value_variants()
                .iter()
                .filter_map(|v| v.to_possible_value()),
        ))
    }
}
