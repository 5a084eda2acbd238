//! Secrets: which keys name a secret, and the one masking function every output uses.
//!
//! A key names a secret when one of its words (or two adjacent words) is one of
//! [`SECRET_WORDS`], compared case-insensitively, a plural `S` allowed (`SECRETS`):
//!
//! - words are separated by every character that is not an ASCII letter or digit and by
//!   camelCase boundaries (`dbPassword`, `APIKey`); digits do not split (`AUTH0_DOMAIN` is not
//!   `AUTH`);
//! - whole words only: `AUTHOR`, `PASSPORT_NO`, `TOKENIZER` are not secret-like;
//! - `DB_PASSWORD_FILE` is secret-like (PW403 exempts `_FILE` keys itself: their value is a
//!   path).
//!
//! The value of such a key is shown as [`MASK`] in every output: the `.env` line, a Dockerfile
//! `ENV`/`ARG`, a YAML `key: value`, and any message or snippet an image built from it quotes
//! (see [`SecretValues`]). The gate itself still judges the real value.

use std::borrow::Cow;

/// What a secret value is shown as.
pub const MASK: &str = "********";

/// Secret words, upper case; a two-word entry matches two adjacent words of the key.
pub const SECRET_WORDS: &[&[&str]] = &[
    &["PASSWORD"],
    &["PASSWD"],
    &["PASS"],
    &["SECRET"],
    &["TOKEN"],
    &["API", "KEY"],
    &["APIKEY"],
    &["PRIVATE", "KEY"],
    &["ACCESS", "KEY"],
    &["CREDENTIAL"],
    &["CREDENTIALS"],
    &["AUTH"],
];

/// Is `key` the name of a secret (a password, token, API key …)? See the module docs.
pub fn is_secret_key(key: &str) -> bool {
    let words = key_words(key);
    SECRET_WORDS.iter().any(|secret| {
        words.windows(secret.len()).any(|window| {
            window
                .iter()
                .zip(secret.iter())
                .all(|(word, secret)| same_word(word, secret))
        })
    })
}

/// The words of a key, in order: split on every character that is not an ASCII letter or
/// digit, and on camelCase boundaries (`aB`, and `ABc` before the `B`).
pub fn key_words(key: &str) -> Vec<&str> {
    let mut words = Vec::new();
    for part in key.split(|c: char| !c.is_ascii_alphanumeric()) {
        let chars: Vec<(usize, char)> = part.char_indices().collect();
        let mut start = 0;
        for (i, pair) in chars.windows(2).enumerate() {
            let [(_, prev), (at, next)] = pair else {
                continue;
            };
            // `dbPassword`: a lower-case letter or digit, then an upper-case letter.
            let lower_to_upper =
                (prev.is_ascii_lowercase() || prev.is_ascii_digit()) && next.is_ascii_uppercase();
            // `APIKey`: the last capital of an acronym starts the next word.
            let acronym_end = prev.is_ascii_uppercase()
                && next.is_ascii_uppercase()
                && chars
                    .get(i + 2)
                    .is_some_and(|(_, after)| after.is_ascii_lowercase());
            if lower_to_upper || acronym_end {
                if let Some(word) = part.get(start..*at).filter(|word| !word.is_empty()) {
                    words.push(word);
                }
                start = *at;
            }
        }
        if let Some(word) = part.get(start..).filter(|word| !word.is_empty()) {
            words.push(word);
        }
    }
    words
}

/// `word` is `secret`, or its plural (`SECRETS`, `TOKENS`, `CREDENTIALS`).
fn same_word(word: &str, secret: &str) -> bool {
    word.eq_ignore_ascii_case(secret)
        || word
            .strip_suffix(['s', 'S'])
            .is_some_and(|stem| stem.eq_ignore_ascii_case(secret))
}

