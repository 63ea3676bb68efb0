// counter: adds numbers to a durable total. State is the JSON {"total":N}.
// Implements the counter contract of examples/README.md, byte for byte.

import {
  GrainId, Grain, LogLevel, ObjectBuilder, Reply, badPayload, call, decodeUtf8, loadObject, log,
  parseObject, quoteJson, register, saveState, selfId, setReceiveTimeout,
} from "../../../sdk-guest/assemblyscript/granary";

export * from "../../../sdk-guest/assemblyscript/exports";

class Counter extends Grain {
  total: i64 = 0;

  // An identity never saved starts at 0. A state that is not {"total":N} fails the
  // activation rather than being overwritten.
  activate(): string | null {
    const state = loadObject();
    if (state == null) return null;
    this.total = state.getInt("total");
    return state.error;
  }

  handle(method: string, payload: Uint8Array): Reply {
    if (method == "add") return this.add(payload);
    if (method == "get") return Reply.ok(totalJson(this.total));
    if (method == "whoami") {
      const id = selfId();
      return Reply.ok(new ObjectBuilder().string("kind", id.kind).string("identity", id.identity).toBytes());
    }
    if (method == "log") {
      log(LogLevel.Info, decodeUtf8(payload));
      return Reply.ok(quoteJson("logged"));
    }
    if (method == "call") return forwardCall(payload);
    if (method == "set-timeout") return applyTimeout(payload);
    return Reply.err("unknown method \"" + method + "\": counter has add, get, whoami, log, call, set-timeout");
  }

  private add(payload: Uint8Array): Reply {
    const request = parseObject(payload);
    const n = request.getInt("n");
    const error = request.error;
    if (error != null) return Reply.err(error);
    const total = this.total;
    if ((n > 0 && total > i64.MAX_VALUE - n) || (n < 0 && total < i64.MIN_VALUE - n)) {
      return Reply.err("total would overflow");
    }
    const next = totalJson(total + n);
    const saveError = saveState(next);
    if (saveError != null) return Reply.err(saveError);
    this.total = total + n;
    return Reply.ok(next);
  }
}

// {"target": "kind/id", "method": M, "payload": <json, optional>}: the target's reply bytes.
function forwardCall(payload: Uint8Array): Reply {
  const request = parseObject(payload);
  const target = request.getString("target");
  const method = request.getString("method");
  const error = request.error;
  if (error != null) return Reply.err(error);
  const callee = GrainId.parse(target);
  if (callee == null) return badPayload("target must be \"kind/identity\", got \"" + target + "\"");
  return call(callee.kind, callee.identity, method, request.getRaw("payload")).toReply();
}

// {"millis": N}: replies "ok".
function applyTimeout(payload: Uint8Array): Reply {
  const request = parseObject(payload);
  const millis = request.getInt("millis");
  const error = request.error;
  if (error != null) return Reply.err(error);
  if (millis < 0) return badPayload("millis must not be negative, got " + millis.toString());
  setReceiveTimeout(<u64>millis);
  return Reply.ok(quoteJson("ok"));
}

function totalJson(total: i64): Uint8Array {
  return new ObjectBuilder().int("total", total).toBytes();
}

register(new Counter());
