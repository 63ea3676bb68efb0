/* granary.h: write a grain in C. A grain defines grain_handle (and, if it needs them,
 * grain_activate, grain_deactivate, grain_receive_reminder and grain_receive_event); this
 * library turns the generated canonical-ABI bindings of world granary:grain/grain@0.2.0 into
 * these calls. See ../README.md.
 *
 * Conventions: a function that can fail returns false and appends its error text to *err;
 * one that produces bytes appends them to a granary_buf the caller owns and frees. */
#ifndef GRANARY_H
#define GRANARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest payload, call reply or saved state a C grain accepts from the host, in bytes.
 * A larger handle payload is an error result; a larger call reply or saved state an error. */
#define GRANARY_PAYLOAD_LIMIT (1u << 20)
/* The longest method name handle accepts. */
#define GRANARY_METHOD_LIMIT (64u << 10)

/* Borrowed bytes: valid as long as whatever they point into. */
typedef struct {
  const uint8_t *ptr;
  size_t len;
} granary_view;

/* Owned bytes from malloc, always followed by a NUL (not counted in len), so ptr is also a
 * C string. A zeroed granary_buf is empty; granary_buf_free releases one. Running out of
 * memory while growing one traps, as the allocator of every language does. */
typedef struct {
  uint8_t *ptr;
  size_t len;
  size_t cap;
} granary_buf;

granary_view granary_str(const char *s);
granary_view granary_buf_view(const granary_buf *b);
bool granary_view_eq(granary_view v, const char *s);
void granary_buf_append(granary_buf *b, const void *data, size_t len);
void granary_buf_puts(granary_buf *b, const char *s);
void granary_buf_put_view(granary_buf *b, granary_view v);
void granary_buf_put_int(granary_buf *b, int64_t n);
void granary_buf_put_uint(granary_buf *b, uint64_t n);
void granary_buf_free(granary_buf *b);

/* Writes msg to err and returns false: `return granary_fail(err, "why");`. */
bool granary_fail(granary_buf *err, const char *msg);
/* The same with "bad payload: " in front, the error of a request of the wrong shape. */
bool granary_bad_payload(granary_buf *err, const char *why);

/* --- what a grain defines ------------------------------------------------------------ */

/* Handles one message. Return true with the reply in *reply, or false with the error text in
 * *err (returned to the caller as a failed call). Both start empty; the library frees them. */
bool grain_handle(granary_view method, granary_view payload, granary_buf *reply, granary_buf *err);
/* Runs once per activation, before the first message (load state here). Returning false
 * logs *err and fails the activation (a trap, the only way to refuse one). Optional. */
bool grain_activate(granary_buf *err);
/* Runs before the activation is dropped; state saved in grain_handle is already durable.
 * Optional. */
void grain_deactivate(void);

/* An event on a topic the kind subscribes to; every view lives until the call returns. */
typedef struct {
  granary_view topic;
  granary_view key;
  /* Its number in publish order on (topic, key), from 1: a sequence already seen is a
   * duplicate (delivery is at least once, in order). */
  uint64_t sequence;
  granary_view payload;
} granary_event;

/* A reminder this grain set is due (granary_set_reminder). tick increases by one per firing,
 * so a tick not above the last one seen is a duplicate. false logs *err; the reminder goes
 * on. Optional: by default a tick is an error. */
bool grain_receive_reminder(granary_view name, uint64_t tick, granary_buf *err);
/* An event on a subscribed topic. false (with *err) has it delivered again later, and the
 * events after it on (topic, key) wait. Optional: by default an event is an error. */
bool grain_receive_event(const granary_event *event, granary_buf *err);

/* --- host ------------------------------------------------------------------------------ */

/* The cluster identity of a grain, "kind/identity". */
typedef struct {
  granary_view kind;
  granary_view identity;
} granary_id;

/* The identity this instance runs as; its bytes live as long as the instance. */
granary_id granary_self_id(void);
/* Splits "kind/identity" (the identity may contain further slashes) into views of text. */
bool granary_parse_id(granary_view text, granary_id *id);

typedef enum {
  GRANARY_TRACE,
  GRANARY_DEBUG,
  GRANARY_INFO,
  GRANARY_WARN,
  GRANARY_ERROR,
} granary_level;

/* Writes a line to the node's log, tagged with this grain's identity. Bytes that are not
 * UTF-8 become U+FFFD; the node cuts lines over 16 KiB. */
void granary_log(granary_level level, granary_view msg);
void granary_log_str(granary_level level, const char *msg);

/* Appends the state saved by the last activation of this identity (or by this one) to
 * *state; *saved is false for an identity never saved. A state over GRANARY_PAYLOAD_LIMIT is
 * an error. */
