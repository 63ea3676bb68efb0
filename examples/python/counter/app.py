"""`counter` in Python: the counter contract of examples/README.md, state {"total": N}."""

import granary


class Counter(granary.Grain):
    def activate(self):
        self.total = granary.load_state({"total": 0})["total"]
        self.ticks = 0
        self.last_tick = 0

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
        if method == "remind":
            period = int(granary.parse(payload, "period_ms")["period_ms"])
            granary.set_reminder("tick", period, period)
            return granary.reply("ok")
        if method == "unremind":
            return granary.reply({"cancelled": granary.cancel_reminder("tick")})
        if method == "ticks":
            return granary.reply({"ticks": self.ticks})
        if method == "publish":
            request = granary.parse(payload, "topic", "key", "payload")
            return granary.reply({"sequence": granary.publish(request["topic"], request["key"], request["payload"])})
        raise granary.GrainError(
            f"unknown method {method!r}: counter has add, get, whoami, log, call, set-timeout, "
            "remind, unremind, ticks, publish"
        )

    def receive_reminder(self, name, tick):
        if tick > self.last_tick:
            self.ticks += 1
            self.last_tick = tick

    def receive_event(self, topic, key, sequence, payload):
        n = granary.parse(payload, "n")["n"]
        granary.save_state({"total": self.total + n})
        self.total += n


WitWorld = granary.export(Counter)
