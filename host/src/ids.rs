//! Typed identities: a grain's cluster identity, an activation, a node, and a PID.

use std::fmt;
use std::str::FromStr;

/// The cluster identity of a grain, written `kind/identity`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GrainId {
    kind: String,
    identity: String,
}

/// Why a string is not a valid `kind/identity`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GrainIdError {
    #[error("grain id {0:?} is not of the form kind/identity")]
    MissingSlash(String),
    #[error("grain id {0:?} has an empty kind")]
    EmptyKind(String),
    #[error("grain id {0:?} has an empty identity")]
    EmptyIdentity(String),
    #[error("kind name {0:?} may only contain ASCII letters, digits, '-' and '_'")]
    BadKindName(String),
}

impl GrainId {
    /// Builds `kind/identity`; the kind must be a valid kind name and the identity non-empty.
    pub fn new(kind: impl Into<String>, identity: impl Into<String>) -> Result<Self, GrainIdError> {
        let (kind, identity) = (kind.into(), identity.into());
        let whole = || format!("{kind}/{identity}");
        if kind.is_empty() {
            return Err(GrainIdError::EmptyKind(whole()));
        }
        if identity.is_empty() {
            return Err(GrainIdError::EmptyIdentity(whole()));
        }
        validate_kind_name(&kind)?;
        Ok(GrainId { kind, identity })
    }

    pub fn kind(&self) -> &str {
        &self.kind
    }

    pub fn identity(&self) -> &str {
        &self.identity
    }
}

/// Checks that `name` can name a kind: ASCII letters, digits, `-` and `_`.
pub fn validate_kind_name(name: &str) -> Result<(), GrainIdError> {
    let ok = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok { Ok(()) } else { Err(GrainIdError::BadKindName(name.to_string())) }
}

impl FromStr for GrainId {
    type Err = GrainIdError;

    /// Splits at the first `/`: the identity may itself contain slashes.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (kind, identity) = s.split_once('/').ok_or_else(|| GrainIdError::MissingSlash(s.to_string()))?;
        GrainId::new(kind, identity)
    }
}

impl fmt::Display for GrainId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.kind, self.identity)
    }
}

/// One activation of a grain on one node; never reused within a node's lifetime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActivationId(pub u64);

impl fmt::Display for ActivationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a{}", self.0)
    }
}

/// A node, named by the address other nodes and clients reach it on.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub String);

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kind_and_identity_at_first_slash() {
        let id: GrainId = "counter/alice/2024".parse().expect("valid id");
        assert_eq!(id.kind(), "counter");
        assert_eq!(id.identity(), "alice/2024");
        assert_eq!(id.to_string(), "counter/alice/2024");
    }

    #[test]
    fn rejects_malformed_ids() {
        assert!(matches!("counter".parse::<GrainId>(), Err(GrainIdError::MissingSlash(_))));
        assert!(matches!("/alice".parse::<GrainId>(), Err(GrainIdError::EmptyKind(_))));
        assert!(matches!("counter/".parse::<GrainId>(), Err(GrainIdError::EmptyIdentity(_))));
        assert!(matches!("no way/x".parse::<GrainId>(), Err(GrainIdError::BadKindName(_))));
    }
}
