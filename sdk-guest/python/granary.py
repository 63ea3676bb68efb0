"""Write Granary grains in Python: subclass `Grain`, then `WitWorld = granary.export(YourGrain)`.

Built with componentize-py against wit/grain.wit; see sdk-guest/python/README.md.
"""

import json

import wit_world
from componentize_py_types import Err
from wit_world.imports import host

try:
    from wit_world.imports import types
except ImportError:  # a world that also imports wasi:http/types names ours by its package
    from wit_world.imports import granary_grain_types as types


class GrainError(Exception):
    """Raise to answer the current message with an error result (the grain keeps running)."""


class Grain:
    """One grain kind. A new instance is made per activation, before the first message."""

    def activate(self) -> None:
        pass

    def handle(self, method: str, payload: bytes) -> bytes:
        raise GrainError(f"unknown method {method!r}")

    def deactivate(self) -> None:
        pass


def export(grain_class):
    """The `WitWorld` class componentize-py exports, running `grain_class`."""

    class _Exports(wit_world.WitWorld):
        grain = None

        def activate(self) -> None:
            _Exports.grain = grain_class()
            _Exports.grain.activate()

        def handle(self, method: str, payload: bytes) -> bytes:
            if _Exports.grain is None:
                self.activate()
            try:
                return _Exports.grain.handle(method, bytes(payload))
            except GrainError as error:
                raise Err(str(error))

        def deactivate(self) -> None:
            if _Exports.grain is not None:
                _Exports.grain.deactivate()
                _Exports.grain = None

    return _Exports


# JSON payloads ---------------------------------------------------------------


def parse(payload: bytes, *fields: str) -> dict:
    """The payload as a JSON object holding `fields`; a `GrainError` starting "bad payload" otherwise."""
    try:
        value = json.loads(payload)
    except ValueError as error:
        raise GrainError(f"bad payload: {error}")
    if not isinstance(value, dict):
        raise GrainError("bad payload: expected a JSON object")
    missing = [field for field in fields if field not in value]
    if missing:
        raise GrainError(f"bad payload: missing {', '.join(missing)}")
    return value


def reply(value) -> bytes:
    """`value` as compact JSON bytes: {"total":5}."""
    return json.dumps(value, separators=(",", ":")).encode()


# State -------------------------------------------------------------------------


def load_state(default=None):
    """The last saved state decoded from JSON, or `default` for a grain never saved."""
    saved = host.load_state()
    return default if saved is None else json.loads(saved)


def save_state(value) -> None:
    """Durably saves `value` as JSON; raises `GrainError` if a newer activation wrote since."""
    try:
        host.save_state(reply(value))
    except Err as error:
        raise GrainError(f"cannot save state: {error.value}")


# This grain and others -------------------------------------------------------


def self_id() -> tuple:
    """(kind, identity) of this grain."""
    me = host.self_id()
    return me.kind, me.identity


def log(message: str, level: str = "info") -> None:
    host.log(types.LogLevel[level.upper()], message)


def _grain(target: str) -> types.GrainId:
    kind, slash, identity = target.partition("/")
    if not slash:
        raise GrainError(f"target {target!r} is not kind/identity")
    return types.GrainId(kind=kind, identity=identity)


def describe(error) -> str:
    """A call-error as one line."""
    if isinstance(error, types.CallError_Timeout):
        return "timed out"
    kind = type(error).__name__.removeprefix("CallError_").lower()
    return f"{kind}: {error.value}"


def call(target: str, method: str, payload: bytes = b"") -> bytes:
    """Calls grain `target` ("kind/identity") and returns its reply."""
    try:
        return host.call(_grain(target), method, payload)
    except Err as error:
        raise GrainError(f"call to {target} {method} failed: {describe(error.value)}")


def send(target: str, method: str, payload: bytes = b"") -> None:
    """Queues a one-way message for grain `target`."""
    try:
        host.send(_grain(target), method, payload)
    except Err as error:
        raise GrainError(f"send to {target} {method} failed: {describe(error.value)}")


def set_receive_timeout(millis: int) -> None:
    """Deactivate this grain after `millis` ms without messages; 0 restores the kind's default."""
    host.set_receive_timeout(millis)
