//! A deterministic mutation fuzzer over every fixture, run on each test: thousands of
//! corrupted Dockerfiles, compose, `.env`, workflow, action and Kubernetes files go through
//! the parsers, the rules and every report format. None may panic, and every span must lie
//! inside its file on character boundaries. (Coverage-guided fuzzing is the next step; this
//! catches the shallow crashes on every CI run.)

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use pinwarden::discover::FileKind;
use pinwarden::model::level::{PinPolicy, Policies};
use pinwarden::model::source::SourceFile;
use pinwarden::parse::{self, ParseContext, env};
use pinwarden::report::{self, Format, Report};
use pinwarden::rules::{self, CheckContext};

/// xorshift64*: small, seeded, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Tokens that matter to the grammars, spliced in at random.
const DICTIONARY: &[&str] = &[
    "\n",
    "\r\n",
    "\\\n",
    "`\n",
    "\t",
    " ",
    "#",
    "# escape=`\n",
    "# syntax=x\n",
    "<<EOF\n",
    "<<-EOF\n",
    "EOF\n",
    "[\"",
    "\"]",
    "${",
    "}",
    "$",
    ":-",
    ":+",
    "?",
    "@sha256:",
    ":latest",
    "FROM ",
    "AS ",
    "ARG A=",
    "--from=",
    "--mount=from=",
    "&a ",
    "*a",
    "<<: *a\n",
    "- ",
    ": ",
    "{",
    "}",
    "[",
    "]",
    "'",
    "\"",
    "---\n",
    "...\n",
    "!!binary ",
    "|\n",
    ">-\n",
    "${{ matrix.x }}",
    "docker://",
    "\u{feff}",
    "é",
    "😀",
    "\u{0}",
    "services:\n  a:\n    image: ",
    "kind: Pod\n",
    "apiVersion: v1\n",
    "export ",
    "=",
    "\\",
    "{{ .Values.x }}",
    // Shell (RUN and run: scripts).
    " | sh",
    "$(",
    "<(",
    ")",
    "<<<",
    " && ",
    "`",
    " -c ",
    "apt-get install ",
    "pip install ",
    "curl -o x ",
];

fn mutate(rng: &mut Rng, input: &str) -> String {
    let mut text: Vec<char> = input.chars().collect();
    for _ in 0..=rng.below(8) {
        let at = rng.below(text.len() + 1);
        match rng.below(4) {
            0 if !text.is_empty() => {
                let end = (at + rng.below(16)).min(text.len());
                text.drain(at.min(end)..end);
            }
            1 => {
                let token = DICTIONARY[rng.below(DICTIONARY.len())];
                text.splice(at..at, token.chars());
            }
            2 if !text.is_empty() => {
                // Duplicate a slice (repetition finds quadratic paths and deep nesting).
                let start = rng.below(text.len());
                let end = (start + rng.below(64)).min(text.len());
                let copy: Vec<char> = text[start..end].to_vec();
                text.splice(at..at, copy);
            }
            _ => {
                let c = char::from_u32(rng.below(0x2FF) as u32).unwrap_or('x');
                text.insert(at, c);
            }
        }
    }
    text.into_iter().collect()
}

fn kind_of(path: &std::path::Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    if name.contains("ockerfile") {
        return Some(FileKind::Dockerfile);
    }
    if name == ".env" {
        return Some(FileKind::Env);
    }
    if name.starts_with("action.") {
        return Some(FileKind::Action);
    }
    if path.to_string_lossy().contains(".github/workflows/") {
        return Some(FileKind::Workflow);
    }
    if name.contains("compose") {
        return Some(FileKind::Compose);
    }
    if name.ends_with(".yaml") || name.ends_with(".yml") {
        return Some(FileKind::Kubernetes);
    }
    None
}

fn check_spans(document: &parse::Document) {
    let text = document.source.text();
    let ok = |span: pinwarden::model::location::Span| {
        span.start <= span.end
            && span.end <= text.len()
            && text.is_char_boundary(span.start)
            && text.is_char_boundary(span.end)
    };
    for problem in &document.problems {
        assert!(
            ok(problem.span),
            "problem span {:?} in {text:?}",
            problem.span
        );
    }
    for image in &document.images {
        assert!(
            ok(image.location.span),
            "image span {:?} in {text:?}",
            image.location.span
        );
        for via in &image.via {
            let source = via.location.source.text();
            let span = via.location.span;
            assert!(
                span.end <= source.len()
                    && source.is_char_boundary(span.start)
                    && source.is_char_boundary(span.end)
            );
        }
    }
}

#[test]
fn mutated_fixtures_never_panic() {
    let mut seeds = Vec::new();
    let mut stack = vec![common::fixtures(), common::root().join("examples")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let (Some(kind), Ok(text)) = (kind_of(&path), std::fs::read_to_string(&path))
                && text.len() < 64 * 1024
            {
                seeds.push((kind, text));
            }
        }
    }
    seeds.sort_by(|a, b| a.1.cmp(&b.1));
    assert!(seeds.len() > 40, "fixtures found: {}", seeds.len());

    let env_source = Arc::new(SourceFile::new(".env", "TAG=latest\nexport B=\"x y\"\n"));
    let env_file = env::parse_env(env_source.text());
    let cx = ParseContext {
        env: Some((&env_source, &env_file)),
        ..ParseContext::default()
    };
    // Deeper runs: PINWARDEN_FUZZ_ITERATIONS=200000 PINWARDEN_FUZZ_SEED=7 cargo test --release ...
    let number = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let mut rng = Rng(number("PINWARDEN_FUZZ_SEED", 0x5eed_1234_abcd_0001) | 1);
    let iterations = number("PINWARDEN_FUZZ_ITERATIONS", 6_000);
    for iteration in 0..iterations {
        let (kind, seed) = &seeds[rng.below(seeds.len())];
        let text = mutate(&mut rng, seed);
        let source = Arc::new(SourceFile::new("fuzz", text.clone()));
        let document = parse::parse(source, *kind, &cx);
        check_spans(&document);
        for policy in [PinPolicy::Tag, PinPolicy::Digest] {
            let findings = rules::check(&document, &CheckContext::with_policy(policy));
            if iteration % 20 == 0 {
                let report = Report::new(findings, Vec::new(), 1, Policies::all(policy), None);
                for format in [
                    Format::Text,
                    Format::Sarif,
                    Format::Json,
                    Format::Github,
                    Format::Markdown,
                ] {
                    let mut out = Vec::new();
                    report::render(&report, format, false, &mut out).unwrap();
                }
            }
        }
    }
}
