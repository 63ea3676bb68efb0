//! Bearer tokens: one guards kind administration, an optional one guards calls.

use crate::cluster::transport::constant_time_eq;

/// Tokens a node was started with; `None` leaves that group of operations open.
#[derive(Clone, Debug, Default)]
pub struct Tokens {
    /// Needed to push, remove or roll back kinds.
    pub admin: Option<String>,
    /// Needed to call or send to grains.
    pub call: Option<String>,
}

/// Which group of operations a request belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Pushing, removing and rolling back kinds.
    Admin,
    /// Calling and sending to grains.
    Call,
    /// Listings and node info.
    Read,
}

/// Why a request was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Denied {
    /// No token was given.
    #[error("this operation needs the {0} token: pass it as `authorization: Bearer <token>`")]
    Missing(&'static str),
    /// The token given is not the one required.
    #[error("the {0} token given is not valid")]
    Wrong(&'static str),
}

impl Tokens {
    /// Checks the `authorization` header value a request carried.
    pub fn check(&self, access: Access, authorization: Option<&str>) -> Result<(), Denied> {
        let (required, name) = match access {
            Access::Admin => (&self.admin, "admin"),
            Access::Call => (&self.call, "call"),
            Access::Read => return Ok(()),
        };
        let Some(required) = required else { return Ok(()) };
        let given = authorization.and_then(|value| value.strip_prefix("Bearer ")).ok_or(Denied::Missing(name))?;
        if constant_time_eq(given.as_bytes(), required.as_bytes()) { Ok(()) } else { Err(Denied::Wrong(name)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_node_needs_no_token() {
        let tokens = Tokens::default();
        assert_eq!(tokens.check(Access::Admin, None), Ok(()));
        assert_eq!(tokens.check(Access::Call, None), Ok(()));
    }

    #[test]
    fn admin_token_guards_admin_but_not_calls() {
        let tokens = Tokens { admin: Some("s3cret".into()), call: None };
        assert_eq!(tokens.check(Access::Admin, None), Err(Denied::Missing("admin")));
        assert_eq!(tokens.check(Access::Admin, Some("Bearer nope")), Err(Denied::Wrong("admin")));
        assert_eq!(tokens.check(Access::Admin, Some("s3cret")), Err(Denied::Missing("admin")));
        assert_eq!(tokens.check(Access::Admin, Some("Bearer s3cret")), Ok(()));
        assert_eq!(tokens.check(Access::Call, None), Ok(()));
        assert_eq!(tokens.check(Access::Read, None), Ok(()));
    }
}
