// `counter-caller`: calls typed counters (examples/{rust,python}/typed-counter) through their
// interface `example:typed-counter/counter`, imported like a local module, instead of JSON
// messages. Built against wit/typed-counter, world `counter-caller` (see the file `world`).
//
//   add   {"counter": ID, "n": N, "kind": K?}   -> {"total": T}
//   get   {"counter": ID, "kind": K?}           -> {"total": T}
//   apply {"counter": ID, "kind": K?, "changes": [{"add": N} | {"set": N} | "reset", ...],
//          "rounding": "none" | "down-to-ten"?, "floor": N?, "audit": ["logged", "checked"]?,
//          "note": S?}                         -> {"total": T, "applied": N, "note": S | null, "audit": [...]}
//
// The kind defaults to `typed-counter`. A failed `bind` (unknown kind, no typed interface) and
// an `err` from `apply` come back as the error result, as their message. A negative `n` is sent
// as `apply` with one `add` change, and a negative `floor` is refused (a componentize-js bug,
// see below).

import { bind } from 'granary:grain/typed-calls@0.2.0';
import * as counter from 'example:typed-counter/counter@0.1.0';
import { encode, handler, parse } from '../../../sdk-guest/js/granary.js';

export function activate() {}

// Directs the `counter` import to the grain the payload names. `bind` throws its `err` (a
// ComponentError whose payload is the string), which `handler` replies as that string.
function target(payload, shape) {
  const request = parse(payload, { counter: 'string', kind: 'string?', ...shape });
  bind({ kind: request.kind ?? 'typed-counter', identity: request.counter });
  return request;
}

// componentize-js 0.23 mishandles an s64 passed to or returned by an import as a plain value
// (not inside a list or record; ComponentizeJS#343): a negative argument aborts the grain, and
// a negative result comes back as its unsigned bit pattern (-8 as 18446744073709551608n).
// Results are read back with asIntN; negative arguments are avoided (see add and apply).
const s64Out = (n) => BigInt.asIntN(64, n);
const noAudit = { logged: false, checked: false };

// The total as JSON, with the exact digits of the BigInt rather than a rounded Number.
function totalReply(total) {
  return encode(`{"total":${total}}`);
}

// One JSON change as the WIT variant `change` ({tag, val}; s64 as a BigInt, signed: a list
// is lowered through memory, where componentize-js handles negative values).
function change(value) {
  if (value === 'reset') return { tag: 'reset' };
  const [tag] = value !== null && typeof value === 'object' ? Object.keys(value) : [];
  if ((tag === 'add' || tag === 'set') && Number.isSafeInteger(value[tag])) return { tag, val: BigInt(value[tag]) };
  throw `bad payload: a change is {"add": N}, {"set": N} or "reset", got ${JSON.stringify(value)}`;
}

export const handle = handler({
  add(payload) {
    const { n } = target(payload, { n: 'integer' });
    if (n >= 0) return totalReply(s64Out(counter.add(BigInt(n))));
    // A negative n as `apply([add(n)])`, whose list is lowered through memory (see above):
    // the same change to the total, saved the same way.
    return totalReply(counter.apply([{ tag: 'add', val: BigInt(n) }], 'none', undefined, noAudit, undefined).total);
  },

  get(payload) {
    target(payload);
    return totalReply(s64Out(counter.get()));
  },

  apply(payload) {
    const request = target(payload, {
      changes: 'array', rounding: 'string?', floor: 'integer?', audit: 'array?', note: 'string?',
    });
    const rounding = request.rounding ?? 'none';
    if (rounding !== 'none' && rounding !== 'down-to-ten') throw `bad payload: rounding is "none" or "down-to-ten"`;
    // A negative floor cannot be passed (see above): refuse it rather than abort.
    if (request.floor < 0) throw 'floor must not be negative: componentize-js 0.23 cannot pass a negative s64';
    const audit = request.audit ?? [];
    const summary = counter.apply(
      request.changes.map(change),
      rounding, // enum: its case name as a string
      request.floor === undefined ? undefined : BigInt(request.floor), // option: the value or undefined
      { logged: audit.includes('logged'), checked: audit.includes('checked') }, // flags: booleans
      request.note, // option<string>
    );
    const flags = ['logged', 'checked'].filter((flag) => summary.audit[flag]);
    return encode(`{"total":${summary.total},"applied":${summary.applied},`
      + `"note":${JSON.stringify(summary.note ?? null)},"audit":${JSON.stringify(flags)}}`);
  },
});

export { noReminders as receiveReminder, noEvents as receiveEvent } from '../../../sdk-guest/js/granary.js';

export function deactivate() {}
