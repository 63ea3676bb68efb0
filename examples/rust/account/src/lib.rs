//! `account`: a balance with deposit, withdraw and balance. An overdraft is an error result.

use granary_sdk::{json, state, Grain};
use serde::{Deserialize, Serialize};

#[derive(Default, Serialize, Deserialize)]
struct Account {
    balance: i64,
}

#[derive(Deserialize)]
struct Amount {
    amount: i64,
}

impl Account {
    fn commit(&mut self, balance: i64) -> Result<Vec<u8>, String> {
        let next = Account { balance };
        state::save(&next)?;
        *self = next;
        json::reply(self)
    }
}

fn positive(payload: &[u8]) -> Result<i64, String> {
    let Amount { amount } = json::parse(payload)?;
    if amount <= 0 {
        return Err(format!("amount must be positive, got {amount}"));
    }
    Ok(amount)
}

impl Grain for Account {
    fn activate() -> Self {
        state::load().ok().flatten().unwrap_or_default()
    }

    fn handle(&mut self, method: &str, payload: &[u8]) -> Result<Vec<u8>, String> {
        match method {
            "deposit" => {
                let amount = positive(payload)?;
                let balance = self.balance.checked_add(amount).ok_or("balance would overflow")?;
                self.commit(balance)
            }
            "withdraw" => {
                let amount = positive(payload)?;
                if amount > self.balance {
                    return Err(format!(
                        "insufficient funds: balance {}, requested {amount}",
                        self.balance
                    ));
                }
                self.commit(self.balance - amount)
            }
            "balance" => json::reply(self),
            other => Err(format!("unknown method {other:?}: account has deposit, withdraw, balance")),
        }
    }
}

granary_sdk::export_grain!(Account);
