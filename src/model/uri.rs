//! Paths as URI paths: the one percent-encoding of file paths into SARIF and upload URIs.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986 unreserved characters and `/` is percent-encoded in a URI path
/// (spaces, `%`, `#`, `?`, `:` that would read as a scheme, non-ASCII).
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// A `/`-separated path as a URI path (relative or absolute as given).
pub fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_percent_encoded_once() {
        // (path, encoded)
        let cases = [
            ("a b/Dockerfile", "a%20b/Dockerfile"),
            ("dir/é#1", "dir/%C3%A9%231"),
            (".github/workflows/ci.yml", ".github/workflows/ci.yml"),
            ("/tmp/my dir/ü", "/tmp/my%20dir/%C3%BC"),
            ("a:b/c,d", "a%3Ab/c%2Cd"),
            ("100%", "100%25"),
        ];
        for (path, expected) in cases {
            assert_eq!(encode_path(path), expected, "{path}");
        }
    }
}
