//! Shell patterns for `${v#p}`, `${v%p}` and `${v/p/r}`, as BuildKit's lexer reads them
//! (`convertShellPatternToRegex` in frontend/dockerfile/shell/lex.go): `*`, `?`, `\` escapes, no
//! bracket expressions. Matching is a linear NFA walk, bounded so hostile input stays cheap.

/// One pattern element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Token {
    Literal(char),
    /// `?`
    AnyChar,
    /// `*`
    AnyString,
}

/// Work budget (characters × pattern length) beyond which a match is reported as unknown.
const BUDGET: usize = 1 << 22;

/// Parse a pattern; `Err` carries BuildKit's message for a bad escape.
pub(super) fn parse(pattern: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = pattern.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '*' => tokens.push(Token::AnyString),
            '?' => tokens.push(Token::AnyChar),
            '\\' => {
                // `\}` and `\/` only protect the delimiter; the backslash is not part of the pattern.
                if matches!(chars.peek(), Some('}' | '/')) {
                    continue;
                }
                match chars.next() {
                    Some(escaped @ ('*' | '?' | '\\')) => tokens.push(Token::Literal(escaped)),
                    Some(other) => return Err(format!("invalid escape '\\{other}'")),
                    None => return Err("invalid escape '\\' at end of pattern".to_owned()),
                }
            }
            other => tokens.push(Token::Literal(other)),
        }
    }
    Ok(tokens)
}

/// For each prefix length `0..=chars.len()`, whether the whole pattern matches that prefix.
fn prefix_matches(tokens: &[Token], chars: &[char]) -> Vec<bool> {
    let mut states = vec![false; tokens.len() + 1];
    if let Some(first) = states.first_mut() {
        *first = true;
    }
    close(tokens, &mut states);
    let mut out = Vec::with_capacity(chars.len() + 1);
    out.push(states.last().copied().unwrap_or(false));
    for &ch in chars {
        let mut next = vec![false; tokens.len() + 1];
        for (index, token) in tokens.iter().enumerate() {
            if !states.get(index).copied().unwrap_or(false) {
                continue;
            }
            let target = match token {
                Token::Literal(literal) if *literal == ch => index + 1,
                Token::Literal(_) => continue,
                Token::AnyChar => index + 1,
                Token::AnyString => index,
            };
            if let Some(slot) = next.get_mut(target) {
                *slot = true;
            }
        }
        close(tokens, &mut next);
        states = next;
        out.push(states.last().copied().unwrap_or(false));
    }
    out
}

/// A `*` may match nothing: whoever reaches it also reaches the token after it.
fn close(tokens: &[Token], states: &mut [bool]) {
    for (index, token) in tokens.iter().enumerate() {
        if *token == Token::AnyString
            && states.get(index).copied().unwrap_or(false)
            && let Some(slot) = states.get_mut(index + 1)
        {
            *slot = true;
        }
    }
}

fn within_budget(chars: usize, tokens: usize, factor: usize) -> bool {
    chars
        .saturating_mul(tokens + 1)
        .saturating_mul(factor.max(1))
        <= BUDGET
}

/// `${v#p}` (shortest) and `${v##p}` (longest): remove a matching prefix. `None` if too costly.
pub(super) fn trim_prefix(tokens: &[Token], value: &str, longest: bool) -> Option<String> {
    let chars: Vec<char> = value.chars().collect();
    if !within_budget(chars.len(), tokens.len(), 1) {
        return None;
    }
    let matches = prefix_matches(tokens, &chars);
    let mut lengths = matches
        .iter()
        .enumerate()
        .filter_map(|(length, hit)| hit.then_some(length));
    let cut = if longest {
        lengths.next_back()
    } else {
        lengths.next()
    };
    Some(match cut {
        Some(cut) => chars.iter().skip(cut).collect(),
        None => value.to_owned(),
    })
}

