// `__NAME__`: a Granary grain. `./build.sh` makes __NAME__.wasm; README.md says what next.

import { handler, parse, state } from './granary.js';

// How many greetings this identity has given, kept in the grain's state.
let count = 0;

export function activate() {
  count = state.load({ count: 0 }).count ?? 0;
}

export const handle = handler({
  greet(payload) {
    const { name } = parse(payload, { name: 'string' });
    state.save({ count: count + 1 });
    count += 1;
    return { greeting: `Hello, ${name}!`, count };
  },
});

export function deactivate() {}

// Reminders and topic events: see granary.js (onReminder, onEvent) to take them.
export { noReminders as receiveReminder, noEvents as receiveEvent } from './granary.js';
