//! Compose-spec variable interpolation (`$VAR`, `${VAR:-default}`, `$$` …), keeping the
//! difference between an unset and an empty variable exactly as the spec's "Interpolation"
//! section and compose-go's `template` package do.

use crate::model::image::{HOLE, Part, shape_of};

/// How deeply `${A:-${B:-…}}` may nest before the expression is rejected.
const MAX_NESTING: usize = 16;

/// The result of interpolating one string.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Interpolation {
    /// The expanded text; `None` when a needed variable is unset with no default, when a
    /// `:?`/`?` check fails, or when the expression is malformed.
    pub value: Option<String>,
    /// Variables whose values were read from the lookup, in first-use order.
    pub used: Vec<String>,
    /// Variables that were needed but unset (no default), in first-use order.
    pub missing: Vec<String>,
    /// Why the expression is malformed (e.g. an unterminated `${`).
    pub error: Option<String>,
}

/// Interpolate `text`; a variable that is unset with no default leaves the value unresolved.
pub fn interpolate(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Interpolation {
    run(text, lookup, false)
}

/// Interpolate as compose itself does: a variable that is unset with no default becomes the
/// empty string (compose warns); it is still listed in `missing`. `:?` checks still fail.
pub fn interpolate_or_empty(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Interpolation {
    run(text, lookup, true)
}

/// Where the variables `missing` (unset, no default) stand in the interpolation of `text`:
/// interpolated again with each of them standing for [`HOLE`] (holes already in `text` stay).
/// Only kept when that is exactly compose's own interpolation with the holes in it (a missing
/// variable also used as `${NAME:+word}` is not): else `None`.
pub fn interpolated_shape(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    missing: &[String],
) -> Option<Vec<Part>> {
    let hole = HOLE.to_string();
    let marked = interpolate(text, &|name| {
        if missing.iter().any(|known| known == name) {
            Some(hole.clone())
        } else {
            lookup(name)
        }
    });
    let plain = interpolate_or_empty(text, lookup);
    let (marked, plain) = (marked.value?, plain.value?);
    if marked.replace(HOLE, "") != plain.replace(HOLE, "") {
        return None;
    }
    shape_of(&marked)
}

/// The names of the variables `text` refers to (`$NAME`, `${NAME}`, `${NAME:-default}`,
/// `${NAME#pattern}` …), in first-use order, without repeats; `$$` is a literal `$`.
///
/// Lexical only, so it works for every syntax pinwarden reads (Compose, Dockerfile, envsubst
/// placeholders in Kubernetes manifests) whatever operators follow the name.
pub fn variable_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        i += 1;
        if byte != b'$' {
            continue;
        }
        let braced = match bytes.get(i) {
            Some(b'$') => {
                i += 1;
                continue;
            }
            Some(b'{') => {
                i += 1;
                true
            }
            _ => false,
        };
        let len = name_len(bytes.get(i..).unwrap_or(&[]));
        let name = text.get(i..i + len).unwrap_or("");
        // An unclosed `${` names nothing (every syntax rejects or keeps it as text).
        let closed = !braced
            || bytes
                .get(i + len..)
                .is_some_and(|rest| rest.contains(&b'}'));
        if !name.is_empty() && closed && !names.iter().any(|known| known == name) {
            names.push(name.to_owned());
        }
        i += len;
    }
    names
}

fn run(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    empty_for_unset: bool,
) -> Interpolation {
    let mut expander = Expander {
        lookup,
        empty_for_unset,
        failed: false,
        used: Vec::new(),
        missing: Vec::new(),
    };
    match expander.expand(text, 0) {
        Ok(value) => Interpolation {
            value: (!expander.failed).then_some(value),
            used: expander.used,
            missing: expander.missing,
            error: None,
        },
        Err(error) => Interpolation {
            value: None,
            used: expander.used,
            missing: expander.missing,
            error: Some(error),
        },
    }
}

struct Expander<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
    empty_for_unset: bool,
    failed: bool,
    used: Vec<String>,
    missing: Vec<String>,
}

/// The operator of a braced expression.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Operator {
    /// `${VAR:-word}` (`colon`: also when empty) / `${VAR-word}`: default.
    Default { colon: bool },
    /// `${VAR:?word}` / `${VAR?word}`: required.
    Required { colon: bool },
    /// `${VAR:+word}` / `${VAR+word}`: alternative.
    Alternative { colon: bool },
}

fn is_name_start(byte: u8) -> bool {
    byte == b'_' || byte.is_ascii_alphabetic()
}

fn is_name_char(byte: u8) -> bool {
    byte == b'_' || byte.is_ascii_alphanumeric()
}

/// The length of the variable name at the start of `bytes` (0 if there is none).
fn name_len(bytes: &[u8]) -> usize {
    match bytes.first() {
        Some(&first) if is_name_start(first) => {
            bytes.iter().take_while(|&&byte| is_name_char(byte)).count()
        }
        _ => 0,
    }
}