/// `${v%p}` (shortest) and `${v%%p}` (longest): remove a matching suffix. BuildKit reverses
/// both the value and the pattern and trims a prefix; so do we.
pub(super) fn trim_suffix(tokens: &[Token], value: &str, longest: bool) -> Option<String> {
    let reversed_tokens: Vec<Token> = tokens.iter().rev().copied().collect();
    let reversed_value: String = value.chars().rev().collect();
    let trimmed = trim_prefix(&reversed_tokens, &reversed_value, longest)?;
    Some(trimmed.chars().rev().collect())
}

/// `${v/p/r}` (first match) and `${v//p/r}` (every match), leftmost-longest like BuildKit's
/// greedy regular expression.
pub(super) fn replace(
    tokens: &[Token],
    value: &str,
    replacement: &str,
    all: bool,
) -> Option<String> {
    let chars: Vec<char> = value.chars().collect();
    if !within_budget(chars.len(), tokens.len(), chars.len()) {
        return None;
    }
    let mut out = String::with_capacity(value.len());
    let mut index = 0;
    let mut replaced = false;
    let mut previous_match_end: Option<usize> = None;
    while index <= chars.len() {
        let rest = chars.get(index..).unwrap_or(&[]);
        let longest = if replaced && !all {
            None
        } else {
            prefix_matches(tokens, rest).iter().rposition(|hit| *hit)
        };
        match longest {
            // An empty match right after a previous match is skipped, as Go's ReplaceAll does.
            Some(0) if previous_match_end == Some(index) => {}
            Some(length) => {
                out.push_str(replacement);
                replaced = true;
                previous_match_end = Some(index + length);
                if length > 0 {
                    index += length;
                    continue;
                }
            }
            None => {}
        }
        if let Some(ch) = chars.get(index) {
            out.push(*ch);
        }
        index += 1;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(pattern: &str) -> Vec<Token> {
        parse(pattern).unwrap_or_default()
    }

    #[test]
    fn trims_like_buildkit() {
        let cases = [
            // (pattern, value, longest, suffix, expected)
            ("*-", "a-b-c", false, false, "b-c"), // ${v#*-}
            ("*-", "a-b-c", true, false, "c"),    // ${v##*-}
            ("-*", "a-b-c", false, true, "a-b"),  // ${v%-*}
            ("-*", "a-b-c", true, true, "a"),     // ${v%%-*}
            ("x", "abc", false, false, "abc"),    // no match: unchanged
            ("a?", "abc", false, false, "c"),     // ? is one char
            ("\\*", "*a", false, false, "a"),     // escaped star is literal
            ("", "abc", false, false, "abc"),     // empty pattern removes nothing
            ("*", "abc", true, false, ""),        // greedy star eats all
        ];
        for (pattern, value, longest, suffix, expected) in cases {
            let got = if suffix {
                trim_suffix(&tokens(pattern), value, longest)
            } else {
                trim_prefix(&tokens(pattern), value, longest)
            };
            assert_eq!(got.as_deref(), Some(expected), "{pattern:?} on {value:?}");
        }
    }

    #[test]
    fn replaces_like_buildkit() {
        let cases = [
            // (pattern, value, replacement, all, expected)
            ("o", "foo", "0", false, "f0o"),
            ("o", "foo", "0", true, "f00"),
            ("o*", "foo bar", "X", false, "fX"), // greedy
            ("z", "foo", "X", true, "foo"),
            ("-", "a-b-c", "", true, "abc"),
        ];
        for (pattern, value, replacement, all, expected) in cases {
            let got = replace(&tokens(pattern), value, replacement, all);
            assert_eq!(got.as_deref(), Some(expected), "{pattern:?} on {value:?}");
        }
    }

    #[test]
    fn bad_escapes_are_errors() {
        assert!(parse("\\x").is_err());
        assert!(parse("a\\").is_err());
        assert_eq!(parse("\\}"), Ok(vec![Token::Literal('}')]));
    }

    #[test]
    fn huge_inputs_give_up() {
        let value = "a".repeat(100_000);
        assert_eq!(replace(&tokens("a*b"), &value, "", true), None);
        assert!(trim_prefix(&tokens("a"), &value, false).is_some());
    }
}
