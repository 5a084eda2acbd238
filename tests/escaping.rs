//! File names and image strings built to break out of each output channel: `%`, `\r`, `\n`,
//! `::`, `,`, `:`, ESC, backticks, `|`, `<img>`, `](javascript:…)`, the runner's legacy
//! `##[` prefix and GFM autolinks. Through text, github, markdown and the action:
//!
//! - no text line can be read by the runner as a workflow command, and no terminal escape or
//!   carriage return gets through;
//! - every github line is one of our commands, with only our properties;
//! - the markdown summary, rendered as GitHub does (CommonMark + GFM tables, autolinks, tag
//!   filter, raw HTML allowed), has no tag and no link that came from file content, and every
//!   table row keeps its cells.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod fake_github;
mod support;

use std::path::Path;

use support::{ActionStep, run, scan_all_formats, tempdir, write};

/// Directory names (each holds a Dockerfile) that try to break out.
const NAMES: &[&str] = &[
    "pct%0A::error::pct",
    "cr\r::error title=cr::x",
    "nl\n::error::nl",
    "::error::at-start",
    "c,o:mma=1",
    "esc\u{1b}[31mred\u{1b}]8;;http://evil.example\u{7}",
    "tick`code`tick",
    "```fence",
    "p|pipe|q",
    "<img src=x onerror=alert(1)>",
    "](javascript:alert(1))",
    "##[error]legacy",
    "www.evil.example",
    "mal@evil.example",
    "rtl\u{202e}txt",
];

/// Image strings (in `FROM`) that try the same from file content.
const IMAGES: &[&str] = &[
    "a|b<img/src=x/onerror=alert(1)>:latest",
    "x](javascript:alert(1)):latest",
    "::error::img:latest",
    "esc\u{1b}[2J:latest",
    "tick`x`:latest",
    "pct%0A%0D:latest",
    "##[add-mask]x:latest",
    "www.evil.example/x:latest",
    "mal@evil.example",
    "[link](http://evil.example):latest",
];

fn hostile_names(root: &Path) {
    for (index, name) in NAMES.iter().enumerate() {
        let image = IMAGES.get(index % IMAGES.len()).unwrap();
        write(
            root.join(name).join("Dockerfile"),
            &format!("FROM {image}\nFROM python:latest\n"),
        );
    }
    write(
        root.join("compose.yaml"),
        &format!(
            "services:\n{}",
            IMAGES
                .iter()
                .enumerate()
                .map(|(index, image)| format!("  s{index}:\n    image: {:?}\n", image))
                .collect::<String>()
        ),
    );
}

/// The runner's view of one log line: is it a workflow command (V2 `::`, after trimming
/// leading whitespace) or does it hold the legacy `##[` prefix?
fn runner_reads_a_command(line: &str) -> bool {
    line.trim_start().starts_with("::") || line.contains("##[")
}

fn assert_inert_log(place: &str, text: &str) {
    assert!(!text.contains('\u{1b}'), "ESC in {place}");
    assert!(!text.contains('\r'), "CR in {place}");
    assert!(!text.contains('\u{202e}'), "bidi override in {place}");
    for line in text.lines() {
        assert!(
            !runner_reads_a_command(line),
            "{place}: a line the runner would run: {line:?}"
        );
    }
}

/// Every line is one of our annotations (with only our properties) or our plain lines.
fn assert_our_commands(place: &str, text: &str, allow_progress: bool) {
    assert!(!text.contains('\u{1b}'), "ESC in {place}");
    assert!(!text.contains('\r'), "CR in {place}");
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("::") else {
            let ours = line.starts_with("pinwarden: ")
                || (allow_progress
                    && (line.starts_with("uploading `")
                        || line.starts_with("uploaded `")
                        || line.starts_with("code scanning processed `")));
            assert!(ours, "{place}: not our line: {line:?}");
            assert!(!runner_reads_a_command(line), "{place}: {line:?}");
            continue;
        };
        let (head, _data) = rest.split_once("::").unwrap();
        let (command, properties) = head.split_once(' ').unwrap_or((head, ""));
        assert!(
            matches!(command, "error" | "warning" | "notice"),
            "{place}: command {command:?} in {line:?}"
        );
        for property in properties.split(',').filter(|p| !p.is_empty()) {
            let (key, _) = property.split_once('=').unwrap();
            assert!(
                matches!(
                    key,
                    "file" | "line" | "col" | "endColumn" | "endLine" | "title"
                ),
                "{place}: property {key:?} in {line:?}"
            );
        }
    }
}

