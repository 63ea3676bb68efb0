/* Reading the members of a granary_json: find a member by name, decode its value. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json_tokens.h"

static granary_view token_text(const granary_json *obj, const jsmntok_t *t) {
  return (granary_view){obj->text.ptr + t->start, (size_t)(t->end - t->start)};
}

static unsigned hex_digit(uint8_t c) {
  return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

static unsigned hex4(const uint8_t *p) {
  return hex_digit(p[0]) << 12 | hex_digit(p[1]) << 8 | hex_digit(p[2]) << 4 | hex_digit(p[3]);
}

static void put_code_point(granary_buf *b, unsigned cp) {
  uint8_t u[4];
  size_t n;
  if (cp < 0x80) {
    u[0] = (uint8_t)cp, n = 1;
  } else if (cp < 0x800) {
    u[0] = (uint8_t)(0xC0 | cp >> 6), u[1] = (uint8_t)(0x80 | (cp & 0x3F)), n = 2;
  } else if (cp < 0x10000) {
    u[0] = (uint8_t)(0xE0 | cp >> 12), u[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F)), u[2] = (uint8_t)(0x80 | (cp & 0x3F)), n = 3;
  } else {
    u[0] = (uint8_t)(0xF0 | cp >> 18), u[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
    u[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F)), u[3] = (uint8_t)(0x80 | (cp & 0x3F)), n = 4;
  }
  granary_buf_append(b, u, n);
}

/* Appends a checked string token's text (quotes excluded), unescaped. Bytes that are not
 * UTF-8 and lone surrogates become U+FFFD. */
static void put_unescaped(granary_buf *b, granary_view s) {
  size_t run = 0; /* start of the bytes without escapes not yet appended */
  for (size_t i = 0; i < s.len;) {
    if (s.ptr[i] != '\\') {
      i++;
      continue;
    }
    granary_buf_put_utf8(b, (granary_view){s.ptr + run, i - run});
    uint8_t e = s.ptr[i + 1];
    static const char plain[] = "\"\\/bfnrt", decoded[] = "\"\\/\b\f\n\r\t";
    const char *simple = e == 'u' ? NULL : strchr(plain, e);
    if (simple) {
      granary_buf_append(b, &decoded[simple - plain], 1);
      i += 2;
    } else {
      unsigned cp = hex4(s.ptr + i + 2);
      i += 6;
      if (cp >= 0xD800 && cp < 0xDC00 && i + 6 <= s.len && s.ptr[i] == '\\' && s.ptr[i + 1] == 'u') {
        unsigned low = hex4(s.ptr + i + 2);
        if (low >= 0xDC00 && low < 0xE000) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          i += 6;
        }
      }
      put_code_point(b, cp >= 0xD800 && cp < 0xE000 ? 0xFFFD : cp);
    }
    run = i;
  }
  granary_buf_put_utf8(b, (granary_view){s.ptr + run, s.len - run});
}

static bool key_is(const granary_json *obj, const jsmntok_t *key, const char *name) {
  granary_view text = token_text(obj, key);
  if (!memchr(text.ptr, '\\', text.len)) return granary_view_eq(text, name);
  granary_buf decoded = {0};
  put_unescaped(&decoded, text);
  bool same = granary_view_eq(granary_buf_view(&decoded), name);
  granary_buf_free(&decoded);
  return same;
}

/* The value token of the last member called name, or NULL. */
static const jsmntok_t *find(const granary_json *obj, const char *name) {
  const jsmntok_t *found = NULL;
  for (int i = 1; i + 1 < obj->count; i++) {
    const jsmntok_t *t = json_token(obj, i);
    if (t->parent == 0 && key_is(obj, t, name)) found = json_token(obj, i + 1);
  }
  return found;
}

bool granary_json_has(const granary_json *obj, const char *name) { return find(obj, name) != NULL; }

