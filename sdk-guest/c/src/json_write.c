/* Writing compact JSON, byte for byte what serde_json and JSON.stringify write. */
#include "internal.h"

bool granary_json_quote(granary_buf *b, granary_view s) {
  static const char hex[] = "0123456789abcdef";
  granary_buf_puts(b, "\"");
  size_t run = 0; /* start of the bytes that need no escape, not yet appended */
  for (size_t i = 0; i < s.len; i++) {
    uint8_t c = s.ptr[i];
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    /* Only ASCII is escaped, so a run never ends inside a UTF-8 sequence. */
    granary_buf_put_utf8(b, (granary_view){s.ptr + run, i - run});
    run = i + 1;
    switch (c) {
    case '"': granary_buf_puts(b, "\\\""); break;
    case '\\': granary_buf_puts(b, "\\\\"); break;
    case '\n': granary_buf_puts(b, "\\n"); break;
    case '\r': granary_buf_puts(b, "\\r"); break;
    case '\t': granary_buf_puts(b, "\\t"); break;
    case '\b': granary_buf_puts(b, "\\b"); break;
    case '\f': granary_buf_puts(b, "\\f"); break;
    default: {
      char u[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
      granary_buf_append(b, u, sizeof u);
    }
    }
  }
  granary_buf_put_utf8(b, (granary_view){s.ptr + run, s.len - run});
  granary_buf_puts(b, "\"");
  return true;
}

void granary_json_begin(granary_buf *b) { granary_buf_puts(b, "{"); }

/* A member follows a comma unless it is the first: no value ends with '{'. */
static void key(granary_buf *b, const char *name) {
  if (b->len && b->ptr[b->len - 1] != '{') granary_buf_puts(b, ",");
  granary_json_quote(b, granary_str(name));
  granary_buf_puts(b, ":");
}

void granary_json_put_int(granary_buf *b, const char *name, int64_t value) {
  key(b, name);
  granary_buf_put_int(b, value);
}

void granary_json_put_string(granary_buf *b, const char *name, granary_view value) {
  key(b, name);
  granary_json_quote(b, value);
}

void granary_json_put_bool(granary_buf *b, const char *name, bool value) {
  key(b, name);
  granary_buf_puts(b, value ? "true" : "false");
}

void granary_json_put_raw(granary_buf *b, const char *name, granary_view json) {
  key(b, name);
  granary_buf_put_view(b, json);
}

bool granary_json_end(granary_buf *b) {
  granary_buf_puts(b, "}");
  return true;
}
