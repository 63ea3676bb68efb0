//! A cluster member as every node sees it: address, roles, status, and the view of them all.

use crate::ids::NodeId;
use std::collections::BTreeSet;

/// Where a member is in its life: it joins, serves (up), leaves gracefully, or is found dead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberStatus {
    Joining,
    Up,
    Leaving,
    Down,
}

impl MemberStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberStatus::Joining => "joining",
            MemberStatus::Up => "up",
            MemberStatus::Leaving => "leaving",
            MemberStatus::Down => "down",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [MemberStatus::Joining, MemberStatus::Up, MemberStatus::Leaving, MemberStatus::Down]
            .into_iter()
            .find(|status| status.as_str() == text)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// The member's gRPC address as peers reach it (`--advertise`, else `--listen`).
    pub id: NodeId,
    /// Roles this member carries (`--roles`); a kind pushed with roles lives only on members
    /// that carry all of them.
    pub roles: BTreeSet<String>,
    pub status: MemberStatus,
    /// False for a proxy (`--no-hosting`, or the `client` role): it routes but hosts nothing.
    pub hosting: bool,
}

impl Member {
    /// Whether this member may own grains of a kind that needs `roles`.
    pub fn can_host(&self, roles: &BTreeSet<String>) -> bool {
        self.hosting && self.status == MemberStatus::Up && roles.is_subset(&self.roles)
    }
}

/// Every member one node currently knows of, sorted by id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClusterView {
    pub members: Vec<Member>,
}

impl ClusterView {
    pub fn new(mut members: Vec<Member>) -> Self {
        members.sort_by(|a, b| a.id.0.cmp(&b.id.0));
        ClusterView { members }
    }

    pub fn member(&self, id: &NodeId) -> Option<&Member> {
        self.members.iter().find(|member| &member.id == id)
    }

    /// Members that are up, in id order.
    pub fn up(&self) -> impl Iterator<Item = &Member> {
        self.members.iter().filter(|member| member.status == MemberStatus::Up)
    }
}
