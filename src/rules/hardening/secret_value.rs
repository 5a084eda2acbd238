//! PW403's classifier: is a value written for a secret-like key a literal secret, or does it
//! come from elsewhere (a variable, an expression, a file)?
//!
//! A value is literal when it has no variable reference and is not empty, or when one of its
//! references carries a literal default (`${DB_PASSWORD:-secretpass}`): that default is the
//! secret whenever the variable is not set. A value mixing text and references without
//! defaults (`Bearer ${TOKEN}`) takes its secret part from the variable and is not literal.
//! `true`/`false`-like switches (`persist-credentials: false`, `AUTH_ENABLED: "yes"`) are not
//! secrets.

use crate::model::secret::{is_secret_key, key_words};
use crate::parse::interpolate::closing_brace;

/// The syntax a value is written in, which decides what a reference is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Dialect {
    /// A Dockerfile `ENV`/`ARG` value as written: quotes, the escape character, `$NAME`,
    /// `${NAME}`, `${NAME:-word}`, `${NAME:+word}`, `${NAME#pattern}` … (BuildKit's lexer).
    Dockerfile { escape: char },
    /// Compose interpolation (also in `.env` files): `$$` is a literal `$`, `${NAME:-word}`,
    /// `${NAME-word}`, `${NAME:+word}`, `${NAME:?error}`.
    Compose,
    /// Kubernetes `env[].value`: `$(NAME)` refers to another variable, `$$` escapes.
    Kubernetes,
    /// GitHub Actions: `${{ expression }}`. A `$NAME` / `${NAME}` is read as a reference too:
    /// the runner does not expand it, but it names a variable, not a secret.
    GitHub,
}

/// The last words of a key that make its value something other than the secret: where the
/// secret is (`_FILE`, `_PATH`, `_URL` …) or how it is used (`_TYPE`, `_METHOD`, `_ENABLED`
/// …). Upper case.
const QUALIFIERS: &[&str] = &[
    "FILE", "PATH", "DIR", "URL", "URI", "ENDPOINT", "HOST", "PORT", "STORE", "TYPE", "METHOD",
    "MODE", "ROLE", "VERSION", "ENABLED", "DISABLED", "REQUIRED", "NAME", "LENGTH", "TTL",
    "EXPIRY", "TIMEOUT",
];

/// Values that are switches, not secrets (compared case-insensitively).
const SWITCHES: &[&str] = &["true", "false", "yes", "no", "on", "off", "0", "1"];

/// How deeply `${A:-${B:-…}}` defaults are followed.
const MAX_DEPTH: usize = 16;

/// Is `key` secret-like for PW403: secret-like by the shared predicate, and not a key whose
/// value says where or how the secret is given rather than being it (`DB_PASSWORD_FILE`).
pub(super) fn is_secret_name(key: &str) -> bool {
    if !is_secret_key(key) {
        return false;
    }
    let words = key_words(key);
    let last = words.last().copied().unwrap_or("");
    !QUALIFIERS
        .iter()
        .any(|qualifier| last.eq_ignore_ascii_case(qualifier))
}

/// Is `value` (as written, in `dialect`) a literal secret? See the module docs.
pub(super) fn is_literal(value: &str, dialect: Dialect) -> bool {
    literal_at(value, dialect, 0)
}

/// An absolute file path (`/run/secrets/db`, `/var/secrets/google/key.json`) says where a
/// secret is mounted; it is not the secret.
fn is_absolute_path(text: &str) -> bool {
    text.strip_prefix('/').is_some_and(|rest| {
        rest.contains('/') && !rest.starts_with('/') && !rest.contains(char::is_whitespace)
    })
}

fn literal_at(value: &str, dialect: Dialect, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let parsed = parse(value, dialect);
    if parsed.references == 0 {
        let text = parsed.text.trim();
        return !text.is_empty()
            && !is_absolute_path(text)
            && !SWITCHES
                .iter()
                .any(|switch| text.eq_ignore_ascii_case(switch));
    }
    parsed
        .defaults
        .iter()
        .any(|default| literal_at(default, dialect, depth + 1))
}

/// A value split into its literal text and its references.
#[derive(Debug, Default, PartialEq, Eq)]
struct Parsed {
    /// The text outside references, quotes and escapes removed.
    text: String,
    /// How many references there are.
    references: usize,
    /// The default (or alternative) words of references, as written.
    defaults: Vec<String>,
}

