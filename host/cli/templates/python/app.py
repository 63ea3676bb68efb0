"""`__NAME__`: a Granary grain. `./build.sh` makes __NAME__.wasm; README.md says what next."""

import granary


class Greeter(granary.Grain):
    """Greets callers, counting durably how many greetings this identity has given."""

    def activate(self):
        self.count = granary.load_state({"count": 0})["count"]

    def handle(self, method, payload):
        if method == "greet":
            name = granary.parse(payload, "name")["name"]
            granary.save_state({"count": self.count + 1})
            self.count += 1
            return granary.reply({"greeting": f"Hello, {name}!", "count": self.count})
        raise granary.GrainError(f"unknown method {method!r}: __NAME__ has greet")


WitWorld = granary.export(Greeter)
