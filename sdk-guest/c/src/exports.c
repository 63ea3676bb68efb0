/* The world's exports (activate, handle, receive-reminder, receive-event, deactivate) as the
 * generated bindings declare them,
 * calling the grain's grain_* functions. The bindings' cabi_realloc is malloc's realloc, so
 * every string and list the host hands in is already the library's to keep or free. */
#include "grain.h"
#include "internal.h"

/* A grain that loads no state and keeps nothing to release defines neither of these. */
__attribute__((weak)) bool grain_activate(granary_buf *err) {
  (void)err;
  return true;
}

__attribute__((weak)) void grain_deactivate(void) {}

/* A grain that sets no reminders and subscribes to nothing defines neither of these. */
__attribute__((weak)) bool grain_receive_reminder(granary_view name, uint64_t tick, granary_buf *err) {
  (void)name;
  (void)tick;
  return granary_fail(err, "this grain does not handle reminders");
}

__attribute__((weak)) bool grain_receive_event(const granary_event *event, granary_buf *err) {
  (void)event;
  return granary_fail(err, "this grain does not handle events");
}

void exports_grain_activate(void) {
  granary_buf err = {0};
  if (grain_activate(&err)) {
    granary_buf_free(&err);
    return;
  }
  granary_buf line = {0};
  granary_buf_puts(&line, "activate failed: ");
  granary_buf_put_view(&line, granary_buf_view(&err));
  granary_log(GRANARY_ERROR, granary_buf_view(&line));
  /* A trap is the only way to refuse an activation, so a grain never overwrites a state it
   * could not read. */
  __builtin_trap();
}

void exports_grain_deactivate(void) { grain_deactivate(); }

/* The generated post-return frees a reply or error with free(), and only when it is not empty. */
static uint8_t *give(granary_buf *b) {
  if (b->len == 0) granary_buf_free(b);
  return granary_buf_take(b);
}

bool exports_grain_handle(grain_string_t *method, grain_list_u8_t *payload, grain_list_u8_t *ret,
                          grain_string_t *err) {
  granary_buf reply = {0}, error = {0};
  bool ok;
  /* The host has already written an oversized argument into memory; refusing it here keeps
   * the grain's own buffers bounded, and the memory is freed for reuse below. */
  if (payload->len > GRANARY_PAYLOAD_LIMIT) {
    ok = granary_too_large(&error, "payload", payload->len, GRANARY_PAYLOAD_LIMIT);
  } else if (method->len > GRANARY_METHOD_LIMIT) {
    ok = granary_too_large(&error, "method name", method->len, GRANARY_METHOD_LIMIT);
  } else {
    granary_view m = {method->ptr, method->len}, p = {payload->ptr, payload->len};
    ok = grain_handle(m, p, &reply, &error);
  }
  grain_string_free(method);
  grain_list_u8_free(payload);

  if (ok) {
    granary_buf_free(&error);
    ret->len = reply.len;
    ret->ptr = give(&reply);
    return true;
  }
  granary_buf_free(&reply);
  if (error.len == 0) granary_buf_puts(&error, "the handler failed without a message");
  if (!granary_utf8_valid(granary_buf_view(&error))) {
    granary_buf text = {0};
    granary_buf_put_utf8(&text, granary_buf_view(&error));
    granary_buf_free(&error);
    error = text;
  }
  err->len = error.len;
  err->ptr = give(&error);
  return false;
}

/* An error result of receive-reminder or receive-event: the text, valid UTF-8, never empty. */
static bool error_result(granary_buf *error, grain_string_t *err) {
  if (error->len == 0) granary_buf_puts(error, "failed without a message");
  if (!granary_utf8_valid(granary_buf_view(error))) {
    granary_buf text = {0};
    granary_buf_put_utf8(&text, granary_buf_view(error));
    granary_buf_free(error);
    *error = text;
  }
  err->len = error->len;
  err->ptr = give(error);
  return false;
}

bool exports_grain_receive_reminder(grain_string_t *name, uint64_t tick, grain_string_t *err) {
  granary_buf error = {0};
  bool ok = grain_receive_reminder((granary_view){name->ptr, name->len}, tick, &error);
  grain_string_free(name);
  if (ok) {
    granary_buf_free(&error);
    return true;
  }
  return error_result(&error, err);
}

bool exports_grain_receive_event(grain_event_t *event, grain_string_t *err) {
  granary_buf error = {0};
  bool ok;
  if (event->payload.len > GRANARY_PAYLOAD_LIMIT) {
    ok = granary_too_large(&error, "event", event->payload.len, GRANARY_PAYLOAD_LIMIT);
  } else {
    granary_event view = {
        {event->topic.ptr, event->topic.len},
        {event->key.ptr, event->key.len},
        event->sequence,
        {event->payload.ptr, event->payload.len},
    };
    ok = grain_receive_event(&view, &error);
  }
  grain_event_free(event);
  if (ok) {
    granary_buf_free(&error);
    return true;
  }
  return error_result(&error, err);
}
