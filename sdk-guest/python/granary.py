"""Write Granary grains in Python: subclass `Grain`, then `WitWorld = granary.export(YourGrain)`.

Built with componentize-py against wit/grain.wit (granary:grain@0.2.0: reminders and topics),
or against a world of 0.1.0 (wit/http-grain), where reminders and topics are absent; see
sdk-guest/README.md.
"""

import json

import wit_world
from componentize_py_types import Err
from wit_world.imports import host

try:
    from wit_world.imports import types
except ImportError:  # a world that also imports wasi:http/types names ours by its package
    from wit_world.imports import granary_grain_types as types

try:  # granary:grain@0.2.0
    from wit_world.imports import reminders, topics
except ImportError:  # a world of 0.1.0
    reminders = topics = None


class GrainError(Exception):
    """Raise to answer the current message with an error result (the grain keeps running)."""


class CallFailed(GrainError):
    """A call to another grain did not produce its reply. `kind` says why: "failed" (the callee
    ran and returned an error), "unavailable", "timeout" or "rejected" (it may not have run)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


class Grain:
    """One grain kind. A new instance is made per activation, before the first message."""

    def activate(self) -> None:
        pass

    def handle(self, method: str, payload: bytes) -> bytes:
        raise GrainError(f"unknown method {method!r}")

    def receive_reminder(self, name: str, tick: int) -> None:
        """A reminder this grain set is due. At least once: a tick not above the last one seen is a repeat."""
        raise GrainError(f"this grain does not handle reminders (got {name!r}, tick {tick})")

    def receive_event(self, topic: str, key: str, sequence: int, payload: bytes) -> None:
        """An event of a topic this kind subscribes to. At least once, in order per (topic, key);
        raising `GrainError` has it delivered again later."""
        raise GrainError(f"this grain does not handle events (got one on {topic!r})")

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

        def _running(self):
            if _Exports.grain is None:
                self.activate()
            return _Exports.grain

        def receive_reminder(self, name: str, tick: int) -> None:
            try:
                self._running().receive_reminder(name, tick)
            except GrainError as error:
                raise Err(str(error))

        def receive_event(self, event) -> None:
            try:
                self._running().receive_event(event.topic, event.key, event.sequence, bytes(event.payload))
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


def _kind(error) -> str:
    return type(error).__name__.removeprefix("CallError_").lower()


def describe(error) -> str:
    """A call-error as one line."""
    if isinstance(error, types.CallError_Timeout):
        return "timed out"
    return f"{_kind(error)}: {error.value}"


def call(target: str, method: str, payload: bytes = b"") -> bytes:
    """Calls grain `target` ("kind/identity") and returns its reply."""
    try:
        return host.call(_grain(target), method, payload)
    except Err as error:
        raise CallFailed(_kind(error.value), f"call to {target} {method} failed: {describe(error.value)}")


def send(target: str, method: str, payload: bytes = b"") -> None:
    """Queues a one-way message for grain `target`."""
    try:
        host.send(_grain(target), method, payload)
    except Err as error:
        raise GrainError(f"send to {target} {method} failed: {describe(error.value)}")


def set_receive_timeout(millis: int) -> None:
    """Deactivate this grain after `millis` ms without messages; 0 restores the kind's default."""
    host.set_receive_timeout(millis)


# Reminders and topics (granary:grain@0.2.0) -------------------------------------


def _v2(interface, what):
    if interface is None:
        raise GrainError(f"{what} needs granary:grain@0.2.0; this grain was built against 0.1.0")
    return interface


def set_reminder(name: str, due_after_ms: int, period_ms: int = 0) -> None:
    """Durably sets the reminder `name`: first due after `due_after_ms`, then every `period_ms` (0: once)."""
    try:
        _v2(reminders, "reminders").set_reminder(name, due_after_ms, period_ms)
    except Err as error:
        raise GrainError(f"cannot set reminder {name!r}: {error.value}")


def cancel_reminder(name: str) -> bool:
    """Durably removes the reminder `name`; False if there was none."""
    try:
        return _v2(reminders, "reminders").cancel_reminder(name)
    except Err as error:
        raise GrainError(f"cannot cancel reminder {name!r}: {error.value}")


def list_reminders() -> list:
    """This grain's reminders, as dicts with name, due_in_ms, period_ms and next_tick."""
    try:
        listed = _v2(reminders, "reminders").list_reminders()
    except Err as error:
        raise GrainError(f"cannot list reminders: {error.value}")
    return [{"name": r.name, "due_in_ms": r.due_in_ms, "period_ms": r.period_ms, "next_tick": r.next_tick} for r in listed]


def publish(topic: str, key: str, value) -> int:
    """Durably publishes `value` as JSON to `topic` under `key`; returns its sequence number."""
    try:
        return _v2(topics, "topics").publish(topic, key, reply(value))
    except Err as error:
        raise GrainError(f"cannot publish to {topic!r}: {error.value}")