/// The value as every output shows it: [`MASK`] when `key` names a secret, else `value`.
pub fn mask_value<'a>(key: &str, value: &'a str) -> &'a str {
    if is_secret_key(key) { MASK } else { value }
}

/// One assignment found in a line of text: a secret key and where its value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Assignment<'t> {
    pub key: &'t str,
    /// The value as written, surrounding quotes and trailing comments excluded.
    pub value: &'t str,
    /// Byte offsets of the whole written value (quotes included) within the line.
    pub start: usize,
    pub end: usize,
}

/// The assignments of secret keys in one line, in the forms pinwarden's files use:
/// `KEY=VALUE` (`.env`, `export`, Dockerfile `ENV`/`ARG`, several per line), `KEY: VALUE`
/// (YAML, `.env`), and `ENV KEY VALUE` (a Dockerfile's legacy form).
pub fn secret_assignments(line: &str) -> Vec<Assignment<'_>> {
    let mut found = Vec::new();
    let trimmed = line.trim_start();
    let indent = line.len() - trimmed.len();
    // `ENV KEY value`: the rest of the line is the value.
    let mut tokens = trimmed.split_whitespace();
    if let (Some(first), Some(key)) = (tokens.next(), tokens.next())
        && first.eq_ignore_ascii_case("ENV")
        && !key.contains('=')
        && is_identifier(key)
        && is_secret_key(key)
    {
        let after_key = trimmed.find(key).map_or(0, |at| at + key.len());
        let rest = trimmed.get(after_key..).unwrap_or("");
        let value = rest.trim();
        if !value.is_empty() {
            let start = indent + after_key + (rest.len() - rest.trim_start().len());
            found.push(Assignment {
                key,
                value: unquote(value),
                start,
                end: start + value.len(),
            });
            return found;
        }
    }
    // `key: value` (YAML mapping entry, possibly a list item or quoted key).
    let body = trimmed.trim_start_matches(['-', ' ']);
    let body_at = indent + (trimmed.len() - body.len());
    if let Some((raw_key, rest)) = body.split_once(':') {
        let key = raw_key.trim().trim_matches(['"', '\'']);
        if is_identifier(key) && is_secret_key(key) && rest.starts_with([' ', '\t']) {
            let value = strip_comment(rest.trim());
            if !value.is_empty() {
                let offset = raw_key.len() + 1 + (rest.len() - rest.trim_start().len());
                let start = body_at + offset;
                found.push(Assignment {
                    key,
                    value: unquote(value),
                    start,
                    end: start + value.len(),
                });
                return found;
            }
        }
    }
    // `KEY=VALUE` pairs, anywhere in the line.
    let mut search = 0;
    while let Some(eq) = line.get(search..).and_then(|rest| rest.find('=')) {
        let eq = search + eq;
        search = eq + 1;
        let before = line.get(..eq).unwrap_or("");
        let key_start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_alphanumeric() || "_.-".contains(*c))
            .last()
            .map_or(eq, |(at, _)| at);
        let key = before.get(key_start..).unwrap_or("");
        if key.is_empty() || !is_secret_key(key) {
            continue;
        }
        let rest = line.get(eq + 1..).unwrap_or("");
        let written = written_value(rest);
        if written.is_empty() {
            continue;
        }
        found.push(Assignment {
            key,
            value: unquote(written),
            start: eq + 1,
            end: eq + 1 + written.len(),
        });
        search = eq + 1 + written.len();
    }
    found
}

/// `line` with the value of every secret assignment replaced by [`MASK`].
pub fn mask_line(line: &str) -> Cow<'_, str> {
    let assignments = secret_assignments(line);
    if assignments.is_empty() {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    for assignment in assignments {
        out.push_str(line.get(at..assignment.start).unwrap_or(""));
        out.push_str(mask_value(assignment.key, assignment.value));
        at = assignment.end;
    }
    out.push_str(line.get(at..).unwrap_or(""));
    Cow::Owned(out)
}

