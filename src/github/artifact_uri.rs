//! Repo-relative artifact URIs: code scanning maps a result to a file by its URI relative to
//! the repository root, so absolute paths and `file://` URIs under the workspace (the runner's
//! checkout or a container action's `/github/workspace`) are rewritten before upload.

use serde_json::Value;

/// The workspace paths to strip from absolute URIs, longest first, each as written and
/// percent-encoded, without a trailing `/`.
pub(crate) fn workspace_prefixes(workspaces: &[String]) -> Vec<String> {
    let mut prefixes: Vec<String> = workspaces
        .iter()
        .map(|workspace| workspace.trim_end_matches('/').to_owned())
        .filter(|workspace| workspace.starts_with('/') && workspace.len() > 1)
        .flat_map(|workspace| [crate::model::uri::encode_path(&workspace), workspace])
        .collect();
    prefixes.sort_by(|left, right| right.len().cmp(&left.len()).then_with(|| left.cmp(right)));
    prefixes.dedup();
    prefixes
}

/// Rewrites every artifact location `uri` to be repo-relative (SARIF §3.4.3: code scanning
/// treats a relative URI as relative to the repository root). `originalUriBaseIds` keeps its
/// absolute base URIs, and a rewritten absolute URI loses its `uriBaseId`.
pub(crate) fn relativize_uris(value: &mut Value, prefixes: &[String]) {
    match value {
        Value::Object(map) => {
            let rewritten = map
                .get("uri")
                .and_then(Value::as_str)
                .and_then(|uri| relative_uri(uri, prefixes));
            if let Some((uri, was_absolute)) = rewritten {
                map.insert("uri".to_owned(), Value::String(uri));
                if was_absolute {
                    map.remove("uriBaseId");
                }
            }
            for (key, child) in map.iter_mut() {
                if key != "originalUriBaseIds" && key != "uri" {
                    relativize_uris(child, prefixes);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| relativize_uris(item, prefixes)),
        _ => {}
    }
}

/// The repo-relative form of `uri`, and whether it was absolute; `None` leaves it unchanged
/// (already clean, another scheme, or an absolute path outside the workspace).
fn relative_uri(uri: &str, prefixes: &[String]) -> Option<(String, bool)> {
    let path = if let Some(rest) = uri.strip_prefix("file://") {
        // `file:///abs`, `file://localhost/abs`; `file://rel` is malformed but seen in the wild.
        rest.strip_prefix("localhost")
            .filter(|rest| rest.starts_with('/'))
            .unwrap_or(rest)
    } else if let Some(rest) = uri.strip_prefix("file:") {
        rest
    } else if has_scheme(uri) {
        return None;
    } else {
        uri
    };
    if path.starts_with('/') {
        let remainder = prefixes.iter().find_map(|prefix| {
            let rest = path.strip_prefix(prefix.as_str())?;
            rest.strip_prefix('/')
        })?;
        let relative = strip_dot_slash(remainder.trim_start_matches('/'));
        return (!relative.is_empty()).then(|| (relative.to_owned(), true));
    }
    let relative = strip_dot_slash(path);
    (!relative.is_empty() && relative != uri).then(|| (relative.to_owned(), false))
}

fn strip_dot_slash(mut path: &str) -> &str {
    while let Some(rest) = path.strip_prefix("./") {
        path = rest.trim_start_matches('/');
    }
    path
}

/// RFC 3986 scheme (`http:`, `urn:`); one letter before `:` is a Windows drive, not a scheme.
fn has_scheme(uri: &str) -> bool {
    uri.split_once(':').is_some_and(|(scheme, _)| {
        scheme.len() > 1
            && scheme.starts_with(|first: char| first.is_ascii_alphabetic())
            && scheme
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || b"+-.".contains(&byte))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn relative_uri_table() {
        let prefixes = workspace_prefixes(&[
            "/home/runner/work/app/app/".to_owned(),
            "/github/workspace".to_owned(),
            "/tmp/my dir".to_owned(),
        ]);
        let cases: &[(&str, Option<(&str, bool)>)] = &[
            // Trivy in a container action
            (
                "file:///github/workspace/deploy/Dockerfile",
                Some(("deploy/Dockerfile", true)),
            ),
            (
                "file://localhost/github/workspace/a.yml",
                Some(("a.yml", true)),
            ),
            (
                "/home/runner/work/app/app/compose.yaml",
                Some(("compose.yaml", true)),
            ),
            ("file:/github/workspace/x", Some(("x", true))),
            // percent-encoded workspace path
            (
                "file:///tmp/my%20dir/Dockerfile",
                Some(("Dockerfile", true)),
            ),
            ("./Dockerfile", Some(("Dockerfile", false))),
            ("././a/b", Some(("a/b", false))),
            ("file://Dockerfile", Some(("Dockerfile", false))),
            // already clean
            ("Dockerfile", None),
            // a sibling directory sharing the prefix is outside the workspace
            ("/github/workspace2/x", None),
            // outside the workspace, other schemes, the workspace itself
            ("/usr/bin/trivy", None),
            ("file:///etc/passwd", None),
            ("https://example.com/x", None),
            ("file:///github/workspace/", None),
            ("C:/src/x", None),
        ];
        for (uri, expected) in cases {
            let actual = relative_uri(uri, &prefixes);
            let actual = actual
                .as_ref()
                .map(|(uri, absolute)| (uri.as_str(), *absolute));
            assert_eq!(actual, *expected, "{uri}");
        }
    }

    #[test]
    fn relativize_keeps_original_uri_base_ids() {
        let mut sarif = json!({"version": "2.1.0", "runs": [{
            "tool": {"driver": {"name": "Trivy"}},
            "originalUriBaseIds": {"ROOTPATH": {"uri": "file:///github/workspace/"}},
            "results": [{"locations": [{"physicalLocation": {"artifactLocation":
                {"uri": "file:///github/workspace/Dockerfile", "uriBaseId": "ROOTPATH"}}}]}],
            "artifacts": [{"location": {"uri": "./go.mod", "uriBaseId": "ROOTPATH"}}]
        }]});
        relativize_uris(
            &mut sarif,
            &workspace_prefixes(&["/github/workspace".to_owned()]),
        );
        let run = &sarif["runs"][0];
        assert_eq!(
            run["originalUriBaseIds"]["ROOTPATH"]["uri"],
            "file:///github/workspace/"
        );
        let location = &run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(location, &json!({"uri": "Dockerfile"}));
        assert_eq!(
            run["artifacts"][0]["location"],
            json!({"uri": "go.mod", "uriBaseId": "ROOTPATH"})
        );
    }
}
