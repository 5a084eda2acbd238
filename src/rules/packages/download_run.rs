//! PW308 download-then-run: a remote script run without a check of what was downloaded.
//!
//! - piped into a shell or interpreter: `curl … | sh`, `wget -qO- … | sudo bash`;
//! - substituted into one: `bash <(curl …)`, `sh -c "$(curl …)"`, `eval "$(curl …)"`,
//!   `python3 - <<< "$(curl …)"`;
//! - downloaded to a file and then run by the same script (`curl -o x.sh … && sh x.sh`,
//!   `wget … && chmod +x x && ./x`), unless a checksum or signature check of that file
//!   (`sha256sum -c`, `echo "<hash>  x" | sha256sum --check`, `gpg --verify`) comes in between.
//!
//! NOTE: not gated by the pinning policy (its ecosystem is `Packages` only so that the packages
//! policy and the per-family switches reach it): nothing pins a piped script, so it is an error
//! at every policy.

use std::sync::Arc;

use crate::model::finding::Finding;
use crate::model::level::Level;
use crate::model::location::{Location, Related, Span};
use crate::parse::Document;
use crate::parse::shell::{Nesting, Place, ShellScript, Substitution};
use crate::rules::packages::{
    Arguments, Invocation, SCRIPT_KINDS, file_name, finding, invocation, scripts,
};
use crate::rules::{Check, CheckContext, Ecosystem, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "PW308",
    name: "download-then-run",
    default_level: Level::Error,
    summary: "a downloaded script is run without verifying its checksum or signature",
    help: include_str!("../../../docs/rules/PW308.md"),
    ecosystem: Ecosystem::Packages,
    min_policy: None,
    tags: &["supply-chain", "security", "packages"],
    security_severity: "8.0",
    applies_to: SCRIPT_KINDS,
};

pub static RULE: Rule = Rule {
    meta: &META,
    checks: &[Check::Document(check)],
};

/// curl's options that take a value (the common ones; `curl --help all`).
const CURL_SHORT: &str = "oAbcdDeEFHKmruUwxXYyzCTtQP";
const CURL_LONG: &[&str] = &[
    "output",
    "user-agent",
    "cookie",
    "cookie-jar",
    "data",
    "data-raw",
    "data-binary",
    "data-urlencode",
    "dump-header",
    "referer",
    "cert",
    "form",
    "header",
    "config",
    "max-time",
    "range",
    "user",
    "write-out",
    "proxy",
    "request",
    "url",
    "retry",
    "retry-delay",
    "retry-max-time",
    "connect-timeout",
    "proto",
    "proto-redir",
    "cacert",
    "capath",
    "key",
    "output-dir",
    "resolve",
    "connect-to",
    "interface",
    "limit-rate",
    "max-filesize",
    "continue-at",
    "upload-file",
    "time-cond",
    "oauth2-bearer",
    "tls-max",
    "ciphers",
    "netrc-file",
];
/// wget's options that take a value (`wget --help`).
const WGET_SHORT: &str = "OoaPUtTeiwQlDARIXB";
const WGET_LONG: &[&str] = &[
    "output-document",
    "output-file",
    "append-output",
    "directory-prefix",
    "user-agent",
    "tries",
    "timeout",
    "execute",
    "input-file",
    "wait",
    "quota",
    "level",
    "domains",
    "accept",
    "reject",
    "include-directories",
    "exclude-directories",
    "base",
    "header",
    "user",
    "password",
    "http-user",
    "http-password",
    "post-data",
    "post-file",
    "ca-certificate",
    "certificate",
    "private-key",
    "load-cookies",
    "save-cookies",
    "referer",
    "limit-rate",
    "dns-timeout",
    "connect-timeout",
    "read-timeout",
];

/// Where a download writes.
#[derive(Debug, PartialEq, Eq)]
enum Output {
    Stdout,
    /// A file, by its file name.
    File(String),
}

#[derive(Debug)]
struct Download<'a> {
    invocation: Invocation<'a>,
    output: Output,
}

