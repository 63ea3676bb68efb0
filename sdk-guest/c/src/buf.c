/* Byte views, growable buffers and error text: the library's only string handling, written
 * without stdio because wasi-libc's printf family imports WASI (fd_write) into the grain. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

granary_view granary_str(const char *s) { return (granary_view){(const uint8_t *)s, strlen(s)}; }

granary_view granary_buf_view(const granary_buf *b) { return (granary_view){b->ptr, b->len}; }

bool granary_view_eq(granary_view v, const char *s) {
  size_t n = strlen(s);
  return v.len == n && (n == 0 || memcmp(v.ptr, s, n) == 0);
}

static void reserve(granary_buf *b, size_t more) {
  if (more > SIZE_MAX - b->len - 1) __builtin_trap();
  size_t need = b->len + more + 1;
  if (need <= b->cap) return;
  size_t cap = b->cap < 32 ? 32 : b->cap;
  while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  uint8_t *p = realloc(b->ptr, cap);
  if (!p) __builtin_trap(); /* out of memory: the grain's memory limit */
  b->ptr = p;
  b->cap = cap;
}

void granary_buf_append(granary_buf *b, const void *data, size_t len) {
  reserve(b, len);
  if (len) memcpy(b->ptr + b->len, data, len);
  b->len += len;
  b->ptr[b->len] = 0;
}

void granary_buf_puts(granary_buf *b, const char *s) { granary_buf_append(b, s, strlen(s)); }

void granary_buf_put_view(granary_buf *b, granary_view v) { granary_buf_append(b, v.ptr, v.len); }

void granary_buf_put_uint(granary_buf *b, uint64_t n) {
  char digits[20];
  size_t i = sizeof digits;
  do {
    digits[--i] = (char)('0' + n % 10);
    n /= 10;
  } while (n);
  granary_buf_append(b, digits + i, sizeof digits - i);
}

void granary_buf_put_int(granary_buf *b, int64_t n) {
  if (n < 0) {
    granary_buf_append(b, "-", 1);
    granary_buf_put_uint(b, -(uint64_t)n);
  } else {
    granary_buf_put_uint(b, (uint64_t)n);
  }
}

uint8_t *granary_buf_take(granary_buf *b) {
  uint8_t *p = b->ptr;
  *b = (granary_buf){0};
  return p;
}

void granary_buf_free(granary_buf *b) { free(granary_buf_take(b)); }

bool granary_fail(granary_buf *err, const char *msg) {
  granary_buf_puts(err, msg);
  return false;
}

bool granary_bad_payload(granary_buf *err, const char *why) {
  granary_buf_puts(err, "bad payload: ");
  return granary_fail(err, why);
}

bool granary_too_large(granary_buf *err, const char *what, size_t size, size_t limit) {
  granary_buf_puts(err, what);
  granary_buf_puts(err, " of ");
  granary_buf_put_uint(err, size);
  granary_buf_puts(err, " bytes is over the ");
  granary_buf_put_uint(err, limit);
  return granary_fail(err, "-byte limit of C grains");
}
