// `__NAME__`: a Granary grain. `./build.sh` makes __NAME__.wasm; README.md says what next.

import { Grain, ObjectBuilder, Reply, loadObject, parseObject, register, saveState } from "./granary/granary";

export * from "./granary/exports";

class Greeter extends Grain {
  // How many greetings this identity has given, kept in the grain's state {"count": N}.
  count: i64 = 0;

  activate(): string | null {
    const state = loadObject();
    if (state == null) return null;
    this.count = state.getInt("count");
    return state.error;
  }

  handle(method: string, payload: Uint8Array): Reply {
    if (method == "greet") return this.greet(payload);
    return Reply.err("unknown method \"" + method + "\": __NAME__ has greet");
  }

  private greet(payload: Uint8Array): Reply {
    const request = parseObject(payload);
    const name = request.getString("name");
    const error = request.error;
    if (error != null) return Reply.err(error);
    const saveError = saveState(new ObjectBuilder().int("count", this.count + 1).toBytes());
    if (saveError != null) return Reply.err(saveError);
    this.count += 1;
    return Reply.ok(new ObjectBuilder().string("greeting", "Hello, " + name + "!").int("count", this.count).toBytes());
  }
}

register(new Greeter());
