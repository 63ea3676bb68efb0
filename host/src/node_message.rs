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

/// An event on a topic, for the grain's `receive-event`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventDelivery {
    /// The topic it was published to.
    pub topic: String,
    /// The key it was published with.
    pub key: String,
    /// Its number in publish order on (topic, key).
    pub sequence: u64,
    /// What was published.
    pub payload: Vec<u8>,
}

impl EventDelivery {
    /// The method an event travels as.
    pub const METHOD: &'static str = "granary:event";

    /// The event as a payload: the sequence (8 bytes), the topic's and the key's lengths (4
    /// bytes each), all little-endian, then the topic, the key and the payload.
    pub fn encode(&self) -> Vec<u8> {
        let length = |text: &str| u32::try_from(text.len()).unwrap_or(u32::MAX).to_le_bytes();
        let mut bytes = self.sequence.to_le_bytes().to_vec();
        bytes.extend_from_slice(&length(&self.topic));
        bytes.extend_from_slice(&length(&self.key));
        bytes.extend_from_slice(self.topic.as_bytes());
        bytes.extend_from_slice(self.key.as_bytes());
        bytes.extend_from_slice(&self.payload);
        bytes
    }

    /// The event in `bytes`, or why it is not one.
    pub fn decode(bytes: &[u8]) -> Result<Self, String> {
        let short = || "an event delivery cut short".to_string();
        let (sequence, rest) = bytes.split_first_chunk::<8>().ok_or_else(short)?;
        let (topic_len, rest) = rest.split_first_chunk::<4>().ok_or_else(short)?;
        let (key_len, rest) = rest.split_first_chunk::<4>().ok_or_else(short)?;
        let (topic_len, key_len) = (u32::from_le_bytes(*topic_len) as usize, u32::from_le_bytes(*key_len) as usize);
        let topic = rest.get(..topic_len).ok_or_else(short)?;
        let key = rest.get(topic_len..topic_len + key_len).ok_or_else(short)?;
        let text =
            |bytes: &[u8]| String::from_utf8(bytes.to_vec()).map_err(|_| "an event topic or key that is not UTF-8");
        Ok(EventDelivery {
            topic: text(topic)?,
            key: text(key)?,
            sequence: u64::from_le_bytes(*sequence),
            payload: rest[topic_len + key_len..].to_vec(),
        })
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
    fn an_event_round_trips_and_a_cut_one_is_refused() {
        let event = EventDelivery {
            topic: "money-deposited".into(),
            key: "acc-1".into(),
            sequence: 7,
            payload: b"{}".to_vec(),
        };
        let bytes = event.encode();
        assert_eq!(EventDelivery::decode(&bytes), Ok(event));
        assert!(EventDelivery::decode(&bytes[..20]).is_err());
        assert!(EventDelivery::decode(&[0xff; 16]).is_err());
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
