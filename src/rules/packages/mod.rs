//! PW3xx: packages installed from shell scripts (Dockerfile `RUN`, workflow and composite
//! `run:`), read from the shell analysis ([`crate::parse::shell`]): every command, seen through
//! the wrappers that only run it (`sudo`, `env X=1`, `xargs` …), as a program and its words.
//! Each rule recognises its package manager's command line and judges the package words.
//!
//! A word whose value the file does not say (an unknown `$VAR`, a `$( )`, a `${{ }}`) is not
//! judged: only what is known is flagged.

pub mod apk;
pub mod apt;
pub mod cargo;
pub mod download_run;
pub mod gem;
pub mod go;
pub mod npm;
pub mod pip;
pub mod rpm;

#[cfg(test)]
pub(crate) mod test_support;

use std::sync::Arc;

use crate::model::finding::Finding;
use crate::model::kind::FileKind;
use crate::model::location::{Location, Related, Span};
use crate::model::rule::RuleMeta;
use crate::model::script::{ScriptOrigin, ShellDialect};
use crate::parse::shell::{Command, ScriptFilter, ShellScript, Word};
use crate::parse::{Document, Notice};

/// The file kinds that hold shell scripts.
pub(crate) const SCRIPT_KINDS: &[FileKind] =
    &[FileKind::Dockerfile, FileKind::Workflow, FileKind::Action];

/// A command as the program it runs sees it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Invocation<'a> {
    pub(crate) command: &'a Command,
    /// Index of the command in its script.
    pub(crate) index: usize,
    /// The program's file name (`/usr/bin/pip3` → `pip3`).
    pub(crate) program: &'a str,
    /// The program word.
    pub(crate) program_word: &'a Word,
    /// The words after the program.
    pub(crate) args: &'a [Word],
}

/// What a script must name for any PW3xx rule to read it: one of the programs the rules
/// recognise (`apt` covers `apt-get` and `aptitude`, `dnf` covers `microdnf` and `tdnf`, `npm`
/// covers `pnpm`; `uv` and `python -m` install only through a `pip` word), plus the action
/// where the program's name alone is too common a string (`go install`, `go get`).
///
/// NOTE: the shell parse is most of the cost of a scan, and most scripts install nothing:
/// a script that names none of these is not parsed (`parse/shell/prefilter.rs` says why
/// that is exact). A rule that reads a new program adds it here; the tests below check that
/// every program the rules read is admitted.
pub(crate) const PROGRAMS: ScriptFilter = ScriptFilter {
    any_of: &[
        &["apt"],
        &["apk"],
        &["dnf"],
        &["yum"],
        &["zypper"],
        &["pip"],
        &["npm"],
        &["yarn"],
        &["bun"],
        &["gem"],
        &["go", "install"],
        &["go", "get"],
        &["cargo"],
        &["curl"],
        &["wget"],
        &["fetch"],
    ],
};

/// The POSIX scripts of `document` that may run a program of [`PROGRAMS`].
pub(crate) fn scripts(document: &Document) -> &[ShellScript] {
    document.shell_for(&PROGRAMS)
}

/// Every command of every POSIX script of `document` that may run a program of [`PROGRAMS`],
/// with its script.
pub(crate) fn commands(
    document: &Document,
) -> impl Iterator<Item = (&ShellScript, Invocation<'_>)> {
    scripts(document).iter().flat_map(|script| {
        script
            .commands
            .iter()
            .enumerate()
            .filter_map(move |(index, command)| Some((script, invocation(command, index)?)))
    })
}

