"""`account` in Python: deposit, withdraw, balance; an overdraft is an error result."""

import granary


def amount_of(payload):
    amount = granary.parse(payload, "amount")["amount"]
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise granary.GrainError(f"amount must be positive, got {amount}")
    return amount


class Account(granary.Grain):
    def activate(self):
        self.balance = granary.load_state({"balance": 0})["balance"]

    def commit(self, balance):
        granary.save_state({"balance": balance})
        self.balance = balance
        return granary.reply({"balance": balance})

    def handle(self, method, payload):
        if method == "deposit":
            return self.commit(self.balance + amount_of(payload))
        if method == "withdraw":
            amount = amount_of(payload)
            if amount > self.balance:
                raise granary.GrainError(f"insufficient funds: balance {self.balance}, requested {amount}")
            return self.commit(self.balance - amount)
        if method == "balance":
            return granary.reply({"balance": self.balance})
        raise granary.GrainError(f"unknown method {method!r}: account has deposit, withdraw, balance")


WitWorld = granary.export(Account)
