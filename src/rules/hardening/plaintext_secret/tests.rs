//! PW403 per source: which keys are flagged, at which line, covering which text.

use crate::model::kind::FileKind;
use crate::rules::hardening::test_support::{hits, hits_with_env};

#[test]
fn dockerfile_env_and_arg() {
    // (instructions after `FROM a`, flagged `line:text`)
    let cases: &[(&str, &[&str])] = &[
        ("ENV DB_PASSWORD=hunter2", &["2:DB_PASSWORD"]),
        ("ENV GITHUB_TOKEN placeholder", &["2:GITHUB_TOKEN"]), // legacy form
        ("ENV A=1 MY_SECRET=\"two words\"", &["2:MY_SECRET"]),
        ("ARG NPM_TOKEN=abc", &["2:NPM_TOKEN"]),
        (
            "ARG VITE_AWS_ACCESS_KEY_ID=REPLACE_WITH_YOUR_OWN",
            &["2:VITE_AWS_ACCESS_KEY_ID"],
        ),
        ("ENV password=test", &["2:password"]),
        ("ENV TOKEN=${TOKEN:-fallback}", &["2:TOKEN"]),
        // multi-line: the key on its own line
        ("ENV A=1 \\\n    API_KEY=k", &["3:API_KEY"]),
        // not literal, not secret-like, or exempt
        ("ARG NPM_TOKEN", &[]),
        ("ARG public_token", &[]),
        ("ENV DB_PASSWORD=$DB_PASSWORD", &[]),
        ("ENV DB_PASSWORD=\"${DB_PASSWORD}\"", &[]),
        ("ENV DB_PASSWORD=", &[]),
        ("ENV DB_PASSWORD=\"\"", &[]),
        ("ENV DB_PASSWORD_FILE=/run/secrets/db", &[]),
        ("ENV PUBLIC_KEY=test", &[]),
        ("ENV PASSPORT_NO=123", &[]),
        ("LABEL TOKEN=abc", &[]),
    ];
    for (lines, expected) in cases {
        let text = format!("FROM a\n{lines}\n");
        assert_eq!(
            hits("PW403", FileKind::Dockerfile, &text),
            *expected,
            "{text:?}"
        );
    }
    // a global ARG, before the first FROM
    assert_eq!(
        hits(
            "PW403",
            FileKind::Dockerfile,
            "ARG REGISTRY_PASSWORD=pw\nFROM a\n"
        ),
        ["1:REGISTRY_PASSWORD"]
    );
}

#[test]
fn compose_environment_and_build_args() {
    let service = |body: &str| format!("services:\n  db:\n    image: x\n{body}");
    // (service body, flagged)
    let cases: &[(&str, &[&str])] = &[
        // map form
        (
            "    environment:\n      POSTGRES_PASSWORD: hunter2\n",
            &["5:POSTGRES_PASSWORD"],
        ),
        (
            "    environment:\n      POSTGRES_PASSWORD: \"123456\"\n",
            &["5:POSTGRES_PASSWORD"],
        ),
        (
            "    environment:\n      POSTGRES_PASSWORD: 123456\n",
            &["5:POSTGRES_PASSWORD"],
        ),
        // list form: the key inside the item
        (
            "    environment:\n      - POSTGRES_PASSWORD=hunter2\n",
            &["5:POSTGRES_PASSWORD"],
        ),
        ("    environment:\n      - \"API_KEY=k\"\n", &["5:API_KEY"]),
        ("    environment: [\"A=1\", \"TOKEN=t\"]\n", &["4:TOKEN"]),
        // a literal default inside an interpolation
        (
            "    environment:\n      DB_PASSWORD: ${DB_PASSWORD:-secretpass}\n",
            &["5:DB_PASSWORD"],
        ),
        // build args
        (
            "    build:\n      context: .\n      args:\n        NPM_TOKEN: abc\n",
            &["7:NPM_TOKEN"],
        ),
        (
            "    build:\n      args: [NPM_TOKEN=abc]\n",
            &["5:NPM_TOKEN"],
        ),
        // not findings
        ("    environment:\n      DB_PASSWORD: ${DB_PASSWORD}\n", &[]),
        (
            "    environment:\n      DB_PASSWORD: ${DB_PASSWORD:?required}\n",
            &[],
        ),
        ("    environment:\n      - DB_PASSWORD\n", &[]),
        ("    environment:\n      DB_PASSWORD:\n", &[]),
        ("    environment:\n      DB_PASSWORD: \"\"\n", &[]),
        (
            "    environment:\n      POSTGRES_PASSWORD_FILE: /run/secrets/db\n",
            &[],
        ),
        ("    environment:\n      POSTGRES_USER: app\n", &[]),
        (
            "    environment:\n      POSTGRES_HOST_AUTH_METHOD: trust\n",
            &[],
        ),
        (
            "    environment:\n      MYSQL_ALLOW_EMPTY_PASSWORD: \"yes\"\n",
            &[],
        ),
        ("    labels:\n      TOKEN: abc\n", &[]),
    ];
    for (body, expected) in cases {
        let text = service(body);
        assert_eq!(hits("PW403", FileKind::Compose, &text), *expected, "{text}");
    }
}