/// The program `command` runs, looking through wrappers; `None` when it is not known.
pub(crate) fn invocation(command: &Command, index: usize) -> Option<Invocation<'_>> {
    let mut at = 0;
    // Bounded: each wrapper consumes at least one word.
    while let Some(word) = command.words.get(at) {
        let program = file_name(word.text()?);
        let rest = command.words.get(at + 1..).unwrap_or(&[]);
        let skip = match program {
            "sudo" => options(
                rest,
                "ugCDhprtTU",
                &["user", "group", "chdir", "host", "prompt"],
            ),
            "doas" => options(rest, "uC", &[]),
            "env" => env_operands(rest),
            "nice" => options(rest, "n", &["adjustment"]),
            "ionice" => options(rest, "cnp", &["class", "classdata", "pid"]),
            "nohup" | "eatmydata" | "fakeroot" | "unbuffer" | "catchsegv" => 0,
            "time" => options(rest, "fo", &["format", "output"]),
            "command" => {
                // `command -v x` asks where `x` is; it runs nothing.
                if rest.first().is_some_and(|w| w.is("-v") || w.is("-V")) {
                    return None;
                }
                options(rest, "", &[])
            }
            "exec" => options(rest, "a", &[]),
            "timeout" => {
                let after = options(rest, "sk", &["signal", "kill-after"]);
                after + 1 // the duration
            }
            "stdbuf" => options(rest, "ioe", &["input", "output", "error"]),
            "gosu" | "su-exec" | "chroot" => 1,
            "busybox" => 0,
            "xargs" => options(
                rest,
                "aEeIiLlnPsd",
                &[
                    "arg-file",
                    "eof",
                    "replace",
                    "max-lines",
                    "max-args",
                    "max-procs",
                    "max-chars",
                    "delimiter",
                    "process-slot-var",
                ],
            ),
            _ => {
                return Some(Invocation {
                    command,
                    index,
                    program,
                    program_word: word,
                    args: rest,
                });
            }
        };
        at += 1 + skip;
    }
    None
}

/// The file name of a path (`/usr/bin/pip3` → `pip3`).
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// `MAJOR.MINOR.PATCH`, optionally with a `-pre-release` or `+build` suffix (semver.org).
pub(crate) fn is_semver(version: &str) -> bool {
    let core = version.split(['-', '+']).next().unwrap_or("");
    let mut parts = 0;
    let numeric = core.split('.').all(|part| {
        parts += 1;
        !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())
    });
    numeric && parts == 3
}

/// A full git commit id: 40 hex digits (SHA-1) or 64 (SHA-256 repositories).
pub(crate) fn is_full_commit(reference: &str) -> bool {
    matches!(reference.len(), 40 | 64) && reference.bytes().all(|b| b.is_ascii_hexdigit())
}

/// How many leading words of `words` are options (and their values) of a command whose
/// single-letter options in `short` and long options in `long` take a value.
fn options(words: &[Word], short: &str, long: &[&str]) -> usize {
    let mut at = 0;
    while let Some(word) = words.get(at) {
        let Some(text) = word.text() else { return at };
        if text == "--" {
            return at + 1;
        }
        if let Some(name) = text.strip_prefix("--") {
            at += 1;
            if !name.contains('=') && long.contains(&name) {
                at += 1;
            }
            continue;
        }
        let Some(cluster) = text.strip_prefix('-').filter(|c| !c.is_empty()) else {
            return at;
        };
        at += 1;
        // The first letter that takes a value takes the rest of the cluster, or the next word.
        if let Some(position) = cluster.find(|c| short.contains(c))
            && position + 1 == cluster.len()
        {
            at += 1;
        }
    }
    at
}

/// `env [options] [NAME=value]…`: how many words before the command.
fn env_operands(words: &[Word]) -> usize {
    let mut at = options(words, "uCS", &["unset", "chdir", "split-string"]);
    while words
        .get(at)
        .and_then(Word::text)
        .is_some_and(|text| text.contains('=') && !text.starts_with('='))
    {
        at += 1;
    }
    at
}

/// A command line split into options and operands, the way most package managers read it:
/// `--name=value`, `--name value` for the long options in `long`, `-x value` / `-xvalue` for
/// the letters in `short`, clusters of flags (`-yq`), and `--` before operands only.
#[derive(Debug, Default)]
pub(crate) struct Arguments<'a> {
    pub(crate) operands: Vec<&'a Word>,
    /// Each option with its value: `("--version", Some("1.2"))`, `("-y", None)`. A value
    /// that is not known is an empty string.
    pub(crate) options: Vec<(String, Option<String>, &'a Word)>,
}

