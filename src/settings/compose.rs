//! `[include]`: a manifest composed of the environments it includes, merged
//! under it in order. Each part is read and checked on its own (its errors
//! point into its own file), includes' includes come before them, a loop or
//! a chain deeper than [`MAX_DEPTH`] is refused by name; then the parts'
//! tables are merged: key by key, a later part over an earlier one and the
//! including manifest over all, `[vars]` and `[aws.profiles]` by name,
//! lists (`[aws] wrap`) a union, `[profile]` snippets and on-activate hooks in
//! order, the including manifest's last; and the whole is checked again for
//! what spans parts.

use std::path::{Path, PathBuf};

use toml::{Table, Value};

use crate::manifest::{dir_name, Hook, Include, Manifest, ManifestError, Project};
use crate::Error;

/// How deep includes may include.
pub const MAX_DEPTH: usize = 8;

/// One part of a composition, as loaded.
#[derive(Debug, Clone)]
pub struct Part {
    /// What the person knows it as: `team/aws`, `../platform`.
    pub name: String,
    /// Its manifest, as errors name it.
    pub shown: PathBuf,
    /// The directory its own `{ dir = ... }` includes are relative to.
    pub dir: PathBuf,
    pub text: String,
    /// For a registry's template: its project (pinned), whose content is
    /// trusted as `-r` trusts it.
    pub remote: Option<Project>,
    /// What identifies it, for loops: the template's name, or the directory.
    pub key: String,
}

/// Loads what an include names (fetching a template, or taking its pin).
pub type Loader<'a> = &'a dyn Fn(&Include, &Part) -> Result<Part, Error>;

/// The composed manifest, and its parts but the including manifest itself,
/// in merge order.
pub struct Composed {
    pub manifest: Manifest,
    pub parts: Vec<Part>,
    pub origins: Origins,
}

/// Where each setting of a composition comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origins {
    /// Each value's dotted key (`vars.X`, `secrets.backend`) and the part
    /// that set it last: a part's name, or [`THE_MANIFEST`].
    pub set_by: std::collections::BTreeMap<String, String>,
    /// Values a later part set over an earlier one's: (key, earlier, later).
    pub overridden: Vec<(String, String, String)>,
}

/// What the including manifest is called among the parts.
pub const THE_MANIFEST: &str = "the manifest";

impl Origins {
    /// The part that set `key` (dotted), when another than the manifest did.
    pub fn included(&self, key: &str) -> Option<&str> {
        self.set_by
            .get(key)
            .map(String::as_str)
            .filter(|by| *by != THE_MANIFEST)
    }
}

/// Composes `root` (a manifest read as `text`, whose `[include]` is not
/// empty) with what it includes.
pub fn compose(root: Part, default_name: &str, load: Loader) -> Result<Composed, Error> {
    let mut parts = Vec::new();
    let mut chain = vec![root.key.clone()];
    let root_manifest = include_all(&root, load, &mut chain, &mut parts)?;
    let mut merged = Table::new();
    let mut origins = Origins::default();
    let mut included_hooks = Vec::new();
    for part in &parts {
        let manifest = Manifest::parse_part(&part.text, &part.shown, &part.name)?;
        if let Some(hook) = manifest.on_activate {
            included_hooks.push(Hook {
                file: Some(part.shown.clone()),
                ..hook
            });
        }
        merge(
            &mut merged,
            table_of(&part.text),
            "",
            (&part.name, &mut origins),
        );
    }
    let mut own = table_of(&root.text);
    let name = own.remove("name");
    merge(&mut merged, own, "", (THE_MANIFEST, &mut origins));
    merged.remove("name");
    if let Some(name) = name {
        merged.insert("name".into(), name);
    }
    // The including manifest's hook is its own; the others run before it.
    if root_manifest.on_activate.is_none() {
        if let Some(hook) = merged.get_mut("hook").and_then(Value::as_table_mut) {
            hook.remove("on-activate");
        }
    }
    let text = toml::to_string(&merged).unwrap_or_default();
    let mut manifest = Manifest::parse(&text, &root.shown, default_name)
        .map_err(|e| of_the_whole(e, &root, &parts))?;
    manifest.on_activate = root_manifest.on_activate;
    manifest.included_hooks = included_hooks;
    manifest.includes = root_manifest.includes;
    manifest.written_at = root_manifest.written_at;
    origins.set_by.remove("name");
    Ok(Composed {
        manifest,
        parts,
        origins,
    })
}