fn check(document: &Document, _cx: &CheckContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    for script in scripts(document) {
        let invocations: Vec<Option<Invocation<'_>>> = script
            .commands
            .iter()
            .enumerate()
            .map(|(index, command)| invocation(command, index))
            .collect();
        let downloads: Vec<Download<'_>> = invocations
            .iter()
            .flatten()
            .filter_map(|invocation| {
                download(invocation).map(|output| Download {
                    invocation: *invocation,
                    output,
                })
            })
            .collect();
        if downloads.is_empty() {
            continue;
        }
        for download in &downloads {
            let found = match &download.output {
                Output::Stdout => piped(document, &invocations, download)
                    .or_else(|| substituted(document, &invocations, download)),
                Output::File(file) => {
                    run_unverified(document, script, &invocations, download, file)
                }
            };
            findings.extend(found);
        }
    }
    findings
}

/// What a `curl`, `wget` or `fetch` command writes, or `None` for other commands.
fn download(invocation: &Invocation<'_>) -> Option<Output> {
    let redirected = invocation.command.redirects.iter().find_map(|redirect| {
        let target = redirect.target.as_ref()?.text()?;
        (matches!(redirect.operator.as_str(), ">" | ">>" | ">|") && target != "/dev/null")
            .then(|| file_name(target).to_owned())
    });
    let stdout = |redirected: Option<String>| match redirected {
        Some(file) => Output::File(file),
        None => Output::Stdout,
    };
    match invocation.program {
        "curl" => {
            let arguments = Arguments::parse(invocation.args, CURL_SHORT, CURL_LONG);
            let url = url(&arguments).or(arguments.value(&["--url"]));
            if let Some(output) = arguments.value(&["-o", "--output"]) {
                return Some(if output == "-" {
                    stdout(redirected)
                } else {
                    Output::File(file_name(output).to_owned())
                });
            }
            if arguments.has(&["-O", "--remote-name", "--remote-name-all"]) {
                return Some(Output::File(url_file_name(url?).to_owned()));
            }
            Some(stdout(redirected))
        }
        "wget" => {
            let arguments = Arguments::parse(invocation.args, WGET_SHORT, WGET_LONG);
            match arguments.value(&["-O", "--output-document"]) {
                Some("-") => Some(stdout(redirected)),
                Some(output) => Some(Output::File(file_name(output).to_owned())),
                None => Some(Output::File(url_file_name(url(&arguments)?).to_owned())),
            }
        }
        "fetch" => {
            let arguments = Arguments::parse(invocation.args, "oST", &["output"]);
            match arguments.value(&["-o", "--output"]) {
                Some("-") => Some(stdout(redirected)),
                Some(output) => Some(Output::File(file_name(output).to_owned())),
                None => Some(Output::File(url_file_name(url(&arguments)?).to_owned())),
            }
        }
        _ => None,
    }
}

fn url<'a>(arguments: &Arguments<'a>) -> Option<&'a str> {
    arguments
        .operands
        .iter()
        .filter_map(|word| word.text())
        .find(|text| text.contains("://"))
        .or_else(|| arguments.operands.first().and_then(|word| word.text()))
}

/// The file name a URL is saved under: its last path segment without query or fragment.
fn url_file_name(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    file_name(path.trim_end_matches('/'))
}

/// An interpreter, and its options that run inline code instead of a script (`-c`), and
/// that take a value.
fn interpreter(program: &str) -> Option<(&'static str, &'static str)> {
    let base = program.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    Some(match base {
        "sh" | "bash" | "dash" | "ash" | "ksh" | "mksh" | "zsh" | "fish" => ("c", "oO"),
        "python" | "pypy" => ("cm", "WX"),
        "perl" => ("eE", "I"),
        "ruby" => ("e", "Ir"),
        "node" | "nodejs" => ("ep", "r"),
        "php" => ("r", "dc"),
        _ => return None,
    })
}

/// How an interpreter invocation gets its program: inline (`-c`), from a file operand, or
/// from standard input.
#[derive(Debug, PartialEq, Eq)]
enum Source<'a> {
    Inline,
    Stdin,
    File(&'a str),
}

