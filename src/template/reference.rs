//! `REGISTRY/TEMPLATE[@REF]`: a template in one of the person's registries,
//! at a branch, tag or commit (else the registry's own branch).

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRef {
    pub registry: String,
    /// The template's directory in the registry (`aws`, `infra/aws`).
    pub template: String,
    /// A branch, tag or commit, when one was named.
    pub at: Option<String>,
}

impl TemplateRef {
    /// `team/aws`, without the ref: what pins and trust are kept for.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.template)
    }
}

impl FromStr for TemplateRef {
    type Err = String;

    fn from_str(s: &str) -> Result<TemplateRef, String> {
        let (path, at) = match s.split_once('@') {
            Some((path, at)) => (path, Some(at)),
            None => (s, None),
        };
        let (registry, template) = path
            .split_once('/')
            .ok_or_else(|| format!("{s:?} is not REGISTRY/TEMPLATE[@REF]"))?;
        crate::state::registries::check_name(registry).map_err(|e| format!("{s:?}: {e}"))?;
        let clean = !template.is_empty()
            && template
                .split('/')
                .all(|part| !part.is_empty() && part != "." && part != "..")
            && !template.contains(['\\', '\0']);
        if !clean {
            return Err(format!(
                "{s:?}: the template is a directory in the registry, such as `aws` or `infra/aws`"
            ));
        }
        if let Some(Err(e)) = at.map(check_ref) {
            return Err(format!("{s:?}: the part after @ {e}"));
        }
        Ok(TemplateRef {
            registry: registry.to_string(),
            template: template.to_string(),
            at: at.map(str::to_string),
        })
    }
}

/// A branch, tag or commit as envact takes one (after `@`, or `registry
/// add --ref`): nothing git could read as an option or a refspec.
pub fn check_ref(at: &str) -> Result<(), &'static str> {
    let bad = at.is_empty()
        || at.starts_with('-')
        || at
            .chars()
            .any(|c| c.is_control() || matches!(c, ' ' | ':' | '\\' | '~' | '^' | '?' | '*' | '['));
    match bad {
        true => Err("is a branch, tag or commit: not empty, not starting with `-`, without spaces, `:` or the characters git gives meaning to (~ ^ ? * [ \\)"),
        false => Ok(()),
    }
}

impl fmt::Display for TemplateRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name())?;
        if let Some(at) = &self.at {
            write!(f, "@{at}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_and_without_a_ref() {
        let r: TemplateRef = "team/aws@v1.2".parse().unwrap();
        assert_eq!((r.registry.as_str(), r.template.as_str()), ("team", "aws"));
        assert_eq!(r.at.as_deref(), Some("v1.2"));
        assert_eq!(r.to_string(), "team/aws@v1.2");
        let r: TemplateRef = "team/infra/aws".parse().unwrap();
        assert_eq!((r.template.as_str(), r.at), ("infra/aws", None));
        for bad in [
            "aws",
            "team/",
            "/aws",
            "team/../x",
            "team/aws@",
            "team/aws@-x",
            "te am/aws",
        ] {
            assert!(bad.parse::<TemplateRef>().is_err(), "{bad}");
        }
    }
}
