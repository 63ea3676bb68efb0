/* The interfaces granary:grain@0.2.0 adds, over the generated import bindings (grain.h):
 * granary:grain/reminders (durable timers) and granary:grain/topics (publish). */
#include "grain.h"
#include "internal.h"

static grain_string_t as_string(granary_view v) { return (grain_string_t){(uint8_t *)v.ptr, v.len}; }

/* Strings that are not UTF-8 would trap in the host; refuse them here instead. */
static bool text(granary_view v, const char *what, granary_buf *err) {
  if (granary_utf8_valid(v)) return true;
  granary_buf_puts(err, what);
  return granary_fail(err, " is not UTF-8");
}

/* The host's error text after `what: `, freed; returns false. */
static bool refused(granary_buf *err, const char *what, grain_string_t *why) {
  granary_buf_puts(err, what);
  granary_buf_puts(err, ": ");
  granary_buf_put_view(err, (granary_view){why->ptr, why->len});
  grain_string_free(why);
  return false;
}

bool granary_set_reminder(granary_view name, uint64_t due_after_ms, uint64_t period_ms, granary_buf *err) {
  if (!text(name, "reminder name", err)) return false;
  grain_string_t wit_name = as_string(name), why;
  if (granary_grain_reminders_set_reminder(&wit_name, due_after_ms, period_ms, &why)) return true;
  return refused(err, "cannot set the reminder", &why);
}

bool granary_cancel_reminder(granary_view name, bool *cancelled, granary_buf *err) {
  if (!text(name, "reminder name", err)) return false;
  grain_string_t wit_name = as_string(name), why;
  if (granary_grain_reminders_cancel_reminder(&wit_name, cancelled, &why)) return true;
  return refused(err, "cannot cancel the reminder", &why);
}

bool granary_list_reminders(granary_buf *json, granary_buf *err) {
  granary_grain_reminders_list_reminder_t listed;
  grain_string_t why;
  if (!granary_grain_reminders_list_reminders(&listed, &why)) return refused(err, "cannot list reminders", &why);
  granary_buf_puts(json, "[");
  for (size_t i = 0; i < listed.len; i++) {
    granary_grain_reminders_reminder_t *r = &listed.ptr[i];
    if (i > 0) granary_buf_puts(json, ",");
    granary_json_begin(json);
    granary_json_put_string(json, "name", (granary_view){r->name.ptr, r->name.len});
    granary_json_put_int(json, "due_in_ms", (int64_t)r->due_in_ms);
    granary_json_put_int(json, "period_ms", (int64_t)r->period_ms);
    granary_json_put_int(json, "next_tick", (int64_t)r->next_tick);
    granary_json_end(json);
  }
  granary_buf_puts(json, "]");
  granary_grain_reminders_list_reminder_free(&listed);
  return true;
}

bool granary_publish(granary_view topic, granary_view key, granary_view payload, uint64_t *sequence,
                     granary_buf *err) {
  if (!text(topic, "topic", err) || !text(key, "key", err)) return false;
  if (payload.len > GRANARY_PAYLOAD_LIMIT) return granary_too_large(err, "event", payload.len, GRANARY_PAYLOAD_LIMIT);
  grain_string_t wit_topic = as_string(topic), wit_key = as_string(key), why;
  grain_list_u8_t body = {(uint8_t *)payload.ptr, payload.len};
  if (granary_grain_topics_publish(&wit_topic, &wit_key, &body, sequence, &why)) return true;
  return refused(err, "cannot publish", &why);
}