bool granary_load_state(granary_buf *state, bool *saved, granary_buf *err);
/* Durably replaces this grain's state. Fails when a newer activation wrote since this one
 * loaded, or when the state is over GRANARY_PAYLOAD_LIMIT (it could not be loaded again). */
bool granary_save_state(granary_view state, granary_buf *err);

/* Sends a request to another grain, waits, and appends its reply to *reply. A failure reads
 * "kind/id method: failed: why" (or unavailable, timed out, rejected); a reply over
 * GRANARY_PAYLOAD_LIMIT is an error. */
bool granary_call(granary_id target, granary_view method, granary_view payload, granary_buf *reply,
                  granary_buf *err);
/* Delivers a one-way message; returns once it is queued. A refusal reads as for a call. */
bool granary_send(granary_id target, granary_view method, granary_view payload, granary_buf *err);
/* Deactivates this grain after millis without messages; 0 restores the kind's default. */
void granary_set_receive_timeout(uint64_t millis);

/* --- reminders and topics (granary:grain@0.2.0) ------------------------------------------ */

/* Durably sets (or replaces) this grain's reminder name: first due after due_after_ms, then
 * every period_ms (0: once). Its ticks arrive in grain_receive_reminder. */
bool granary_set_reminder(granary_view name, uint64_t due_after_ms, uint64_t period_ms, granary_buf *err);
/* Durably removes the reminder name; *cancelled is false if there was none. */
bool granary_cancel_reminder(granary_view name, bool *cancelled, granary_buf *err);
/* This grain's reminders as a JSON array of {"name","due_in_ms","period_ms","next_tick"}. */
bool granary_list_reminders(granary_buf *json, granary_buf *err);
/* Durably appends an event to topic under key; *sequence is its number on (topic, key). */
bool granary_publish(granary_view topic, granary_view key, granary_view payload, uint64_t *sequence,
                     granary_buf *err);

/* --- JSON ------------------------------------------------------------------------------ */

/* A parsed JSON object (tokenized by jsmn, then checked against the JSON grammar). Getters'
 * errors start with "bad payload" (granary_json_parse) or "corrupt state" (granary_load_object).
 * Parsing takes 20 bytes per JSON value until granary_json_free, which is safe to call after
 * a failed parse too. The fields are the library's. */
typedef struct {
  const char *what;
  granary_view text;
  struct granary_json_token *tokens;
  int count;
  uint8_t *owned; /* the text, when the object owns it */
} granary_json;

/* Parses a payload that must be a JSON object; it must outlive obj. */
bool granary_json_parse(granary_view payload, granary_json *obj, granary_buf *err);
/* The saved state as a JSON object; *saved is false (and obj empty) for an identity never saved. */
bool granary_load_object(granary_json *obj, bool *saved, granary_buf *err);
void granary_json_free(granary_json *obj);

/* Whether the object has a member name (null included); the last of duplicate names wins. */
bool granary_json_has(const granary_json *obj, const char *name);
/* A required member that must be an integer (no fraction, no exponent) in int64 range. */
bool granary_json_get_int(const granary_json *obj, const char *name, int64_t *out, granary_buf *err);
/* A required member that must be a string; appends it, unescaped, to out. */
bool granary_json_get_string(const granary_json *obj, const char *name, granary_buf *out, granary_buf *err);
/* A required member that must be true or false. */
bool granary_json_get_bool(const granary_json *obj, const char *name, bool *out, granary_buf *err);
/* Appends the member's value as compact JSON text to out; false when there is no such member. */
bool granary_json_get_raw(const granary_json *obj, const char *name, granary_buf *out);

/* Writes a compact JSON object, members in the order added, escaped as serde_json and
 * JSON.stringify escape:
 *   granary_json_begin(reply); granary_json_put_int(reply, "total", 5);
 *   return granary_json_end(reply);                                   // {"total":5} */
void granary_json_begin(granary_buf *b);
void granary_json_put_int(granary_buf *b, const char *key, int64_t value);
void granary_json_put_string(granary_buf *b, const char *key, granary_view value);
void granary_json_put_bool(granary_buf *b, const char *key, bool value);
/* A member whose value is already JSON text. */
void granary_json_put_raw(granary_buf *b, const char *key, granary_view json);
/* Closes the object and returns true, so a handler can `return granary_json_end(reply);`. */
bool granary_json_end(granary_buf *b);
/* Appends s as a JSON string ("ok" with its quotes) and returns true; bytes that are not
 * UTF-8 become U+FFFD. */
bool granary_json_quote(granary_buf *b, granary_view s);

#endif
