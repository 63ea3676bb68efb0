"""`typed-caller` in Python: the twin of examples/js/counter-caller. A grain of the `grain`
world that imports the typed `example:typed-counter/counter` interface and calls it like
local functions: `add {"counter": ID, "n": N}` binds `typed-counter/ID` and replies
`{"total": T}`; `get {"counter": ID}` likewise. Built against wit/typed-counter, world
`counter-caller` (the file `world`)."""

import granary
from componentize_py_types import Err
from wit_world.imports import counter, typed_calls, types


class TypedCaller(granary.Grain):
    def handle(self, method, payload):
        request = granary.parse(payload, "counter")
        try:
            typed_calls.bind(types.GrainId(kind="typed-counter", identity=request["counter"]))
        except Err as error:
            raise granary.GrainError(error.value)
        if method == "add":
            n = request.get("n")
            if not isinstance(n, int) or isinstance(n, bool):
                raise granary.GrainError("bad payload: n must be an integer")
            return granary.reply({"total": counter.add(n)})
        if method == "get":
            return granary.reply({"total": counter.get()})
        raise granary.GrainError(f"unknown method {method!r}: typed-caller has add, get")


WitWorld = granary.export(TypedCaller)
