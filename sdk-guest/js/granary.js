// Granary's JavaScript guest SDK: a thin layer over the imports of `granary:grain@0.2.0`
// (`host`, `reminders`, `topics`, as componentize-js binds them) so that a grain's module holds
// only its logic. A grain module exports `activate`, `handle`, `receiveReminder`,
// `receiveEvent` and `deactivate`; `noReminders` / `noEvents` are the exports of a grain that
// takes neither, `onReminder(fn)` / `onEvent(fn)` build them for one that does.
//
//   import { handler, state, parse } from '../../../sdk-guest/js/granary.js';
//   let total = 0;
//   export function activate() { total = state.load({ total: 0 }).total; }
//   export const handle = handler({
//     add(payload) { const { n } = parse(payload, { n: 'integer' }); total += n; state.save({ total }); return { total }; },
//     get() { return { total }; },
//   });
//   export function deactivate() {}
//   export { noReminders as receiveReminder, noEvents as receiveEvent } from '../../../sdk-guest/js/granary.js';
//
// componentize-js resolves this module by relative path at build time and snapshots it into
// the component; see README.md beside this file.

import * as host from 'granary:grain/host@0.2.0';
import * as reminderHost from 'granary:grain/reminders@0.2.0';
import * as topicHost from 'granary:grain/topics@0.2.0';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 bytes of `text`. */
export function encode(text) {
  return encoder.encode(text);
}

/**
 * Whether `value` is a `Uint8Array`. Not `instanceof`: the bytes the host bindings hand over
 * (payloads, `loadState`, `call` replies) are made in another realm, whose `Uint8Array` is not
 * this module's.
 */
export function isBytes(value) {
  return Object.prototype.toString.call(value) === '[object Uint8Array]';
}

/** `bytes` decoded as UTF-8 (invalid sequences become U+FFFD). */
export function text(bytes) {
  return decoder.decode(bytes);
}

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * The one-line message of anything a grain or a host import threw.
 *
 * componentize-js turns an `err` returned by an import into a `ComponentError` whose `payload`
 * is the WIT value (a string for `save-state`, a `call-error` variant for `call` and `send`).
 */
export function describe(error) {
  if (typeof error === 'string') return error;
  if (error !== null && typeof error === 'object') {
    if (Object.prototype.hasOwnProperty.call(error, 'payload')) return describe(error.payload);
    if (typeof error.tag === 'string') return describeCallError(error);
    if (typeof error.message === 'string') return error.message;
  }
  return String(error);
}

/** A `call-error` variant (`{tag, val}`) as one line, worded as the Rust SDK words it. */
export function describeCallError({ tag, val }) {
  switch (tag) {
    case 'unavailable': return `unavailable: ${val}`;
    case 'timeout': return 'timed out';
    case 'rejected': return `rejected: ${val}`;
    case 'failed': return `failed: ${val}`;
    default: return `${tag}${val === undefined ? '' : `: ${val}`}`;
  }
}

// ---------------------------------------------------------------------------------------------
// JSON payloads and replies

const kinds = {
  integer: [(v) => Number.isSafeInteger(v), 'an integer'],
  number: [(v) => typeof v === 'number', 'a number'],
  string: [(v) => typeof v === 'string', 'a string'],
  boolean: [(v) => typeof v === 'boolean', 'a boolean'],
  object: [(v) => v !== null && typeof v === 'object' && !Array.isArray(v), 'an object'],
  array: [(v) => Array.isArray(v), 'an array'],
  any: [() => true, 'any JSON value'],
};

/**
 * Parses a JSON payload. With a `shape` (`{field: 'integer' | 'number' | 'string' | 'boolean'
 * | 'object' | 'array' | 'any'}`, a trailing `?` marks a field optional) the payload must be an
 * object whose fields have those types; other fields are ignored. Every failure throws an error
 * whose message starts with `bad payload`.
 */
export function parse(payload, shape) {
  let value;
  try {
    value = JSON.parse(text(payload));
  } catch (e) {
    throw new Error(payload.length === 0 ? 'bad payload: empty, expected JSON' : `bad payload: ${describe(e)}`);
  }
  if (shape === undefined) return value;
  if (!kinds.object[0](value)) throw new Error(`bad payload: expected a JSON object, got ${JSON.stringify(value)}`);
  for (const [field, spec] of Object.entries(shape)) {
    const optional = spec.endsWith('?');
    const kind = kinds[optional ? spec.slice(0, -1) : spec];
    if (kind === undefined) throw new Error(`parse: unknown field type ${JSON.stringify(spec)}`);
    if (!Object.prototype.hasOwnProperty.call(value, field) || value[field] === undefined) {
      if (optional) continue;
      throw new Error(`bad payload: missing field \`${field}\``);
    }
    if (!kind[0](value[field])) {
      throw new Error(`bad payload: field \`${field}\` must be ${kind[1]}, got ${JSON.stringify(value[field])}`);
    }
  }
  return value;
}

