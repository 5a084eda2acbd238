//! PW4xx: hardening from the secure baseline that pinning alone does not give: a non-root
//! user (PW401), `no-new-privileges` (PW402), and secrets kept out of the files (PW403).
//! These rules are not about pinning, so no policy gates them.

pub mod no_new_privileges;
pub mod plaintext_secret;
pub mod runs_as_root;
mod secret_value;

use crate::parse::yaml::{Node, ScalarStyle};

/// A mapping's entry for `key`: the key node and the value node.
fn entry<'n>(node: &'n Node, key: &str) -> Option<(&'n Node, &'n Node)> {
    node.as_mapping()?
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(k, v)| (k, v))
}

/// A plain YAML scalar read as a boolean. `yaml11` also takes the YAML 1.1 words (`yes`,
/// `on`, …) that Kubernetes' YAML reader (go-yaml v2) resolves to booleans.
fn yaml_bool(node: &Node, yaml11: bool) -> Option<bool> {
    let scalar = node.as_scalar()?;
    if scalar.style != ScalarStyle::Plain {
        return None;
    }
    match &*scalar.text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" if yaml11 => Some(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" if yaml11 => Some(false),
        _ => None,
    }
}

/// A plain YAML scalar read as a decimal integer (`0`, `1000`, `-1`).
fn yaml_int(node: &Node) -> Option<i64> {
    let scalar = node.as_scalar()?;
    if scalar.style != ScalarStyle::Plain {
        return None;
    }
    let text = scalar.text.strip_prefix('+').unwrap_or(&scalar.text);
    text.parse().ok()
}

/// Is a user spec (`user`, `user:group`, `uid`, `uid:gid`) the root user? Root is the name
/// `root` or the uid 0; the group does not matter (`1000:0` is not root).
fn is_root_user(spec: &str) -> bool {
    let user = spec.split_once(':').map_or(spec, |(user, _)| user).trim();
    user == "root"
        || (!user.is_empty()
            && user.bytes().all(|byte| byte.is_ascii_digit())
            && user.trim_start_matches('0').is_empty())
}

#[cfg(test)]
pub(crate) mod test_support {
    use std::sync::Arc;

    use crate::model::finding::Finding;
    use crate::model::kind::FileKind;
    use crate::model::source::SourceFile;
    use crate::parse::{ParseContext, env, parse};
    use crate::rules::{CheckContext, check};

    /// `line:text` of each finding of `rule` in `text` parsed as `kind`, in order.
    pub(crate) fn hits(rule: &str, kind: FileKind, text: &str) -> Vec<String> {
        hits_with_env(rule, kind, text, None)
    }

    /// Like [`hits`], with a `.env` file beside a compose file; a hit in the `.env` file
    /// is prefixed with `.env:`.
    pub(crate) fn hits_with_env(
        rule: &str,
        kind: FileKind,
        text: &str,
        env_text: Option<&str>,
    ) -> Vec<String> {
        let source = Arc::new(SourceFile::new("file", text));
        let env_source = env_text.map(|text| Arc::new(SourceFile::new(".env", text)));
        let env_file = env_text.map(env::parse_env);
        let cx = ParseContext {
            env: env_source.as_ref().zip(env_file.as_ref()),
            ..ParseContext::default()
        };
        let document = parse(source, kind, &cx);
        let mut findings = check(&document, &CheckContext::default());
        findings.sort_by(Finding::report_order);
        findings
            .iter()
            .filter(|finding| finding.rule.id == rule)
            .map(|finding| {
                let primary = &finding.primary;
                let line = primary.source.position(primary.span.start).line;
                let hit = format!("{line}:{}", primary.text());
                if primary.source.path() == ".env" {
                    format!(".env:{hit}")
                } else {
                    hit
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_user_specs() {
        // (spec, root?)
        let cases = [
            ("root", true),
            ("0", true),
            ("0:0", true),
            ("root:root", true),
            ("0:1000", true),
            ("root:staff", true),
            ("000", true),
            (" root ", true),
            ("1000", false),
            ("1000:0", false), // group 0 only
            ("app", false),
            ("ROOT", false), // user names are case-sensitive
            ("rootless", false),
            ("", false),
            (":0", false),
        ];
        for (spec, root) in cases {
            assert_eq!(is_root_user(spec), root, "{spec:?}");
        }
    }
}