impl<'a> Arguments<'a> {
    pub(crate) fn parse(words: &'a [Word], short: &str, long: &[&str]) -> Self {
        let mut parsed = Self::default();
        let mut iter = words.iter();
        while let Some(word) = iter.next() {
            let Some(text) = word.text() else {
                parsed.operands.push(word);
                continue;
            };
            if text == "--" {
                parsed.operands.extend(iter.by_ref());
                break;
            }
            if let Some(name) = text.strip_prefix("--") {
                match name.split_once('=') {
                    Some((name, value)) => {
                        parsed
                            .options
                            .push((format!("--{name}"), Some(value.to_owned()), word));
                    }
                    None if long.contains(&name) => {
                        let value = iter.next().map(|next| next.text().unwrap_or("").to_owned());
                        parsed.options.push((text.to_owned(), value, word));
                    }
                    None => parsed.options.push((text.to_owned(), None, word)),
                }
                continue;
            }
            let Some(cluster) = text.strip_prefix('-').filter(|c| !c.is_empty()) else {
                parsed.operands.push(word);
                continue;
            };
            for (position, letter) in cluster.char_indices() {
                if !short.contains(letter) {
                    parsed.options.push((format!("-{letter}"), None, word));
                    continue;
                }
                let attached = cluster.get(position + letter.len_utf8()..).unwrap_or("");
                let value = if attached.is_empty() {
                    iter.next().map(|next| next.text().unwrap_or("").to_owned())
                } else {
                    Some(attached.to_owned())
                };
                parsed.options.push((format!("-{letter}"), value, word));
                break;
            }
        }
        parsed
    }

    /// Is any of `names` given?
    pub(crate) fn has(&self, names: &[&str]) -> bool {
        self.options
            .iter()
            .any(|(name, _, _)| names.contains(&name.as_str()))
    }

    /// The value of the last of `names` given.
    pub(crate) fn value(&self, names: &[&str]) -> Option<&str> {
        self.options
            .iter()
            .rev()
            .find(|(name, _, _)| names.contains(&name.as_str()))
            .and_then(|(_, value, _)| value.as_deref())
    }
}

/// The value of a package word, or `None` when the file does not say it: an unknown word, or
/// one holding the `{}` that `xargs -I{}` or `find -exec` replaces.
pub(crate) fn package_text(word: &Word) -> Option<&str> {
    word.text().filter(|text| !text.contains("{}"))
}

/// How a package word is quoted in a message: its value, and what it was written as when a
/// variable supplied it.
pub(crate) fn describe(word: &Word, value: &str) -> String {
    if word.raw.contains('$') {
        let raw = word.raw.as_str();
        let unquoted = ['"', '\'']
            .iter()
            .find_map(|quote| raw.strip_prefix(*quote)?.strip_suffix(*quote))
            .unwrap_or(raw);
        format!("`{unquoted}` (resolves to `{value}`)")
    } else {
        format!("`{value}`")
    }
}

/// A finding on a package word, pointing at where its variables were set.
pub(crate) fn word_finding(
    meta: &'static RuleMeta,
    document: &Document,
    word: &Word,
    message: String,
) -> Finding {
    finding(meta, document, word.span, message).with_related(related(document, word))
}

pub(crate) fn finding(
    meta: &'static RuleMeta,
    document: &Document,
    span: Span,
    message: String,
) -> Finding {
    Finding::new(
        meta,
        Location::new(Arc::clone(&document.source), span),
        message,
    )
}

fn related(document: &Document, word: &Word) -> Vec<Related> {
    word.notes
        .iter()
        .map(|note| Related {
            location: Location::new(Arc::clone(&document.source), note.span),
            label: note.label.clone(),
        })
        .collect()
}

