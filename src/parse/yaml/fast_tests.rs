//! The fast path against granit-parser: whenever the fast path accepts a text, the file it
//! builds (tree, spans, duplicate keys, scalar spans) must be exactly granit's.

use std::path::Path;

use super::build::build_with_granit;
use super::fast;

/// `Some(true)`: the fast path took the text and agrees with granit; `Some(false)`: it
/// left the text to granit. Panics when it took the text and differs.
fn check(text: &str) -> bool {
    let Some(fast) = fast::build(text) else {
        return false;
    };
    match build_with_granit(text) {
        Ok(granit) => assert_eq!(
            format!("{fast:#?}"),
            format!("{granit:#?}"),
            "fast path differs from granit on {text:?}"
        ),
        Err(error) => panic!("fast path accepted invalid YAML ({error}): {text:?}"),
    }
    true
}

#[test]
fn the_common_block_forms_take_the_fast_path_and_match_granit() {
    let accepted = [
        "a: 1\n",
        "a: 1\nb:\n  c: \"x\"\n  d: |-\n    line1\n\n    line2\n  e:\n  - x\n  - y: z\n    w: v\nf:\ng: []\n",
        "---\n# c\nitems:\n- a\n-\n  k: v\n- \"q\"   # c\nf:    # cm\nn: {}\n",
        "s:\n    - x\n    -   y: 1\n        z: 2\nlit: |\n   a\n    b\n\nfold: >-\n  a\n  b\n\n\n  c\n",
        "key with space: v1 # t\n---\nx: 1\n",
        "e:\n- y: z\n  w: 1\nf:\n  - k: v\ng:\n  -   x\nh:\n- 'it''s'\ni: x\n",
        "- a\n- b: c\n",
        "a: b\nc:",
        "a: b\nc:\n",
        "a: x#y\nb: 'q' # c\nc: \"#\"\nd: http://h:80/p\n",
        "a: b\na: c\n",
        "x: 1\nx:\n  image: y\n",
        "description: |\n  Déjà vu — ünïcode ✓\n  second\n",
        "a:\n  # comment\n  b: 1\n    # over-indented comment\nc: 2\n",
        "a: |\n    x\n  # trailing comment\nb: 1\n",
        "a: >\n  one\n  two\n\nb: end\n",
        "jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: |\n          echo hi\n          make\n",
        "a: -1\nb: ~\nc: null\nd: 'x' \ne: a,b [c] {d}\n",
        "'on':\n  push:\n\"k\": v\n",
        "a:\n  - b:\n    - c\n  - d\n",
        "---\na: 1\n---\nb: 2\n",
        "d: \"a\\nb\\t\\\"q\\\" \\\\ \\x41\\u00e9\\U0001F600 \\/\"\n",
        "description: first line\n  second line\n\n  after an empty line   \nnext: 1\n",
        "- item continues\n  here # and a comment\n- b\n",
        "a:\n  b: wraps\n    onto this\n  c: 1\n",
        "needs: [ changed-files ]\ncmd: [\"/bin/probe\", \"-addr=:8080\", 'x', y z ]\nn: [a,b]\n",
        "- [a, b]\n- []\n",
        "a: 1\n---\n",
        "a: 1\n---\n\n  \n",
        "a: 1\n---",
        "---\na: 1\n---\n",
        "---\n",
        "a: 'it''s\n  folded '' here\n\n  and ''after'' an empty line'\nb: 'x\n   y' # c\n",
        "a: plain `with` ticks\n  `and` a [continuation] 'quoted'\n",
        "- - x\n",
        "- - a\n  - b: 1\n    c: 2\n  -   - deep\n      - deeper\n- - c\n",
        "args:\n- - --flag\n  - value\n- [x]\nnext: 1\n",
        "m:\n  - - a\n    -\n      k: v\n  - b\n",
    ];
    for text in accepted {
        assert!(check(text), "not taken by the fast path: {text:?}");
    }
}

