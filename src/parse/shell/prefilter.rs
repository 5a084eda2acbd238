//! A cheap test that tells, without parsing, that a script cannot run any of the programs a
//! caller reads: a script is parsed only when its literal text (or a known variable it
//! names) holds every string of one entry of a [`ScriptFilter`].
//!
//! NOTE: exact, not a heuristic. A word's value (`lex.rs`) is its text with only quotes,
//! backslashes, backslash-newlines and the `$` of `$'…'` taken out, plus the values of known
//! variables; every other construct makes the value unknown, and an unknown word names no
//! program. So once those characters are removed, a program name or argument made of other
//! characters appears in the text as written, unless a known variable supplies part of it,
//! and then the script is parsed.

use super::variables::Variables;

/// Which scripts an analysis reads: a script is parsed when, for one entry of `any_of`, its
/// text (quotes and backslashes removed) contains every string of the entry. The strings
/// must not contain `'`, `"`, `\`, `$` or whitespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScriptFilter {
    pub any_of: &'static [&'static [&'static str]],
}

impl ScriptFilter {
    /// Could `script`, run with `variables`, contain a word of interest?
    pub(super) fn admits(&self, script: &str, variables: &Variables) -> bool {
        // A known variable can supply (a part of) any word: parse. Only the variables the
        // script names count (a workflow's `env:` reaches every step).
        let known_variable = variables
            .iter()
            .any(|(name, variable)| variable.value.is_some() && script.contains(name.as_str()));
        if known_variable {
            return true;
        }
        let literal = literal_text(script);
        self.any_of
            .iter()
            .any(|all| all.iter().all(|needle| literal.contains(needle)))
    }
}

/// `script` without the characters quote removal takes out of a word: `'`, `"`, `\`, `$`,
/// and backslash-newline pairs.
fn literal_text(script: &str) -> std::borrow::Cow<'_, str> {
    if !script.contains(['\'', '"', '\\', '$']) {
        return std::borrow::Cow::Borrowed(script);
    }
    let mut out = String::with_capacity(script.len());
    let mut chars = script.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
            }
            '\'' | '"' | '$' => {}
            _ => out.push(ch),
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::super::{Note, Variable};
    use super::*;

    const FILTER: ScriptFilter = ScriptFilter {
        any_of: &[&["apt-get"], &["go", "install"]],
    };

    fn variables(pairs: &[(&str, Option<&str>)]) -> Variables {
        pairs
            .iter()
            .map(|(name, value)| {
                let variable = Variable {
                    value: value.map(str::to_owned),
                    notes: Vec::<Note>::new(),
                };
                ((*name).to_owned(), variable)
            })
            .collect()
    }

    #[test]
    fn quoting_cannot_hide_a_name() {
        let cases = [
            // (script, admitted)
            ("apt-get install -y x", true),
            ("/usr/bin/apt-get install x", true),
            ("'apt'-get install x", true),
            ("a\"pt-g\"et install x", true),
            ("a\\pt-get install x", true),
            ("ap\\\nt-get install x", true),
            ("a$'p't-get install x", true),
            ("go install x@latest", true),
            ("g'o' i\"nstall\" x", true),
            ("go build ./...", false), // one string of the entry is missing
            ("echo hello && make", false),
            ("apt get", false),
        ];
        for (script, admitted) in cases {
            assert_eq!(
                FILTER.admits(script, &Variables::new()),
                admitted,
                "{script:?}"
            );
        }
    }

    #[test]
    fn a_known_variable_the_script_names_is_parsed() {
        let known = variables(&[("TOOL", Some("apt-get")), ("V", Some("1"))]);
        assert!(FILTER.admits("$TOOL install x", &known));
        // Even one that supplies only a part (`a${P}t-get`, or an empty one that joins two).
        let part = variables(&[("P", Some(""))]);
        assert!(FILTER.admits("ap${P}t-get install x", &part));
        // An unknown value names nothing; a known one the script does not name is not read.
        let unknown = variables(&[("TOOL", None)]);
        assert!(!FILTER.admits("$TOOL install x", &unknown));
        assert!(!FILTER.admits("echo hi", &known));
    }
}