#[test]
fn compose_dotenv_entries_a_service_uses() {
    let compose = |body: &str| format!("services:\n  db:\n    image: x\n{body}");
    // (service body, .env, flagged)
    let cases: &[(&str, &str, &[&str])] = &[
        // interpolated into the service
        (
            "    environment:\n      POSTGRES_PASSWORD: ${DB_PASSWORD}\n",
            "DB_PASSWORD=hunter2\n",
            &[".env:1:DB_PASSWORD"],
        ),
        // anywhere in the service, e.g. a command line
        (
            "    command: [\"--token\", \"$API_TOKEN\"]\n",
            "API_TOKEN=t\n",
            &[".env:1:API_TOKEN"],
        ),
        // a bare environment entry takes its value from .env
        (
            "    environment:\n      - DB_PASSWORD\n",
            "DB_PASSWORD=hunter2\n",
            &[".env:1:DB_PASSWORD"],
        ),
        // env_file: .env passes every entry
        (
            "    env_file: .env\n",
            "A=1\nDB_PASSWORD=hunter2\n",
            &[".env:2:DB_PASSWORD"],
        ),
        (
            "    env_file:\n      - path: ./.env\n",
            "SECRET=s\n",
            &[".env:1:SECRET"],
        ),
        // a non-secret-like .env key passed to a secret-like key
        (
            "    environment:\n      POSTGRES_PASSWORD: ${PG}\n",
            "PG=hunter2\n",
            &[".env:1:PG"],
        ),
        // a literal in the compose file and one in .env: both
        (
            "    environment:\n      DB_PASSWORD: ${DB_PASSWORD:-dflt}\n",
            "DB_PASSWORD=x\n",
            &[".env:1:DB_PASSWORD", "5:DB_PASSWORD"],
        ),
        // not findings: unused, not literal, not secret-like, exempt
        (
            "    environment:\n      A: b\n",
            "DB_PASSWORD=hunter2\n",
            &[],
        ),
        (
            "    command: ${DB_PASSWORD}\n",
            "DB_PASSWORD=${OTHER}\n",
            &[],
        ),
        ("    command: ${DB_PASSWORD}\n", "DB_PASSWORD=\n", &[]),
        ("    command: ${DB_PASSWORD}\n", "DB_PASSWORD\n", &[]),
        ("    environment:\n      TAG: ${PG}\n", "PG=hunter2\n", &[]),
        ("    env_file: other.env\n", "DB_PASSWORD=hunter2\n", &[]),
        // single quotes: no interpolation, so `$` is literal text
        ("    command: ${TOKEN}\n", "TOKEN='$x'\n", &[".env:1:TOKEN"]),
        // the last entry of a key is the one compose reads
        (
            "    command: ${TOKEN}\n",
            "TOKEN=first\nTOKEN=second\n",
            &[".env:2:TOKEN"],
        ),
    ];
    for (body, env, expected) in cases {
        let text = compose(body);
        assert_eq!(
            hits_with_env("PW403", FileKind::Compose, &text, Some(env)),
            *expected,
            "{text}{env}"
        );
    }
}

#[test]
fn compose_dotenv_entry_is_flagged_once_per_file() {
    let text = "services:\n  a:\n    command: ${TOKEN}\n  b:\n    command: ${TOKEN}\n";
    assert_eq!(
        hits_with_env("PW403", FileKind::Compose, text, Some("TOKEN=t\n")),
        [".env:1:TOKEN"]
    );
}

