//! `__NAME__`: a typed Granary grain exporting the interface in wit/world.wit.
//! `./build.sh` makes __NAME__.wasm; README.md says what next.

wit_bindgen::generate!({ world: "__WIT_NAME__", path: "wit", generate_all });

use exports::local::__WIT_CRATE__::api::{Greeting, Guest as Api};
use granary::grain::host;
use std::cell::Cell;

thread_local! {
    /// How many greetings this identity has given (one activation per instance).
    static COUNT: Cell<u64> = const { Cell::new(0) };
}

struct Greeter;

impl Guest for Greeter {
    fn activate() {
        let saved = host::load_state().and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok());
        COUNT.with(|count| count.set(saved.and_then(|state| state["count"].as_u64()).unwrap_or(0)));
    }

    fn deactivate() {}
}

impl Api for Greeter {
    fn greet(name: String) -> Greeting {
        let count = COUNT.with(Cell::get) + 1;
        let state = serde_json::json!({ "count": count }).to_string();
        // A refused save means a newer activation owns the state: trap, and the node drops this one.
        host::save_state(state.as_bytes()).unwrap_or_else(|why| panic!("cannot save: {why}"));
        COUNT.with(|cell| cell.set(count));
        Greeting { greeting: format!("Hello, {name}!"), count }
    }

    fn count() -> u64 {
        COUNT.with(Cell::get)
    }
}

export!(Greeter);
