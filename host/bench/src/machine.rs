//! The machine a run measured, and the project revision it measured.

use serde::Serialize;

#[derive(Serialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory_bytes: u64,
    pub os: String,
    pub kernel: String,
    /// Caps how many activations a process can map (see `PoolSettings`).
    pub max_map_count: Option<u64>,
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// The value after `key` and a colon or `=` on the first line of `text` that starts with it.
fn field(text: &str, key: &str) -> Option<String> {
    text.lines()
        .find(|line| line.starts_with(key))
        .and_then(|line| line.split_once([':', '=']))
        .map(|(_, value)| value.trim().trim_matches('"').to_string())
}

impl Machine {
    pub fn this_one() -> Machine {
        let memory_kib = field(&read("/proc/meminfo"), "MemTotal")
            .and_then(|v| v.trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or(0);
        Machine {
            cpu: field(&read("/proc/cpuinfo"), "model name").unwrap_or_else(|| "unknown".into()),
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory_bytes: memory_kib * 1024,
            os: field(&read("/etc/os-release"), "PRETTY_NAME").unwrap_or_else(|| std::env::consts::OS.into()),
            kernel: read("/proc/sys/kernel/osrelease").trim().to_string(),
            max_map_count: read("/proc/sys/vm/max_map_count").trim().parse().ok(),
        }
    }
}

/// The commit this binary was built from, `-dirty` if its checkout had changes then (set by
/// the build script: the checkout the bench runs in may hold another).
pub fn git_revision() -> String {
    env!("GRANARY_BUILD_REVISION").to_string()
}

/// What this process holds in memory: its proportional share of resident anonymous and
/// shared-memory pages (PSS, so shared pages count once across processes) plus its page
/// tables, which a process with many mappings grows and RSS leaves out. File-backed pages
/// (compiled code, libraries) are left out: their share moves whenever another process maps
/// or unmaps the same files, and they do not grow with live grains.
pub fn resident_bytes() -> u64 {
    let kib = |text: &str, name: &str| -> u64 {
        field(text, name).and_then(|value| value.split_whitespace().next().and_then(|n| n.parse().ok())).unwrap_or(0)
    };
    let rollup = read("/proc/self/smaps_rollup");
    let (pss, pss_file) = (kib(&rollup, "Pss"), kib(&rollup, "Pss_File"));
    let page_tables = kib(&read("/proc/self/status"), "VmPTE");
    match pss {
        0 => rss_bytes() + page_tables * 1024,
        pss => (pss.saturating_sub(pss_file) + page_tables) * 1024,
    }
}

/// Resident pages, from `/proc/self/statm` (when `smaps_rollup` is not there).
fn rss_bytes() -> u64 {
    let pages: u64 = read("/proc/self/statm").split_whitespace().nth(1).and_then(|f| f.parse().ok()).unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages * u64::try_from(page).unwrap_or(4096)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_read_after_colon_or_equals() {
        assert_eq!(field("a: 1\nmodel name\t: Some CPU\n", "model name").as_deref(), Some("Some CPU"));
        assert_eq!(field("NAME=x\nPRETTY_NAME=\"Debian 13\"\n", "PRETTY_NAME").as_deref(), Some("Debian 13"));
    }

    #[test]
    fn this_process_is_resident() {
        assert!(resident_bytes() > 0 && rss_bytes() > 0);
        assert!(Machine::this_one().cores >= 1);
    }
}