/* Writes "WHAT: field `NAME` WHY" to err and returns false. */
static bool field_failed(const granary_json *obj, const char *name, const char *why, granary_buf *err) {
  granary_buf_puts(err, obj->what);
  granary_buf_puts(err, ": field `");
  granary_buf_puts(err, name);
  granary_buf_puts(err, "` ");
  return granary_fail(err, why);
}

/* The same, followed by ", got VALUE" (cut to a readable length). */
static bool field_got(const granary_json *obj, const char *name, const char *why, const jsmntok_t *t,
                      granary_buf *err) {
  field_failed(obj, name, why, err);
  granary_view v = {obj->text.ptr + token_begin(t), token_end(t) - token_begin(t)};
  granary_buf_puts(err, ", got ");
  granary_buf_put_utf8(err, (granary_view){v.ptr, v.len > 64 ? 64 : v.len});
  if (v.len > 64) granary_buf_puts(err, "...");
  return false;
}

static const jsmntok_t *required(const granary_json *obj, const char *name, granary_buf *err) {
  const jsmntok_t *t = find(obj, name);
  if (!t) {
    granary_buf_puts(err, obj->what);
    granary_buf_puts(err, ": missing field `");
    granary_buf_puts(err, name);
    granary_buf_puts(err, "`");
  }
  return t;
}

bool granary_json_get_int(const granary_json *obj, const char *name, int64_t *out, granary_buf *err) {
  const jsmntok_t *t = required(obj, name, err);
  if (!t) return false;
  granary_view v = token_text(obj, t);
  bool integer = t->type == JSMN_PRIMITIVE && (v.ptr[0] == '-' || (v.ptr[0] >= '0' && v.ptr[0] <= '9')) &&
                 !memchr(v.ptr, '.', v.len) && !memchr(v.ptr, 'e', v.len) && !memchr(v.ptr, 'E', v.len);
  if (!integer) return field_got(obj, name, "must be an integer", t, err);
  /* Checked JSON: no leading zeros, so 20 characters hold every int64. */
  char digits[21];
  if (v.len >= sizeof digits) return field_got(obj, name, "is out of range", t, err);
  memcpy(digits, v.ptr, v.len);
  digits[v.len] = 0;
  errno = 0;
  long long n = strtoll(digits, NULL, 10);
  if (errno == ERANGE) return field_got(obj, name, "is out of range", t, err);
  *out = n;
  return true;
}

bool granary_json_get_string(const granary_json *obj, const char *name, granary_buf *out, granary_buf *err) {
  const jsmntok_t *t = required(obj, name, err);
  if (!t) return false;
  if (t->type != JSMN_STRING) return field_got(obj, name, "must be a string", t, err);
  put_unescaped(out, token_text(obj, t));
  return true;
}

bool granary_json_get_bool(const granary_json *obj, const char *name, bool *out, granary_buf *err) {
  const jsmntok_t *t = required(obj, name, err);
  if (!t) return false;
  granary_view v = token_text(obj, t);
  bool is_true = t->type == JSMN_PRIMITIVE && granary_view_eq(v, "true");
  if (!is_true && !(t->type == JSMN_PRIMITIVE && granary_view_eq(v, "false")))
    return field_got(obj, name, "must be true or false", t, err);
  *out = is_true;
  return true;
}

bool granary_json_get_raw(const granary_json *obj, const char *name, granary_buf *out) {
  const jsmntok_t *t = find(obj, name);
  if (!t) return false;
  /* Checked JSON: outside strings, only insignificant space can be dropped. */
  const uint8_t *p = obj->text.ptr;
  bool in_string = false;
  size_t run = token_begin(t), end = token_end(t);
  for (size_t i = run; i < end; i++) {
    uint8_t c = p[i];
    if (in_string) {
      if (c == '\\') i++;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      granary_buf_append(out, p + run, i - run);
      run = i + 1;
    }
  }
  granary_buf_append(out, p + run, end - run);
  return true;
}