fn source<'a>(invocation: &Invocation<'a>) -> Option<Source<'a>> {
    if matches!(invocation.program, "source" | ".") {
        return invocation
            .args
            .first()
            .map(|word| Source::File(word.text().unwrap_or("")));
    }
    let (inline, valued) = interpreter(invocation.program)?;
    let mut words = invocation.args.iter();
    let mut stdin = false;
    while let Some(word) = words.next() {
        let Some(text) = word.text() else {
            return Some(Source::File(""));
        };
        if text == "-" || (text == "--" && stdin) {
            return Some(Source::Stdin);
        }
        if text == "--" {
            return Some(match words.next().and_then(|word| word.text()) {
                Some(file) if file != "-" && file != "/dev/stdin" => Source::File(file),
                _ => Source::Stdin,
            });
        }
        let Some(cluster) = text.strip_prefix(['-', '+']).filter(|c| !c.is_empty()) else {
            return Some(if stdin || text == "/dev/stdin" {
                Source::Stdin
            } else {
                Source::File(text)
            });
        };
        if text.starts_with("--") {
            if matches!(text, "--eval" | "--print" | "--command") {
                return Some(Source::Inline);
            }
            continue;
        }
        if text.starts_with('-') && cluster.contains(|c| inline.contains(c)) {
            return Some(Source::Inline);
        }
        stdin |= text.starts_with('-') && cluster.contains('s') && inline == "c";
        if cluster.ends_with(|c| valued.contains(c)) {
            words.next();
        }
    }
    Some(Source::Stdin)
}

