//! BuildKit's automatic platform arguments (`TARGETOS`, `BUILDPLATFORM` …) take one value per
//! build: their plausible values, so `FROM binary-$TARGETOS` can be judged on each.
//!
//! The values follow `docker buildx build --platform` (containerd `platforms` package):
//! `PLATFORM` is `os/arch[/variant]`, `VARIANT` is empty unless the platform has one.

use super::scope::{Scope, resolve};
use crate::model::image::ImageValue;

/// One build platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Platform {
    os: &'static str,
    arch: &'static str,
    variant: &'static str,
}

const fn platform(os: &'static str, arch: &'static str, variant: &'static str) -> Platform {
    Platform { os, arch, variant }
}

/// The platforms BuildKit and Docker build for in practice (the images of Docker Hub's
/// official images, plus Windows and macOS builders). The first is the default.
pub(super) const PLATFORMS: &[Platform] = &[
    platform("linux", "amd64", ""),
    platform("linux", "arm64", ""),
    platform("linux", "arm", "v7"),
    platform("linux", "arm", "v6"),
    platform("linux", "386", ""),
    platform("linux", "ppc64le", ""),
    platform("linux", "s390x", ""),
    platform("linux", "riscv64", ""),
    platform("linux", "mips64le", ""),
    platform("linux", "loong64", ""),
    platform("windows", "amd64", ""),
    platform("windows", "arm64", ""),
    platform("darwin", "amd64", ""),
    platform("darwin", "arm64", ""),
    platform("freebsd", "amd64", ""),
];

/// Which platform an argument describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Side {
    /// `TARGET*`: the platform the image is built for.
    Target,
    /// `BUILD*`: the platform the build runs on.
    Build,
}

/// The side of a platform argument, `None` for any other name (`TARGETOSVERSION` and
/// `TARGETSTAGE` have no small set of values).
pub(super) fn side(name: &str) -> Option<Side> {
    let (side, field) = if let Some(field) = name.strip_prefix("TARGET") {
        (Side::Target, field)
    } else {
        (Side::Build, name.strip_prefix("BUILD")?)
    };
    matches!(field, "PLATFORM" | "OS" | "ARCH" | "VARIANT").then_some(side)
}

impl Platform {
    /// The value of the argument `name` (of either side) on this platform.
    pub(super) fn value(&self, name: &str) -> Option<String> {
        let field = name
            .strip_prefix("TARGET")
            .or_else(|| name.strip_prefix("BUILD"))?;
        Some(match field {
            "PLATFORM" if self.variant.is_empty() => format!("{}/{}", self.os, self.arch),
            "PLATFORM" => format!("{}/{}/{}", self.os, self.arch, self.variant),
            "OS" => self.os.to_owned(),
            "ARCH" => self.arch.to_owned(),
            "VARIANT" => self.variant.to_owned(),
            _ => return None,
        })
    }
}

/// Every (target, build) pair to try for arguments of `sides`: all platforms on a side that is
/// used, the default on the other.
pub(super) fn pairs(sides: &[Side]) -> Vec<(Platform, Platform)> {
    let default = PLATFORMS
        .first()
        .copied()
        .unwrap_or(platform("linux", "amd64", ""));
    let targets: &[Platform] = if sides.contains(&Side::Target) {
        PLATFORMS
    } else {
        std::slice::from_ref(&default)
    };
    let builds: &[Platform] = if sides.contains(&Side::Build) {
        PLATFORMS
    } else {
        std::slice::from_ref(&default)
    };
    targets
        .iter()
        .flat_map(|target| builds.iter().map(move |build| (*target, *build)))
        .collect()
}

/// Every value `written` takes on the plausible build platforms, when what `value` leaves
/// unresolved is only automatic platform arguments visible in `scope` (`binary-$TARGETOS`).
pub(super) fn values(
    written: &str,
    scope: &Scope,
    escape: char,
    value: &ImageValue,
) -> Option<Vec<String>> {
    let ImageValue::Unresolved(unresolved) = value else {
        return None;
    };
    let names: Vec<String> = unresolved
        .unknowns
        .iter()
        .map(|unknown| unknown.name.clone())
        .collect();
    let mut sides = Vec::new();
    for name in &names {
        if !scope.is_automatic(name) {
            return None;
        }
        sides.push(side(name)?);
    }
    if sides.is_empty() {
        return None;
    }
    let mut values: Vec<String> = Vec::new();
    for (target, build) in pairs(&sides) {
        let on_platform = scope.on_platform(&names, &target, &build);
        let ImageValue::Resolved(value) = resolve(written, &on_platform, escape).ok()?.value else {
            return None;
        };
        if !values.contains(&value) {
            values.push(value);
        }
    }
    Some(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_of_each_argument() {
        let arm = platform("linux", "arm", "v7");
        let amd = platform("linux", "amd64", "");
        // (platform, argument, value)
        let cases = [
            (arm, "TARGETPLATFORM", Some("linux/arm/v7")),
            (amd, "BUILDPLATFORM", Some("linux/amd64")),
            (arm, "TARGETOS", Some("linux")),
            (arm, "BUILDARCH", Some("arm")),
            (arm, "TARGETVARIANT", Some("v7")),
            (amd, "TARGETVARIANT", Some("")),
            (amd, "TARGETOSVERSION", None),
        ];
        for (platform, name, value) in cases {
            assert_eq!(platform.value(name).as_deref(), value, "{name}");
        }
    }

    #[test]
    fn sides() {
        assert_eq!(side("TARGETOS"), Some(Side::Target));
        assert_eq!(side("BUILDVARIANT"), Some(Side::Build));
        assert_eq!(side("TARGETSTAGE"), None);
        assert_eq!(side("TARGETOSVERSION"), None);
        assert_eq!(side("OS"), None);
    }

    #[test]
    fn pairs_vary_only_the_sides_used() {
        assert_eq!(pairs(&[Side::Target]).len(), PLATFORMS.len());
        assert_eq!(pairs(&[Side::Build]).len(), PLATFORMS.len());
        assert_eq!(
            pairs(&[Side::Target, Side::Build]).len(),
            PLATFORMS.len() * PLATFORMS.len()
        );
    }
}
