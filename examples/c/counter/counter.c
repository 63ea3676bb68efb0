/* counter: adds numbers to a durable total. State is the JSON {"total":N}.
 * Implements the counter contract of examples/README.md, byte for byte. */
#include <granary.h>

static int64_t total;

static bool reply_total(granary_buf *reply, int64_t value) {
  granary_json_begin(reply);
  granary_json_put_int(reply, "total", value);
  return granary_json_end(reply);
}

/* Loads the saved total; an identity never saved starts at 0. A state that is not
 * {"total":N} fails the activation rather than being overwritten. */
bool grain_activate(granary_buf *err) {
  granary_json state;
  bool saved;
  if (!granary_load_object(&state, &saved, err)) return false;
  bool ok = !saved || granary_json_get_int(&state, "total", &total, err);
  granary_json_free(&state);
  return ok;
}

/* Adds the "n" of the JSON object in payload to the total, durably; reply is {"total":N}. */
static bool add(granary_view payload, granary_buf *reply, granary_buf *err) {
  granary_json req;
  if (!granary_json_parse(payload, &req, err)) return false;
  int64_t n, next;
  bool ok = granary_json_get_int(&req, "n", &n, err);
  granary_json_free(&req);
  if (!ok) return false;
  if (__builtin_add_overflow(total, n, &next)) return granary_fail(err, "total would overflow");
  reply_total(reply, next);
  if (!granary_save_state(granary_buf_view(reply), err)) return false;
  total = next;
  return true;
}

/* Reminder ticks this activation received (not saved), and the last tick counted. */
static uint64_t ticks, last_tick;

/* {"period_ms": N} sets the reminder "tick", first due after N ms, then every N ms. */
static bool remind(granary_view payload, granary_buf *reply, granary_buf *err) {
  granary_json req;
  if (!granary_json_parse(payload, &req, err)) return false;
  int64_t period;
  bool ok = granary_json_get_int(&req, "period_ms", &period, err);
  granary_json_free(&req);
  if (!ok) return false;
  if (period < 0) return granary_bad_payload(err, "period_ms must not be negative");
  if (!granary_set_reminder(granary_str("tick"), (uint64_t)period, (uint64_t)period, err)) return false;
  return granary_json_quote(reply, granary_str("ok"));
}

static bool unremind(granary_buf *reply, granary_buf *err) {
  bool cancelled;
  if (!granary_cancel_reminder(granary_str("tick"), &cancelled, err)) return false;
  granary_json_begin(reply);
  granary_json_put_bool(reply, "cancelled", cancelled);
  return granary_json_end(reply);
}

/* {"topic": T, "key": K, "payload": <json>} publishes the payload; reply {"sequence":N}. */
static bool publish(granary_view payload, granary_buf *reply, granary_buf *err) {
  granary_json req;
  if (!granary_json_parse(payload, &req, err)) return false;
  granary_buf topic = {0}, key = {0}, body = {0};
  uint64_t sequence;
  bool ok = granary_json_get_string(&req, "topic", &topic, err) && granary_json_get_string(&req, "key", &key, err);
  if (ok) {
    granary_json_get_raw(&req, "payload", &body);
    ok = granary_publish(granary_buf_view(&topic), granary_buf_view(&key), granary_buf_view(&body), &sequence, err);
  }
  granary_buf_free(&topic);
  granary_buf_free(&key);
  granary_buf_free(&body);
  granary_json_free(&req);
  if (!ok) return false;
  granary_json_begin(reply);
  granary_json_put_int(reply, "sequence", (int64_t)sequence);
  return granary_json_end(reply);
}

/* Counts each tick once: one not above the last one seen is a repeat. */
bool grain_receive_reminder(granary_view name, uint64_t tick, granary_buf *err) {
  (void)name;
  (void)err;
  if (tick > last_tick) {
    ticks++;
    last_tick = tick;
  }
  return true;
}

/* An event {"n": N} on a subscribed topic adds N, as `add` does. */
bool grain_receive_event(const granary_event *event, granary_buf *err) {
  granary_buf reply = {0};
  bool ok = add(event->payload, &reply, err);
  granary_buf_free(&reply);
  return ok;
}

static bool whoami(granary_buf *reply) {
  granary_id self = granary_self_id();
  granary_json_begin(reply);
  granary_json_put_string(reply, "kind", self.kind);
  granary_json_put_string(reply, "identity", self.identity);
  return granary_json_end(reply);
}

/* Forwards {"target": "kind/id", "method": M, "payload": <json, optional>} and replies with
 * the target's reply bytes. */
static bool forward(granary_view payload, granary_buf *reply, granary_buf *err) {
  granary_json req;
  if (!granary_json_parse(payload, &req, err)) return false;
  granary_buf target = {0}, method = {0}, body = {0};
  granary_id callee;
  bool ok = granary_json_get_string(&req, "target", &target, err);
  if (ok && !granary_parse_id(granary_buf_view(&target), &callee)) {
    granary_buf_puts(err, "bad payload: target must be \"kind/identity\", got ");
    granary_json_quote(err, granary_buf_view(&target));
    ok = false;
  }
  ok = ok && granary_json_get_string(&req, "method", &method, err);
  if (ok) {
    granary_json_get_raw(&req, "payload", &body); /* compact JSON text; none when absent */
    ok = granary_call(callee, granary_buf_view(&method), granary_buf_view(&body), reply, err);
  }
  granary_buf_free(&target);
  granary_buf_free(&method);
  granary_buf_free(&body);
  granary_json_free(&req);
  return ok;
}

static bool set_timeout(granary_view payload, granary_buf *reply, granary_buf *err) {
  granary_json req;
  if (!granary_json_parse(payload, &req, err)) return false;
  int64_t millis;
  bool ok = granary_json_get_int(&req, "millis", &millis, err);
  granary_json_free(&req);
  if (!ok) return false;
  if (millis < 0) return granary_bad_payload(err, "millis must not be negative");
  granary_set_receive_timeout((uint64_t)millis);
  return granary_json_quote(reply, granary_str("ok"));
}

bool grain_handle(granary_view method, granary_view payload, granary_buf *reply, granary_buf *err) {
  if (granary_view_eq(method, "add")) return add(payload, reply, err);
  if (granary_view_eq(method, "get")) return reply_total(reply, total);
  if (granary_view_eq(method, "whoami")) return whoami(reply);
  if (granary_view_eq(method, "log")) {
    granary_log(GRANARY_INFO, payload);
    return granary_json_quote(reply, granary_str("logged"));
  }
  if (granary_view_eq(method, "call")) return forward(payload, reply, err);
  if (granary_view_eq(method, "set-timeout")) return set_timeout(payload, reply, err);
  if (granary_view_eq(method, "remind")) return remind(payload, reply, err);
  if (granary_view_eq(method, "unremind")) return unremind(reply, err);
  if (granary_view_eq(method, "ticks")) {
    granary_json_begin(reply);
    granary_json_put_int(reply, "ticks", (int64_t)ticks);
    return granary_json_end(reply);
  }
  if (granary_view_eq(method, "publish")) return publish(payload, reply, err);
  granary_buf_puts(err, "unknown method ");
  granary_json_quote(err, method);
  return granary_fail(err, ": counter has add, get, whoami, log, call, set-timeout, remind, unremind, ticks, publish");
}
