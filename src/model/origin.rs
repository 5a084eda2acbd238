//! Where in a file's structure an occurrence sits (a Dockerfile stage, a compose service, a
//! workflow step): typed, so rules and reports can reason about it; `Display` gives the words
//! messages use ("service `web`", "step 2 of job `build`").

use std::fmt;

/// The structural place of an image or action occurrence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A Dockerfile stage's `FROM`.
    Stage(StageId),
    /// `COPY --from=<image>` in a stage.
    CopyFrom(StageId),
    /// `RUN --mount=…,from=<image>` in a stage.
    MountFrom(StageId),
    /// The `# syntax=` parser directive (the BuildKit frontend image).
    SyntaxDirective,
    /// A compose service.
    Service { name: String },
    /// A workflow job's `container:`.
    JobContainer { job: String },
    /// A workflow job's service container.
    JobService { job: String, service: String },
    /// A workflow job that calls a reusable workflow (`jobs.<id>.uses`).
    ReusableWorkflow { job: String },
    /// A workflow step (1-based).
    Step { job: String, number: usize },
    /// A composite action's step (1-based).
    CompositeStep { number: usize },
    /// A docker action's `runs.image`.
    DockerAction,
    /// A Kubernetes container.
    Container(ContainerId),
}

/// A Dockerfile stage: its 0-based index and its name, if it has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageId {
    pub index: usize,
    pub name: Option<String>,
}

/// A container of a Kubernetes object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerId {
    /// `container`, `init container` or `ephemeral container`.
    pub role: &'static str,
    /// The container's `name`, else its 1-based position in its list.
    pub name: Option<String>,
    pub position: usize,
    /// The object's `kind`.
    pub kind: String,
    /// The object's `metadata.name`.
    pub object: Option<String>,
}

impl fmt::Display for StageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "stage `{name}`"),
            None => write!(f, "stage {}", self.index),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Stage(stage) => stage.fmt(f),
            Self::CopyFrom(stage) => write!(f, "`COPY --from` in {stage}"),
            Self::MountFrom(stage) => write!(f, "`RUN --mount` in {stage}"),
            Self::SyntaxDirective => f.write_str("the `# syntax=` directive"),
            Self::Service { name } => write!(f, "service `{name}`"),
            Self::JobContainer { job } => write!(f, "job `{job}`"),
            Self::JobService { job, service } => write!(f, "service `{service}` of job `{job}`"),
            Self::ReusableWorkflow { job } => write!(f, "job `{job}`"),
            Self::Step { job, number } => write!(f, "step {number} of job `{job}`"),
            Self::CompositeStep { number } => write!(f, "step {number} of composite action"),
            Self::DockerAction => f.write_str("docker action"),
            Self::Container(container) => {
                match &container.name {
                    Some(name) => write!(f, "{} `{name}` of ", container.role)?,
                    None => write!(f, "{} {} of ", container.role, container.position)?,
                }
                match &container.object {
                    Some(object) => write!(f, "{} `{object}`", container.kind),
                    None => f.write_str(&container.kind),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_read_as_messages_say_them() {
        let stage = |name: Option<&str>| StageId {
            index: 2,
            name: name.map(str::to_owned),
        };
        // (origin, words)
        let cases = [
            (Origin::Stage(stage(Some("build"))), "stage `build`"),
            (Origin::Stage(stage(None)), "stage 2"),
            (Origin::CopyFrom(stage(None)), "`COPY --from` in stage 2"),
            (
                Origin::MountFrom(stage(Some("a"))),
                "`RUN --mount` in stage `a`",
            ),
            (
                Origin::JobService {
                    job: "j".into(),
                    service: "db".into(),
                },
                "service `db` of job `j`",
            ),
            (
                Origin::Step {
                    job: "j".into(),
                    number: 3,
                },
                "step 3 of job `j`",
            ),
            (
                Origin::Container(ContainerId {
                    role: "init container",
                    name: None,
                    position: 1,
                    kind: "Pod".into(),
                    object: Some("p".into()),
                }),
                "init container 1 of Pod `p`",
            ),
            (
                Origin::Container(ContainerId {
                    role: "container",
                    name: Some("c".into()),
                    position: 1,
                    kind: "Job".into(),
                    object: None,
                }),
                "container `c` of Job",
            ),
        ];
        for (origin, words) in cases {
            assert_eq!(origin.to_string(), words);
        }
    }
}
