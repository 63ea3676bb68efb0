//! `typed-counter`: a typed grain exporting `example:typed-counter/counter` (wit/typed-counter):
//! `add(n: s64) -> s64`, `get() -> s64` and `apply`, which takes a list of variants, an enum,
//! an option, flags and returns a result of a record. Callers use JSON
//! (`granary call typed-counter/a add '{"n":5}'`) or, from another grain, the interface itself.
//! State is `{"total":N}`, the same as the Python build's, so a hot reload between them keeps it.

wit_bindgen::generate!({ world: "typed-counter", path: "../../../wit/typed-counter", generate_all });

use exports::example::typed_counter::counter::{Audit, Change, Guest as Counter, Rounding, Summary};
use granary::grain::host;
use std::cell::Cell;

thread_local! {
    /// The total of this activation's grain (one activation per instance).
    static TOTAL: Cell<i64> = const { Cell::new(0) };
}

fn save(total: i64) -> i64 {
    let state = serde_json::json!({ "total": total }).to_string();
    if let Err(why) = host::save_state(state.as_bytes()) {
        // The activation is stale: the node discards it, and the caller sees the failure.
        panic!("cannot save the total: {why}");
    }
    TOTAL.with(|cell| cell.set(total));
    total
}

struct TypedCounter;

impl Guest for TypedCounter {
    fn activate() {
        let total = host::load_state()
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
            .and_then(|state| state["total"].as_i64())
            .unwrap_or(0);
        TOTAL.with(|cell| cell.set(total));
    }

    fn deactivate() {}
}

impl Counter for TypedCounter {
    fn add(n: i64) -> i64 {
        save(TOTAL.with(Cell::get).wrapping_add(n))
    }

    fn get() -> i64 {
        TOTAL.with(Cell::get)
    }

    fn apply(
        changes: Vec<Change>,
        rounding: Rounding,
        floor: Option<i64>,
        audit: Audit,
        note: Option<String>,
    ) -> Result<Summary, String> {
        let mut total = TOTAL.with(Cell::get);
        for change in &changes {
            total = match change {
                Change::Add(n) => total.wrapping_add(*n),
                Change::Set(n) => *n,
                Change::Reset => 0,
            };
        }
        if let Rounding::DownToTen = rounding {
            total = total.div_euclid(10) * 10;
        }
        if let Some(floor) = floor.filter(|floor| total < *floor) {
            return Err(format!("total {total} would fall below the floor {floor}"));
        }
        save(total);
        Ok(Summary { total, applied: u32::try_from(changes.len()).unwrap_or(u32::MAX), note, audit })
    }
}

export!(TypedCounter);
