//! A module pushed as a kind: the pre-check every push runs before compiling.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    if let Ok(summary) = granary_wire::component::summarize(bytes) {
        // A valid component's summary is consistent with the bytes it came from.
        assert!(summary.exports.iter().all(|name| !name.is_empty()));
        granary_wire::ids::Version::of(bytes);
    }
});
