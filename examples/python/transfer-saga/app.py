"""`transfer-saga` in Python: the same event-driven saga as examples/rust/transfer-saga.

Pushed with `--subscribe money-withdrawn:transfer_id,money-deposited:transfer_id`, so the
accounts' events (published by the Rust `account`, keyed by account) reach the saga whose
identity is their `transfer_id`. `start {"from", "to", "amount"}` withdraws; `money-withdrawn`
deposits into `to` (refused: refund, `compensated`); the deposit's `money-deposited` makes it
`completed`; a refused withdrawal makes it `failed`. `get` returns the status.
"""

import json

import granary

DONE, REFUSED, UNKNOWN = "done", "refused", "unknown"


class Saga(granary.Grain):
    def activate(self):
        self.state = granary.load_state({"status": "new", "from": "", "to": "", "amount": 0})

    def identity(self):
        return granary.self_id()[1]

    def order(self, account, method, step):
        """Asks account/<account> to `method` the amount as operation `step`."""
        me = self.identity()
        request = {"amount": self.state["amount"], "op": f"{me}/{step}", "transfer_id": me}
        try:
            granary.call(f"account/{account}", method, granary.reply(request))
            return DONE
        except granary.CallFailed as error:
            # The account ran and refused (insufficient funds, frozen), or no answer came.
            return REFUSED if error.kind == "failed" else UNKNOWN

    def moved_to(self, status):
        self.state = dict(self.state, status=status)
        granary.save_state(self.state)

    def handle(self, method, payload):
        if method == "start":
            if self.state["status"] == "new":
                request = granary.parse(payload, "from", "to", "amount")
                if request["amount"] <= 0 or request["from"] == request["to"]:
                    raise granary.GrainError("a transfer moves a positive amount between two accounts")
                self.state = {"status": "new", "from": request["from"], "to": request["to"], "amount": request["amount"]}
                self.moved_to("withdrawing")
                if self.order(self.state["from"], "withdraw", "withdraw") != DONE:
                    self.moved_to("failed")
            return granary.reply(self.state)
        if method == "get":
            return granary.reply(self.state)
        raise granary.GrainError(f"unknown method {method!r}: transfer-saga has start, get")

    def withdrawn(self):
        status = self.state["status"]
        if status in ("withdrawing", "depositing"):
            if status == "withdrawing":
                self.moved_to("depositing")
            outcome = self.order(self.state["to"], "deposit", "deposit")
            if outcome == DONE:
                return
            if outcome == UNKNOWN:
                raise granary.GrainError("the deposit got no answer; asking again")
        elif status != "failed":
            return
        if self.order(self.state["from"], "deposit", "refund") != DONE:
            raise granary.GrainError("the refund did not go through; asking again")
        self.moved_to("compensated")

    def receive_event(self, topic, key, sequence, payload):
        op = json.loads(payload).get("op")
        me = self.identity()
        if topic == "money-withdrawn" and op == f"{me}/withdraw":
            self.withdrawn()
        elif topic == "money-deposited" and op == f"{me}/deposit" and self.state["status"] == "depositing":
            self.moved_to("completed")


WitWorld = granary.export(Saga)