/// Render as GitHub renders a step summary and check that file content made no markup.
fn assert_inert_markdown(place: &str, markdown: &str) {
    let mut options = comrak::Options::default();
    options.extension.table = true;
    options.extension.autolink = true;
    options.extension.tagfilter = true;
    options.extension.strikethrough = true;
    options.render.r#unsafe = true;
    let html = comrak::markdown_to_html(markdown, &options);
    for forbidden in ["<img", "<a ", "<a>", "<script", "href=", "<iframe", "<del>"] {
        assert!(
            !html.contains(forbidden),
            "{place}: `{forbidden}` from file content\n{html}"
        );
    }
    // Only our own tags: tables, code, strong, paragraphs, lists, headings, details.
    let allowed = [
        "table", "thead", "tbody", "tr", "th", "td", "code", "strong", "p", "ul", "li", "h2",
        "details", "summary",
    ];
    for tag in html.split('<').skip(1) {
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        assert!(
            allowed.contains(&name.as_str()),
            "{place}: tag <{name}> in\n{html}"
        );
    }
    // Every row of the findings table keeps its four cells.
    if let Some(table) = html.split("<th>level</th>").nth(1) {
        let body = table.split("</table>").next().unwrap();
        for row in body.split("<tr>").skip(1) {
            assert_eq!(
                row.matches("<td").count(),
                4,
                "{place}: a row lost or gained cells: {row}"
            );
        }
    }
}

#[test]
fn hostile_names_and_images_stay_inert_in_every_format() {
    let (_dir, root) = tempdir();
    hostile_names(&root);
    let outputs = scan_all_formats(&root, &["--fail-on", "never"]);
    for (format, output) in &outputs {
        assert_eq!(output.code, 0, "{format}: {}", output.stderr);
        assert_inert_log(&format!("stderr of {format}"), &output.stderr);
    }
    assert_inert_log("--format text", &outputs["text"].stdout);
    assert_our_commands("--format github", &outputs["github"].stdout, false);
    assert_inert_markdown("--format markdown", &outputs["markdown"].stdout);
    for format in ["json", "sarif"] {
        let parsed: serde_json::Value = serde_json::from_str(&outputs[format].stdout).unwrap();
        assert!(parsed.is_object(), "{format}");
    }
    // The findings are all there: every hostile directory's `FROM python:latest`.
    let text = &outputs["text"].stdout;
    assert!(
        text.matches("PW101").count() >= NAMES.len(),
        "every directory's PW101 is reported\n{text}"
    );
    // A name starting with `::` is shown as a path, not a command.
    assert!(
        text.contains("./::error::at-start/Dockerfile:2:6:"),
        "{text}"
    );
}

#[test]
fn hostile_names_stay_inert_in_the_action() {
    let (_dir, root) = tempdir();
    let ws = root.join("workspace");
    hostile_names(&ws);
    let fake = support::fake();
    let mut step = ActionStep::new(&root, &ws, &fake);
    step.set("INPUT_FAIL-ON", "never");
    let run = step.run(&fake);
    assert_eq!(run.code, 0, "{}", run.dump());
    assert_our_commands("the action's stdout", &run.stdout, true);
    assert_inert_log("the action's stderr", &run.stderr);
    assert_inert_markdown("the job summary", &run.summary);
    // GITHUB_OUTPUT: five plain lines.
    let keys: Vec<&str> = run
        .outputs
        .lines()
        .map(|line| line.split('=').next().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "sarif-file",
            "findings",
            "errors",
            "warnings",
            "pre-existing"
        ]
    );
    assert_eq!(fake.uploads().len(), 1);
    // At most ten annotations per level, then one plain line counting the rest.
    let errors = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error "))
        .count();
    assert!(errors <= 10, "{errors} error annotations");
    assert!(
        run.stdout
            .lines()
            .any(|line| line.starts_with("pinwarden: ") && line.contains("more findings")),
        "{}",
        run.dump()
    );
}

#[test]
fn text_lines_starting_a_command_are_defused() {
    // Even through `--output`, a file, not a terminal.
    let (_dir, root) = tempdir();
    hostile_names(&root);
    let output = run(
        &root,
        &["scan", "--fail-on", "never", "--output", "report.txt"],
        &[],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    let text = std::fs::read_to_string(root.join("report.txt")).unwrap();
    assert_inert_log("report.txt", &text);
}
