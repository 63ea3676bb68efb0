//! `ledger`: counts the deposits into one account from the `money-deposited` events the
//! `account` grains publish. Pushed with `--subscribe money-deposited`, so the event keyed
//! `acc-1` reaches `ledger/acc-1`. `get` returns `{"deposits": N, "total": M}`.
//!
//! Events come at least once: one whose sequence number is not above the last one taken is
//! a repeated delivery, and one whose `op` was counted is the same deposit published again.

use granary_sdk::{json, state, Event, Grain};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Default, Serialize, Deserialize)]
struct Ledger {
    deposits: u64,
    total: i64,
    last_sequence: u64,
    ops: BTreeSet<String>,
}

#[derive(Deserialize)]
struct Deposited {
    amount: i64,
    op: Option<String>,
}

impl Grain for Ledger {
    fn activate() -> Self {
        state::load().ok().flatten().unwrap_or_default()
    }

    fn handle(&mut self, method: &str, _payload: &[u8]) -> Result<Vec<u8>, String> {
        match method {
            "get" => json::reply(&serde_json::json!({"deposits": self.deposits, "total": self.total})),
            other => Err(format!("unknown method {other:?}: ledger has get")),
        }
    }

    fn receive_event(&mut self, event: Event) -> Result<(), String> {
        if event.topic != "money-deposited" || event.sequence <= self.last_sequence {
            return Ok(());
        }
        let Deposited { amount, op } = json::parse(&event.payload)?;
        let mut next = Ledger { last_sequence: event.sequence, ops: self.ops.clone(), ..*self };
        if op.as_ref().is_none_or(|op| !self.ops.contains(op)) {
            next.deposits += 1;
            next.total += amount;
            next.ops.extend(op);
        }
        state::save(&next)?;
        *self = next;
        Ok(())
    }
}

granary_sdk::export_grain!(Ledger);
