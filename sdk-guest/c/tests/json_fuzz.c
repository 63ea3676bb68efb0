/* libFuzzer target of the JSON helpers, run by host/fuzz/sdk.sh (clang, -fsanitize=fuzzer with
 * ASan and UBSan): any payload either fails to parse with an error, or parses and then answers
 * every getter; whatever a getter returns as a string, quoted back into an object, parses. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "granary.h"

/* granary_load_object's source, unused here. */
bool granary_load_state(granary_buf *state, bool *saved, granary_buf *err) {
  (void)state;
  (void)err;
  *saved = false;
  return true;
}

static void check(bool holds) {
  if (!holds) __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  granary_view payload = {data, size};
  granary_json obj;
  granary_buf err = {0};
  if (!granary_json_parse(payload, &obj, &err)) {
    check(err.len > 0);
    granary_json_free(&obj);
    granary_buf_free(&err);
    return 0;
  }
  static const char *names[] = {"n", "s", "p", ""};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    granary_buf out = {0}, why = {0}, raw = {0};
    int64_t n;
    bool b;
    granary_json_has(&obj, names[i]);
    granary_json_get_int(&obj, names[i], &n, &why);
    granary_json_get_bool(&obj, names[i], &b, &why);
    granary_json_get_raw(&obj, names[i], &raw);
    if (granary_json_get_string(&obj, names[i], &out, &why)) {
      granary_buf rebuilt = {0};
      granary_json_begin(&rebuilt);
      granary_json_put_string(&rebuilt, "s", granary_buf_view(&out));
      granary_json_end(&rebuilt);
      granary_json again;
      granary_buf again_err = {0}, back = {0};
      check(granary_json_parse(granary_buf_view(&rebuilt), &again, &again_err));
      check(granary_json_get_string(&again, "s", &back, &again_err));
      granary_json_free(&again);
      granary_buf_free(&again_err);
      granary_buf_free(&back);
      granary_buf_free(&rebuilt);
    }
    granary_buf_free(&out);
    granary_buf_free(&why);
    granary_buf_free(&raw);
  }
  granary_json_free(&obj);
  granary_buf_free(&err);
  return 0;
}
