//! GitHub Actions expressions (`${{ … }}`) inside `run:` scripts: found as the runner finds them
//! and masked before shell parsing, so a shell parser sees one ordinary word where GitHub will
//! substitute text, and every offset in the masked script is still the offset in the original.

use std::ops::Range;

/// The byte every expression byte becomes.
///
/// NOTE: `_` keeps a word a word and quotes balanced: it is no shell metacharacter, quote,
/// `$`, glob, `#` comment start, `~` or `-` option prefix, and it is valid inside `'…'`,
/// `"…"`, arithmetic and assignments (`FOO=${{ x }}` stays an assignment, `${{ x }}` alone a
/// command name). The price: right after `$NAME` it lengthens the variable name
/// (`$HOME${{ x }}` reads `$HOME____…`), which only turns a variable into an unknown one.
pub const PLACEHOLDER: u8 = b'_';

const OPEN: &str = "${{";

/// Replace every complete `${{ … }}` in `text` with as many [`PLACEHOLDER`] bytes as it has
/// (multi-byte characters and line breaks inside included), and return the masked text with the
/// byte range of each expression, in order.
///
/// The end is found as the runner's template reader finds it: the first `}}` outside a
/// single-quoted string literal (`''` inside a literal toggles twice, so it needs no special
/// case). An unterminated `${{` is left as written and not returned: GitHub refuses such a
/// workflow ("The expression is not closed"), so nothing runs it.
pub fn mask_expressions(text: &str) -> (String, Vec<Range<usize>>) {
    let ranges = expression_ranges(text);
    if ranges.is_empty() {
        return (text.to_owned(), ranges);
    }
    let mut masked = String::with_capacity(text.len());
    let mut copied = 0;
    for range in &ranges {
        masked.push_str(text.get(copied..range.start).unwrap_or(""));
        masked.extend(std::iter::repeat_n(char::from(PLACEHOLDER), range.len()));
        copied = range.end;
    }
    masked.push_str(text.get(copied..).unwrap_or(""));
    (masked, ranges)
}

/// The byte ranges of the complete expressions in `text`, `${{` through `}}`.
pub fn expression_ranges(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut ranges = Vec::new();
    let mut from = 0;
    while let Some(found) = text.get(from..).and_then(|rest| rest.find(OPEN)) {
        let start = from + found;
        let mut in_string = false;
        let mut end = None;
        let mut index = start + OPEN.len();
        while let Some(&byte) = bytes.get(index) {
            if byte == b'\'' {
                in_string = !in_string;
            } else if !in_string && byte == b'}' && bytes.get(index - 1) == Some(&b'}') {
                end = Some(index + 1);
                break;
            }
            index += 1;
        }
        // NOTE: the runner checks the byte before each `}` without caring where it is, so
        // `${{}}` is an (empty, invalid) expression; so it is here.
        let Some(end) = end else {
            break;
        };
        ranges.push(start..end);
        from = end;
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (text, masked text, expression byte ranges)
    type Case<'a> = (&'a str, &'a str, &'a [(usize, usize)]);

    #[test]
    fn masks() {
        let cases: &[Case<'_>] = &[
            // (text, masked, ranges)
            ("echo hi", "echo hi", &[]),
            (
                "echo ${{ github.sha }}",
                "echo _________________",
                &[(5, 22)],
            ),
            // inside a word: one word stays one word
            (
                "pip install foo==${{ matrix.v }}",
                "pip install foo==_______________",
                &[(17, 32)],
            ),
            // inside double quotes: quotes stay balanced
            ("echo \"${{ x }}\"", "echo \"________\"", &[(6, 14)]),
            // inside single quotes
            ("echo '${{ x }}'", "echo '________'", &[(6, 14)]),
            // two expressions
            ("${{a}}${{b}}", "____________", &[(0, 6), (6, 12)]),
            // `}}` inside a string literal does not end it
            ("a ${{ '}}' }} b", "a ___________ b", &[(2, 13)]),
            // escaped quote inside a literal
            ("${{ 'it''s}}' }}", "________________", &[(0, 16)]),
            // unterminated: left alone
            ("echo ${{ github.sha", "echo ${{ github.sha", &[]),
            // a complete one, then an unterminated one
            ("${{ a }} ${{ b", "________ ${{ b", &[(0, 8)]),
            // unterminated because the literal never closes
            ("${{ 'x }}", "${{ 'x }}", &[]),
            // empty expression
            ("${{}}", "_____", &[(0, 5)]),
            // `${` and `{{` alone are no expression
            ("${HOME} {{x}} $ {{", "${HOME} {{x}} $ {{", &[]),
            // line breaks inside are masked too
            ("a ${{ x &&\n y }} b", "a ______________ b", &[(2, 16)]),
            // multi-byte characters inside: byte length kept
            ("${{ 'é' }}", "___________", &[(0, 11)]),
            // `$${{ x }}`: the expression starts at the second `$`
            ("$${{ x }}", "$________", &[(1, 9)]),
            // three closing braces: the first `}}` ends it
            ("${{ x }}}", "________}", &[(0, 8)]),
            ("", "", &[]),
        ];
        for (text, masked, ranges) in cases {
            let (got, got_ranges) = mask_expressions(text);
            assert_eq!(&got, masked, "text {text:?}");
            assert_eq!(got.len(), text.len(), "text {text:?}");
            let pairs: Vec<(usize, usize)> = got_ranges.iter().map(|r| (r.start, r.end)).collect();
            assert_eq!(&pairs, ranges, "text {text:?}");
            for range in got_ranges {
                let original = text.get(range.clone()).unwrap_or("");
                assert!(original.starts_with("${{") && original.ends_with("}}"));
            }
        }
    }

    #[test]
    fn masked_text_keeps_every_other_byte() {
        let text = "run ${{ a }} && echo \"${{ b }}\" # ${{ c }}";
        let (masked, ranges) = mask_expressions(text);
        for (index, (original, new)) in text.bytes().zip(masked.bytes()).enumerate() {
            let inside = ranges.iter().any(|range| range.contains(&index));
            if inside {
                assert_eq!(new, PLACEHOLDER);
            } else {
                assert_eq!(new, original, "byte {index}");
            }
        }
    }
}
