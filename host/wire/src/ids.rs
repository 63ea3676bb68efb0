//! Typed identities: a grain's cluster identity, a kind's name and version, an activation, a node.

use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;

/// The cluster identity of a grain, written `kind/identity`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GrainId {
    kind: KindName,
    identity: String,
}

/// Why a string is not a valid `kind/identity`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GrainIdError {
    /// No `/` between kind and identity.
    #[error("grain id {0:?} is not of the form kind/identity")]
    MissingSlash(String),
    /// Nothing before the `/`.
    #[error("grain id {0:?} has an empty kind")]
    EmptyKind(String),
    /// Nothing after the `/`.
    #[error("grain id {0:?} has an empty identity")]
    EmptyIdentity(String),
    /// A kind name with other characters.
    #[error("kind name {0:?} may only contain ASCII letters, digits, '-' and '_'")]
    BadKindName(String),
}

/// A kind's name: ASCII letters, digits, `-` and `_`, never empty.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KindName(String);

impl KindName {
    /// Checks `name` and makes it a kind name.
    pub fn new(name: impl Into<String>) -> Result<Self, GrainIdError> {
        let name = name.into();
        validate_kind_name(&name)?;
        Ok(KindName(name))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for KindName {
    type Error = GrainIdError;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        KindName::new(name)
    }
}

impl From<KindName> for String {
    fn from(name: KindName) -> Self {
        name.0
    }
}

impl FromStr for KindName {
    type Err = GrainIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        KindName::new(s)
    }
}

impl Borrow<str> for KindName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for KindName {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for KindName {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for KindName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A kind version: the sha256 of its component bytes, as 64 lowercase hex digits. Modules are
/// stored and fetched by it, so one from a peer is checked before it names a file.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Version(String);

/// Why a string is not a kind version.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0:?} is not a kind version (64 lowercase hex digits, the module's sha256)")]
pub struct BadVersion(String);

impl Version {
    /// The version of the component `bytes`: their sha256.
    pub fn of(bytes: &[u8]) -> Self {
        use sha2::Digest;
        Version(hex::encode(sha2::Sha256::digest(bytes)))
    }

    /// The version as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first 12 hex digits, for logs.
    pub fn short(&self) -> &str {
        &self.0[..12]
    }
}

impl TryFrom<String> for Version {
    type Error = BadVersion;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        let valid = text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if valid { Ok(Version(text)) } else { Err(BadVersion(text)) }
    }
}

impl FromStr for Version {
    type Err = BadVersion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Version::try_from(s.to_string())
    }
}

impl From<Version> for String {
    fn from(version: Version) -> Self {
        version.0
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
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
        Ok(GrainId { kind: KindName::new(kind)?, identity })
    }

    /// The grain's kind.
    pub fn kind(&self) -> &KindName {
        &self.kind
    }

    /// The identity within the kind.
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

/// A cluster member's name (`--name`), unique in its cluster. It names the member in views,
/// placement and logs; where the member is reached is its peer address, a separate thing.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
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

    #[test]
    fn versions_are_sha256_hex_only() {
        let version = Version::of(b"component");
        assert_eq!(version.as_str().len(), 64);
        assert_eq!(version.as_str().parse::<Version>(), Ok(version.clone()));
        assert!("../../etc/passwd".parse::<Version>().is_err());
        assert!(version.as_str().to_uppercase().parse::<Version>().is_err());
    }
}
