//! Human durations on the command line: `500ms`, `30s`, `5m`.

use std::time::Duration;

pub fn parse(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text).map_err(|e| format!("{text:?} is not a duration like 500ms, 30s or 5m: {e}"))
}
