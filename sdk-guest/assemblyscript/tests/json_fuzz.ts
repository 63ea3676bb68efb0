// The JSON helpers as a plain wasm module for sdk-guest/assemblyscript/tests/json_fuzz.mjs,
// which runs it in Node with payloads mutated from seeds. Any payload must either fail with
// an error or parse and answer every getter; a string member, written back with the
// builder, must read back the same. An inconsistency traps (`unreachable`).

import { JsonObject, ObjectBuilder } from "../json";

const INPUT = new Uint8Array(1 << 16);
const NAMES: string[] = ["n", "s", "p", "b", ""];

/** Where the harness writes a payload (at most 64 KiB). */
export function input(): usize {
  return INPUT.dataStart;
}

/** Checks the payload of `length` bytes at `input()`: 1 when it parsed, 0 when it failed cleanly. */
export function check(length: i32): i32 {
  const payload = Uint8Array.wrap(INPUT.buffer, 0, length);
  if (JsonObject.parse(payload).error != null) return 0;
  for (let i = 0; i < NAMES.length; i++) {
    const name = NAMES[i];
    const object = JsonObject.parse(payload);
    object.has(name);
    object.getRaw(name);
    object.getInt(name);
    object.getBool(name);
    const reading = JsonObject.parse(payload);
    const text = reading.getString(name);
    if (reading.error != null) continue;
    const rebuilt = JsonObject.parse(new ObjectBuilder().string("s", text).toBytes());
    const back = rebuilt.getString("s");
    if (rebuilt.error != null || back != text) unreachable();
  }
  return 1;
}