/// `download | … | interpreter`: the interpreter reads the download as its program.
fn piped(
    document: &Document,
    invocations: &[Option<Invocation<'_>>],
    download: &Download<'_>,
) -> Option<Finding> {
    let pipe = download.invocation.command.pipe?;
    let runner = invocations.iter().flatten().find(|candidate| {
        candidate
            .command
            .pipe
            .is_some_and(|other| other.pipeline == pipe.pipeline && other.stage > pipe.stage)
            && source(candidate) == Some(Source::Stdin)
    })?;
    let operator = runner.command.pipe.and_then(|pipe| pipe.operator)?;
    let span = Span::new(operator.start, runner.program_word.span.end);
    let message = format!(
        "a script downloaded by `{}` is piped into `{}`; download it to a file, verify its \
         checksum, then run it",
        download.invocation.program, runner.program
    );
    Some(with_download(document, span, message, download))
}

/// `interpreter <(download)`, `sh -c "$(download)"`, `eval "$(download)"`,
/// `interpreter <<< "$(download)"`.
fn substituted(
    document: &Document,
    invocations: &[Option<Invocation<'_>>],
    download: &Download<'_>,
) -> Option<Finding> {
    let Nesting {
        parent,
        place,
        substitution,
        kind,
    } = download.invocation.command.nesting?;
    let runner = invocations.get(parent).copied().flatten()?;
    let source = source(&runner);
    let runs = match (kind, place) {
        (Substitution::Process, Place::Argument(_)) => source.is_some(),
        (Substitution::Command, Place::Argument(_)) => {
            runner.program == "eval" || source == Some(Source::Inline)
        }
        (Substitution::Command, Place::Redirect(index)) => {
            let here_string = runner
                .command
                .redirects
                .get(index)
                .is_some_and(|redirect| redirect.operator == "<<<");
            here_string && source == Some(Source::Stdin)
        }
        _ => false,
    };
    if !runs {
        return None;
    }
    let message = format!(
        "a script downloaded by `{}` is run by `{}` through a substitution; download it to a \
         file, verify its checksum, then run it",
        download.invocation.program, runner.program
    );
    Some(with_download(document, substitution, message, download))
}

/// A downloaded file run later in the same script, with no check of it in between.
fn run_unverified(
    document: &Document,
    script: &ShellScript,
    invocations: &[Option<Invocation<'_>>],
    download: &Download<'_>,
    file: &str,
) -> Option<Finding> {
    if file.is_empty() {
        return None;
    }
    let after = download.invocation.command.span.end;
    let later = invocations
        .iter()
        .flatten()
        .filter(|candidate| candidate.command.span.start >= after);
    let (runner, run_span) = later
        .clone()
        .find_map(|candidate| runs_file(candidate, file).map(|span| (*candidate, span)))?;
    let verified = later
        .take_while(|candidate| candidate.index != runner.index)
        .any(|candidate| verifies(script, candidate, file));
    if verified {
        return None;
    }
    let by = if runner.program == file {
        String::new()
    } else {
        format!(" by `{}`", runner.program)
    };
    let message = format!(
        "`{file}`, downloaded by `{}`, is run{by} without a checksum or signature check; \
         verify it first (`echo \"<sha256>  {file}\" | sha256sum -c -`)",
        download.invocation.program
    );
    Some(with_download(document, run_span, message, download))
}

/// Does `invocation` run the file named `file`? The span of the run (the program, and the
/// file operand of an interpreter).
fn runs_file(invocation: &Invocation<'_>, file: &str) -> Option<Span> {
    let program = invocation.program_word;
    if program.text().is_some_and(|text| text.contains('/')) && invocation.program == file {
        return Some(program.span);
    }
    let Some(Source::File(operand)) = source(invocation) else {
        return None;
    };
    if file_name(operand) != file {
        return None;
    }
    let operand_end = invocation
        .args
        .iter()
        .find(|word| word.text() == Some(operand))
        .map_or(program.span.end, |word| word.span.end);
    Some(Span::new(program.span.start, operand_end))
}

/// A checksum or signature check that names `file` (in its words or in the pipeline that
/// feeds it, e.g. `echo "<hash>  file" | sha256sum -c -`), or reads a checksum list.
fn verifies(script: &ShellScript, invocation: &Invocation<'_>, file: &str) -> bool {
    let program = invocation.program;
    let checksum = matches!(
        program,
        "sha1sum"
            | "sha224sum"
            | "sha256sum"
            | "sha384sum"
            | "sha512sum"
            | "md5sum"
            | "b2sum"
            | "shasum"
            | "cksum"
            | "rhash"
    );
    let has = |word: &str| invocation.args.iter().any(|arg| arg.is(word));
    let signature = match program {
        "gpg" | "gpg2" => has("--verify"),
        "gpgv" | "gpgv2" | "slsa-verifier" => true,
        "cosign" => has("verify-blob") || has("verify-blob-attestation"),
        "minisign" | "signify" => has("-V"),
        "openssl" => has("-verify"),
        _ => false,
    };
    if !checksum && !signature {
        return false;
    }
    let names_file = |words: &[crate::parse::shell::Word]| {
        words.iter().any(|word| {
            word.raw
                .split(|c: char| c.is_whitespace() || matches!(c, '/' | '"' | '\'' | '*'))
                .any(|token| token == file)
        })
    };
    if names_file(&invocation.command.words) {
        return true;
    }
    let list = invocation.args.iter().any(|arg| {
        arg.text().is_some_and(|text| {
            text.starts_with('-') && !text.starts_with("--") && text.contains('c')
        }) || arg.is("--check")
    });
    let feeding = invocation.command.pipe.is_some_and(|pipe| {
        script.commands.iter().any(|command| {
            command
                .pipe
                .is_some_and(|other| other.pipeline == pipe.pipeline && other.stage < pipe.stage)
                && names_file(&command.words)
        })
    });
    feeding || (checksum && list && invocation.command.pipe.is_none())
}

fn with_download(
    document: &Document,
    span: Span,
    message: String,
    download: &Download<'_>,
) -> Finding {
    finding(&META, document, span, message).with_related(vec![Related {
        location: Location::new(
            Arc::clone(&document.source),
            download.invocation.command.span,
        ),
        label: "downloaded here".to_owned(),
    }])
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::model::level::PinPolicy::{Digest, Tag};
    use crate::rules::packages::test_support::check_table;

    #[test]
    fn download_then_run_lines() {
        let cases: &[(&str, &[&str])] = &[
            // piped into a shell or interpreter
            ("curl -fsSL https://get.docker.com | sh", &["| sh"]),
            (
                "curl -sSL https://x.io/install.sh | bash -s -- --yes",
                &["| bash"],
            ),
            ("wget -qO- https://x.io/i.sh | sudo bash", &["| sudo bash"]),
            (
                "wget -O - https://x.io/i.sh | sudo -E bash -",
                &["| sudo -E bash"],
            ),
            (
                "curl -s https://bootstrap.pypa.io/get-pip.py | python3",
                &["| python3"],
            ),
            (
                "curl -L https://x.io/i.sh 2>/dev/null | tee /tmp/log | sh",
                &["| sh"],
            ),
            (
                "set -eux; curl -fsSL https://deb.nodesource.com/setup_20.x | bash - && apt-get install -y nodejs",
                &["| bash"],
            ),
            // substituted
            (
                "bash <(curl -fsSL https://x.io/i.sh)",
                &["<(curl -fsSL https://x.io/i.sh)"],
            ),
            (
                "sh -c \"$(curl -fsSL https://x.io/i.sh)\"",
                &["$(curl -fsSL https://x.io/i.sh)"],
            ),
            (
                "/bin/bash -c \"$(wget -qO- https://x.io/i.sh)\"",
                &["$(wget -qO- https://x.io/i.sh)"],
            ),
            (
                "eval \"$(curl -s https://x.io/env)\"",
                &["$(curl -s https://x.io/env)"],
            ),
            (
                "python3 - <<< \"$(curl -s https://x.io/a.py)\"",
                &["$(curl -s https://x.io/a.py)"],
            ),
            (
                "source <(curl -s https://x.io/env.sh)",
                &["<(curl -s https://x.io/env.sh)"],
            ),
            // downloaded to a file, then run
            (
                "curl -o /tmp/x.sh https://x.io/x.sh && sh /tmp/x.sh",
                &["sh /tmp/x.sh"],
            ),
            (
                "curl -fsSLO https://x.io/install.sh && bash install.sh",
                &["bash install.sh"],
            ),
            (
                "wget https://x.io/tool && chmod +x tool && ./tool --init",
                &["./tool"],
            ),
            (
                "wget -O /usr/local/bin/tool https://x.io/t && chmod +x /usr/local/bin/tool && /usr/local/bin/tool",
                &["/usr/local/bin/tool"],
            ),
            ("curl -fsSL https://x.io/i.sh > i.sh; sh i.sh", &["sh i.sh"]),
            // must not fire: verified in between
            (
                "curl -fsSLo x.sh https://x.io/x.sh && echo \"abc123  x.sh\" | sha256sum -c - && sh x.sh",
                &[],
            ),
            (
                "curl -fsSLO https://x.io/i.sh && sha256sum -c i.sh.sha256 && bash i.sh",
                &[],
            ),
            (
                "wget https://x.io/t.tar.gz https://x.io/t.tar.gz.asc && gpg --verify t.tar.gz.asc t.tar.gz && ./t.tar.gz",
                &[],
            ),
            (
                "curl -o tool https://x.io/t && echo \"$SHA tool\" | sha256sum --check && ./tool",
                &[],
            ),
            // must not fire: not run, or not downloaded
            (
                "curl -fsSL https://x.io/key.gpg | gpg --dearmor -o /usr/share/keyrings/x.gpg",
                &[],
            ),
            ("curl -fsSL https://x.io/a.tar.gz | tar -xz -C /opt", &[]),
            ("curl -o /tmp/x.sh https://x.io/x.sh", &[]),
            ("chmod +x ./configure && ./configure", &[]),
            ("sh -c 'echo hi'", &[]),
            ("echo $(curl -s https://x.io/ip)", &[]),
            (
                "curl -s https://x.io | python3 -c 'import json,sys; print(json.load(sys.stdin))'",
                &[],
            ),
            ("curl -s https://x.io/a.py | python3 -m json.tool", &[]),
            ("curl -fsSL https://x.io/i.sh | sh install.sh", &[]),
        ];
        check_table(&RULE, Tag, cases);
        check_table(&RULE, Digest, &cases[..1]);
    }
}
