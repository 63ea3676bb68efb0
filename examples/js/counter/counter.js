// `counter`: adds numbers to a durable total. State is the JSON `{"total": N}`.
// Implements the counter contract of examples/README.md, byte for byte.

import {
  call, handler, log, parse, selfId, setReceiveTimeout, state, text,
} from '../../../sdk-guest/js/granary.js';

let total = 0;

export function activate() {
  total = state.load({ total: 0 }).total ?? 0;
}

export const handle = handler({
  add(payload) {
    const { n } = parse(payload, { n: 'integer' });
    const next = total + n;
    if (!Number.isSafeInteger(next)) throw 'total would overflow';
    state.save({ total: next });
    total = next;
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
});

export function deactivate() {}
