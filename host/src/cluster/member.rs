//! A cluster member as every node sees it: name, peer address, roles, status, and the view of
//! them all.

use crate::ids::NodeId;
use std::collections::BTreeSet;
use std::net::SocketAddr;

/// Where a member is in its life: it joins, serves (up), leaves gracefully, or is found dead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberStatus {
    /// Announced, not yet serving.
    Joining,
    /// Serving: it may own grains.
    Up,
    /// Stopping gracefully: its grains hand over.
    Leaving,
    /// Gone, or cut off with a minority of the cluster.
    Down,
}

impl MemberStatus {
    /// The status as a word.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberStatus::Joining => "joining",
            MemberStatus::Up => "up",
            MemberStatus::Leaving => "leaving",
            MemberStatus::Down => "down",
        }
    }
}

/// What a member announces about itself, written with serde into gossip and etcd alike.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Announcement {
    /// Its status.
    pub status: MemberStatus,
    /// Where peers reach its peer port.
    pub peer: SocketAddr,
    /// The roles it carries.
    pub roles: BTreeSet<String>,
    /// False for a proxy: it routes but hosts nothing.
    pub hosting: bool,
}

/// One member of the cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// The member's name (`--name`), unique in the cluster.
    pub id: NodeId,
    /// Where peers reach its peer port.
    pub peer: SocketAddr,
    /// Roles this member carries (`--roles`); a kind pushed with roles lives only on members
    /// that carry all of them.
    pub roles: BTreeSet<String>,
    /// Where it is in its life.
    pub status: MemberStatus,
    /// False for a proxy (`--no-hosting`, or the `client` role): it routes but hosts nothing.
    pub hosting: bool,
}

impl Member {
    /// The member named `id` that announced `announcement`.
    pub fn announced(id: NodeId, announcement: Announcement) -> Self {
        let Announcement { status, peer, roles, hosting } = announcement;
        Member { id, peer, roles, status, hosting }
    }

    /// Whether this member may own grains of a kind that needs `roles`.
    pub fn can_host(&self, roles: &BTreeSet<String>) -> bool {
        self.hosting && self.status == MemberStatus::Up && roles.is_subset(&self.roles)
    }
}

/// Every member one node currently knows of, sorted by id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClusterView {
    /// The members, in id order.
    pub members: Vec<Member>,
}

impl ClusterView {
    /// A view of `members`, sorted by id.
    pub fn new(mut members: Vec<Member>) -> Self {
        members.sort_by(|a, b| a.id.cmp(&b.id));
        ClusterView { members }
    }

    /// The member named `id`.
    pub fn member(&self, id: &NodeId) -> Option<&Member> {
        self.members.iter().find(|member| &member.id == id)
    }

    /// Members that are up, in id order.
    pub fn up(&self) -> impl Iterator<Item = &Member> {
        self.members.iter().filter(|member| member.status == MemberStatus::Up)
    }
}
