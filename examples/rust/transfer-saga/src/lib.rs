//! `transfer-saga`: a transfer between two `account` grains, driven by their events in the
//! manner of Akkatecture's sagas. Pushed with
//! `--subscribe money-withdrawn:transfer_id,money-deposited:transfer_id`: the saga's identity
//! is the transfer id, which its locator reads from each event's payload.
//!
//! - `start {"from", "to", "amount"}` withdraws from `account/<from>` (status `withdrawing`);
//!   refused (insufficient funds), the transfer is `failed`.
//! - On `money-withdrawn` it deposits into `account/<to>` (status `depositing`); refused
//!   (the account is frozen), it compensates by depositing the amount back into
//!   `account/<from>` (status `compensated`).
//! - On `money-deposited` of its deposit, the transfer is `completed`.
//! - `get` returns `{"status", "from", "to", "amount"}`.
//!
//! Every account operation carries an `op` id derived from the transfer, so a step repeated
//! after a crash or a repeated event changes no balance twice.

use granary_sdk::{grains, json, state, CallError, Event, Grain, GrainId};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    #[default]
    New,
    Withdrawing,
    Depositing,
    Completed,
    Compensated,
    Failed,
}

#[derive(Default, Serialize, Deserialize)]
struct Saga {
    status: Status,
    from: String,
    to: String,
    amount: i64,
}

#[derive(Deserialize)]
struct Start {
    from: String,
    to: String,
    amount: i64,
}

#[derive(Deserialize)]
struct Moved {
    op: Option<String>,
}

/// How an order to an account went.
enum Outcome {
    Done,
    /// The account refused it (insufficient funds, frozen): it will not happen.
    Refused,
    /// No answer (unreachable, timed out): it may have happened; ask again under the same op.
    Unknown(String),
}

impl Saga {
    fn id() -> String {
        grains::self_id().identity
    }

    /// Asks `account/<account>` to `method` this transfer's amount, as operation `step`.
    fn order(&self, account: &str, method: &str, step: &str) -> Outcome {
        let id = Saga::id();
        let request = serde_json::json!({"amount": self.amount, "op": format!("{id}/{step}"), "transfer_id": id});
        match grains::call(&GrainId::new("account", account), method, request.to_string().as_bytes()) {
            Ok(_) => Outcome::Done,
            Err(CallError::Failed(_)) => Outcome::Refused,
            Err(other) => Outcome::Unknown(format!("account/{account} {method}: {other:?}")),
        }
    }

    fn moved_to(&mut self, status: Status) -> Result<(), String> {
        let next = Saga { status, from: self.from.clone(), to: self.to.clone(), amount: self.amount };
        state::save(&next)?;
        *self = next;
        Ok(())
    }

    fn reply(&self) -> Result<Vec<u8>, String> {
        json::reply(&serde_json::json!({"status": self.status, "from": self.from, "to": self.to, "amount": self.amount}))
    }

    /// The money left `from`: deposit it into `to`, or give it back. An `Err` has the event
    /// delivered again, and the step asked again under the same op.
    fn withdrawn(&mut self) -> Result<(), String> {
        match self.status {
            Status::Withdrawing | Status::Depositing => {
                if self.status == Status::Withdrawing {
                    self.moved_to(Status::Depositing)?;
                }
                match self.order(&self.to.clone(), "deposit", "deposit") {
                    Outcome::Done => return Ok(()),
                    Outcome::Unknown(why) => return Err(why),
                    Outcome::Refused => {}
                }
            }
            // The withdrawal was reported failed but happened after all.
            Status::Failed => {}
            Status::New | Status::Completed | Status::Compensated => return Ok(()),
        }
        match self.order(&self.from.clone(), "deposit", "refund") {
            Outcome::Done => self.moved_to(Status::Compensated),
            Outcome::Refused => Err("the refund was refused".into()),
            Outcome::Unknown(why) => Err(why),
        }
    }
}

impl Grain for Saga {
    fn activate() -> Self {
        state::load().ok().flatten().unwrap_or_default()
    }

    fn handle(&mut self, method: &str, payload: &[u8]) -> Result<Vec<u8>, String> {
        match method {
            "start" => {
                if self.status != Status::New {
                    return self.reply();
                }
                let Start { from, to, amount } = json::parse(payload)?;
                if amount <= 0 || from == to {
                    return Err("a transfer moves a positive amount between two accounts".into());
                }
                *self = Saga { status: Status::New, from, to, amount };
                self.moved_to(Status::Withdrawing)?;
                // With no answer the withdrawal may still happen; then its event compensates.
                if !matches!(self.order(&self.from.clone(), "withdraw", "withdraw"), Outcome::Done) {
                    self.moved_to(Status::Failed)?;
                }
                self.reply()
            }
            "get" => self.reply(),
            other => Err(format!("unknown method {other:?}: transfer-saga has start, get")),
        }
    }

    fn receive_event(&mut self, event: Event) -> Result<(), String> {
        let Moved { op } = json::parse(&event.payload)?;
        let id = Saga::id();
        match (event.topic.as_str(), op) {
            ("money-withdrawn", Some(op)) if op == format!("{id}/withdraw") => self.withdrawn(),
            ("money-deposited", Some(op)) if op == format!("{id}/deposit") && self.status == Status::Depositing => {
                self.moved_to(Status::Completed)
            }
            _ => Ok(()),
        }
    }
}

granary_sdk::export_grain!(Saga);
