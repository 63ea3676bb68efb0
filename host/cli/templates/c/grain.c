/* `__NAME__`: a Granary grain. `./build.sh` makes __NAME__.wasm; README.md says what next. */
#include <granary.h>

/* How many greetings this identity has given, kept in the grain's state {"count":N}. */
static int64_t count;

bool grain_activate(granary_buf *err) {
  granary_json state;
  bool saved;
  if (!granary_load_object(&state, &saved, err)) return false;
  bool ok = !saved || granary_json_get_int(&state, "count", &count, err);
  granary_json_free(&state);
  return ok;
}

static bool greet(granary_view payload, granary_buf *reply, granary_buf *err) {
  granary_json req;
  if (!granary_json_parse(payload, &req, err)) return false;
  granary_buf name = {0}, state = {0}, greeting = {0};
  bool ok = granary_json_get_string(&req, "name", &name, err);
  if (ok) {
    granary_json_begin(&state);
    granary_json_put_int(&state, "count", count + 1);
    ok = granary_json_end(&state) && granary_save_state(granary_buf_view(&state), err);
  }
  if (ok) {
    count += 1;
    granary_buf_puts(&greeting, "Hello, ");
    granary_buf_put_view(&greeting, granary_buf_view(&name));
    granary_buf_puts(&greeting, "!");
    granary_json_begin(reply);
    granary_json_put_string(reply, "greeting", granary_buf_view(&greeting));
    granary_json_put_int(reply, "count", count);
    ok = granary_json_end(reply);
  }
  granary_buf_free(&name);
  granary_buf_free(&state);
  granary_buf_free(&greeting);
  granary_json_free(&req);
  return ok;
}

bool grain_handle(granary_view method, granary_view payload, granary_buf *reply, granary_buf *err) {
  if (granary_view_eq(method, "greet")) return greet(payload, reply, err);
  granary_buf_puts(err, "unknown method ");
  granary_json_quote(err, method);
  return granary_fail(err, ": __NAME__ has greet");
}
