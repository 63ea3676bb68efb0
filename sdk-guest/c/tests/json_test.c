/* Native tests of the JSON and buffer helpers (no wasm needed):
 *   cc -std=c17 -Wall -I include -I src tests/json_test.c src/buf.c src/utf8.c src/json_*.c \
 *     -o /tmp/granary-json-test && /tmp/granary-json-test        (from sdk-guest/c) */
#include <stdio.h>
#include <string.h>

#include "granary.h"

static int failures;

#define CHECK(cond)                                                       \
  do {                                                                    \
    if (!(cond)) {                                                        \
      fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                         \
    }                                                                     \
  } while (0)

static bool buf_is(const granary_buf *b, const char *want) { return granary_view_eq(granary_buf_view(b), want); }

/* granary_load_object's source, replaced here by a fixed state. */
static const char *saved_state;
bool granary_load_state(granary_buf *state, bool *saved, granary_buf *err) {
  (void)err;
  *saved = saved_state != NULL;
  if (saved_state) granary_buf_puts(state, saved_state);
  return true;
}

/* The error text of parsing payload, or "" when it parses. */
static const char *parse_error(const char *payload) {
  static granary_buf err;
  granary_buf_free(&err);
  granary_json obj;
  if (granary_json_parse(granary_str(payload), &obj, &err)) granary_json_free(&obj);
  return err.ptr ? (const char *)err.ptr : "";
}

static void test_grammar(void) {
  const char *valid[] = {"{}", " {\"a\" : [1, -2.5e+3, true, false, null, \"x\\u00e9\\n\"]}\n",
                         "{\"a\":{\"b\":{}},\"c\":[]}", "{\"\":0}"};
  for (size_t i = 0; i < sizeof valid / sizeof *valid; i++) CHECK(!*parse_error(valid[i]));
  const char *invalid[] = {"", "  ", "[1]", "not json", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{,}",
                           "{\"a\":1 \"b\":2}", "{\"a\":[1 2]}", "{\"a\":[1,,2]}", "{\"a\":tru}",
                           "{\"a\":01}", "{\"a\":1.}", "{\"a\":-}", "{\"a\":\"\x01\"}", "{\"a\":\"\\x\"}",
                           "{} {}", "{}x", "{\"a\":1}]", "{1:2}", "{\"a\":[1:2]}"};
  for (size_t i = 0; i < sizeof invalid / sizeof *invalid; i++) {
    const char *err = parse_error(invalid[i]);
    if (strncmp(err, "bad payload: ", 13) != 0) {
      fprintf(stderr, "accepted or misreported %s: %s\n", invalid[i], err);
      failures++;
    }
  }
  CHECK(strcmp(parse_error(""), "bad payload: empty, expected a JSON object") == 0);
  CHECK(strcmp(parse_error("[1]"), "bad payload: expected a JSON object") == 0);

  char deep[2 * 600 + 16];
  size_t n = 0;
  n += (size_t)sprintf(deep, "{\"a\":");
  for (int i = 0; i < 600; i++) deep[n++] = '[';
  for (int i = 0; i < 600; i++) deep[n++] = ']';
  strcpy(deep + n, "}");
  CHECK(strcmp(parse_error(deep), "bad payload: nested too deeply") == 0);
}

