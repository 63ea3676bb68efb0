//! `transfer`: moves money between two `account` grains with `call`, refunding on failure.
//!
//! `transfer {"from": "alice", "to": "bob", "amount": 30}` withdraws from `account/alice`,
//! deposits into `account/bob`, and, if the deposit fails, deposits the amount back.
//! The reply is both balances afterwards; the grain keeps a count of completed transfers.

use granary_sdk::grains::call_json;
use granary_sdk::{json, state, Grain, GrainId};
use serde::{Deserialize, Serialize};

#[derive(Default, Serialize, Deserialize)]
struct Transfers {
    completed: u64,
}

#[derive(Deserialize)]
struct Request {
    from: String,
    to: String,
    amount: i64,
}

#[derive(Serialize)]
struct Amount {
    amount: i64,
}

#[derive(Serialize, Deserialize)]
struct Balance {
    balance: i64,
}

#[derive(Serialize)]
struct Outcome {
    from: i64,
    to: i64,
}

fn account(name: &str) -> GrainId {
    GrainId::new("account", name)
}

impl Transfers {
    fn transfer(&mut self, request: Request) -> Result<Outcome, String> {
        if request.from == request.to {
            return Err("cannot transfer to the same account".into());
        }
        let amount = Amount { amount: request.amount };
        let (from, to) = (account(&request.from), account(&request.to));
        let withdrawn: Balance = call_json(&from, "withdraw", &amount)?;
        let deposited: Result<Balance, String> = call_json(&to, "deposit", &amount);
        match deposited {
            Ok(deposited) => {
                let next = Transfers { completed: self.completed + 1 };
                state::save(&next)?;
                *self = next;
                Ok(Outcome { from: withdrawn.balance, to: deposited.balance })
            }
            Err(why) => {
                let refund: Result<Balance, String> = call_json(&from, "deposit", &amount);
                match refund {
                    Ok(_) => Err(format!("transfer refunded: {why}")),
                    Err(refund_failed) => Err(format!(
                        "transfer failed ({why}) and the refund to {from} failed too: {refund_failed}"
                    )),
                }
            }
        }
    }
}

impl Grain for Transfers {
    fn activate() -> Self {
        state::load().ok().flatten().unwrap_or_default()
    }

    fn handle(&mut self, method: &str, payload: &[u8]) -> Result<Vec<u8>, String> {
        match method {
            "transfer" => {
                let outcome = self.transfer(json::parse(payload)?)?;
                json::reply(&outcome)
            }
            "completed" => json::reply(self),
            other => Err(format!("unknown method {other:?}: transfer has transfer, completed")),
        }
    }
}

granary_sdk::export_grain!(Transfers);
