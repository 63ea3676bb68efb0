"""`typed-counter` in Python: a typed grain exporting `example:typed-counter/counter`
(wit/typed-counter, world `typed-counter`): `add(n) -> total`, `get() -> total` and `apply`.

Behaves as the Rust build (examples/rust/typed-counter) does and saves the same state,
`{"total":N}`, so a hot reload from one to the other keeps the total. Callers use JSON
(`granary call typed-counter/a add '{"n":5}'`) or, from another grain, the interface itself
(examples/js/counter-caller).

Uses the generated bindings directly rather than granary.py: the typed-grain world has no
`handle`, reminders or receive-event.
"""

import json

import wit_world
from componentize_py_types import Err
from wit_world.exports import counter
from wit_world.imports import host

# The total of this activation (one activation per instance).
total = 0


def wrap(n: int) -> int:
    """`n` as a signed 64-bit integer, wrapping as the Rust build's `wrapping_add` does."""
    return (n + (1 << 63)) % (1 << 64) - (1 << 63)


def save(new_total: int) -> int:
    """Durably saves `{"total":N}`, then keeps it. A stale activation traps, as the Rust build
    panics: the node discards it (an `Err` raised in `apply` would be its err result instead)."""
    global total
    try:
        host.save_state(json.dumps({"total": new_total}, separators=(",", ":")).encode())
    except Err as error:
        raise RuntimeError(f"cannot save the total: {error.value}")
    total = new_total
    return total


class WitWorld(wit_world.WitWorld):
    def activate(self) -> None:
        global total
        saved = host.load_state()
        try:
            loaded = json.loads(saved)["total"] if saved is not None else 0
        except (ValueError, KeyError, TypeError):
            loaded = 0
        # As the Rust build reads it: anything but an i64 is 0.
        is_i64 = isinstance(loaded, int) and not isinstance(loaded, bool) and wrap(loaded) == loaded
        total = loaded if is_i64 else 0

    def deactivate(self) -> None:
        pass


class Counter(wit_world.exports.Counter):
    def add(self, n: int) -> int:
        return save(wrap(total + n))

    def get(self) -> int:
        return total

    def apply(self, changes, rounding, floor, audit, note) -> counter.Summary:
        t = total
        for change in changes:
            if isinstance(change, counter.Change_Add):
                t = wrap(t + change.value)
            elif isinstance(change, counter.Change_Set):
                t = change.value
            else:  # reset
                t = 0
        if rounding == counter.Rounding.DOWN_TO_TEN:
            t = wrap((t // 10) * 10)  # toward negative infinity, as Rust's div_euclid by 10
        if floor is not None and t < floor:
            raise Err(f"total {t} would fall below the floor {floor}")
        save(t)
        return counter.Summary(total=t, applied=len(changes), note=note, audit=audit)