fn parse(value: &str, dialect: Dialect) -> Parsed {
    let mut parsed = Parsed::default();
    let mut quote: Option<char> = None;
    let mut rest = value;
    while let Some(c) = rest.chars().next() {
        let after = rest.get(c.len_utf8()..).unwrap_or("");
        rest = after;
        if let Dialect::Dockerfile { escape } = dialect {
            match (quote, c) {
                // Single quotes: everything literal up to the closing quote.
                (Some('\''), '\'') => {
                    quote = None;
                    continue;
                }
                (Some('\''), c) => {
                    parsed.text.push(c);
                    continue;
                }
                (_, c) if c == escape => {
                    if let Some(next) = rest.chars().next() {
                        parsed.text.push(next);
                        rest = rest.get(next.len_utf8()..).unwrap_or("");
                    }
                    continue;
                }
                (None, '"' | '\'') => {
                    quote = Some(c);
                    continue;
                }
                (Some('"'), '"') => {
                    quote = None;
                    continue;
                }
                _ => {}
            }
        }
        if c != '$' {
            parsed.text.push(c);
            continue;
        }
        rest = reference(rest, dialect, &mut parsed);
    }
    parsed
}

/// Read the reference after a `$` (`rest` starts right after it); returns what follows it.
fn reference<'a>(rest: &'a str, dialect: Dialect, parsed: &mut Parsed) -> &'a str {
    let bytes = rest.as_bytes();
    match (dialect, bytes.first()) {
        (Dialect::Compose | Dialect::Kubernetes, Some(b'$')) => {
            parsed.text.push('$');
            return rest.get(1..).unwrap_or("");
        }
        (Dialect::Kubernetes, Some(b'(')) => {
            if let Some(close) = rest.find(')') {
                parsed.references += 1;
                return rest.get(close + 1..).unwrap_or("");
            }
        }
        (Dialect::GitHub, Some(b'{')) if rest.starts_with("{{") => {
            if let Some(close) = rest.find("}}") {
                parsed.references += 1;
                return rest.get(close + 2..).unwrap_or("");
            }
        }
        (Dialect::Kubernetes, _) => {}
        (_, Some(b'{')) => {
            let body = rest.get(1..).unwrap_or("");
            if let Some(close) = closing_brace(body) {
                parsed.references += 1;
                let inner = body.get(..close).unwrap_or("");
                if let Some(default) = default_word(inner) {
                    parsed.defaults.push(default.to_owned());
                }
                return body.get(close + 1..).unwrap_or("");
            }
        }
        (_, Some(&first)) if first == b'_' || first.is_ascii_alphabetic() => {
            let len = bytes
                .iter()
                .take_while(|byte| **byte == b'_' || byte.is_ascii_alphanumeric())
                .count();
            parsed.references += 1;
            return rest.get(len..).unwrap_or("");
        }
        _ => {}
    }
    // A `$` that starts no reference is literal.
    parsed.text.push('$');
    rest
}

