//! Severity levels, the `--fail-on` threshold and the pinning policy, all ordered enums.

use std::fmt;

/// A finding's severity. Ordered: `Note < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Note,
    Warning,
    Error,
}

impl Level {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Note => "note",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The lowest level that makes `scan` exit 1; `never` always exits 0 on findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

impl FailOn {
    /// Does a finding at `level` trip the gate?
    pub const fn trips(self, level: Level) -> bool {
        let threshold = match self {
            Self::Error => Level::Error,
            Self::Warning => Level::Warning,
            Self::Note => Level::Note,
            Self::Never => return false,
        };
        level as u8 >= threshold as u8
    }
}

/// How strictly references must be pinned. Ordered: `Tag < Version < Digest`.
///
/// - `tag`: no `latest`, no missing tag;
/// - `version` (default): also no floating channel or major-only tag;
/// - `digest`: every reference pinned immutably.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PinPolicy {
    Tag,
    #[default]
    Version,
    Digest,
}

impl PinPolicy {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Tag => "tag",
            Self::Version => "version",
            Self::Digest => "digest",
        }
    }
}

/// The policy of each ecosystem.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Policies {
    pub images: PinPolicy,
    pub actions: PinPolicy,
    pub packages: PinPolicy,
}

impl Policies {
    /// The same policy for every ecosystem (what `--policy` sets).
    pub const fn all(policy: PinPolicy) -> Self {
        Self {
            images: policy,
            actions: policy,
            packages: policy,
        }
    }

    /// The one policy of every ecosystem, when they agree.
    pub fn uniform(&self) -> Option<PinPolicy> {
        (self.images == self.actions && self.actions == self.packages).then_some(self.images)
    }
}

/// `digest` when every ecosystem has it, else `images digest, actions version, packages
/// version`.
impl fmt::Display for Policies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.uniform() {
            Some(policy) => f.write_str(policy.as_str()),
            None => write!(
                f,
                "images {}, actions {}, packages {}",
                self.images.as_str(),
                self.actions.as_str(),
                self.packages.as_str()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_on_thresholds() {
        // (threshold, level, trips)
        let cases = [
            (FailOn::Error, Level::Error, true),
            (FailOn::Error, Level::Warning, false),
            (FailOn::Warning, Level::Warning, true),
            (FailOn::Warning, Level::Note, false),
            (FailOn::Note, Level::Note, true),
            (FailOn::Never, Level::Error, false),
        ];
        for (fail_on, level, expected) in cases {
            assert_eq!(fail_on.trips(level), expected, "{fail_on:?} {level:?}");
        }
    }

    #[test]
    fn policies_are_ordered() {
        assert!(PinPolicy::Tag < PinPolicy::Version);
        assert!(PinPolicy::Version < PinPolicy::Digest);
        assert_eq!(PinPolicy::default(), PinPolicy::Version);
    }
}