#[test]
fn anything_unsure_or_invalid_is_left_to_granit() {
    let left = [
        "",
        "# only a comment\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: [1, {b: 2}]\n",
        "a: {b: 1}\n",
        "a: multi\n  - line\n",
        "a: \"esc\\q\"\n",
        "a: \"two\n  lines\"\n",
        "a:\tb\n",
        "a: b\r\n",
        "\u{feff}a: b\n",
        "a: |+\n  keep\n\n",
        "a: |2\n   x\n",
        "a: |\n\n  leading empty\n",
        "a: |\n",
        "a: b: c\n",
        "a: b:\n",
        "-\n- x\n",
        "a:\n- x\n  - y\n",
        "a: 1\n b: 2\n",
        "a: 1\n- b\n",
        "---\n---\n",
        "a: 1\n---\n# comment\n",
        "a: 1\n---  \n",
        "--- a\n",
        "a: 1\n...\n",
        "%YAML 1.2\n---\na: 1\n",
        "? a\n: b\n",
        "<<: *x\n",
        "plain scalar document\n",
        "  a: 1\n",
        "a: |\n  x",
        "a: >\n  x\n    more indented\n",
        "a: |\n  x\n      \n  y\n",
        "a: `b`\n",
        "a: \"line\\\n  continued\"\n",
        "a: \"\\x4\"\n",
        "a: \"\\uD800\"\n",
        "a: [a, ]\n",
        "a: [a\n  , b]\n",
        "a: [a: b]\n",
        "a: first\n  second: bad\n",
        "a: first\n  - second\n",
        "a: 'open\nb: 1\n",
        "a: 'open\n",
    ];
    for text in left {
        assert!(!check(text), "taken by the fast path: {text:?}");
    }
}

#[test]
fn nesting_past_the_cap_is_left_to_granit() {
    let mut deep = String::new();
    for level in 0..70 {
        deep.push_str(&" ".repeat(level));
        deep.push_str("k:\n");
    }
    deep.push_str(&" ".repeat(70));
    deep.push_str("v: 1\n");
    assert!(!check(&deep));
    let shallow: String = deep
        .lines()
        .skip(20)
        .map(|l| format!("{}\n", &l[20..]))
        .collect();
    assert!(check(&shallow));
}

/// A small deterministic generator (no dependency): the same cases on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % bound.max(1)
    }
}

const SEED: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web # the name\n  labels:\n    app: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: \"nginx:1.25\"\n        args: []\n        env:\n          - name: A\n            value: 'x''y'\n          - name: B\n            value: |-\n              one\n\n                two\n      - name: side\n        image: busybox\n        command: >\n          sh -c\n          'sleep 1'\n---\nservices:\n  db:\n    image: postgres:${TAG}\n    environment:\n      POSTGRES_PASSWORD: secretpass\n";

const PIECES: [&str; 22] = [
    " ", "  ", "\n", "- ", ": ", ":", "#", " #", "'", "\"", "|", ">", "-", "[", "]", "{}", "&a ",
    "*a", "\t", "x", "---\n", "\\",
];

#[test]
fn mutations_of_a_manifest_agree_with_granit_whenever_taken() {
    let mut rng = Lcg(0x5eed);
    let lines: Vec<&str> = SEED.lines().collect();
    let mut taken = 0;
    let cases = 3000;
    for _ in 0..cases {
        let mut edited: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
        for _ in 0..1 + rng.next(3) {
            let row = rng.next(edited.len());
            match rng.next(5) {
                0 => {
                    edited.remove(row);
                }
                1 => {
                    let copy = edited[row].clone();
                    edited.insert(rng.next(edited.len()), copy);
                }
                2 => edited[row].insert_str(0, PIECES[rng.next(PIECES.len())]),
                3 => {
                    let line = &mut edited[row];
                    let mut at = rng.next(line.len() + 1);
                    while !line.is_char_boundary(at) {
                        at -= 1;
                    }
                    line.insert_str(at, PIECES[rng.next(PIECES.len())]);
                }
                _ => {
                    let line = &mut edited[row];
                    let cut = line.len() - line.trim_start().len();
                    if cut > 0 {
                        line.remove(0);
                    }
                }
            }
        }
        let text = edited.join("\n") + "\n";
        if check(&text) {
            taken += 1;
        }
    }
    // Both outcomes must be exercised for the comparison to mean anything.
    assert!(
        taken > cases / 10 && taken < cases * 9 / 10,
        "taken {taken} of {cases}"
    );
}

/// Every YAML file under `dir` (recursively): (files, taken by the fast path).
fn compare_tree(dir: &Path) -> (usize, usize) {
    let (mut files, mut taken) = (0, 0);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file()
                && path
                    .extension()
                    .is_some_and(|e| e == "yml" || e == "yaml" || e == "lock")
            {
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                files += 1;
                if check(&text) {
                    taken += 1;
                }
            }
        }
    }
    (files, taken)
}

#[test]
fn the_repository_s_own_yaml_agrees_with_granit() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (mut files, mut taken) = (0, 0);
    for dir in ["tests", "examples", ".github"] {
        let (f, t) = compare_tree(&root.join(dir));
        files += f;
        taken += t;
    }
    assert!(files > 100, "only {files} YAML files found");
    assert!(taken > files / 2, "fast path took {taken} of {files}");
}
