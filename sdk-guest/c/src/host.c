/* The host interface granary:grain/host: identity, log, state, other grains, receive timeout,
 * over the generated import bindings (grain.h). */
#include "grain.h"
#include "internal.h"

/* The imports only read the strings and lists they are given. */
static grain_string_t as_string(granary_view v) { return (grain_string_t){(uint8_t *)v.ptr, v.len}; }
static grain_list_u8_t as_list(granary_view v) { return (grain_list_u8_t){(uint8_t *)v.ptr, v.len}; }
static granary_view string_view(const grain_string_t *s) { return (granary_view){s->ptr, s->len}; }

/* --- identity and log ------------------------------------------------------------------- */

granary_id granary_self_id(void) {
  static granary_grain_host_grain_id_t self;
  static bool known;
  if (!known) {
    granary_grain_host_self_id(&self);
    known = true;
  }
  return (granary_id){string_view(&self.kind), string_view(&self.identity)};
}

bool granary_parse_id(granary_view text, granary_id *id) {
  for (size_t i = 0; i < text.len; i++) {
    if (text.ptr[i] != '/') continue;
    if (i == 0 || i == text.len - 1) return false;
    id->kind = (granary_view){text.ptr, i};
    id->identity = (granary_view){text.ptr + i + 1, text.len - i - 1};
    return true;
  }
  return false;
}

void granary_log(granary_level level, granary_view msg) {
  granary_grain_host_log_level_t wit_level = level > GRANARY_ERROR ? GRANARY_ERROR : level;
  if (granary_utf8_valid(msg)) {
    grain_string_t line = as_string(msg);
    granary_grain_host_log(wit_level, &line);
    return;
  }
  granary_buf text = {0};
  granary_buf_put_utf8(&text, msg);
  grain_string_t line = {text.ptr, text.len};
  granary_grain_host_log(wit_level, &line);
  granary_buf_free(&text);
}

void granary_log_str(granary_level level, const char *msg) { granary_log(level, granary_str(msg)); }

/* --- state ------------------------------------------------------------------------------- */

bool granary_load_state(granary_buf *state, bool *saved, granary_buf *err) {
  grain_list_u8_t got;
  *saved = granary_grain_host_load_state(&got);
  if (!*saved) return true;
  size_t len = got.len;
  if (len <= GRANARY_PAYLOAD_LIMIT) granary_buf_append(state, got.ptr, len);
  grain_list_u8_free(&got);
  /* Only a grain in another language can have saved that much. */
  if (len > GRANARY_PAYLOAD_LIMIT) return granary_too_large(err, "saved state", len, GRANARY_PAYLOAD_LIMIT);
  return true;
}

bool granary_save_state(granary_view state, granary_buf *err) {
  if (state.len > GRANARY_PAYLOAD_LIMIT) {
    granary_buf_puts(err, "cannot save state: ");
    return granary_too_large(err, "state", state.len, GRANARY_PAYLOAD_LIMIT);
  }
  grain_list_u8_t bytes = as_list(state);
  grain_string_t why;
  if (granary_grain_host_save_state(&bytes, &why)) return true;
  granary_buf_puts(err, "cannot save state: ");
  granary_buf_put_view(err, string_view(&why));
  grain_string_free(&why);
  return false;
}

/* --- other grains ------------------------------------------------------------------------ */

/* "kind/id method: ", the start of every call error. */
static void describe(granary_buf *err, granary_id target, granary_view method) {
  granary_buf_put_utf8(err, target.kind);
  granary_buf_puts(err, "/");
  granary_buf_put_utf8(err, target.identity);
  granary_buf_puts(err, " ");
  granary_buf_put_utf8(err, method);
  granary_buf_puts(err, ": ");
}

/* Strings that are not UTF-8 would trap in the host; refuse them here instead. */
static bool strings_valid(granary_id target, granary_view method, granary_buf *err) {
  if (granary_utf8_valid(target.kind) && granary_utf8_valid(target.identity) && granary_utf8_valid(method))
    return true;
  describe(err, target, method);
  return granary_fail(err, "rejected: the grain id or method is not UTF-8");
}

static bool call_failed(granary_buf *err, granary_id target, granary_view method,
                        granary_grain_host_call_error_t *why) {
  static const char *const kinds[] = {"unavailable", "timed out", "rejected", "failed"};
  describe(err, target, method);
  granary_buf_puts(err, why->tag < 4 ? kinds[why->tag] : "call error");
  if (why->tag != GRANARY_GRAIN_TYPES_CALL_ERROR_TIMEOUT) {
    granary_buf_puts(err, ": ");
    granary_buf_put_view(err, string_view(&why->val.failed)); /* every case with text shares the slot */
  }
  granary_grain_host_call_error_free(why);
  return false;
}

bool granary_call(granary_id target, granary_view method, granary_view payload, granary_buf *reply,
                  granary_buf *err) {
  if (!strings_valid(target, method, err)) return false;
  granary_grain_host_grain_id_t id = {as_string(target.kind), as_string(target.identity)};
  grain_string_t wit_method = as_string(method);
  grain_list_u8_t body = as_list(payload), got;
  granary_grain_host_call_error_t why;
  if (!granary_grain_host_call(&id, &wit_method, &body, &got, &why)) return call_failed(err, target, method, &why);
  size_t len = got.len;
  if (len <= GRANARY_PAYLOAD_LIMIT) granary_buf_append(reply, got.ptr, len);
  grain_list_u8_free(&got);
  if (len > GRANARY_PAYLOAD_LIMIT) {
    describe(err, target, method);
    return granary_too_large(err, "reply", len, GRANARY_PAYLOAD_LIMIT);
  }
  return true;
}

bool granary_send(granary_id target, granary_view method, granary_view payload, granary_buf *err) {
  if (!strings_valid(target, method, err)) return false;
  granary_grain_host_grain_id_t id = {as_string(target.kind), as_string(target.identity)};
  grain_string_t wit_method = as_string(method);
  grain_list_u8_t body = as_list(payload);
  granary_grain_host_call_error_t why;
  if (!granary_grain_host_send(&id, &wit_method, &body, &why)) return call_failed(err, target, method, &why);
  return true;
}

void granary_set_receive_timeout(uint64_t millis) { granary_grain_host_set_receive_timeout(millis); }
