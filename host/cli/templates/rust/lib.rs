//! `__NAME__`: a Granary grain. `./build.sh` makes __NAME__.wasm; README.md says what next.

use granary_sdk::{json, state, Grain};
use serde::{Deserialize, Serialize};

/// How many greetings this identity has given, kept in the grain's state.
#[derive(Default, Serialize, Deserialize)]
struct Greeter {
    count: u64,
}

#[derive(Deserialize)]
struct Greet {
    name: String,
}

#[derive(Serialize)]
struct Greeting {
    greeting: String,
    count: u64,
}

impl Grain for Greeter {
    fn activate() -> Self {
        state::load().ok().flatten().unwrap_or_default()
    }

    fn handle(&mut self, method: &str, payload: &[u8]) -> Result<Vec<u8>, String> {
        match method {
            "greet" => {
                let Greet { name } = json::parse(payload)?;
                let next = Greeter { count: self.count + 1 };
                state::save(&next)?;
                *self = next;
                json::reply(&Greeting { greeting: format!("Hello, {name}!"), count: self.count })
            }
            other => Err(format!("unknown method {other:?}: __NAME__ has greet")),
        }
    }
}

granary_sdk::export_grain!(Greeter);