/** `value` as compact JSON bytes (`{"total":5}`). */
export function reply(value) {
  const json = JSON.stringify(value);
  if (json === undefined) throw new Error(`cannot encode reply: ${typeof value} is not JSON`);
  return encode(json);
}

// ---------------------------------------------------------------------------------------------
// The `handle` export

/**
 * Builds the `handle` export from a table of methods, or from one `(method, payload)` function.
 *
 * A method gets the payload bytes (a `Uint8Array`) and the method name, and returns either bytes,
 * sent as they are, or any other value, sent as compact JSON (`return { total }` replies
 * `{"total":5}`, `return 'ok'` replies `"ok"`). Anything it throws (a string, an `Error`, a host
 * error) becomes the `err` of the result, as one line; an unknown method is an `err` too. So the
 * grain never traps on a bad request. (componentize-js itself would trap on a thrown `Error`
 * and on a non-string `err`: this wrapper is what prevents that.)
 */
export function handler(methods) {
  const dispatch = typeof methods === 'function'
    ? methods
    : (method, payload) => {
      if (!Object.prototype.hasOwnProperty.call(methods, method)) {
        throw new Error(`unknown method ${JSON.stringify(method)}: this grain has ${Object.keys(methods).join(', ')}`);
      }
      return methods[method](payload, method);
    };
  return async function handle(method, payload) {
    try {
      const value = await dispatch(method, payload);
      return { tag: 'ok', val: isBytes(value) ? value : reply(value) };
    } catch (e) {
      return { tag: 'err', val: describe(e) };
    }
  };
}

// ---------------------------------------------------------------------------------------------
// State

export const state = {
  /** The saved state bytes, or `undefined` for an identity never saved. */
  loadBytes() {
    return host.loadState();
  },

  /** Durably replaces the state; throws when a newer activation wrote since this one loaded. */
  saveBytes(bytes) {
    try {
      host.saveState(bytes);
    } catch (e) {
      throw new Error(`cannot save state: ${describe(e)}`);
    }
  },

  /** The saved state decoded from JSON; `fallback` when none was saved. Throws on corrupt state. */
  load(fallback) {
    const bytes = host.loadState();
    if (bytes === undefined) return fallback;
    try {
      return JSON.parse(text(bytes));
    } catch (e) {
      throw new Error(`corrupt state: ${describe(e)}`);
    }
  },

  /** Saves `value` as compact JSON (durable when it returns). */
  save(value) {
    const json = JSON.stringify(value);
    if (json === undefined) throw new Error(`cannot encode state: ${typeof value} is not JSON`);
    state.saveBytes(encode(json));
  },
};

// ---------------------------------------------------------------------------------------------
// Identity, log, other grains

/** This instance's identity, `{kind, identity}`. */
export function selfId() {
  return host.selfId();
}

/** `"kind/identity"` (or a `{kind, identity}`) as a grain id; throws on a malformed one. */
export function grainId(target) {
  if (target !== null && typeof target === 'object') {
    if (typeof target.kind === 'string' && typeof target.identity === 'string') {
      return { kind: target.kind, identity: target.identity };
    }
  } else if (typeof target === 'string') {
    const slash = target.indexOf('/');
    if (slash > 0 && slash < target.length - 1) {
      return { kind: target.slice(0, slash), identity: target.slice(slash + 1) };
    }
  }
  throw new Error(`bad grain id ${JSON.stringify(target)}: expected "kind/identity"`);
}

function idText({ kind, identity }) {
  return `${kind}/${identity}`;
}

function payloadBytes(payload) {
  if (payload === undefined) return new Uint8Array(0);
  if (isBytes(payload)) return payload;
  if (typeof payload === 'string') return encode(payload);
  throw new TypeError('a payload is a Uint8Array or a string');
}

/**
 * Calls another grain (`"kind/identity"` or `{kind, identity}`) and returns its reply bytes.
 * A failed call throws an `Error` whose message reads `kind/id method: failed: ...` and whose
 * `callError` is the `call-error` variant (`{tag: 'unavailable' | 'timeout' | 'rejected' |
 * 'failed', val}`).
 */
export function call(target, method, payload) {
  const id = grainId(target);
  try {
    return host.call(id, method, payloadBytes(payload));
  } catch (e) {
    throw callFailure(id, method, e);
  }
}