/// A version that names one release: digits and dots (at least `1.2`), optionally with a
/// pre-release or build suffix (`1.2.3-1`, `2.0.0rc1`, `1.2.3+b1`), an epoch (`1:2.3`) or a
/// leading `v`.
pub(crate) fn is_exact_version(version: &str) -> bool {
    let version = version.strip_prefix('v').unwrap_or(version);
    let version = match version.split_once(':') {
        Some((epoch, rest)) if !epoch.is_empty() && epoch.bytes().all(|b| b.is_ascii_digit()) => {
            rest
        }
        _ => version,
    };
    let numeric: &str = version
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .next()
        .unwrap_or("");
    numeric.starts_with(|c: char| c.is_ascii_digit())
        && !numeric.ends_with('.')
        && !version.contains(['*', '<', '>', '^', '~', ' ', ','])
        && !version.ends_with(".x")
}

/// Notices for the scripts the packages rules cannot read: one per script run by something
/// that is not a POSIX shell (a `SHELL ["pwsh", …]` stage, a `#!/usr/bin/python3` heredoc, a
/// `shell: pwsh` step).
///
/// NOTE: they come from the rules layer rather than the parser because they matter only when
/// a rule reads scripts: with every PW3xx rule off (or a file kind they do not read) nothing is
/// said.
pub fn skipped_notices(document: &Document) -> Vec<Notice> {
    document
        .scripts
        .iter()
        .filter_map(|script| {
            let ShellDialect::Skipped(interpreter) = &script.dialect else {
                return None;
            };
            let line = document
                .source
                .position(script.text.original_offset(0))
                .line;
            let what = match &script.origin {
                ScriptOrigin::DockerfileRun { .. } => "RUN script",
                ScriptOrigin::DockerfileHeredoc { .. } => "RUN heredoc script",
                ScriptOrigin::WorkflowRun { .. } | ScriptOrigin::ActionRun { .. } => "run: script",
            };
            let interpreter = if interpreter.is_empty() {
                "an unknown shell".to_owned()
            } else {
                format!("`{interpreter}`")
            };
            Some(Notice {
                message: format!(
                    "{what} at line {line} runs in {interpreter}, not a POSIX shell: the \
                     packages it installs are not checked (PW301-PW309)"
                ),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::test_support::words;
    use super::*;

    #[test]
    fn wrappers_are_looked_through() {
        let cases = [
            // (command, program, first argument)
            ("sudo apt-get install -y curl", Some(("apt-get", "install"))),
            ("sudo -E -u root pip install x", Some(("pip", "install"))),
            ("sudo --user=root pip install x", Some(("pip", "install"))),
            (
                "env DEBIAN_FRONTEND=noninteractive apt-get install x",
                Some(("apt-get", "install")),
            ),
            ("env -u X A=1 B=2 npm i x", Some(("npm", "i"))),
            ("nice -n 10 cargo install x", Some(("cargo", "install"))),
            ("timeout 300 go install x@latest", Some(("go", "install"))),
            ("timeout -s KILL 5m gem install x", Some(("gem", "install"))),
            ("xargs -n1 -I{} pip install {}", Some(("pip", "install"))),
            ("xargs -r apt-get install -y", Some(("apt-get", "install"))),
            (
                "eatmydata apt-get install -y x",
                Some(("apt-get", "install")),
            ),
            ("gosu app npm install x", Some(("npm", "install"))),
            (
                "/usr/bin/sudo /usr/local/bin/pip3 install x",
                Some(("pip3", "install")),
            ),
            ("command -v pip", None),
            ("sudo", None),
        ];
        for (line, expected) in cases {
            let words = words(line);
            let command = Command {
                words,
                assignments: Vec::new(),
                redirects: Vec::new(),
                span: Span::default(),
                pipe: None,
                nesting: None,
            };
            let got = invocation(&command, 0).map(|invocation| {
                (
                    invocation.program,
                    invocation.args.first().and_then(Word::text).unwrap_or(""),
                )
            });
            assert_eq!(got, expected, "{line}");
        }
    }

    #[test]
    fn skipped_scripts_are_noticed_only_when_a_packages_rule_runs() {
        use crate::model::kind::FileKind;
        use crate::model::level::PinPolicy;
        use crate::rules::{CheckContext, RuleSetting, notices};
        let parse = |kind: FileKind, name: &str, text: &str| {
            crate::parse::parse(
                std::sync::Arc::new(crate::model::source::SourceFile::new(name, text)),
                kind,
                &crate::parse::ParseContext::default(),
            )
        };
        let dockerfile = parse(
            FileKind::Dockerfile,
            "Dockerfile",
            "FROM x:1\nSHELL [\"pwsh\", \"-Command\"]\nRUN Install-Module a\nRUN Install-Module b\n",
        );
        let workflow = parse(
            FileKind::Workflow,
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  a:\n    runs-on: windows-latest\n    steps:\n      - run: choco install x\n      - run: echo\n        shell: bash\n",
        );
        let cx = CheckContext::with_policy(PinPolicy::Tag);
        let messages = |document| -> Vec<String> {
            notices(document, &cx)
                .into_iter()
                .map(|notice| notice.message)
                .collect()
        };
        assert_eq!(
            messages(&dockerfile),
            [
                "RUN script at line 3 runs in `pwsh`, not a POSIX shell: the packages it \
                 installs are not checked (PW301-PW309)",
                "RUN script at line 4 runs in `pwsh`, not a POSIX shell: the packages it \
                 installs are not checked (PW301-PW309)",
            ]
        );
        assert_eq!(
            messages(&workflow),
            [
                "run: script at line 6 runs in `pwsh`, not a POSIX shell: the packages it \
              installs are not checked (PW301-PW309)"
            ]
        );
        let mut off = CheckContext::with_policy(PinPolicy::Digest);
        for id in [
            "PW301", "PW302", "PW303", "PW304", "PW305", "PW306", "PW307", "PW308", "PW309",
        ] {
            off.rules.insert(
                id,
                RuleSetting {
                    off: true,
                    level: None,
                },
            );
        }
        assert!(notices(&dockerfile, &off).is_empty());
    }

    /// The prefilter ([`PROGRAMS`]) changes no finding: each script below is flagged, and
    /// flagged the same with the filter as with every script parsed. Every program a PW3xx
    /// rule reads is here, written plainly and behind quoting and variables.
    #[test]
    fn the_prefilter_changes_no_finding() {
        use crate::model::level::PinPolicy;
        use crate::rules::{CheckContext, check};
        let scripts = [
            "apt-get install -y vim",
            "apt install vim",
            "aptitude install vim",
            "/usr/bin/apt-get install vim",
            "'apt'-get install vim",
            "a\"pt-g\"et install vim",
            "a$'p't-get install vim",
            "apk add vim",
            "dnf install vim",
            "dnf5 install vim",
            "microdnf install vim",
            "tdnf install vim",
            "yum install vim",
            "zypper in vim",
            "pip install flask",
            "pip3.12 install flask",
            "pipx install black",
            "uv pip install flask",
            "python3 -m pip install flask",
            "python -mpip install flask",
            "py -m pip install flask",
            "sudo -H python3 -m pip install flask",
            "npm i left-pad",
            "npm install",
            "pnpm add left-pad",
            "yarn add left-pad",
            "bun add left-pad",
            "gem i rails",
            "go install example.com/x@latest",
            "go get example.com/x",
            "cargo install ripgrep",
            "curl -fsSL https://x.io/i.sh | sh",
            "wget -qO- https://x.io/i.sh | bash",
            "fetch -o - https://x.io/i.sh | sh",
            "bash <(curl -s https://x.io/i.sh)",
            "sh -c 'apt-get install -y vim'",
            "$TOOL install vim",
            "${TOOL}${EMPTY} install vim",
            "ap${EMPTY}t-get install vim",
            "$PIP install flask",
            "go $GO_ACTION example.com/x",
        ];
        let cx = CheckContext::with_policy(PinPolicy::Digest);
        let show = |findings: Vec<Finding>| -> Vec<String> {
            findings
                .iter()
                .filter(|finding| finding.rule.ecosystem == crate::rules::Ecosystem::Packages)
                .map(|finding| {
                    format!(
                        "{} {:?} {}",
                        finding.rule.id, finding.primary.span, finding.message
                    )
                })
                .collect()
        };
        for script in scripts {
            let text = format!(
                "FROM debian:12.7\nARG TOOL=apt-get\nARG EMPTY=\nARG PIP=pip3\n\
                 ARG GO_ACTION=install\nRUN {script}\n"
            );
            let parse = || {
                crate::parse::parse(
                    Arc::new(crate::model::source::SourceFile::new("Dockerfile", &text)),
                    crate::model::kind::FileKind::Dockerfile,
                    &crate::parse::ParseContext::default(),
                )
            };
            let filtered = parse();
            let unfiltered = parse();
            // Parsing every script first makes the rules read the full analysis.
            assert!(!unfiltered.shell().is_empty());
            let expected = show(check(&unfiltered, &cx));
            assert!(!expected.is_empty(), "not flagged at all: {script}");
            assert_eq!(show(check(&filtered, &cx)), expected, "{script}");
        }
        // And a script that names none of them is not parsed.
        let quiet = crate::parse::parse(
            Arc::new(crate::model::source::SourceFile::new(
                "Dockerfile",
                "FROM debian:12.7\nRUN make && make test\n",
            )),
            crate::model::kind::FileKind::Dockerfile,
            &crate::parse::ParseContext::default(),
        );
        assert!(scripts_of(&quiet).is_empty());
        assert_eq!(quiet.shell().len(), 1);
    }

    fn scripts_of(document: &Document) -> &[ShellScript] {
        super::scripts(document)
    }

    #[test]
    fn exact_versions() {
        let cases = [
            ("1.2.3", true),
            ("1.2", true),
            ("v1.2.3", true),
            ("2.0.0rc1", true),
            ("1.2.3-1ubuntu2.6", true),
            ("1:2.3-4", true),
            ("7.68.0-1+deb10u1", true),
            ("1", true), // one number names one release (`gem -v 5`, `name=1`)
            ("1.2.*", false),
            ("1.x", false),
            (">=1.2", false),
            ("^1.2", false),
            ("~1.2", false),
            ("latest", false),
            ("", false),
            ("1.", false),
        ];
        for (version, expected) in cases {
            assert_eq!(is_exact_version(version), expected, "{version}");
        }
    }

    #[test]
    fn semver_and_commits() {
        let versions = [
            ("1.2.3", true),
            ("0.0.0-20240101000000-0123456789ab", true), // a Go pseudo-version
            ("1.2.3+build.1", true),
            ("1.2", false),
            ("1.2.x", false),
            ("v1.2.3", false), // callers strip their own prefixes
            ("", false),
        ];
        for (version, expected) in versions {
            assert_eq!(is_semver(version), expected, "{version}");
        }
        assert!(is_full_commit(&"a".repeat(40)));
        assert!(is_full_commit(&"0".repeat(64)));
        assert!(!is_full_commit(&"a".repeat(39)));
        assert!(!is_full_commit(&"g".repeat(40)));
    }

    #[test]
    fn arguments_split_options_and_operands() {
        let words = words(
            "-y --no-install-recommends -o Dpkg::Options::=--force-confold -tbookworm install a --target-release=x b -- -c",
        );
        let parsed = Arguments::parse(&words, "ot", &["target-release"]);
        let operands: Vec<&str> = parsed.operands.iter().filter_map(|w| w.text()).collect();
        assert_eq!(operands, ["install", "a", "b", "-c"]);
        assert_eq!(
            parsed.value(&["-o"]),
            Some("Dpkg::Options::=--force-confold")
        );
        assert_eq!(parsed.value(&["-t"]), Some("bookworm"));
        assert_eq!(parsed.value(&["--target-release"]), Some("x"));
        assert!(parsed.has(&["-y"]));
    }
}
