// `counter`: adds numbers to a durable total. State is the JSON `{"total": N}`.
// Implements the counter contract of examples/README.md, byte for byte.

import {
  call, handler, log, onEvent, onReminder, parse, publish, reminders, selfId, setReceiveTimeout, state, text,
} from '../../../sdk-guest/js/granary.js';

let total = 0;
// Reminder ticks this activation received, and the last tick number seen (not saved).
let ticks = 0;
let lastTick = 0;

function add(n) {
  const next = total + n;
  if (!Number.isSafeInteger(next)) throw 'total would overflow';
  state.save({ total: next });
  total = next;
}

export function activate() {
  total = state.load({ total: 0 }).total ?? 0;
}

export const handle = handler({
  add(payload) {
    const { n } = parse(payload, { n: 'integer' });
    add(n);
    return { total };
  },

  get() {
    return { total };
  },

  whoami() {
    const { kind, identity } = selfId();
    return { kind, identity };
  },

  log(payload) {
    log.info(text(payload));
    return 'logged';
  },

  call(payload) {
    const request = parse(payload, { target: 'string', method: 'string', payload: 'any?' });
    if (!/^[^/]+\/.+$/.test(request.target)) {
      throw `bad payload: target must be "kind/identity", got ${JSON.stringify(request.target)}`;
    }
    const body = request.payload === undefined ? undefined : JSON.stringify(request.payload);
    return call(request.target, request.method, body);
  },

  'set-timeout'(payload) {
    const { millis } = parse(payload, { millis: 'integer' });
    if (millis < 0) throw `bad payload: millis must not be negative, got ${millis}`;
    setReceiveTimeout(millis);
    return 'ok';
  },

  remind(payload) {
    const { period_ms: period } = parse(payload, { period_ms: 'integer' });
    reminders.set('tick', period, period);
    return 'ok';
  },

  unremind() {
    return { cancelled: reminders.cancel('tick') };
  },

  ticks() {
    return { ticks };
  },

  publish(payload) {
    const request = parse(payload, { topic: 'string', key: 'string', payload: 'any' });
    return { sequence: publish(request.topic, request.key, request.payload) };
  },
});

export const receiveReminder = onReminder((name, tick) => {
  if (tick > lastTick) {
    ticks += 1;
    lastTick = tick;
  }
});

export const receiveEvent = onEvent(({ payload }) => {
  const { n } = parse(payload, { n: 'integer' });
  add(n);
});

export function deactivate() {}