/** Calls another grain with `request` as JSON (none when `undefined`) and parses its JSON reply. */
export function callJson(target, method, request) {
  const reply = call(target, method, request === undefined ? undefined : JSON.stringify(request));
  try {
    return JSON.parse(text(reply));
  } catch (e) {
    throw new Error(`${idText(grainId(target))} ${method}: bad reply: ${describe(e)}`);
  }
}

/** Queues a one-way message to another grain; throws as `call` does when it is refused. */
export function send(target, method, payload) {
  const id = grainId(target);
  try {
    host.send(id, method, payloadBytes(payload));
  } catch (e) {
    throw callFailure(id, method, e);
  }
}

function callFailure(id, method, e) {
  const payload = e !== null && typeof e === 'object' ? e.payload : undefined;
  const error = new Error(`${idText(id)} ${method}: ${describe(e)}`);
  if (payload !== undefined) error.callError = payload;
  return error;
}

/** Deactivates this grain after `millis` without messages; 0 restores the kind's default. */
export function setReceiveTimeout(millis) {
  if (!Number.isSafeInteger(millis) || millis < 0) {
    throw new RangeError(`receive timeout must be a non-negative integer of milliseconds, got ${millis}`);
  }
  host.setReceiveTimeout(millis);
}

/** Lines in the node's log, tagged by the host with this grain's identity. */
export const log = {
  trace: (message) => host.log('trace', String(message)),
  debug: (message) => host.log('debug', String(message)),
  info: (message) => host.log('info', String(message)),
  warn: (message) => host.log('warn', String(message)),
  error: (message) => host.log('error', String(message)),
};

// ---------------------------------------------------------------------------------------------
// Reminders and topics (granary:grain@0.2.0)

/** The result an export of `result<_, string>` returns for what `run` did: never a trap. */
async function outcome(run) {
  try {
    await run();
    return { tag: 'ok', val: undefined };
  } catch (e) {
    return { tag: 'err', val: describe(e) };
  }
}

function millis(value, what) {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative integer of milliseconds, got ${value}`);
  }
  return BigInt(value);
}

/** Durable timers that wake this grain through its `receiveReminder` export. */
export const reminders = {
  /** Sets (or replaces) the reminder `name`: first due after `dueAfterMs`, then every `periodMs` (0: once). */
  set(name, dueAfterMs, periodMs = 0) {
    try {
      reminderHost.setReminder(name, millis(dueAfterMs, 'due-after'), millis(periodMs, 'period'));
    } catch (e) {
      throw new Error(`cannot set reminder ${JSON.stringify(name)}: ${describe(e)}`);
    }
  },

  /** Removes the reminder `name`; `false` if there was none. */
  cancel(name) {
    try {
      return reminderHost.cancelReminder(name);
    } catch (e) {
      throw new Error(`cannot cancel reminder ${JSON.stringify(name)}: ${describe(e)}`);
    }
  },

  /** This grain's reminders: `[{name, dueInMs, periodMs, nextTick}]`. */
  list() {
    try {
      return reminderHost.listReminders().map((r) => ({
        name: r.name, dueInMs: Number(r.dueInMs), periodMs: Number(r.periodMs), nextTick: Number(r.nextTick),
      }));
    } catch (e) {
      throw new Error(`cannot list reminders: ${describe(e)}`);
    }
  },
};

/** Durably publishes `value` (bytes, or anything else as JSON) to `topic` under `key`; returns its sequence number. */
export function publish(topic, key, value) {
  try {
    return Number(topicHost.publish(topic, key, isBytes(value) ? value : reply(value)));
  } catch (e) {
    throw new Error(`cannot publish to ${JSON.stringify(topic)}: ${describe(e)}`);
  }
}

/**
 * The `receiveReminder` export: `fn(name, tick)` runs for each tick (a Number; at least once,
 * so a tick not above the last one seen is a repeat). What it throws is logged by the node.
 */
export function onReminder(fn) {
  return (name, tick) => outcome(() => fn(name, Number(tick)));
}

/**
 * The `receiveEvent` export: `fn({topic, key, sequence, payload})` runs for each event of a topic
 * the kind subscribes to (at least once, in order per topic and key). What it throws has the
 * event delivered again later.
 */
export function onEvent(fn) {
  return ({ topic, key, sequence, payload }) => outcome(() => fn({ topic, key, sequence: Number(sequence), payload }));
}

/** The `receiveReminder` export of a grain that sets no reminders. */
export const noReminders = onReminder((name) => {
  throw new Error(`this grain does not handle reminders (got ${JSON.stringify(name)})`);
});

/** The `receiveEvent` export of a grain whose kind subscribes to no topic. */
export const noEvents = onEvent(({ topic }) => {
  throw new Error(`this grain does not handle events (got one on ${JSON.stringify(topic)})`);
});
