//! Shell analysis: commands, words, values and spans of real script shapes.

use std::sync::Arc;

use super::{Command, Place, ShellScript, Substitution};
use crate::model::kind::FileKind;
use crate::model::source::SourceFile;
use crate::parse::{Document, ParseContext, parse};

fn document(kind: FileKind, text: &str) -> Document {
    let name = match kind {
        FileKind::Workflow => ".github/workflows/ci.yml",
        _ => "Dockerfile",
    };
    parse(
        Arc::new(SourceFile::new(name, text)),
        kind,
        &ParseContext::default(),
    )
}

/// Each command as its word values joined by spaces (`?` for an unknown word).
fn commands(script: &ShellScript) -> Vec<String> {
    script.commands.iter().map(show).collect()
}

fn show(command: &Command) -> String {
    command
        .words
        .iter()
        .map(|word| word.text().unwrap_or("?"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn run_commands(script: &str) -> Vec<String> {
    let text = format!("FROM alpine:3.20\nRUN {script}\n");
    let document = document(FileKind::Dockerfile, &text);
    let shell = document.shell();
    assert_eq!(shell.len(), 1, "{script}");
    commands(&shell[0])
}

#[test]
fn commands_of_everyday_scripts() {
    let cases: &[(&str, &[&str])] = &[
        (
            "apt-get update && apt-get install -y curl",
            &["apt-get update", "apt-get install -y curl"],
        ),
        ("a || b; c", &["a", "b", "c"]),
        (
            "set -eux; apk add --no-cache git",
            &["set -eux", "apk add --no-cache git"],
        ),
        (
            "curl -fsSL https://x.io/i.sh | sh -s -- -y",
            &["curl -fsSL https://x.io/i.sh", "sh -s -- -y"],
        ),
        ("(cd /tmp && make)", &["cd /tmp", "make"]),
        ("{ pip install a; }", &["pip install a"]),
        ("echo $(curl -s x)", &["echo ?", "curl -s x"]),
        ("echo `uname -m`", &["echo ?", "uname -m"]),
        ("bash <(curl -s x)", &["bash ?", "curl -s x"]),
        (
            "python3 - <<< \"$(wget -qO- x)\"",
            &["python3 -", "wget -qO- x"],
        ),
        (
            "sudo apt-get install -y \"curl\" 'git' vim\\ x",
            &["sudo apt-get install -y curl git vim x"],
        ),
        (
            "env DEBIAN_FRONTEND=noninteractive apt-get install -y tzdata",
            &["env DEBIAN_FRONTEND=noninteractive apt-get install -y tzdata"],
        ),
        (
            "DEBIAN_FRONTEND=noninteractive apt-get install -y tzdata",
            &["apt-get install -y tzdata"],
        ),
        (
            "if [ -f x ]; then pip install a; else pip install b; fi",
            &["pip install a", "pip install b"],
        ),
        ("for p in a b; do pip install $p; done", &["pip install ?"]),
        (
            "case $X in a) npm i x ;; *) npm i y ;; esac",
            &["npm i x", "npm i y"],
        ),
        (
            "ls | xargs -n1 gem install",
            &["ls", "xargs -n1 gem install"],
        ),
        ("pip install \"flask==${{ matrix.v }}\"", &["pip install ?"]),
        ("pip install $UNKNOWN", &["pip install ?"]),
        ("echo 'unterminated", &["echo"]), // error-tolerant: the rest is kept
        (
            "f() { go install x@latest; }; f",
            &["go install x@latest", "f"],
        ),
    ];
    for (script, expected) in cases {
        let got = run_commands(script);
        let expected: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(got, expected, "{script}");
    }
}

#[test]
fn words_map_back_through_continuations() {
    let text = "FROM alpine:3.20\nRUN apk add \\\n      curl \\\n  \"git\"\n";
    let document = document(FileKind::Dockerfile, text);
    let command = &document.shell()[0].commands[0];
    let spans: Vec<&str> = command
        .words
        .iter()
        .map(|word| &text[word.span.start..word.span.end])
        .collect();
    assert_eq!(spans, ["apk", "add", "curl", "\"git\""]);
    assert_eq!(command.words[3].text(), Some("git"));
}

#[test]
fn variables_come_from_arg_and_env() {
    let text = "FROM alpine:3.20\nARG PKG=curl\nENV EXTRA=\"git vim\"\nARG NODEFAULT\n\
                RUN apk add $PKG \"${PKG}\" $EXTRA \"$EXTRA\" $NODEFAULT ${HOME} ${PKG:-x}\n";
    let document = document(FileKind::Dockerfile, text);
    let command = &document.shell()[0].commands[0];
    let values: Vec<Option<&str>> = command.words.iter().map(|word| word.text()).collect();
    assert_eq!(
        values,
        [
            Some("apk"),
            Some("add"),
            Some("curl"),
            Some("curl"),
            Some("git"), // unquoted: split into fields
            Some("vim"),
            Some("git vim"), // quoted: one field
            None,            // ARG without a default
            None,            // from the image
            Some("curl"),
        ]
    );
    let related: Vec<&str> = command.words[2]
        .notes
        .iter()
        .map(|note| note.label.as_str())
        .collect();
    assert_eq!(related, ["`PKG` defaults to `curl` here"]);
}

#[test]
fn pipes_and_substitutions_are_recorded() {
    let text = "FROM alpine:3.20\nRUN curl -s x | sudo bash && sh -c \"$(wget -qO- y)\"\n";
    let document = document(FileKind::Dockerfile, text);
    let commands = &document.shell()[0].commands;
    let pipe = commands[1].pipe.expect("second stage");
    assert_eq!(
        (
            pipe.stage,
            &text[pipe.operator.unwrap().start..pipe.operator.unwrap().end]
        ),
        (1, "|")
    );
    assert_eq!(commands[0].pipe.map(|pipe| pipe.stage), Some(0));
    let nesting = commands[3].nesting.expect("wget runs in a substitution");
    assert_eq!(nesting.parent, 2);
    assert_eq!(nesting.place, Place::Argument(2));
    assert_eq!(nesting.kind, Substitution::Command);
    assert_eq!(
        &text[nesting.substitution.start..nesting.substitution.end],
        "$(wget -qO- y)"
    );
}

#[test]
fn redirects_name_their_targets() {
    let text =
        "FROM alpine:3.20\nRUN curl -fsSL x > /tmp/i.sh 2>/dev/null && python3 - <<< 'print(1)'\n";
    let document = document(FileKind::Dockerfile, text);
    let commands = &document.shell()[0].commands;
    let redirects: Vec<(&str, Option<&str>)> = commands[0]
        .redirects
        .iter()
        .map(|r| {
            (
                r.operator.as_str(),
                r.target.as_ref().and_then(|t| t.text()),
            )
        })
        .collect();
    assert_eq!(
        redirects,
        [(">", Some("/tmp/i.sh")), ("2>", Some("/dev/null"))]
    );
    assert_eq!(commands[1].redirects[0].operator, "<<<");
}

#[test]
fn workflow_scripts_use_env_literals_and_mask_expressions() {
    let text = "on: push\nenv:\n  TOOL: ruff\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env:\n      \
                V: ${{ matrix.v }}\n    steps:\n      - run: >-\n          pip install\n          \
                $TOOL black==$V\n        env:\n          TOOL: mypy\n";
    let document = document(FileKind::Workflow, text);
    let command = &document.shell()[0].commands[0];
    assert_eq!(show(command), "pip install mypy ?");
    let word = &command.words[2];
    assert_eq!(&text[word.span.start..word.span.end], "$TOOL");
}

/// The one script of a workflow step that runs `script`.
fn workflow_script(script: &str) -> ShellScript {
    let text =
        format!("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: {script:?}\n");
    let document = document(FileKind::Workflow, &text);
    document.shell()[0].clone()
}

fn run_script(script: &str) -> ShellScript {
    let text = format!("FROM alpine:3.20\nRUN {script}\n");
    let document = document(FileKind::Dockerfile, &text);
    let mut shell = document.shell().to_vec();
    assert_eq!(shell.len(), 1, "{script}");
    shell.remove(0)
}

#[test]
fn hostile_nesting_stops_at_the_depth_cap() {
    // On a small stack (a debug build's frames are the largest), as a worker thread has.
    let reader = std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(hostile_nesting)
        .unwrap();
    reader.join().unwrap();
}

const STACK: usize = 512 * 1024;

fn hostile_nesting() {
    // 20,000 nested `$(`: the commands down to the cap are read, the rest is skipped and the
    // script marked incomplete (no stack overflow, no rescanning per level).
    let deep = format!("echo {}x{}", "$(".repeat(20_000), ")".repeat(20_000));
    let script = run_script(&deep);
    assert!(!script.complete);
    assert!(
        (10..100).contains(&script.commands.len()),
        "{}",
        script.commands.len()
    );
    assert_eq!(
        script.commands[2].nesting.map(|nesting| nesting.parent),
        Some(1)
    );
    // 20,000 nested subshells, strings and backticks.
    for hostile in [
        format!("{}true{}", "( ".repeat(20_000), ")".repeat(20_000)),
        format!("echo {}", "\"$(echo ".repeat(20_000)),
        format!("echo {}", "${x:-".repeat(20_000)),
        "if true; then ".repeat(20_000),
        format!("echo {}", "$(( 1 + ".repeat(20_000)),
        "{ ".repeat(20_000),
    ] {
        let script = run_script(&hostile);
        assert!(!script.complete, "{}", &hostile[..30]);
    }
    // `((((…))))` is one arithmetic command, read without nesting.
    let arithmetic = format!("{}1{}", "(".repeat(20_000), ")".repeat(20_000));
    assert!(run_script(&arithmetic).commands.is_empty());
    // Shallow nesting is read whole.
    let shallow = format!("echo {}x{}", "$(".repeat(20), ")".repeat(20));
    let script = run_script(&shallow);
    assert!(script.complete);
    assert_eq!(script.commands.len(), 21);
}

#[test]
fn unterminated_input_at_the_end_keeps_what_was_read() {
    let cases: &[(&str, &[&str])] = &[
        ("apk add curl; echo \"abc", &["apk add curl", "echo"]),
        ("apk add curl; echo 'abc", &["apk add curl", "echo"]),
        ("apk add curl; echo $(ls", &["apk add curl", "echo ?", "ls"]),
        ("apk add curl\ncat <<EOF\nhello", &["apk add curl", "cat"]),
        (
            "apk add curl && if true; then pip install x",
            &["apk add curl", "true", "pip install x"],
        ),
    ];
    for (script, expected) in cases {
        let shell = workflow_script(script);
        assert!(!shell.complete, "{script}");
        let expected: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(commands(&shell), expected, "{script}");
    }
}

#[test]
fn a_megabyte_on_one_line_is_read_in_linear_time() {
    let line = "apt-get install -y \"curl\" $(echo x) | sh; ".repeat(25_000);
    assert!(line.len() > 1_000_000);
    let started = std::time::Instant::now();
    let script = run_script(&line);
    assert!(script.complete);
    assert_eq!(script.commands.len(), 75_000);
    assert_eq!(
        script.commands[74_998].nesting.map(|n| n.parent),
        Some(74_997)
    );
    assert_eq!(
        script.commands[74_999].pipe.map(|p| p.pipeline),
        Some(24_999)
    );
    // Generous: a debug build reads it in well under a second.
    assert!(started.elapsed().as_secs() < 20);
}

#[test]
fn redirections_and_words_follow_the_shell_grammar() {
    // Where tree-sitter-bash disagreed with bash (and the shell is what runs).
    let text = "FROM alpine:3.20\nRUN cd /tmp && curl -fsSL x > i.sh | tee log 2>/dev/null && \
                echo >&2 'no arch' && cat <<EOF > f | sh\necho $(id)\nEOF\n";
    let document = document(FileKind::Dockerfile, text);
    let commands = &document.shell()[0].commands;
    let shown: Vec<String> = commands.iter().map(show).collect();
    assert_eq!(
        shown,
        [
            "cd /tmp",
            "curl -fsSL x",
            "tee log",
            "echo no arch",
            "cat",
            "sh",
            "id"
        ]
    );
    // A redirection after a list or pipeline belongs to its last command.
    assert_eq!(commands[2].redirects[0].operator, "2>");
    // A word after a redirection is an argument.
    assert_eq!(commands[3].redirects[0].operator, ">&");
    // A heredoc's line goes on: its redirection and its pipeline.
    let operators: Vec<&str> = commands[4]
        .redirects
        .iter()
        .map(|r| r.operator.as_str())
        .collect();
    assert_eq!(operators, ["<<", ">"]);
    assert_eq!(commands[5].pipe.map(|pipe| pipe.stage), Some(1));
    // The body is not commands; its substitutions are, in the heredoc's redirection.
    assert_eq!(
        commands[6].nesting.map(|n| (n.parent, n.place)),
        Some((4, Place::Redirect(0)))
    );
    // `$A/$B` is one word.
    assert_eq!(run_commands("docker push $R/$N:$T"), ["docker push ?"]);
    // `<<EOT bash`: a heredoc before the command name (the body is a script of its own).
    let heredoc_first = workflow_script("<<EOT bash\nset -ex\napk add curl\nEOT");
    assert!(heredoc_first.complete);
    assert_eq!(super::tests::commands(&heredoc_first), ["bash"]);
}

#[test]
fn command_strings_handed_to_a_shell_are_read_as_scripts() {
    let cases: &[(&str, &[&str])] = &[
        (
            "sh -c 'apt-get install -y curl'",
            &["sh -c apt-get install -y curl", "apt-get install -y curl"],
        ),
        (
            "sudo -u root bash -lc \"pip install \\\"flask\\\" && npm i x\"",
            &[
                "sudo -u root bash -lc pip install \"flask\" && npm i x",
                "pip install flask",
                "npm i x",
            ],
        ),
        (
            "su -c 'gem install rake' app",
            &["su -c gem install rake app", "gem install rake"],
        ),
        (
            "sh -c 'sh -c \"go install x@latest\"'",
            &[
                "sh -c sh -c \"go install x@latest\"",
                "sh -c go install x@latest",
                "go install x@latest",
            ],
        ),
        // A `$( )` is read where it is written, not twice.
        ("sh -c \"$(curl -s x)\"", &["sh -c ?", "curl -s x"]),
        // Not a command string: a script file, or not a shell.
        ("bash -e install.sh", &["bash -e install.sh"]),
        ("python3 -c 'import os'", &["python3 -c import os"]),
    ];
    for (script, expected) in cases {
        let got = run_commands(script);
        let expected: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(got, expected, "{script}");
    }
}

#[test]
fn command_string_words_map_back_through_escapes_and_continuations() {
    let text = "FROM alpine:3.20\nRUN bash -c \"apk add \\\"jq\\\" \\\n    curl\"\n";
    let document = document(FileKind::Dockerfile, text);
    let commands = &document.shell()[0].commands;
    let inner = &commands[1];
    let spans: Vec<&str> = inner
        .words
        .iter()
        .map(|word| &text[word.span.start..word.span.end])
        .collect();
    assert_eq!(spans, ["apk", "add", "\\\"jq\\\"", "curl"]);
    assert_eq!(inner.words[2].text(), Some("jq"));
}

#[test]
fn mutated_scripts_never_panic_and_keep_their_invariants() {
    use super::syntax;
    use super::variables::Variables;
    use crate::model::mapped_text::MappedText;

    let seeds = [
        "apt-get install -y \"curl\" $(echo 'x') | sh && { pip install a; }",
        "case $x in a) b ;; *) c;; esac; for i in 1 2; do cat <<EOF > f\n$(id)\nEOF\ndone",
        "if [ -f x ]; then X=(a b) y <<< \"$(z)\" 2>&1 & elif [[ $a =~ ^(b|c)$ ]]; then :; fi",
        "f() { `g \"${h:-$(i)}\"`; }; while read -r l; do echo \"$((1 + $(j)))\" >&2 x; done < <(k)",
        "sudo bash -lc 'apk add \"jq\" && sh -c \"go install x@latest\"' ; ((n++)) || ! m | n |& o",
    ];
    let alphabet = b"$(){}[]`'\"\\|&;<>#\n =-:!*";
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        usize::try_from(state % 1_000_003).unwrap()
    };
    let variables = Variables::new();
    for seed in seeds {
        for _ in 0..400 {
            let mut bytes = seed.as_bytes().to_vec();
            for _ in 0..=next() % 4 {
                let at = next() % (bytes.len() + 1);
                let byte = alphabet[next() % alphabet.len()];
                match next() % 3 {
                    0 => bytes.insert(at, byte),
                    1 if at < bytes.len() => {
                        bytes.remove(at);
                    }
                    _ => bytes.truncate(at),
                }
            }
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let map = MappedText::contiguous(text.clone(), 0);
            let (commands, _) = syntax::parse(&map, &text, &variables);
            for (index, command) in commands.iter().enumerate() {
                let spans = command
                    .words
                    .iter()
                    .map(|word| word.span)
                    .chain(
                        command
                            .redirects
                            .iter()
                            .filter_map(|r| r.target.as_ref().map(|t| t.span)),
                    )
                    .chain(std::iter::once(command.span));
                for span in spans {
                    assert!(span.start <= span.end && span.end <= text.len(), "{text:?}");
                    assert!(text.get(span.start..span.end).is_some(), "{text:?}");
                }
                if let Some(nesting) = command.nesting {
                    assert!(nesting.parent < index, "{text:?}");
                    assert!(nesting.substitution.end <= text.len(), "{text:?}");
                }
            }
        }
    }
}
