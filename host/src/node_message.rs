//! Messages the node itself sends a grain, such as a reminder's tick. They travel as ordinary
//! messages (mailbox, forwarding, hand-over) under reserved method names that no caller may
//! use, and reach the grain's other exports instead of `handle`.

use crate::error::CallError;

/// Method names starting with this are the node's own.
pub const RESERVED_PREFIX: &str = "granary:";

/// Refuses a method a caller may not send: one of the node's own.
pub fn check_caller_method(method: &str) -> Result<(), CallError> {
    if method.starts_with(RESERVED_PREFIX) {
        return Err(CallError::InvalidRequest(format!(
            "method {method:?}: names starting with {RESERVED_PREFIX:?} are reserved for the node"
        )));
    }
    Ok(())
}

/// A reminder's tick, for the grain's `receive-reminder`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReminderTick {
    /// The reminder's name.
    pub name: String,
    /// The tick number; it increases by one per firing.
    pub tick: u64,
}

impl ReminderTick {
    /// The method a tick travels as.
    pub const METHOD: &'static str = "granary:reminder";

    /// The tick as a payload: the tick number (8 bytes, little-endian), then the name.
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = self.tick.to_le_bytes().to_vec();
        bytes.extend_from_slice(self.name.as_bytes());
        bytes
    }

    /// The tick in `payload`, or why it is not one.
    pub fn decode(payload: &[u8]) -> Result<Self, String> {
        let (tick, name) = payload.split_first_chunk::<8>().ok_or("a reminder tick shorter than 8 bytes")?;
        let name = std::str::from_utf8(name).map_err(|_| "a reminder name that is not UTF-8")?;
        Ok(ReminderTick { name: name.to_string(), tick: u64::from_le_bytes(*tick) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tick_round_trips() {
        let tick = ReminderTick { name: "every-minute é".into(), tick: 1 << 40 };
        assert_eq!(ReminderTick::decode(&tick.encode()), Ok(tick));
    }

    #[test]
    fn malformed_ticks_are_refused() {
        assert!(ReminderTick::decode(b"short").is_err());
        assert!(ReminderTick::decode(&[0, 0, 0, 0, 0, 0, 0, 1, 0xff]).is_err());
    }

    #[test]
    fn callers_may_not_use_the_node_s_methods() {
        assert!(check_caller_method(ReminderTick::METHOD).is_err());
        assert!(check_caller_method("add").is_ok());
        assert!(check_caller_method("granary-add").is_ok());
    }
}
