"""`counter` in Python: the counter contract of examples/README.md, state {"total": N}."""

import granary


class Counter(granary.Grain):
    def activate(self):
        self.total = granary.load_state({"total": 0})["total"]

    def handle(self, method, payload):
        if method == "add":
            n = granary.parse(payload, "n")["n"]
            if not isinstance(n, int) or isinstance(n, bool):
                raise granary.GrainError("bad payload: n must be an integer")
            granary.save_state({"total": self.total + n})
            self.total += n
            return granary.reply({"total": self.total})
        if method == "get":
            return granary.reply({"total": self.total})
        if method == "whoami":
            kind, identity = granary.self_id()
            return granary.reply({"kind": kind, "identity": identity})
        if method == "log":
            granary.log(payload.decode(errors="replace"))
            return granary.reply("logged")
        if method == "call":
            request = granary.parse(payload, "target", "method")
            forwarded = request.get("payload")
            body = b"" if forwarded is None else granary.reply(forwarded)
            return granary.call(request["target"], request["method"], body)
        if method == "set-timeout":
            granary.set_receive_timeout(int(granary.parse(payload, "millis")["millis"]))
            return granary.reply("ok")
        raise granary.GrainError(f"unknown method {method!r}: counter has add, get, whoami, log, call, set-timeout")


WitWorld = granary.export(Counter)
