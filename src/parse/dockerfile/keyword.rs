//! Instruction keywords (BuildKit `frontend/dockerfile/command/command.go`), as an enum.

/// An instruction's keyword. BuildKit matches keywords case-insensitively.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Keyword {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
    /// A word BuildKit does not know (a PW001 problem); uppercased.
    Unknown(String),
}

/// Every known keyword with its uppercase spelling.
const TABLE: &[(&str, Keyword)] = &[
    ("ADD", Keyword::Add),
    ("ARG", Keyword::Arg),
    ("CMD", Keyword::Cmd),
    ("COPY", Keyword::Copy),
    ("ENTRYPOINT", Keyword::Entrypoint),
    ("ENV", Keyword::Env),
    ("EXPOSE", Keyword::Expose),
    ("FROM", Keyword::From),
    ("HEALTHCHECK", Keyword::Healthcheck),
    ("LABEL", Keyword::Label),
    ("MAINTAINER", Keyword::Maintainer),
    ("ONBUILD", Keyword::Onbuild),
    ("RUN", Keyword::Run),
    ("SHELL", Keyword::Shell),
    ("STOPSIGNAL", Keyword::Stopsignal),
    ("USER", Keyword::User),
    ("VOLUME", Keyword::Volume),
    ("WORKDIR", Keyword::Workdir),
];

impl Keyword {
    /// The keyword of `word`, whatever its case.
    pub fn parse(word: &str) -> Self {
        TABLE
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(word))
            .map_or_else(
                || Self::Unknown(word.to_ascii_uppercase()),
                |(_, keyword)| keyword.clone(),
            )
    }

    /// The uppercase spelling, e.g. `FROM`.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Unknown(word) => word,
            known => TABLE
                .iter()
                .find(|(_, keyword)| keyword == known)
                .map_or("", |(name, _)| name),
        }
    }

    pub fn is_known(&self) -> bool {
        !matches!(self, Self::Unknown(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_round_trip_case_insensitively() {
        // (word, keyword, spelling)
        let cases = [
            ("FROM", Keyword::From, "FROM"),
            ("from", Keyword::From, "FROM"),
            ("HealthCheck", Keyword::Healthcheck, "HEALTHCHECK"),
            ("onbuild", Keyword::Onbuild, "ONBUILD"),
            ("frm", Keyword::Unknown("FRM".into()), "FRM"),
        ];
        for (word, keyword, spelling) in cases {
            let parsed = Keyword::parse(word);
            assert_eq!(parsed, keyword, "{word}");
            assert_eq!(parsed.as_str(), spelling, "{word}");
            assert_eq!(parsed.is_known(), spelling != "FRM", "{word}");
        }
    }
}