/// Checks `part` and adds what it includes to `parts`, depth first, each
/// after its own includes; returns the part's manifest.
fn include_all(
    part: &Part,
    load: Loader,
    chain: &mut Vec<String>,
    parts: &mut Vec<Part>,
) -> Result<Manifest, Error> {
    let manifest = Manifest::parse_part(&part.text, &part.shown, &part.name)?;
    for include in &manifest.includes {
        if part.remote.is_some() && matches!(include, Include::Dir { .. }) {
            return Err(Error::IncludeRefused {
                manifest: part.shown.clone(),
                line: include.location().line,
            });
        }
        let next = load(include, part)?;
        if let Some(at) = chain.iter().position(|k| *k == next.key) {
            let mut names: Vec<String> = chain[at..].to_vec();
            names.push(next.key.clone());
            return Err(Error::IncludeLoop { chain: names });
        }
        if chain.len() > MAX_DEPTH {
            let mut names = chain.clone();
            names.push(next.key.clone());
            return Err(Error::IncludeTooDeep {
                chain: names,
                most: MAX_DEPTH,
            });
        }
        chain.push(next.key.clone());
        include_all(&next, load, chain, parts)?;
        chain.pop();
        if !parts.iter().any(|p| p.key == next.key) {
            parts.push(next);
        }
    }
    Ok(manifest)
}

/// A part's text as a table (it was checked already).
fn table_of(text: &str) -> Table {
    let mut table: Table = toml::from_str(text).unwrap_or_default();
    table.remove("include");
    table
}

/// Merges `over` (from the part `by`) into `base`; `at` is the dotted path
/// of `base`; what sets or overrides a value is noted in the origins.
fn merge(base: &mut Table, over: Table, at: &str, (by, origins): (&str, &mut Origins)) {
    for (key, value) in over {
        let here = if at.is_empty() {
            key.clone()
        } else {
            format!("{at}.{key}")
        };
        if !value.is_table() {
            if let Some(earlier) = origins.set_by.insert(here.clone(), by.to_string()) {
                let kept = value.is_array() || at == "profile";
                if earlier != by && !kept && base.get(&key) != Some(&value) {
                    origins
                        .overridden
                        .push((here.clone(), earlier, by.to_string()));
                }
            }
        }
        if value.is_table() && !base.get(&key).is_some_and(Value::is_table) {
            base.insert(key.clone(), Value::Table(Table::new()));
        }
        match (base.get_mut(&key), value) {
            (Some(Value::Table(mine)), Value::Table(theirs)) => {
                merge(mine, theirs, &here, (by, &mut *origins))
            }
            (Some(Value::Array(mine)), Value::Array(theirs)) => {
                for command in theirs {
                    if !mine.contains(&command) {
                        mine.push(command);
                    }
                }
            }
            (Some(Value::String(mine)), Value::String(theirs)) if at == "profile" => {
                *mine = format!("{}\n{}", mine.trim_end(), theirs);
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// An error of the merged whole, said at the including manifest's
/// `[include]`: the parts are fine alone, together they are not.
fn of_the_whole(e: ManifestError, root: &Part, parts: &[Part]) -> Error {
    let ManifestError::Invalid(invalid) = e else {
        return e.into();
    };
    let at = root.text.find("[include]").unwrap_or(0);
    let names: Vec<&str> = parts.iter().map(|p| p.name.as_str()).collect();
    ManifestError::at(
        &root.shown,
        &root.text,
        at..at + "[include]".len(),
        format!(
            "with its includes ({}) merged under it: {}",
            names.join(", "),
            invalid.message
        ),
        invalid.help,
    )
    .into()
}

/// The manifest of a directory an include names: its project's, else a
/// template directory's own `manifest.toml`.
pub fn manifest_in(dir: &Path) -> Option<PathBuf> {
    [
        dir.join(crate::manifest::MANIFEST_DIR)
            .join(crate::manifest::MANIFEST_FILE),
        dir.join(crate::manifest::MANIFEST_FILE),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

/// The part a project's own manifest is.
pub fn root_part(project: &Project, shown: &Path, text: &str) -> Part {
    Part {
        name: dir_name(&project.dir),
        shown: shown.to_path_buf(),
        dir: project.dir.clone(),
        text: text.to_string(),
        remote: project.remote.clone().map(|_| project.clone()),
        key: match &project.remote {
            Some(remote) => remote.name.clone(),
            None => project
                .dir
                .canonicalize()
                .unwrap_or_else(|_| project.dir.clone())
                .display()
                .to_string(),
        },
    }
}

#[cfg(test)]
#[path = "compose_tests.rs"]
mod tests;
