//! `chaos`: a misbehaving grain for isolation tests. Never deploy it.
//!
//! - `ok` -> `"ok"`
//! - `trap` panics (a trap in the guest)
//! - `loop` spins forever (stopped by the host's time limit)
//! - `bomb` allocates without bound (stopped by the host's memory cap)
//! - `save-bytes {"bytes":N}` saves N bytes of state (refused past the kind's max-state)
//! - `stored-bytes` -> how many bytes of state the grain holds

use granary_sdk::{json, state, Grain};
use serde::Deserialize;
use std::hint::black_box;

struct Chaos {
    hoard: Vec<Vec<u8>>,
}

#[derive(Deserialize)]
struct SaveBytes {
    bytes: usize,
}

impl Grain for Chaos {
    fn activate() -> Self {
        Chaos { hoard: Vec::new() }
    }

    fn handle(&mut self, method: &str, payload: &[u8]) -> Result<Vec<u8>, String> {
        match method {
            "ok" => json::reply(&"ok"),
            "trap" => panic!("chaos grain asked to trap"),
            "loop" => {
                let mut spins: u64 = 0;
                loop {
                    spins = black_box(spins.wrapping_add(1));
                }
            }
            "bomb" => loop {
                self.hoard.push(black_box(vec![1u8; 1 << 20]));
            },
            "save-bytes" => {
                let SaveBytes { bytes } = json::parse(payload)?;
                state::save_bytes(&vec![7u8; bytes])?;
                json::reply(&bytes)
            }
            "stored-bytes" => json::reply(&state::load_bytes().map_or(0, |state| state.len())),
            other => Err(format!("unknown method {other:?}")),
        }
    }
}

granary_sdk::export_grain!(Chaos);
