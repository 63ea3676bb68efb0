// `__NAME__`: a typed Granary grain exporting the interface in wit/world.wit.
// `./build.sh` makes __NAME__.wasm; README.md says what next.

import { loadState, saveState } from 'granary:grain/host@0.2.0';

// How many greetings this identity has given (one activation per instance); a u64 is a BigInt.
let count = 0n;

export function activate() {
  const saved = loadState();
  count = saved === undefined ? 0n : BigInt(JSON.parse(new TextDecoder().decode(saved)).count);
}

export function deactivate() {}

// The exported interface `api`: its functions take and return the WIT types.
export const api = {
  greet(name) {
    // A refused save throws: the turn traps, and the node drops this activation.
    saveState(new TextEncoder().encode(JSON.stringify({ count: Number(count + 1n) })));
    count += 1n;
    return { greeting: `Hello, ${name}!`, count };
  },

  count() {
    return count;
  },
};
