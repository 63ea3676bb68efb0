// The grain a component runs, and what its handler returns. AssemblyScript cannot catch a
// thrown error (an abort traps and the node discards the instance), so a handler returns its
// failures as a Reply instead of throwing them.

import { trap } from "./abort";
import { encodeUtf8 } from "./bytes";

/**
 * One grain kind. Each activation runs in its own instance, so the registered value serves
 * exactly one identity, one message at a time.
 */
export abstract class Grain {
  /**
   * Runs once per activation, before the first message (load state here). A non-null result
   * is an error: it is logged and fails the activation.
   */
  activate(): string | null {
    return null;
  }

  /** Handles one message; an error Reply is returned to the caller as a failed call. */
  abstract handle(method: string, payload: Uint8Array): Reply;

  /**
   * A reminder this grain set is due (setReminder). Delivered at least once: tick increases by
   * one per firing, so a tick not above the last one seen is a repeat. A non-null result is an
   * error, logged by the node; the reminder goes on.
   */
  receiveReminder(name: string, tick: u64): string | null {
    return "this grain does not handle reminders (got \"" + name + "\", tick " + tick.toString() + ")";
  }

  /**
   * An event on a topic this grain's kind subscribes to, in order per (topic, key). A non-null
   * result is an error: the event is delivered again later, and the events after it wait.
   */
  receiveEvent(event: Event): string | null {
    return "this grain does not handle events (got one on \"" + event.topic + "\")";
  }

  /** Runs before the activation is dropped. State saved in handle is already durable. */
  deactivate(): void {}
}

/** One event of a subscribed topic; a sequence already seen on (topic, key) is a repeat. */
export class Event {
  constructor(readonly topic: string, readonly key: string, readonly sequence: u64, readonly payload: Uint8Array) {}
}

/** A handler's result: reply bytes, or an error message for the caller. */
export class Reply {
  private constructor(readonly isOk: bool, readonly bytes: Uint8Array, readonly error: string) {}

  static ok(bytes: Uint8Array): Reply {
    return new Reply(true, bytes, "");
  }

  static err(message: string): Reply {
    return new Reply(false, new Uint8Array(0), message);
  }

  /** What crosses the boundary: the reply bytes, or the error message as UTF-8. */
  wireBytes(): Uint8Array {
    return this.isOk ? this.bytes : encodeUtf8(this.error);
  }
}

let registered: Grain | null = null;

/** Makes g this component's grain. Call it once, from the grain module's top level. */
export function register(g: Grain): void {
  if (registered != null) trap("granary: register called twice");
  registered = g;
}

export function registeredGrain(): Grain {
  const g = registered;
  if (g == null) trap("granary: no grain registered: call register(new MyGrain()) at the top level");
  return g!;
}
