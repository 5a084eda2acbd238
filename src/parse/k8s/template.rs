//! Template actions (`{{ … }}`: Helm, Argo, Go templates) in manifests.
//!
//! A Helm chart's `templates/` are not YAML until rendered, so they are skipped. Anywhere
//! else, a manifest that mentions `{{ .Values.x }}` in an annotation, or an Argo workflow
//! whose arguments are `{{inputs.parameters.x}}`, is still a manifest: the actions are masked
//! (same length, so every span stays exact) and what parses is scanned; an image with an action
//! in it is not known here.

use std::ops::Range;
use std::path::Path;

/// The byte ranges of the `{{ … }}` actions of `text`, `{{` through the first `}}` after it
/// (Go's `text/template` lexer ends an action there outside of string literals; a `}}` inside
/// a literal is rare enough to ignore). An unterminated `{{` is left as text.
pub(super) fn ranges(text: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut from = 0;
    let bytes = text.as_bytes();
    while let Some(open) = bytes
        .get(from..)
        .and_then(|rest| memchr::memmem::find(rest, b"{{"))
    {
        let start = from + open;
        let Some(close) = bytes
            .get(start + 2..)
            .and_then(|rest| memchr::memmem::find(rest, b"}}"))
        else {
            break;
        };
        let end = start + 2 + close + 2;
        ranges.push(start..end);
        from = end;
    }
    ranges
}

/// `text` with each action replaced by `$(___…)` of the same length, line breaks kept.
///
/// NOTE: `$(NAME)` is how Kubernetes itself writes a reference to a variable, so a masked
/// value reads as "comes from elsewhere", not as a literal (a masked `password:` is no
/// plaintext secret), and a plain YAML scalar cannot start with `{`-like syntax any more.
pub(super) fn mask(text: &str, ranges: &[Range<usize>]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for range in ranges {
        let last = range.end.saturating_sub(1);
        for index in range.clone() {
            let Some(byte) = bytes.get_mut(index) else {
                continue;
            };
            *byte = match (index - range.start, *byte) {
                (_, b'\n' | b'\r') => *byte,
                (0, _) => b'$',
                (1, _) => b'(',
                _ if index == last => b')',
                _ => b'_',
            };
        }
    }
    // Only ASCII bytes replaced whole characters (an action starts and ends with ASCII
    // braces), so the text is still UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_owned())
}

/// How an action is named in messages: its text without the braces and trim markers
/// (`{{- .Values.tag -}}` is `.Values.tag`).
pub(super) fn action_name(action: &str) -> String {
    let inner = action
        .strip_prefix("{{")
        .and_then(|rest| rest.strip_suffix("}}"))
        .unwrap_or(action);
    let inner = inner.strip_prefix('-').unwrap_or(inner);
    let inner = inner.strip_suffix('-').unwrap_or(inner);
    inner.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The 1-based line of the first action outside a comment line (`# {{ x }}` is not one).
pub(super) fn first_action_line(text: &str) -> Option<usize> {
    text.lines().enumerate().find_map(|(index, line)| {
        let code = if line.trim_start().starts_with('#') {
            ""
        } else {
            line.find(" #")
                .and_then(|cut| line.get(..cut))
                .unwrap_or(line)
        };
        let open = code.find("{{")?;
        code.get(open..)?.contains("}}").then_some(index + 1)
    })
}

/// Is `path` inside a Helm chart's templates: under a `templates` directory whose parent
/// holds a `Chart.yaml` (`exists` answers for a path, without following symlinks)?
///
/// NOTE: only the existence of `Chart.yaml` beside the file's own ancestors is asked, never
/// its content.
pub fn in_chart_templates(path: &Path, exists: &dyn Fn(&Path) -> bool) -> bool {
    path.ancestors().skip(1).any(|ancestor| {
        ancestor.file_name().is_some_and(|name| name == "templates")
            && ancestor
                .parent()
                .is_some_and(|chart| exists(&chart.join("Chart.yaml")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_masked_to_the_same_length() {
        // (text, masked)
        let cases = [
            ("a: {{ .Values.x }}", "a: $(____________)"),
            ("a: \"{{x}}:{{ y }}\"", "a: \"$(__):$(____)\""),
            (
                "{{- if .x }}\nb: 1\n{{- end }}",
                "$(_________)\nb: 1\n$(_______)",
            ),
            // line breaks inside an action are kept
            ("a: {{ x\n  y }}", "a: $(__\n_____)"),
            // unterminated: left alone
            ("a: {{ x", "a: {{ x"),
            ("a: ${{ x }}", "a: $$(____)"),
            // multi-byte characters: every byte masked
            ("é: {{ 'é' }}", "é: $(_______)"),
        ];
        for (text, masked) in cases {
            let got = mask(text, &ranges(text));
            assert_eq!(got, masked, "{text:?}");
            assert_eq!(got.len(), text.len());
        }
    }

    #[test]
    fn action_names() {
        assert_eq!(action_name("{{ .Values.tag }}"), ".Values.tag");
        assert_eq!(action_name("{{- .Values.tag -}}"), ".Values.tag");
        assert_eq!(
            action_name("{{inputs.parameters.image}}"),
            "inputs.parameters.image"
        );
        assert_eq!(
            action_name("{{ .Values.image.repository | default  \"x\" }}"),
            ".Values.image.repository | default \"x\""
        );
    }

    #[test]
    fn chart_templates_need_a_chart_beside_them() {
        let exists = |path: &Path| path == Path::new("charts/web/Chart.yaml");
        // (path, in a chart's templates)
        let cases = [
            ("charts/web/templates/deploy.yaml", true),
            ("charts/web/templates/sub/deploy.yaml", true),
            ("charts/api/templates/deploy.yaml", false), // no Chart.yaml
            ("charts/web/deploy.yaml", false),
            ("charts/web/templates", false), // the directory itself
        ];
        for (path, expected) in cases {
            assert_eq!(
                in_chart_templates(Path::new(path), &exists),
                expected,
                "{path}"
            );
        }
    }

    #[test]
    fn comment_lines_hold_no_action() {
        assert_eq!(first_action_line("# {{ x }}\na: {{ y }}\n"), Some(2));
        assert_eq!(first_action_line("a: 1 # {{ x }}\n"), None);
        assert_eq!(first_action_line("a: {{ x\n"), None);
    }
}
