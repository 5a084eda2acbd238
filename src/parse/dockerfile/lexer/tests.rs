//! Tables for the shell-word lexer: every expansion form, quoting, errors, raw mode.

use std::collections::HashMap;

use super::*;

struct MapEnv(HashMap<&'static str, Lookup<'static>>);

impl Env for MapEnv {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        self.0.get(name).copied().unwrap_or(Lookup::Unset)
    }
}

fn env() -> MapEnv {
    MapEnv(HashMap::from([
        ("TAG", Lookup::Known("3.12")),
        ("EMPTY", Lookup::Known("")),
        ("PATHY", Lookup::Known("a/b/c.tar.gz")),
        ("ARCH", Lookup::Unknown),
    ]))
}

/// `Ok(text)` when resolved, `Err(unresolved names)` otherwise.
fn run(input: &str) -> Result<Result<String, Vec<String>>, LexError> {
    let expansion = expand(input, Options::expand('\\'), &env())?;
    Ok(if expansion.unresolved.is_empty() {
        Ok(expansion.text)
    } else {
        Err(expansion.unresolved)
    })
}

fn ok(text: &str) -> Result<Result<String, Vec<String>>, LexError> {
    Ok(Ok(text.to_owned()))
}

fn unresolved(names: &[&str]) -> Result<Result<String, Vec<String>>, LexError> {
    Ok(Err(names.iter().map(|n| (*n).to_owned()).collect()))
}

#[test]
fn expansion_forms() {
    let cases = [
        // plain forms
        ("python:$TAG", ok("python:3.12")),
        ("python:${TAG}", ok("python:3.12")),
        ("$TAG$TAG", ok("3.123.12")),
        // unset (ARG without default): unresolved unless `-` gives a default
        ("python:$NOPE", unresolved(&["NOPE"])),
        ("python:${NOPE}", unresolved(&["NOPE"])),
        ("${NOPE:-3.11}", ok("3.11")),
        ("${NOPE-3.11}", ok("3.11")),
        ("${NOPE:+x}", unresolved(&["NOPE"])),
        ("${NOPE+x}", unresolved(&["NOPE"])),
        ("${NOPE:?must be set}", unresolved(&["NOPE"])),
        ("${NOPE?}", unresolved(&["NOPE"])),
        // known values
        ("${TAG:-x}", ok("3.12")),
        ("${TAG-x}", ok("3.12")),
        ("${TAG:+set}", ok("set")),
        ("${TAG+set}", ok("set")),
        ("${TAG:?boom}", ok("3.12")),
        // empty but set: `:` treats it as unset, plain forms do not
        ("${EMPTY:-d}", ok("d")),
        ("${EMPTY-d}", ok("")),
        ("${EMPTY:+a}", ok("")),
        ("${EMPTY+a}", ok("a")),
        ("${EMPTY:?x}", unresolved(&["EMPTY"])),
        // unknowable (platform args): every form is unresolved
        ("$ARCH", unresolved(&["ARCH"])),
        ("${ARCH:-amd64}", unresolved(&["ARCH"])),
        // nested defaults
        ("${NOPE:-${TAG}}", ok("3.12")),
        ("${NOPE:-${ALSO:-x}}", ok("x")),
        ("${TAG:-${NOPE}}", ok("3.12")),
        ("${NOPE:-${ARCH}}", unresolved(&["ARCH"])),
        // patterns
        ("${PATHY#*/}", ok("b/c.tar.gz")),
        ("${PATHY##*/}", ok("c.tar.gz")),
        ("${PATHY%.*}", ok("a/b/c.tar")),
        ("${PATHY%%.*}", ok("a/b/c")),
        ("${PATHY/\\//-}", ok("a-b/c.tar.gz")),
        ("${PATHY//\\//-}", ok("a-b-c.tar.gz")),
        ("${NOPE#x}", unresolved(&["NOPE"])),
        // quotes and escapes
        ("'$TAG'", ok("$TAG")),
        ("\"$TAG\"", ok("3.12")),
        ("\\$TAG", ok("$TAG")),
        ("a\\nb", ok("anb")),
        ("\"a\\nb\"", ok("a\\nb")),
        ("\"a\\\"b\"", ok("a\"b")),
        ("${NOPE:-\"a b\"}", ok("a b")),
        // `$` before a non-name stays literal
        ("a$", ok("a$")),
        ("$/x", ok("$/x")),
        // special parameters and digits are variable names
        ("$1x", unresolved(&["1"])),
        // errors
        ("${", Err(LexError::MissingBrace)),
        ("${}", Err(LexError::BadSubstitution)),
        ("${:a}", Err(LexError::BadSubstitution)),
        ("${TAG", Err(LexError::UnsupportedModifier(String::new()))),
        ("${TAG:-x", Err(LexError::MissingBrace)),
        (
            "${TAG!}",
            Err(LexError::UnsupportedModifier("!".to_owned())),
        ),
        (
            "${TAG:#x}",
            Err(LexError::UnsupportedModifier(":#".to_owned())),
        ),
        ("'abc", Err(LexError::UnterminatedSingleQuote)),
        ("\"abc", Err(LexError::UnterminatedDoubleQuote)),
    ];
    for (input, expected) in cases {
        assert_eq!(run(input), expected, "input {input:?}");
    }
}

#[test]
fn used_variables_are_reported() {
    let expansion = expand(
        "${NOPE:-$TAG}-${TAG:-$EMPTY}",
        Options::expand('\\'),
        &env(),
    )
    .unwrap_or_default();
    assert_eq!(expansion.text, "3.12-3.12");
    // `EMPTY` was in a default that was not taken.
    assert_eq!(expansion.used, vec!["TAG".to_owned(), "TAG".to_owned()]);
}

#[test]
fn backtick_escape() {
    let expansion = expand("a`$TAG\\b", Options::expand('`'), &env()).unwrap_or_default();
    assert_eq!(expansion.text, "a$TAG\\b");
}

#[test]
fn raw_mode_reproduces_the_text_with_word_offsets() {
    let options = Options {
        escape: '\\',
        raw_quotes: true,
        raw_escapes: true,
        skip_unset: true,
        split_words: true,
    };
    let input = "RUN <<\"EOF\" cat $X ${Y:-a}\\ b";
    let expansion = expand(input, options, &NoEnv).unwrap_or_default();
    let words: Vec<(&str, usize, usize)> = expansion
        .words
        .iter()
        .map(|w| (w.text.as_str(), w.start, w.end))
        .collect();
    assert_eq!(
        words,
        vec![
            ("RUN", 0, 3),
            ("<<\"EOF\"", 4, 11),
            ("cat", 12, 15),
            ("$X", 16, 18),
            ("${Y:-a}\\ b", 19, 29),
        ]
    );
}

#[test]
fn deep_nesting_is_bounded() {
    let depth = 10_000;
    let input = format!("{}x{}", "${A:-".repeat(depth), "}".repeat(depth));
    assert_eq!(
        expand(&input, Options::expand('\\'), &NoEnv).map(|e| e.text),
        Err(LexError::TooDeep)
    );
    let shallow = format!("{}x{}", "${A:-".repeat(10), "}".repeat(10));
    assert_eq!(
        expand(&shallow, Options::expand('\\'), &NoEnv).map(|e| e.text),
        Ok("x".to_owned())
    );
}
