//! What existed before: `--baseline FILE` (the findings `--write-baseline` recorded) and
//! `--new-since REF` (lines unchanged since a git ref). Both mark every finding `New` or
//! `Unchanged` before the report is built; an unchanged finding is still reported (SARIF
//! `baselineState`) but does not count for the gate. With both, a finding counts only when
//! it is new to both.

pub mod file;
pub mod git;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::model::finding::{BaselineState, Finding};
use crate::model::location::Location;

pub use file::Baseline;
pub use git::{FileChange, Repository};

/// The `--baseline`, `--write-baseline` and `--new-since` options of a scan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BaselineOptions {
    /// Findings in this file do not count for the gate.
    pub baseline: Option<PathBuf>,
    /// Record this scan's findings here.
    pub write_baseline: Option<PathBuf>,
    /// Only findings on lines added or changed since this git ref count for the gate.
    pub new_since: Option<String>,
}

impl BaselineOptions {
    /// Is any finding marked (`--baseline` or `--new-since`)?
    pub const fn marks(&self) -> bool {
        self.baseline.is_some() || self.new_since.is_some()
    }

    /// What "pre-existing" means in this scan, for the summaries: ``in the baseline
    /// `b.json` `` and/or ``unchanged since `main` ``.
    pub fn describe(&self) -> Option<String> {
        let baseline = self
            .baseline
            .as_ref()
            .map(|path| format!("in the baseline `{}`", path.display()));
        let since = self
            .new_since
            .as_ref()
            .map(|reference| format!("unchanged since `{reference}`"));
        match (baseline, since) {
            (Some(baseline), Some(since)) => Some(format!("{baseline} or {since}")),
            (one, other) => one.or(other),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read the baseline `{path}`: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the baseline `{path}` cannot be used: {reason}")]
    Invalid { path: String, reason: String },
    #[error("cannot write the baseline `{path}`: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("--new-since: `{path}` is not in a git work tree")]
    NotARepository { path: String },
    #[error("--new-since: cannot open the git repository at `{path}`: {detail}")]
    Repository { path: String, detail: String },
    #[error("--new-since: `{reference}` is not a commit of this repository ({detail})")]
    UnknownRef { reference: String, detail: String },
    #[error("--new-since: cannot read `{reference}` from the repository: {detail}")]
    Git { reference: String, detail: String },
}

impl BaselineError {
    /// The `help:` line for this error.
    pub fn help(&self) -> String {
        match self {
            Self::Read { .. } => "create it with `pinwarden scan --write-baseline FILE`".to_owned(),
            Self::Invalid { .. } => {
                "write it again with `pinwarden scan --write-baseline FILE` (this version's format)"
                    .to_owned()
            }
            Self::Write { .. } => "check that the directory exists and is writable".to_owned(),
            Self::NotARepository { .. } | Self::Repository { .. } => {
                "run in a git checkout (or drop --new-since)".to_owned()
            }
            Self::UnknownRef { .. } | Self::Git { .. } => {
                "name a branch, tag or commit of this clone; a shallow clone lacks history: \
                 fetch it first (actions/checkout with `fetch-depth: 0`, or `git fetch origin \
                 <ref>`)"
                    .to_owned()
            }
        }
    }
}

/// Write the baseline (when asked), then mark each of `findings` new or unchanged (when a
/// baseline or a ref is given). `roots` are the scanned paths (the git work tree is the one
/// around the first), `scanned` every display path the scan looked at.
pub fn mark(
    options: &BaselineOptions,
    roots: &[PathBuf],
    scanned: &BTreeSet<String>,
    findings: &mut [Finding],
) -> Result<(), BaselineError> {
    if let Some(path) = &options.write_baseline {
        Baseline::from_findings(findings).write(path)?;
    }
    if !options.marks() {
        return Ok(());
    }
    let mut unchanged = vec![false; findings.len()];
    if let Some(path) = &options.baseline {
        let known = Baseline::load(path)?.matches(findings, scanned);
        for (unchanged, known) in unchanged.iter_mut().zip(known) {
            *unchanged |= known;
        }
    }
    if let Some(reference) = &options.new_since {
        let start = roots
            .first()
            .filter(|root| root.as_os_str() != "-")
            .map_or_else(|| Path::new("."), PathBuf::as_path);
        let repository = Repository::open(start, reference)?;
        let sources = findings.iter().flat_map(|finding| {
            std::iter::once(&finding.primary)
                .chain(finding.related.iter().map(|related| &related.location))
                .map(|location| location.source.as_ref())
        });
        let changes = repository.changes(sources)?;
        for (unchanged, finding) in unchanged.iter_mut().zip(findings.iter()) {
            *unchanged |= !touched(finding, &changes);
        }
    }
    for (finding, unchanged) in findings.iter_mut().zip(unchanged) {
        finding.baseline = Some(if unchanged {
            BaselineState::Unchanged
        } else {
            BaselineState::New
        });
    }
    Ok(())
}

/// Does the change touch the finding: its own lines, or the lines of a related location
/// (the `.env` value, the `ARG` default it came from)?
fn touched(finding: &Finding, changes: &BTreeMap<String, FileChange>) -> bool {
    std::iter::once(&finding.primary)
        .chain(finding.related.iter().map(|related| &related.location))
        .any(|location| location_touched(location, changes))
}

fn location_touched(location: &Location, changes: &BTreeMap<String, FileChange>) -> bool {
    let Some(change) = changes.get(location.source.path()) else {
        return true;
    };
    let start = location.source.position(location.span.start).line;
    let end = location.source.position(location.span.end).line;
    change.touches(start, end)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::location::{Related, Span};
    use crate::model::source::SourceFile;

    #[test]
    fn a_related_line_that_changed_makes_the_finding_new() {
        let compose = Arc::new(SourceFile::new(
            "compose.yaml",
            "services:\n  a:\n    image: ${IMG}\n",
        ));
        let env = Arc::new(SourceFile::new(".env", "X=1\nIMG=nginx:latest\n"));
        let meta = crate::rules::metas()
            .find(|rule| rule.id == "PW101")
            .expect("PW101");
        let at = compose.text().find("${IMG}").unwrap_or(0);
        let value = env.text().find("nginx").unwrap_or(0);
        let finding = Finding::new(
            meta,
            Location::new(Arc::clone(&compose), Span::new(at, at + 6)),
            "m",
        )
        .with_related(vec![Related {
            location: Location::new(Arc::clone(&env), Span::new(value, value + 12)),
            label: "value".to_owned(),
        }]);
        let unchanged = FileChange::Lines(BTreeSet::new());
        let mut changes = BTreeMap::from([
            ("compose.yaml".to_owned(), unchanged.clone()),
            (".env".to_owned(), unchanged),
        ]);
        assert!(!touched(&finding, &changes));
        changes.insert(".env".to_owned(), FileChange::Lines(BTreeSet::from([2])));
        assert!(touched(&finding, &changes));
        changes.insert(".env".to_owned(), FileChange::Lines(BTreeSet::from([1])));
        assert!(!touched(&finding, &changes));
        // a file the comparison did not cover counts as new
        changes.remove(".env");
        assert!(touched(&finding, &changes));
    }

    #[test]
    fn describe_names_what_was_compared() {
        let mut options = BaselineOptions::default();
        assert_eq!(options.describe(), None);
        options.baseline = Some(PathBuf::from("b.json"));
        assert_eq!(
            options.describe().as_deref(),
            Some("in the baseline `b.json`")
        );
        options.new_since = Some("main".to_owned());
        assert_eq!(
            options.describe().as_deref(),
            Some("in the baseline `b.json` or unchanged since `main`")
        );
    }
}
