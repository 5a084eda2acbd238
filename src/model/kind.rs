//! File kinds: what a scanned file is, which decides its parser and which rules apply. Kinds are
//! vocabulary shared by discovery, parsers, rules and reports, so they live in the model.

/// What a file is, which decides its parser.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    Dockerfile,
    Compose,
    /// A Compose `.env` file (only next to a compose file).
    Env,
    Workflow,
    Action,
    Kubernetes,
    /// GitHub's workflow lockfile, `.github/workflows/actions.lock`.
    ActionsLock,
}

impl FileKind {
    pub const ALL: &'static [Self] = &[
        Self::Dockerfile,
        Self::Compose,
        Self::Env,
        Self::Workflow,
        Self::Action,
        Self::Kubernetes,
        Self::ActionsLock,
    ];
    /// The kinds that can name an image.
    pub const IMAGES: &'static [Self] = &[
        Self::Dockerfile,
        Self::Compose,
        Self::Workflow,
        Self::Action,
        Self::Kubernetes,
    ];
    /// The kinds that can reference a GitHub Action (`uses:`).
    pub const ACTIONS: &'static [Self] = &[Self::Workflow, Self::Action];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Dockerfile => "dockerfile",
            Self::Compose => "compose",
            Self::Env => "env",
            Self::Workflow => "workflow",
            Self::Action => "action",
            Self::Kubernetes => "kubernetes",
            Self::ActionsLock => "actions-lock",
        }
    }
}
