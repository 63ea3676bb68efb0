/* Shared by the library's files, not by grains. */
#ifndef GRANARY_INTERNAL_H
#define GRANARY_INTERNAL_H

#include "granary.h"

bool granary_utf8_valid(granary_view v);
/* Appends v with each byte that is not part of a UTF-8 sequence replaced by U+FFFD. */
void granary_buf_put_utf8(granary_buf *b, granary_view v);
/* Hands the bytes of b to the caller and leaves b empty. */
uint8_t *granary_buf_take(granary_buf *b);
/* Writes "WHAT of N bytes is over the LIMIT-byte limit of C grains" to err; returns false. */
bool granary_too_large(granary_buf *err, const char *what, size_t size, size_t limit);

#endif
