//! Built-in templates: the directories under `env-templates/`, embedded in the
//! binary, and writing one into a project as its manifest.

use std::path::{Path, PathBuf};

use crate::manifest::{dir_name, manifest_path};
/// Why a built-in template could not be written.
#[derive(Debug)]
pub enum BuiltinError {
    Unknown {
        name: String,
        available: Vec<&'static str>,
    },
    /// The manifest is there already (and --force was not given).
    Exists { path: PathBuf },
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

type Error = BuiltinError;

/// A template shipped inside the binary.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    pub name: &'static str,
    pub summary: &'static str,
    pub manifest: &'static str,
}

macro_rules! builtin {
    ($name:literal, $summary:literal) => {
        Template {
            name: $name,
            summary: $summary,
            manifest: include_str!(concat!("../../env-templates/", $name, "/manifest.toml")),
        }
    };
}

pub const BUILTIN: [Template; 6] = [
    builtin!("plain", "variables, a hook and shell aliases; no secrets"),
    builtin!(
        "aws-keyring",
        "AWS keys in the OS keyring, STS session credentials"
    ),
    builtin!(
        "aws-1password",
        "AWS keys and MFA code in 1Password, read with `op`"
    ),
    builtin!("aws-pass", "AWS keys in the Unix password store (`pass`)"),
    builtin!(
        "aws-file",
        "AWS keys in envact's encrypted file: works everywhere, needs nothing"
    ),
    builtin!(
        "aws-sso",
        "an IAM Identity Center (AWS SSO) sign-in, shared with the AWS CLI; no keys"
    ),
];

pub const DEFAULT: &str = "plain";

pub fn find(name: &str) -> Result<&'static Template, Error> {
    BUILTIN
        .iter()
        .find(|t| t.name == name)
        .ok_or_else(|| Error::Unknown {
            name: name.to_string(),
            available: BUILTIN.iter().map(|t| t.name).collect(),
        })
}

impl Template {
    /// The secrets backend the template names, if any.
    pub fn backend(&self) -> Option<crate::backend::Backend> {
        let table: toml::Table = toml::from_str(self.manifest).ok()?;
        let name = table.get("secrets")?.get("backend")?.as_str()?;
        crate::backend::Backend::from_name(name)
    }

    /// The manifest text with `name` set to `env_name`.
    pub fn render(&self, env_name: &str) -> String {
        let quoted = toml::Value::String(env_name.to_string()).to_string();
        let mut out = String::with_capacity(self.manifest.len() + env_name.len());
        for line in self.manifest.lines() {
            if line.starts_with("name = ") {
                out.push_str("name = ");
                out.push_str(&quoted);
            } else {
                out.push_str(line);
            }
            out.push('\n');
        }
        out
    }

    /// Writes `.envact/manifest.toml` in `project_dir`, named after the directory.
    /// An existing manifest is replaced only with `force`, and atomically.
    pub fn write_into(&self, project_dir: &Path, force: bool) -> Result<PathBuf, Error> {
        let path = manifest_path(project_dir);
        if path.exists() && !force {
            return Err(Error::Exists { path });
        }
        let name = dir_name(
            &std::path::absolute(project_dir).unwrap_or_else(|_| project_dir.to_path_buf()),
        );
        crate::private_fs::write_project_file(&path, self.render(&name).as_bytes()).map_err(
            |source| Error::Write {
                path: path.clone(),
                source,
            },
        )?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Manifest;

    #[test]
    fn every_builtin_template_is_a_valid_manifest() {
        for t in BUILTIN {
            let text = t.render("my project");
            let m = Manifest::parse(&text, Path::new(t.name), "x")
                .unwrap_or_else(|e| panic!("template {}: {e}", t.name));
            assert_eq!(m.name, "my project", "{}", t.name);
        }
    }

    #[test]
    fn names_survive_toml_quoting() {
        let tricky = "a \"b\" 'c' \\d";
        let text = find("plain").unwrap().render(tricky);
        let m = Manifest::parse(&text, Path::new("plain"), "x").unwrap();
        assert_eq!(m.name, tricky);
    }
}
