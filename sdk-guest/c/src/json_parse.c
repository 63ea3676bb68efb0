/* granary_json_parse: jsmn tokenizes, then check() walks the tokens against the JSON grammar,
 * because jsmn, a tokenizer, lets through missing or extra commas, bad literals and numbers,
 * control characters in strings and trailing text. */
#include <stdlib.h>

#define GRANARY_JSMN_IMPLEMENTATION
#include "json_tokens.h"

/* Deeper nesting is refused: check() recurses once per level. */
#define MAX_DEPTH 512

typedef struct {
  const uint8_t *s;
  size_t len, pos;
  const jsmntok_t *tokens;
  int count, next;
  const char *why; /* the first problem found */
} checker;

static bool is_space(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static void skip_space(checker *c) {
  while (c->pos < c->len && is_space(c->s[c->pos])) c->pos++;
}

static bool fail(checker *c, const char *why) {
  c->why = why;
  return false;
}

static bool expect(checker *c, uint8_t ch, const char *why) {
  skip_space(c);
  if (c->pos == c->len || c->s[c->pos] != ch) return fail(c, why);
  c->pos++;
  return true;
}

static bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

static bool literal_is(const uint8_t *p, size_t n, const char *word) {
  size_t i = 0;
  while (i < n && word[i] && p[i] == (uint8_t)word[i]) i++;
  return i == n && !word[i];
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool number_valid(const uint8_t *p, size_t n) {
  size_t i = 0, digits;
  if (i < n && p[i] == '-') i++;
  if (i < n && p[i] == '0') {
    i++;
  } else {
    for (digits = 0; i < n && is_digit(p[i]); digits++) i++;
    if (!digits) return false;
  }
  if (i < n && p[i] == '.') {
    for (i++, digits = 0; i < n && is_digit(p[i]); digits++) i++;
    if (!digits) return false;
  }
  if (i < n && (p[i] == 'e' || p[i] == 'E')) {
    i++;
    if (i < n && (p[i] == '+' || p[i] == '-')) i++;
    for (digits = 0; i < n && is_digit(p[i]); digits++) i++;
    if (!digits) return false;
  }
  return i == n;
}

static bool primitive_valid(const uint8_t *p, size_t n) {
  return literal_is(p, n, "true") || literal_is(p, n, "false") || literal_is(p, n, "null") || number_valid(p, n);
}

/* jsmn has checked the escapes; JSON also forbids raw control characters. */
static bool string_valid(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] < 0x20) return false;
  return true;
}

/* Checks the value at the next token, and everything inside it. */
static bool check(checker *c, int depth) {
  if (c->next == c->count) return fail(c, "expected a value");
  const jsmntok_t *t = &c->tokens[c->next++];
  skip_space(c);
  if (token_begin(t) != c->pos) return fail(c, "unexpected character");
  const uint8_t *text = c->s + t->start;
  size_t n = (size_t)(t->end - t->start);
  switch (t->type) {
  case JSMN_PRIMITIVE:
    if (!primitive_valid(text, n)) return fail(c, "bad number or literal");
    c->pos = token_end(t);
    return true;
  case JSMN_STRING:
    if (!string_valid(text, n)) return fail(c, "control character in a string");
    c->pos = token_end(t);
    return true;
  case JSMN_OBJECT:
  case JSMN_ARRAY:
    break;
  default:
    return fail(c, "unexpected token");
  }
  if (depth == MAX_DEPTH) return fail(c, "nested too deeply");
  bool object = t->type == JSMN_OBJECT;
  c->pos++;
  for (int i = 0; i < t->size; i++) {
    if (i > 0 && !expect(c, ',', "expected ','")) return false;
    if (object) {
      const jsmntok_t *key = c->next < c->count ? &c->tokens[c->next] : NULL;
      if (!key || key->type != JSMN_STRING || key->size != 1) return fail(c, "expected a member name and ':'");
      if (!check(c, depth + 1) || !expect(c, ':', "expected ':'")) return false;
    }
    if (!check(c, depth + 1)) return false;
  }
  return expect(c, object ? '}' : ']', object ? "expected ',' or '}'" : "expected ',' or ']'");
}

static bool parse_failed(const char *what, const char *why, granary_buf *err) {
  granary_buf_puts(err, what);
  granary_buf_puts(err, ": ");
  return granary_fail(err, why);
}

static const char *jsmn_problem(int code) {
  switch (code) {
  case JSMN_ERROR_PART:
    return "unexpected end of JSON";
  case JSMN_ERROR_NOMEM:
    return "too many JSON values";
  }
  return "invalid JSON";
}

/* Parses text as a JSON object; its errors, and its getters' errors, start with what. */
static bool parse_as(const char *what, granary_view text, granary_json *obj, granary_buf *err) {
  *obj = (granary_json){.what = what, .text = text};
  checker c = {.s = text.ptr, .len = text.len};
  skip_space(&c);
  if (c.pos == c.len) return parse_failed(what, "empty, expected a JSON object", err);
  if (text.ptr[c.pos] != '{') return parse_failed(what, "expected a JSON object", err);

  jsmn_parser parser;
  jsmn_init(&parser);
  int count = jsmn_parse(&parser, (const char *)text.ptr, text.len, NULL, 0);
  if (count <= 0) return parse_failed(what, jsmn_problem(count), err);
  jsmntok_t *tokens = malloc((size_t)count * sizeof *tokens);
  if (!tokens) __builtin_trap(); /* out of memory: the grain's memory limit */
  jsmn_init(&parser);
  int parsed = jsmn_parse(&parser, (const char *)text.ptr, text.len, tokens, (unsigned)count);
  c.tokens = tokens;
  c.count = parsed;
  c.pos = 0;
  if (parsed < 0) {
    c.why = jsmn_problem(parsed);
  } else if (check(&c, 0)) {
    skip_space(&c);
    if (c.pos != c.len || c.next != c.count) c.why = "trailing characters";
  }
  if (c.why) {
    free(tokens);
    return parse_failed(what, c.why, err);
  }
  obj->tokens = (struct granary_json_token *)tokens;
  obj->count = parsed;
  return true;
}

bool granary_json_parse(granary_view payload, granary_json *obj, granary_buf *err) {
  return parse_as("bad payload", payload, obj, err);
}

bool granary_load_object(granary_json *obj, bool *saved, granary_buf *err) {
  *obj = (granary_json){.what = "corrupt state"};
  granary_buf state = {0};
  if (!granary_load_state(&state, saved, err)) return false;
  if (!*saved) return true;
  if (!parse_as("corrupt state", granary_buf_view(&state), obj, err)) {
    granary_buf_free(&state);
    return false;
  }
  obj->owned = granary_buf_take(&state);
  return true;
}

void granary_json_free(granary_json *obj) {
  free(obj->tokens);
  free(obj->owned);
  *obj = (granary_json){0};
}
