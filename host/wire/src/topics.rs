//! Topic names and a kind's subscriptions, as pushed (`--subscribe TOPIC[:FIELD],...`): each
//! event on `TOPIC` reaches the subscribing kind's grain named by the event's key, or, with
//! a locator `:FIELD`, by the string at that top-level field of the event's JSON payload.

use std::fmt;

/// The longest topic or locator field name.
const MAX_NAME: usize = 128;

/// Checks a topic name: 1 to 128 of ASCII letters, digits, `.`, `_` and `-`.
pub fn check_topic(topic: &str) -> Result<(), String> {
    check_name(topic, "topic")
}

fn check_name(name: &str, what: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if name.is_empty() || name.len() > MAX_NAME || !name.chars().all(allowed) {
        return Err(format!("{what} {name:?}: 1 to {MAX_NAME} ASCII letters, digits, '.', '_' or '-'"));
    }
    Ok(())
}

/// One subscription of a kind.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Subscription {
    /// The topic.
    pub topic: String,
    /// The payload field whose string names the receiving grain; `None`: the event's key.
    pub locator: Option<String>,
}

impl Subscription {
    /// Reads `TOPIC` or `TOPIC:FIELD`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (topic, locator) = match text.split_once(':') {
            Some((topic, field)) => {
                check_name(field, "locator field")?;
                (topic, Some(field.to_string()))
            }
            None => (text, None),
        };
        check_topic(topic)?;
        Ok(Subscription { topic: topic.to_string(), locator })
    }

    /// The identity of the grain that receives an event with `key` and `payload`, or why
    /// there is none (the payload has no such string field).
    pub fn locate(&self, key: &str, payload: &[u8]) -> Result<String, String> {
        let Some(field) = &self.locator else { return Ok(key.to_string()) };
        let value: serde_json::Value =
            serde_json::from_slice(payload).map_err(|e| format!("the payload is not JSON: {e}"))?;
        match value.get(field) {
            Some(serde_json::Value::String(identity)) => Ok(identity.clone()),
            Some(serde_json::Value::Number(number)) => Ok(number.to_string()),
            _ => Err(format!("the payload has no string field {field:?} to locate the grain by")),
        }
    }
}

impl fmt::Display for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.locator {
            Some(field) => write!(f, "{}:{field}", self.topic),
            None => f.write_str(&self.topic),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_topic_with_or_without_a_locator() {
        let plain = Subscription::parse("money-deposited").unwrap();
        assert_eq!(plain.locate("acc-1", b"{}"), Ok("acc-1".into()));
        let located = Subscription::parse("money-withdrawn:transfer_id").unwrap();
        assert_eq!(located.to_string(), "money-withdrawn:transfer_id");
        assert_eq!(located.locate("acc-1", br#"{"transfer_id":"t-7"}"#), Ok("t-7".into()));
        assert_eq!(located.locate("acc-1", br#"{"transfer_id":7}"#), Ok("7".into()));
        assert!(located.locate("acc-1", br#"{"other":1}"#).unwrap_err().contains("transfer_id"));
        assert!(located.locate("acc-1", b"not json").is_err());
    }

    #[test]
    fn malformed_subscriptions_are_refused() {
        for bad in ["", "a b", "topic:", ":field", "t:f:g", "ünicode", &"x".repeat(129)] {
            assert!(Subscription::parse(bad).is_err(), "{bad:?}");
        }
    }
}
