/* UTF-8 checks: every string the host receives (a log line, a method, an error result) must
 * be UTF-8, or lifting it fails and the grain traps. */
#include "internal.h"

/* The length of the well-formed UTF-8 sequence at p (at most n bytes), 0 if there is none:
 * no overlong forms, no surrogates, nothing past U+10FFFF. */
static size_t sequence_length(const uint8_t *p, size_t n) {
  uint8_t c = p[0];
  if (c < 0x80) return 1;
  size_t len;
  uint8_t lo = 0x80, hi = 0xBF; /* the range of the second byte */
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (n < len || p[1] < lo || p[1] > hi) return 0;
  for (size_t i = 2; i < len; i++)
    if ((p[i] & 0xC0) != 0x80) return 0;
  return len;
}

bool granary_utf8_valid(granary_view v) {
  for (size_t i = 0; i < v.len;) {
    size_t n = sequence_length(v.ptr + i, v.len - i);
    if (!n) return false;
    i += n;
  }
  return true;
}

void granary_buf_put_utf8(granary_buf *b, granary_view v) {
  size_t run = 0; /* start of the valid bytes not yet appended */
  for (size_t i = 0; i < v.len;) {
    size_t n = sequence_length(v.ptr + i, v.len - i);
    if (n) {
      i += n;
      continue;
    }
    granary_buf_append(b, v.ptr + run, i - run);
    granary_buf_puts(b, "\xEF\xBF\xBD");
    run = ++i;
  }
  granary_buf_append(b, v.ptr + run, v.len - run);
}
