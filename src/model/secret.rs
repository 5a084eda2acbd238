//! Secret-like names: the one predicate that decides whether a key (an environment variable, a
//! build argument, an action input) holds a credential. PW403 reads it to find plaintext
//! secrets; reports read it to mask values.
//!
//! The rule: the key is split into words, and it is secret-like when one of its words (or two
//! adjacent words) is one of [`SECRET_WORDS`], compared case-insensitively.
//!
//! - Words are separated by every character that is not an ASCII letter or digit (`_`, `-`,
//!   `.`, spaces, `/` …) and by camelCase boundaries: `dbPassword` is `db` `Password`,
//!   `APIKey` is `API` `Key`, `XMLHttpToken` is `XML` `Http` `Token`.
//! - Digits do not split a word: `AUTH0_DOMAIN` has the word `AUTH0`, not `AUTH`, and
//!   `PASSWORD2` is not `PASSWORD` (NOTE: the price of not flagging every `AUTH0_*` setting).
//! - Whole words only: `AUTHOR`, `PASSPORT_NO`, `BYPASS` and `OAUTH_URL` are not secret-like.
//! - The predicate is about the name alone. `DB_PASSWORD_FILE` *is* secret-like (its value
//!   names a file holding a password); PW403 exempts keys ending in `_FILE` itself, because
//!   their value is a path, not the secret. Masking such a value costs nothing.

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

/// What a masked value is shown as, whatever its length.
pub const MASK: &str = "********";

/// Is `key` the name of a secret (a password, token, API key …)? See the module docs.
pub fn is_secret_key(key: &str) -> bool {
    let words = key_words(key);
    SECRET_WORDS.iter().any(|secret| {
        words.windows(secret.len()).any(|window| {
            window
                .iter()
                .zip(secret.iter())
                .all(|(word, secret)| word.eq_ignore_ascii_case(secret))
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

#[cfg(test)]
mod tests {
    use super::*;

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
