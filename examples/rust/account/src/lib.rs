//! `account`: a balance with deposit, withdraw and balance (`{"balance": N}`). An overdraft is
//! an error result, and so is a deposit into a frozen account (`freeze`), which the saga tests
//! use to inject failures.
//!
//! Each deposit and withdrawal is published as an event, key the account's identity:
//! `money-deposited` / `money-withdrawn` with `{"account", "amount", "op", "transfer_id"}`
//! (`op` and `transfer_id` when the request carried them). A request with an `op` id is
//! applied once: repeated, it changes nothing and publishes its event again, so an event lost
//! to a crash between the save and the publish comes with the retry (subscribers drop a
//! repeated `op`).

use granary_sdk::{grains, json, state, topics, Grain};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Default, Serialize, Deserialize)]
struct Account {
    balance: i64,
    /// The `op` ids applied so far.
    #[serde(default)]
    applied: BTreeSet<String>,
    #[serde(default)]
    frozen: bool,
}

#[derive(Deserialize)]
struct Request {
    amount: i64,
    op: Option<String>,
    transfer_id: Option<String>,
}

#[derive(Serialize)]
struct Moved<'a> {
    account: &'a str,
    amount: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    op: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    transfer_id: Option<&'a str>,
}

fn request(payload: &[u8]) -> Result<Request, String> {
    let request: Request = json::parse(payload)?;
    if request.amount <= 0 {
        return Err(format!("amount must be positive, got {}", request.amount));
    }
    Ok(request)
}

impl Account {
    fn balance(&self) -> Result<Vec<u8>, String> {
        json::reply(&serde_json::json!({"balance": self.balance}))
    }

    /// Applies `request` with `change` (the new balance, or why not) once per `op`, saves,
    /// then publishes `topic`.
    fn apply(
        &mut self,
        topic: &str,
        request: &Request,
        change: impl FnOnce(&Account) -> Result<i64, String>,
    ) -> Result<Vec<u8>, String> {
        let repeated = request.op.as_ref().is_some_and(|op| self.applied.contains(op));
        if !repeated {
            let mut next = Account { balance: change(self)?, applied: self.applied.clone(), frozen: self.frozen };
            next.applied.extend(request.op.clone());
            state::save(&next)?;
            *self = next;
        }
        let me = grains::self_id().identity;
        let event = Moved {
            account: &me,
            amount: request.amount,
            op: request.op.as_deref(),
            transfer_id: request.transfer_id.as_deref(),
        };
        topics::publish_json(topic, &me, &event)?;
        self.balance()
    }
}

impl Grain for Account {
    fn activate() -> Self {
        state::load().ok().flatten().unwrap_or_default()
    }

    fn handle(&mut self, method: &str, payload: &[u8]) -> Result<Vec<u8>, String> {
        match method {
            "deposit" => {
                let request = request(payload)?;
                self.apply("money-deposited", &request, |account| {
                    if account.frozen {
                        return Err("account frozen: deposits are refused".to_string());
                    }
                    account.balance.checked_add(request.amount).ok_or_else(|| "balance would overflow".to_string())
                })
            }
            "withdraw" => {
                let request = request(payload)?;
                self.apply("money-withdrawn", &request, |account| {
                    if request.amount > account.balance {
                        return Err(format!(
                            "insufficient funds: balance {}, requested {}",
                            account.balance, request.amount
                        ));
                    }
                    Ok(account.balance - request.amount)
                })
            }
            "freeze" => {
                let next = Account { frozen: true, applied: self.applied.clone(), balance: self.balance };
                state::save(&next)?;
                *self = next;
                self.balance()
            }
            "balance" => self.balance(),
            other => Err(format!("unknown method {other:?}: account has deposit, withdraw, freeze, balance")),
        }
    }
}

granary_sdk::export_grain!(Account);
