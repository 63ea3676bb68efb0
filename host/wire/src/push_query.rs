//! The settings a push gives, and how an HTTP push reads them from its query string:
//! `?idle_timeout=30s&max_memory=64MiB&time_limit=5s&roles=a,b&max_live=10&max_state=1MiB&allow_http=h:80&subscribe=t,u:id&force=true`.

use crate::topics::Subscription;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::time::Duration;

/// Settings given with a push, over any API; unset fields keep the kind's current (or the
/// node's default) value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KindSettingsUpdate {
    /// A new receive timeout (`idle_timeout`, a duration such as `30s`).
    pub idle_timeout: Option<Duration>,
    /// A new memory cap per activation (`max_memory`, a size such as `64MiB`).
    pub max_memory: Option<u64>,
    /// A new time limit per message (`time_limit`, a duration).
    pub time_limit: Option<Duration>,
    /// New roles (`roles`, comma-separated; empty clears them).
    pub roles: Option<BTreeSet<String>>,
    /// A new live quota (`max_live`, a count; 0 removes the limit).
    pub max_live: Option<u32>,
    /// A new state size limit (`max_state`, a size).
    pub max_state: Option<u64>,
    /// New HTTP grants (`allow_http`, comma-separated `HOST[:PORT]`; empty clears them).
    pub allow_http: Option<BTreeSet<String>>,
    /// New subscriptions (`subscribe`, comma-separated `TOPIC[:FIELD]`; empty clears them).
    pub subscribe: Option<BTreeSet<Subscription>>,
    /// Replace a typed kind even when the new version removes or changes a function its
    /// callers may use (`force=true`). Not a setting: it is not kept.
    pub force: bool,
}

#[derive(Deserialize)]
struct Raw {
    idle_timeout: Option<String>,
    max_memory: Option<String>,
    time_limit: Option<String>,
    roles: Option<String>,
    max_live: Option<String>,
    max_state: Option<String>,
    allow_http: Option<String>,
    subscribe: Option<String>,
    force: Option<bool>,
}

/// Reads `query` (without the `?`); the error names the field that does not read.
pub fn parse(query: &str) -> Result<KindSettingsUpdate, String> {
    let raw: Raw = serde_urlencoded::from_str(query).map_err(|e| format!("bad query: {e}"))?;
    let duration = |text: Option<String>, name: &str| {
        text.map(|text| humantime::parse_duration(&text).map_err(|e| format!("bad {name}: {e}"))).transpose()
    };
    let size = |text: Option<String>, name: &str| {
        text.map(|text| {
            text.parse::<bytesize::ByteSize>().map(|size| size.as_u64()).map_err(|e| format!("bad {name}: {e}"))
        })
        .transpose()
    };
    let list = |text: Option<String>| {
        text.map(|text| text.split(',').map(str::trim).filter(|item| !item.is_empty()).map(str::to_string).collect())
    };
    Ok(KindSettingsUpdate {
        idle_timeout: duration(raw.idle_timeout, "idle_timeout")?,
        max_memory: size(raw.max_memory, "max_memory")?,
        time_limit: duration(raw.time_limit, "time_limit")?,
        roles: list(raw.roles),
        max_live: raw.max_live.map(|count| count.parse().map_err(|e| format!("bad max_live: {e}"))).transpose()?,
        max_state: size(raw.max_state, "max_state")?,
        allow_http: list(raw.allow_http),
        subscribe: list(raw.subscribe)
            .map(|topics: BTreeSet<String>| topics.iter().map(|t| Subscription::parse(t)).collect())
            .transpose()?,
        force: raw.force.unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_reads_and_a_bad_one_is_named() {
        let query = parse("idle_timeout=30s&max_memory=64MiB&roles=a,,b&max_live=10&allow_http=").expect("reads");
        assert_eq!(query.idle_timeout, Some(Duration::from_secs(30)));
        assert_eq!(query.max_memory, Some(64 * 1024 * 1024));
        assert_eq!(query.roles, Some(["a".to_string(), "b".to_string()].into()));
        assert_eq!(query.max_live, Some(10));
        assert_eq!(query.allow_http, Some(BTreeSet::new()), "empty clears");
        assert_eq!(query.time_limit, None);
        assert_eq!(parse(""), Ok(KindSettingsUpdate::default()));
        assert!(parse("max_state=lots").expect_err("refused").contains("max_state"));
        assert!(parse("max_live=-1").expect_err("refused").contains("max_live"));
    }
}
