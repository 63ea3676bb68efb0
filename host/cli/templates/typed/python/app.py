"""`__NAME__`: a typed Granary grain exporting the interface in wit/world.wit.
`./build.sh` makes __NAME__.wasm; README.md says what next."""

import json

import wit_world
from componentize_py_types import Err
from wit_world.exports import api
from wit_world.imports import host

# How many greetings this identity has given (one activation per instance).
greetings = 0


class WitWorld(wit_world.WitWorld):
    def activate(self) -> None:
        global greetings
        saved = host.load_state()
        greetings = json.loads(saved)["count"] if saved is not None else 0

    def deactivate(self) -> None:
        pass


class Api(wit_world.exports.Api):
    def greet(self, name: str) -> api.Greeting:
        global greetings
        try:
            host.save_state(json.dumps({"count": greetings + 1}).encode())
        except Err as error:
            # A newer activation owns the state: trap, and the node drops this one.
            raise RuntimeError(f"cannot save: {error.value}")
        greetings += 1
        return api.Greeting(greeting=f"Hello, {name}!", count=greetings)

    def count(self) -> int:
        return greetings
