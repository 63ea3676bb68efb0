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
  granary_buf_puts(err, "unknown method ");
  granary_json_quote(err, method);
  return granary_fail(err, ": counter has add, get, whoami, log, call, set-timeout");
}
