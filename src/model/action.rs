//! An action occurrence: one `uses:` a workflow or composite action names, as the parsers see
//! it. The PW2xx rules read only this.

use crate::model::location::Location;
use crate::model::origin::Origin;

/// One `uses:` value that is not a `docker://` image (those are image occurrences).
#[derive(Clone, Debug)]
pub struct ActionUse {
    /// The value as written, quotes excluded.
    pub location: Location,
    /// The step or job it belongs to.
    pub origin: Origin,
    /// What GitHub's workflow lockfile says about it.
    pub lock: LockState,
}

/// What `.github/workflows/actions.lock` says about one `uses:`.
#[derive(Clone, Debug)]
pub enum LockState {
    /// The workflow is not onboarded to a (valid) lockfile, or the reference is a reusable
    /// workflow call, which the lockfile does not cover: the ref itself is judged.
    Unlocked,
    /// The lockfile pins this reference to a commit.
    Locked {
        /// The lock entry (`dependencies.<key>`), for a related location.
        entry: Location,
    },
    /// The workflow is onboarded but this reference has no lock entry: GitHub refuses the run.
    Missing {
        /// The workflow's entry in the lockfile's `workflows`.
        workflow: Location,
    },
}

impl ActionUse {
    /// The reference text as written.
    pub fn written(&self) -> &str {
        self.location.text()
    }
}