static void test_getters(void) {
  granary_json obj;
  granary_buf err = {0}, s = {0}, raw = {0};
  const char *text = "{\"n\":-9223372036854775808,\"big\":9223372036854775808,\"f\":1.0,\"e\":1e3,"
                     "\"s\":\"a\\\"b\\\\c\\/\\n\\u00e9\\ud83d\\ude00\\ud800\",\"t\":true,"
                     "\"p\":{ \"k\" : [ 1, \"x y\" ] },\"d\":1,\"d\":2,\"\\u006e2\":5}";
  CHECK(granary_json_parse(granary_str(text), &obj, &err));
  int64_t n = 0;
  CHECK(granary_json_get_int(&obj, "n", &n, &err) && n == INT64_MIN);
  CHECK(!granary_json_get_int(&obj, "big", &n, &err) && buf_is(&err, "bad payload: field `big` is out of range, got 9223372036854775808"));
  granary_buf_free(&err);
  CHECK(!granary_json_get_int(&obj, "f", &n, &err) && buf_is(&err, "bad payload: field `f` must be an integer, got 1.0"));
  granary_buf_free(&err);
  CHECK(!granary_json_get_int(&obj, "e", &n, &err));
  granary_buf_free(&err);
  CHECK(!granary_json_get_int(&obj, "s", &n, &err));
  granary_buf_free(&err);
  CHECK(!granary_json_get_int(&obj, "zz", &n, &err) && buf_is(&err, "bad payload: missing field `zz`"));
  granary_buf_free(&err);
  CHECK(granary_json_get_int(&obj, "d", &n, &err) && n == 2);
  CHECK(granary_json_get_int(&obj, "n2", &n, &err) && n == 5);
  CHECK(granary_json_get_string(&obj, "s", &s, &err) && buf_is(&s, "a\"b\\c/\n\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbd"));
  CHECK(!granary_json_get_string(&obj, "t", &s, &err));
  granary_buf_free(&err);
  bool t = false;
  CHECK(granary_json_get_bool(&obj, "t", &t, &err) && t);
  CHECK(!granary_json_get_bool(&obj, "n", &t, &err));
  granary_buf_free(&err);
  CHECK(granary_json_get_raw(&obj, "p", &raw) && buf_is(&raw, "{\"k\":[1,\"x y\"]}"));
  CHECK(!granary_json_get_raw(&obj, "k", &raw)); /* not a top-level member */
  CHECK(granary_json_has(&obj, "t") && !granary_json_has(&obj, "x y"));
  granary_json_free(&obj);
  granary_buf_free(&s);
  granary_buf_free(&raw);
}

static void test_load_object(void) {
  granary_json obj;
  granary_buf err = {0};
  bool saved = true;
  saved_state = NULL;
  CHECK(granary_load_object(&obj, &saved, &err) && !saved);
  granary_json_free(&obj);
  saved_state = "{\"total\":12}";
  int64_t total = 0;
  CHECK(granary_load_object(&obj, &saved, &err) && saved && granary_json_get_int(&obj, "total", &total, &err) && total == 12);
  granary_json_free(&obj);
  saved_state = "{\"total\":\"x\"}";
  CHECK(granary_load_object(&obj, &saved, &err) && !granary_json_get_int(&obj, "total", &total, &err));
  CHECK(strncmp((const char *)err.ptr, "corrupt state: ", 15) == 0);
  granary_json_free(&obj);
  granary_buf_free(&err);
  saved_state = "junk";
  CHECK(!granary_load_object(&obj, &saved, &err) && strncmp((const char *)err.ptr, "corrupt state: ", 15) == 0);
  granary_buf_free(&err);
}

static void test_writing(void) {
  granary_buf b = {0};
  granary_json_begin(&b);
  granary_json_put_int(&b, "total", INT64_MIN);
  granary_json_put_string(&b, "s", granary_str("q\"\\\n\x01\x7f\xc3\xa9\xff"));
  granary_json_put_bool(&b, "t", true);
  granary_json_put_raw(&b, "r", granary_str("{\"a\":[]}"));
  CHECK(granary_json_end(&b));
  CHECK(buf_is(&b, "{\"total\":-9223372036854775808,\"s\":\"q\\\"\\\\\\n\\u0001\x7f\xc3\xa9\xef\xbf\xbd\",\"t\":true,"
                   "\"r\":{\"a\":[]}}"));
  granary_buf_free(&b);
  granary_json_begin(&b);
  CHECK(granary_json_end(&b) && buf_is(&b, "{}"));
  granary_buf_free(&b);
  CHECK(granary_json_quote(&b, granary_str("logged")) && buf_is(&b, "\"logged\""));
  granary_buf_free(&b);
  granary_buf_put_uint(&b, UINT64_MAX);
  CHECK(buf_is(&b, "18446744073709551615"));
  granary_buf_free(&b);
}

int main(void) {
  test_grammar();
  test_getters();
  test_load_object();
  test_writing();
  if (failures) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  puts("granary C JSON helpers: all checks passed");
  return 0;
}
