/* jsmn (Debian's libjsmn-dev), the JSON tokenizer behind granary_json, configured once for
 * the library: strict mode, and parent links, which keep closing a bracket O(1). */
#ifndef GRANARY_JSON_TOKENS_H
#define GRANARY_JSON_TOKENS_H

#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#ifndef GRANARY_JSMN_IMPLEMENTATION
#define JSMN_HEADER
#endif
#include <jsmn.h>

#include "internal.h"

struct granary_json_token {
  jsmntok_t tok;
};

/* Where a token's JSON text starts and ends: jsmn leaves a string's quotes out. */
static inline size_t token_begin(const jsmntok_t *t) { return (size_t)t->start - (t->type == JSMN_STRING); }
static inline size_t token_end(const jsmntok_t *t) { return (size_t)t->end + (t->type == JSMN_STRING); }

static inline const jsmntok_t *json_token(const granary_json *obj, int i) { return &obj->tokens[i].tok; }

#endif
