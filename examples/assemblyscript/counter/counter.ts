// counter: adds numbers to a durable total. State is the JSON {"total":N}.
// Implements the counter contract of examples/README.md, byte for byte.

import {
  Event, GrainId, Grain, LogLevel, ObjectBuilder, Reply, badPayload, call, cancelReminder, decodeUtf8, loadObject,
  log, parseObject, publish, quoteJson, register, saveState, selfId, setReceiveTimeout, setReminder,
} from "../../../sdk-guest/assemblyscript/granary";

export * from "../../../sdk-guest/assemblyscript/exports";

class Counter extends Grain {
  total: i64 = 0;
  // Reminder ticks this activation received (not saved), and the last tick counted.
  ticks: u64 = 0;
  lastTick: u64 = 0;

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
    if (method == "remind") return remind(payload);
    if (method == "unremind") {
      const cancelled = cancelReminder("tick");
      const error = cancelled.error;
      if (error != null) return Reply.err(error);
      return Reply.ok(new ObjectBuilder().bool("cancelled", cancelled.existed).toBytes());
    }
    if (method == "ticks") return Reply.ok(new ObjectBuilder().int("ticks", <i64>this.ticks).toBytes());
    if (method == "publish") return publishEvent(payload);
    return Reply.err(
      "unknown method \"" + method + "\": counter has add, get, whoami, log, call, set-timeout, remind, unremind, ticks, publish",
    );
  }

  // Counts each tick once: one not above the last one seen is a repeat.
  receiveReminder(name: string, tick: u64): string | null {
    if (tick > this.lastTick) {
      this.ticks += 1;
      this.lastTick = tick;
    }
    return null;
  }

  // An event {"n": N} on a subscribed topic adds N, as add does.
  receiveEvent(event: Event): string | null {
    const added = this.add(event.payload);
    return added.isOk ? null : added.error;
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

// {"period_ms": N}: sets the reminder "tick", first due after N ms, then every N ms.
function remind(payload: Uint8Array): Reply {
  const request = parseObject(payload);
  const period = request.getInt("period_ms");
  const error = request.error;
  if (error != null) return Reply.err(error);
  if (period < 0) return badPayload("period_ms must not be negative, got " + period.toString());
  const setError = setReminder("tick", <u64>period, <u64>period);
  if (setError != null) return Reply.err(setError);
  return Reply.ok(quoteJson("ok"));
}

// {"topic": T, "key": K, "payload": <json>}: publishes the payload, replies {"sequence":N}.
function publishEvent(payload: Uint8Array): Reply {
  const request = parseObject(payload);
  const topic = request.getString("topic");
  const key = request.getString("key");
  const error = request.error;
  if (error != null) return Reply.err(error);
  const body = request.getRaw("payload");
  const published = publish(topic, key, body == null ? new Uint8Array(0) : body);
  const publishError = published.error;
  if (publishError != null) return Reply.err(publishError);
  return Reply.ok(new ObjectBuilder().int("sequence", <i64>published.sequence).toBytes());
}

function totalJson(total: i64): Uint8Array {
  return new ObjectBuilder().int("total", total).toBytes();
}

register(new Counter());