/// Secret values known to a report: every occurrence in any text is shown as [`MASK`].
///
/// Filled from the assignments behind a finding (the `.env` line or `ARG` a reference's value
/// came from) and, with `--env-from-process`, from the process environment; so a secret that
/// flows into an image reference is masked in the message that quotes the reference too.
#[derive(Clone, Debug, Default)]
pub struct SecretValues {
    /// Longest first, so a value containing another is masked whole.
    values: Vec<String>,
}

impl SecretValues {
    /// Remember the value of `key` if `key` names a secret.
    pub fn insert(&mut self, key: &str, value: &str) {
        let value = value.trim();
        if value.is_empty() || !is_secret_key(key) || self.values.iter().any(|v| v == value) {
            return;
        }
        let at = self
            .values
            .iter()
            .position(|known| known.len() < value.len())
            .unwrap_or(self.values.len());
        self.values.insert(at, value.to_owned());
    }

    /// Remember the secret values assigned in `line`.
    pub fn insert_line(&mut self, line: &str) {
        for assignment in secret_assignments(line) {
            self.insert(assignment.key, assignment.value);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// `text` with every known secret value, and every secret assignment, masked.
    pub fn mask<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = mask_line_all(text);
        for value in &self.values {
            if out.contains(value.as_str()) {
                out = Cow::Owned(out.replace(value.as_str(), MASK));
            }
        }
        out
    }
}

/// [`mask_line`] applied to each line of a multi-line text.
fn mask_line_all(text: &str) -> Cow<'_, str> {
    if !text.contains('\n') {
        return mask_line(text);
    }
    let mut changed = false;
    let lines: Vec<Cow<'_, str>> = text
        .split('\n')
        .map(|line| {
            let masked = mask_line(line);
            changed |= matches!(masked, Cow::Owned(_));
            masked
        })
        .collect();
    if changed {
        Cow::Owned(lines.join("\n"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Is `line` of a `.env` file blank, a comment, or `[export ]KEY=…` / `KEY: …` with a plain
/// key? Anything else (a line that failed to parse, a continuation of a quoted value) may be
/// a secret written wrongly, so outputs do not echo it.
pub fn looks_like_assignment(line: &str) -> bool {
    let line = line.trim_start_matches('\u{feff}').trim();
    if line.is_empty() || line.starts_with('#') {
        return true;
    }
    let line = line
        .strip_prefix("export")
        .filter(|rest| rest.starts_with([' ', '\t']))
        .map_or(line, str::trim_start);
    let Some(separator) = line.find(['=', ':']) else {
        return false;
    };
    let key = line.get(..separator).unwrap_or("").trim_end();
    is_env_key(key)
}

/// Is `text` exactly a `.env` key (what a problem on a `.env` line points at)?
pub fn is_key_text(text: &str) -> bool {
    is_env_key(text)
}

/// compose-go's variable name characters.
fn is_env_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || "_.-[]".contains(c))
}

fn is_identifier(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || "_.-".contains(c))
}

/// The value written after `=`: a quoted string up to its closing quote, else up to the
/// next blank.
fn written_value(rest: &str) -> &str {
    match rest.chars().next() {
        Some(quote @ ('"' | '\'')) => {
            let body = rest.get(1..).unwrap_or("");
            match body.find(quote) {
                Some(close) => rest.get(..close + 2).unwrap_or(rest),
                None => rest.trim_end(),
            }
        }
        _ => {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            rest.get(..end).unwrap_or("")
        }
    }
}

/// A YAML value without a trailing ` # comment`.
fn strip_comment(value: &str) -> &str {
    if value.starts_with(['"', '\'']) {
        return value;
    }
    value
        .find(" #")
        .and_then(|cut| value.get(..cut))
        .unwrap_or(value)
        .trim_end()
}

fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|rest| rest.strip_suffix(quote))
        {
            return inner;
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys_by_word() {
        // (key, names a secret)
        let cases = [
            ("DB_PASSWORD", true),
            ("password", true),
            ("MYSQL_ROOT_PASSWD", true),
            ("dbPassword", true),
            ("client-secret", true),
            ("AWS_SECRET_ACCESS_KEY", true),
            ("GITHUB_TOKEN", true),
            ("api.key", true),
            ("STRIPE_APIKEY", true),
            ("ApiKey", true),
            ("SSH_PRIVATE_KEY", true),
            ("AWS_ACCESS_KEY_ID", true),
            ("GOOGLE_APPLICATION_CREDENTIALS", true),
            ("BASIC_AUTH", true),
            ("auth", true),
            ("SECRETS", true),
            // whole words only
            ("AUTHOR", false),
            ("TOKENIZER_MODEL", false),
            ("PASSWORDLESS", false),
            ("KEY", false),
            ("MONKEY", false),
            ("NGINX_VERSION", false),
            ("TAG", false),
            ("", false),
        ];
        for (key, expected) in cases {
            assert_eq!(is_secret_key(key), expected, "{key}");
        }
    }

    #[test]
    fn mask_value_is_the_one_rule() {
        assert_eq!(mask_value("DB_PASSWORD", "hunter2"), MASK);
        assert_eq!(mask_value("TAG", "latest"), "latest");
    }

    #[test]
    fn lines_are_masked_in_every_assignment_form() {
        // (line, masked)
        let cases = [
            ("DB_PASSWORD=hunter2", "DB_PASSWORD=********"),
            (
                "export API_TOKEN=\"a b c\" # x",
                "export API_TOKEN=******** # x",
            ),
            (
                "ENV A=1 DB_PASSWORD=hunter2 B=2",
                "ENV A=1 DB_PASSWORD=******** B=2",
            ),
            (
                "ENV DB_PASSWORD hunter2 and more",
                "ENV DB_PASSWORD ********",
            ),
            ("ARG GITHUB_TOKEN=ghp_x", "ARG GITHUB_TOKEN=********"),
            (
                "      POSTGRES_PASSWORD: hunter2 # c",
                "      POSTGRES_PASSWORD: ******** # c",
            ),
            ("  - \"api_key\": 'x'", "  - \"api_key\": ********"),
            ("DB_PASSWORD: hunter2", "DB_PASSWORD: ********"),
            // not secrets, or no value
            ("TAG=latest", "TAG=latest"),
            ("image: nginx:latest", "image: nginx:latest"),
            ("DB_PASSWORD=", "DB_PASSWORD="),
            ("password:", "password:"),
        ];
        for (line, expected) in cases {
            assert_eq!(mask_line(line), expected, "{line}");
        }
    }

    #[test]
    fn env_lines_that_are_not_assignments_are_recognised() {
        // (line, a plain assignment, blank or comment)
        let cases = [
            ("A=1", true),
            ("export DB_PASSWORD=x", true),
            ("A: yaml", true),
            ("# comment", true),
            ("", true),
            ("hunter2 is my password", false),
            ("KEY with space=1", false),
            ("lines\"", false),
        ];
        for (line, expected) in cases {
            assert_eq!(looks_like_assignment(line), expected, "{line}");
        }
        assert!(is_key_text("DB_PASSWORD"));
        assert!(!is_key_text("DB_PASSWORD=x"));
    }

    #[test]
    fn known_values_are_masked_anywhere() {
        let mut secrets = SecretValues::default();
        secrets.insert("DB_PASSWORD", "hunter2");
        secrets.insert("TAG", "latest");
        secrets.insert_line("export API_TOKEN=\"hunter2-long\"");
        let message = "image `nginx:hunter2-long` (resolves from `hunter2`) uses `latest`";
        assert_eq!(
            secrets.mask(message),
            "image `nginx:********` (resolves from `********`) uses `latest`"
        );
        assert_eq!(
            secrets.mask("a\nDB_PASSWORD=other\nb"),
            "a\nDB_PASSWORD=********\nb"
        );
        assert!(matches!(secrets.mask("nothing here"), Cow::Borrowed(_)));
    }
    #[test]
    fn secret_keys_table() {
        // (key, secret-like?)
        let cases: &[(&str, bool)] = &[
            // each secret word, in the usual spellings
            ("PASSWORD", true),
            ("DB_PASSWORD", true),
            ("MYSQL_ROOT_PASSWORD", true),
            ("password", true),
            ("dbPassword", true),
            ("db-password", true),
            ("spring.datasource.password", true),
            ("PASSWD", true),
            ("SMTP_PASS", true),
            ("CLIENT_SECRET", true),
            ("SECRET_KEY_BASE", true),
            ("AWS_SECRET_ACCESS_KEY", true),
            ("SECRET_PASSPHRASE", true),
            ("GITHUB_TOKEN", true),
            ("github-token", true),
            ("token", true),
            ("OAUTH_TOKEN", true), // TOKEN, not AUTH
            ("API_KEY", true),
            ("x-api-key", true),
            ("apiKey", true),
            ("APIKey", true),
            ("STRIPE_APIKEY", true),
            ("apikey", true),
            ("PRIVATE_KEY", true),
            ("ssh-private-key", true),
            ("privateKey", true),
            ("AWS_ACCESS_KEY_ID", true),
            ("VITE_AWS_ACCESS_KEY_ID", true),
            ("accessKeyId", true),
            ("GOOGLE_APPLICATION_CREDENTIALS", true),
            ("credentials_json", true),
            ("DOCKER_CREDENTIAL", true),
            ("BASIC_AUTH", true),
            ("NPM_AUTH", true),
            ("auth", true),
            ("XMLHttpToken", true),
            // keys naming a secret's file: secret-like; PW403 exempts them itself
            ("DB_PASSWORD_FILE", true),
            ("POSTGRES_PASSWORD_FILE", true),
            // whole words only
            ("PASSPORT_NO", false),
            ("AUTHOR", false),
            ("AUTHOR_NAME", false),
            ("authorName", false),
            ("BYPASS", false),
            ("COMPASS_URL", false),
            ("OAUTH_URL", false),
            ("TOKENIZER", false),
            ("SECRETARY", false),
            ("PASSWORDLESS", false),
            // a key alone is not a two-word secret
            ("KEY", false),
            ("PUBLIC_KEY", false),
            ("API_URL", false),
            ("ACCESS_LOG", false),
            ("PRIVATE_NETWORK", false),
            ("KEY_API", false), // the words are in the wrong order
            // digits do not split words
            ("AUTH0_DOMAIN", false),
            ("PASSWORD2", false),
            // nothing secret
            ("", false),
            ("DATABASE_URL", false),
            ("POSTGRES_USER", false),
            ("NODE_ENV", false),
            ("persist_credential_helper", true),
        ];
        for (key, expected) in cases {
            assert_eq!(is_secret_key(key), *expected, "{key:?}");
        }
    }

    #[test]
    fn words_split_on_separators_and_camel_case() {
        // (key, words)
        let cases: &[(&str, &[&str])] = &[
            ("DB_PASSWORD", &["DB", "PASSWORD"]),
            ("db-password.file", &["db", "password", "file"]),
            ("dbPassword", &["db", "Password"]),
            ("APIKey", &["API", "Key"]),
            ("XMLHttpRequest", &["XML", "Http", "Request"]),
            ("s3Bucket", &["s3", "Bucket"]),
            ("AUTH0_DOMAIN", &["AUTH0", "DOMAIN"]),
            ("__A__B__", &["A", "B"]),
            ("ÄPASSWORD", &["PASSWORD"]), // non-ASCII separates
            ("", &[]),
        ];
        for (key, expected) in cases {
            assert_eq!(key_words(key), *expected, "{key:?}");
        }
    }
}