/// The offset of the `}` closing a `${` whose body starts `text`, counting nested `${`.
pub(crate) fn closing_brace(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut open = 1usize;
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        match (byte, bytes.get(i + 1)) {
            (b'$', Some(b'$')) => i += 1,
            (b'$', Some(b'{')) => {
                open += 1;
                i += 1;
            }
            (b'}', _) => {
                open -= 1;
                if open == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

impl Expander<'_> {
    fn lookup(&mut self, name: &str) -> Option<String> {
        let value = (self.lookup)(name);
        if value.is_some() && !self.used.iter().any(|used| used == name) {
            self.used.push(name.to_owned());
        }
        value
    }

    fn unset(&mut self, name: &str, fatal: bool) -> String {
        if !self.missing.iter().any(|missing| missing == name) {
            self.missing.push(name.to_owned());
        }
        if fatal || !self.empty_for_unset {
            self.failed = true;
        }
        String::new()
    }

    fn expand(&mut self, text: &str, depth: usize) -> Result<String, String> {
        if depth > MAX_NESTING {
            return Err(format!(
                "interpolation nests deeper than {MAX_NESTING} levels"
            ));
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(dollar) = rest.find('$') {
            out.push_str(rest.get(..dollar).unwrap_or(""));
            let after = rest.get(dollar + 1..).unwrap_or("");
            let bytes = after.as_bytes();
            rest = match bytes.first() {
                Some(b'$') => {
                    out.push('$');
                    after.get(1..).unwrap_or("")
                }
                Some(b'{') => {
                    let body = after.get(1..).unwrap_or("");
                    let (value, consumed) = self.braced(body, depth)?;
                    out.push_str(&value);
                    body.get(consumed..).unwrap_or("")
                }
                _ => {
                    let len = name_len(bytes);
                    if len == 0 {
                        // `$` not followed by a name is literal, as compose-go leaves it.
                        out.push('$');
                    } else {
                        let name = after.get(..len).unwrap_or("");
                        let value = match self.lookup(name) {
                            Some(value) => value,
                            None => self.unset(name, false),
                        };
                        out.push_str(&value);
                    }
                    after.get(len..).unwrap_or("")
                }
            };
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Expand the `${…}` whose body (after `{`) starts `body`; returns the value and the
    /// number of bytes of `body` consumed, closing brace included.
    fn braced(&mut self, body: &str, depth: usize) -> Result<(String, usize), String> {
        let close = closing_brace(body).ok_or_else(|| "unterminated `${`".to_owned())?;
        let inner = body.get(..close).unwrap_or("");
        let invalid = || format!("invalid interpolation format `${{{inner}}}`");
        let len = name_len(inner.as_bytes());
        if len == 0 {
            return Err(invalid());
        }
        let name = inner.get(..len).unwrap_or("");
        let tail = inner.get(len..).unwrap_or("");
        let (colon, tail) = match tail.strip_prefix(':') {
            Some(tail) => (true, tail),
            None => (false, tail),
        };
        let operator = match tail.as_bytes().first() {
            None if !colon => None,
            Some(b'-') => Some(Operator::Default { colon }),
            Some(b'?') => Some(Operator::Required { colon }),
            Some(b'+') => Some(Operator::Alternative { colon }),
            _ => return Err(invalid()),
        };
        let word = tail.get(1..).unwrap_or("");
        let value = self.lookup(name);
        // `colon` forms treat an empty value like an unset one.
        let set = |colon: bool| value.as_deref().filter(|v| !colon || !v.is_empty());
        let result = match operator {
            None => match value.clone() {
                Some(value) => value,
                None => self.unset(name, false),
            },
            Some(Operator::Default { colon }) => match set(colon) {
                Some(value) => value.to_owned(),
                None => self.expand(word, depth + 1)?,
            },
            Some(Operator::Required { colon }) => match set(colon) {
                Some(value) => value.to_owned(),
                None => self.unset(name, true),
            },
            Some(Operator::Alternative { colon }) => match set(colon) {
                Some(_) => self.expand(word, depth + 1)?,
                None => String::new(),
            },
        };
        Ok((result, close + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "TAG" => Some("1.25".to_owned()),
            "EMPTY" => Some(String::new()),
            "REPO" => Some("nginx".to_owned()),
            "lower" => Some("low".to_owned()),
            _ => None,
        }
    }

    #[test]
    fn variable_names_table() {
        // (text, names)
        let cases: &[(&str, &[&str])] = &[
            ("app:${TAG}", &["TAG"]),
            ("$REGISTRY/app:${TAG:-1.0}", &["REGISTRY", "TAG"]),
            ("${A}${A}", &["A"]),
            ("${A:-${B}}", &["A", "B"]),
            ("${VERSION#v}", &["VERSION"]),
            ("app:1.0", &[]),
            ("app:$", &[]),
            ("$$NOT_A_VAR", &[]),
            ("$1abc", &[]),
            ("${", &[]),
            ("app:${unclosed", &[]),
        ];
        for (text, expected) in cases {
            assert_eq!(variable_names(text), *expected, "{text}");
        }
    }

    #[test]
    fn every_form_follows_the_spec() {
        // (input, expected value; None = unresolved)
        let cases: &[(&str, Option<&str>)] = &[
            ("nginx", Some("nginx")),
            ("nginx:$TAG", Some("nginx:1.25")),
            ("nginx:${TAG}", Some("nginx:1.25")),
            ("${REPO}:${TAG}-alpine", Some("nginx:1.25-alpine")),
            ("$lower", Some("low")),
            // Unset, no default: unresolved.
            ("nginx:${UNSET}", None),
            ("nginx:$UNSET", None),
            // Set but empty is still a value.
            ("nginx:${EMPTY}", Some("nginx:")),
            // :- uses the default when unset or empty; - only when unset.
            ("${UNSET:-x}", Some("x")),
            ("${EMPTY:-x}", Some("x")),
            ("${TAG:-x}", Some("1.25")),
            ("${UNSET-x}", Some("x")),
            ("${EMPTY-x}", Some("")),
            ("${UNSET:-}", Some("")),
            // :? fails when unset or empty; ? only when unset.
            ("${TAG:?need it}", Some("1.25")),
            ("${EMPTY:?need it}", None),
            ("${UNSET:?need it}", None),
            ("${EMPTY?need it}", Some("")),
            ("${UNSET?need it}", None),
            // :+ replaces when set and non-empty; + when set.
            ("${TAG:+alt}", Some("alt")),
            ("${EMPTY:+alt}", Some("")),
            ("${UNSET:+alt}", Some("")),
            ("${EMPTY+alt}", Some("alt")),
            ("${UNSET+alt}", Some("")),
            // Nested defaults.
            ("${UNSET:-${TAG}}", Some("1.25")),
            ("${UNSET:-${ALSO:-deep}}", Some("deep")),
            ("${UNSET:-$TAG-x}", Some("1.25-x")),
            ("${TAG:+${REPO}:${TAG}}", Some("nginx:1.25")),
            ("${UNSET:-${ALSO}}", None),
            // Only the branch taken is expanded.
            ("${TAG:-${ALSO}}", Some("1.25")),
            // $$ is a literal $, never a variable.
            ("$$TAG", Some("$TAG")),
            ("a$$", Some("a$")),
            ("${UNSET:-$$}", Some("$")),
            // A $ not followed by a name stays literal.
            ("cost $5", Some("cost $5")),
            ("end$", Some("end$")),
            ("é${TAG}é", Some("é1.25é")),
        ];
        for (input, expected) in cases {
            let result = interpolate(input, &env);
            assert_eq!(result.value.as_deref(), *expected, "{input}");
            assert_eq!(result.error, None, "{input}");
        }
    }

    #[test]
    fn used_and_missing_variables_are_reported() {
        // (input, used, missing)
        let cases: &[(&str, &[&str], &[&str])] = &[
            ("${REPO}:${TAG}", &["REPO", "TAG"], &[]),
            ("$TAG$TAG", &["TAG"], &[]),
            ("${A}:${B}", &[], &["A", "B"]),
            ("${A:-x}", &[], &[]),
            ("${EMPTY:-x}", &["EMPTY"], &[]),
            ("${A:?err}", &[], &["A"]),
            ("${A:-${TAG}}", &["TAG"], &[]),
            ("$$TAG", &[], &[]),
        ];
        for (input, used, missing) in cases {
            let result = interpolate(input, &env);
            assert_eq!(result.used, *used, "{input}");
            assert_eq!(result.missing, *missing, "{input}");
        }
    }

    #[test]
    fn malformed_expressions_are_errors() {
        let cases = [
            "${", "${TAG", "${}", "${1A}", "${A B}", "${A:x}", "${A:}", "x ${-}",
        ];
        for input in cases {
            let result = interpolate(input, &env);
            assert_eq!(result.value, None, "{input}");
            assert!(result.error.is_some(), "{input}");
        }
        let deep = format!("{}x{}", "${A:-".repeat(40), "}".repeat(40));
        let result = interpolate(&deep, &env);
        assert!(result.error.unwrap_or_default().contains("deeper"));
        let ok = format!("{}x{}", "${A:-".repeat(10), "}".repeat(10));
        assert_eq!(interpolate(&ok, &env).value.as_deref(), Some("x"));
    }

    #[test]
    fn or_empty_substitutes_unset_variables_like_compose() {
        let result = interpolate_or_empty("a${UNSET}b", &env);
        assert_eq!(result.value.as_deref(), Some("ab"));
        assert_eq!(result.missing, ["UNSET"]);
        assert_eq!(interpolate_or_empty("${UNSET:?x}", &env).value, None);
    }
}
