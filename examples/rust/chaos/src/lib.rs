//! `chaos`: a misbehaving grain for isolation tests. Never deploy it.
//!
//! - `ok` -> `"ok"`
//! - `trap` panics (a trap in the guest)
//! - `loop` spins forever (stopped by the host's time limit)
//! - `bomb` allocates without bound (stopped by the host's memory cap)

use granary_sdk::{json, Grain};
use std::hint::black_box;

struct Chaos {
    hoard: Vec<Vec<u8>>,
}

impl Grain for Chaos {
    fn activate() -> Self {
        Chaos { hoard: Vec::new() }
    }

    fn handle(&mut self, method: &str, _payload: &[u8]) -> Result<Vec<u8>, String> {
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
            other => Err(format!("unknown method {other:?}")),
        }
    }
}

granary_sdk::export_grain!(Chaos);