/// The word of `NAME:-word`, `NAME-word`, `NAME:+word`, `NAME+word` or `NAME:=word`: a value
/// the expression can take. `None` for `:?`/`?` (an error message) and pattern operators.
fn default_word(inner: &str) -> Option<&str> {
    let name_len = inner
        .bytes()
        .take_while(|byte| *byte == b'_' || byte.is_ascii_alphanumeric())
        .count();
    let operator = inner.get(name_len..)?;
    let operator = operator.strip_prefix(':').unwrap_or(operator);
    operator
        .strip_prefix('-')
        .or_else(|| operator.strip_prefix('+'))
        .or_else(|| operator.strip_prefix('='))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCKER: Dialect = Dialect::Dockerfile { escape: '\\' };

    #[test]
    fn secret_names_for_pw403() {
        // (key, flagged by PW403?)
        let cases = [
            ("DB_PASSWORD", true),
            ("GITHUB_TOKEN", true),
            ("AWS_ACCESS_KEY_ID", true),
            ("password", true),
            // where or how the secret is given, not the secret
            ("DB_PASSWORD_FILE", false),
            ("POSTGRES_PASSWORD_FILE", false),
            ("GOOGLE_APPLICATION_CREDENTIALS_PATH", false),
            ("TOKEN_URL", false),
            ("POSTGRES_HOST_AUTH_METHOD", false),
            ("AUTH_TYPE", false),
            ("GF_AUTH_ANONYMOUS_ENABLED", false),
            ("SECRET_NAME", false),
            ("PASSWORD_MIN_LENGTH", false),
            ("DOCKER_AUTH_VERSION", false),
            ("GF_AUTH_ANONYMOUS_ORG_ROLE", false),
            ("SECRET_STORE", false),
            // not secret-like at all
            ("PASSPORT_NO", false),
            ("AUTHOR", false),
            ("DATABASE_URL", false),
        ];
        for (key, expected) in cases {
            assert_eq!(is_secret_name(key), expected, "{key}");
        }
    }

    #[test]
    fn literal_values() {
        // (value, dialect, literal?)
        let cases = [
            // plain values, placeholders included
            ("hunter2", Dialect::Compose, true),
            ("changeme", Dialect::Compose, true),
            ("123456", Dialect::Compose, true),
            ("", Dialect::Compose, false),
            ("   ", Dialect::Compose, false),
            // switches are not secrets
            ("false", Dialect::GitHub, false),
            ("True", Dialect::Compose, false),
            ("yes", Dialect::Compose, false),
            // a file path says where the secret is, it is not the secret
            ("/var/secrets/google/key.json", Dialect::Kubernetes, false),
            ("/run/secrets/db_password", Dialect::Compose, false),
            ("/secret", Dialect::Compose, true), // one component: could be a password
            ("//x/y", Dialect::Compose, true),
            ("/a b/c", Dialect::Compose, true),
            // compose interpolation
            ("${DB_PASSWORD}", Dialect::Compose, false),
            ("$DB_PASSWORD", Dialect::Compose, false),
            ("${DB_PASSWORD:-secretpass}", Dialect::Compose, true),
            ("${DB_PASSWORD-secretpass}", Dialect::Compose, true),
            ("${DB_PASSWORD:-}", Dialect::Compose, false),
            ("${DB_PASSWORD:?set DB_PASSWORD}", Dialect::Compose, false),
            ("${DB_PASSWORD:+alt}", Dialect::Compose, true),
            ("${A:-${B:-deep}}", Dialect::Compose, true),
            ("${A:-${B}}", Dialect::Compose, false),
            ("Bearer ${TOKEN}", Dialect::Compose, false),
            ("pa$$word", Dialect::Compose, true), // `$$` is a literal `$`
            ("$$", Dialect::Compose, true),
            ("cost $5", Dialect::Compose, true),
            // Dockerfile: quotes, escapes, single quotes stop expansion
            ("\"secret\"", DOCKER, true),
            ("\"\"", DOCKER, false),
            ("''", DOCKER, false),
            ("$TOKEN", DOCKER, false),
            ("\"${TOKEN}\"", DOCKER, false),
            ("${TOKEN:-abc}", DOCKER, true),
            ("${TOKEN#prefix}", DOCKER, false),
            ("\\$TOKEN", DOCKER, true),
            ("'$TOKEN'", DOCKER, true),
            ("`$TOKEN", Dialect::Dockerfile { escape: '`' }, true),
            // Kubernetes `$(VAR)`
            ("$(OTHER_PASSWORD)", Dialect::Kubernetes, false),
            ("$$(OTHER)", Dialect::Kubernetes, true),
            ("$OTHER", Dialect::Kubernetes, true), // Kubernetes expands only `$(…)`
            // GitHub expressions
            ("${{ secrets.NPM_TOKEN }}", Dialect::GitHub, false),
            ("${{ github.token }}", Dialect::GitHub, false),
            ("Bearer ${{ secrets.X }}", Dialect::GitHub, false),
            ("$GITHUB_TOKEN", Dialect::GitHub, false),
            ("ghp_literal", Dialect::GitHub, true),
            ("${{ unterminated", Dialect::GitHub, true),
        ];
        for (value, dialect, expected) in cases {
            assert_eq!(
                is_literal(value, dialect),
                expected,
                "{value:?} {dialect:?}"
            );
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!("{}x{}", "${A:-".repeat(40), "}".repeat(40));
        assert!(!is_literal(&deep, Dialect::Compose));
        let ok = format!("{}x{}", "${A:-".repeat(5), "}".repeat(5));
        assert!(is_literal(&ok, Dialect::Compose));
    }
}