#[test]
fn kubernetes_env_values() {
    let pod = |env: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: x\n    env:\n{env}"
        )
    };
    // (env items, flagged)
    let cases: &[(&str, &[&str])] = &[
        (
            "    - name: DB_PASSWORD\n      value: hunter2\n",
            &["10:DB_PASSWORD"],
        ),
        ("    - {name: API_KEY, value: \"k\"}\n", &["10:API_KEY"]),
        // not findings
        (
            "    - name: DB_PASSWORD\n      valueFrom:\n        secretKeyRef: {name: db, key: password}\n",
            &[],
        ),
        (
            "    - name: DB_PASSWORD\n      value: $(OTHER_PASSWORD)\n",
            &[],
        ),
        ("    - name: DB_PASSWORD\n      value: \"\"\n", &[]),
        ("    - name: LOG_LEVEL\n      value: debug\n", &[]),
    ];
    for (env, expected) in cases {
        let text = pod(env);
        assert_eq!(
            hits("PW403", FileKind::Kubernetes, &text),
            *expected,
            "{text}"
        );
    }
}

#[test]
fn workflow_env_with_secrets_and_credentials() {
    let text = "\
on: push
env:
  NPM_TOKEN: literal-npm
  TOKEN_FROM_SECRET: ${{ secrets.NPM_TOKEN }}
jobs:
  build:
    runs-on: ubuntu-latest
    env:
      API_KEY: literal-key
    container:
      image: node:20
      env:
        DB_PASSWORD: literal-db
      credentials:
        username: bot
        password: literal-registry
    services:
      db:
        image: postgres:16
        env:
          POSTGRES_PASSWORD: literal-pg
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
          token: ${{ github.token }}
      - uses: docker/login-action@v3
        with:
          username: bot
          password: literal-login
        env:
          SECRET: literal-step
      - run: echo
        env:
          GH_TOKEN: $GITHUB_TOKEN
  call:
    uses: org/repo/.github/workflows/reusable.yml@v1
    with:
      api-key: literal-input
    secrets:
      deploy: literal-secret
      inherited: ${{ secrets.DEPLOY }}
";
    assert_eq!(
        hits("PW403", FileKind::Workflow, text),
        [
            "3:NPM_TOKEN",
            "9:API_KEY",
            "13:DB_PASSWORD",
            "16:password",
            "21:POSTGRES_PASSWORD",
            "30:password",
            "32:SECRET",
            "39:api-key",
            "41:deploy",
        ]
    );
}

#[test]
fn composite_action_steps() {
    let text = "\
name: a
runs:
  using: composite
  steps:
    - uses: docker/login-action@v3
      with:
        password: literal
        token: ${{ inputs.token }}
    - run: echo
      shell: bash
      env:
        API_TOKEN: literal
";
    assert_eq!(
        hits("PW403", FileKind::Action, text),
        ["7:password", "12:API_TOKEN"]
    );
}

#[test]
fn messages_name_the_key_never_the_value() {
    let value = "PLANTED_VALUE_4711";
    let texts = [
        (
            FileKind::Dockerfile,
            format!("FROM a\nENV DB_PASSWORD={value}\nARG TOKEN={value}\n"),
        ),
        (
            FileKind::Compose,
            format!("services:\n  a:\n    environment:\n      - API_KEY={value}\n"),
        ),
        (
            FileKind::Kubernetes,
            format!(
                "kind: Pod\nspec:\n  containers:\n  - name: a\n    env:\n    - {{name: SECRET, value: {value}}}\n"
            ),
        ),
        (
            FileKind::Workflow,
            format!("on: push\nenv:\n  NPM_TOKEN: {value}\njobs: {{}}\n"),
        ),
    ];
    for (kind, text) in texts {
        let source = std::sync::Arc::new(crate::model::source::SourceFile::new("f", text));
        let document = crate::parse::parse(source, kind, &crate::parse::ParseContext::default());
        let findings = crate::rules::check(&document, &crate::rules::CheckContext::default());
        let own: Vec<_> = findings.iter().filter(|f| f.rule.id == "PW403").collect();
        assert!(!own.is_empty(), "{kind:?}");
        for finding in own {
            assert!(!finding.message.contains(value), "{}", finding.message);
            assert!(!finding.primary.text().contains(value), "{kind:?}");
            for related in &finding.related {
                assert!(!related.label.contains(value), "{}", related.label);
            }
        }
    }
}
