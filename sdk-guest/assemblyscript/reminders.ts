// Durable reminders (interface granary:grain/reminders) and topic events (granary:grain/topics)
// of contract 0.2.0. Failures are returned, never thrown.

import {
  PAYLOAD_LIMIT, endTransfers, freeLowered, hostCancelReminder, hostPublish, hostSetReminder, liftString,
  lowerBytes, lowerString, loweredLen, loweredPtr, ret, retTag, retU64, retWord, tooLarge,
} from "./abi";

/** The host's error string at (ptr, len); one over the limit is not read. */
function hostError(prefix: string, ptr: usize, len: usize): string {
  const text = len <= PAYLOAD_LIMIT ? liftString(ptr, len) : "(a message over the payload limit)";
  endTransfers();
  return prefix + text;
}

/**
 * Durably sets (or replaces) this grain's reminder `name`: first due after dueAfterMs, then
 * every periodMs (0: once). Its ticks come to Grain.receiveReminder. Null when set, else the error.
 */
export function setReminder(name: string, dueAfterMs: u64, periodMs: u64): string | null {
  lowerString(0, name);
  hostSetReminder(loweredPtr(0), loweredLen(0), dueAfterMs, periodMs, ret());
  freeLowered(1);
  if (retTag(0) == 0) return null;
  return hostError("cannot set the reminder: ", retWord(4), retWord(8));
}

/** What cancelReminder did: whether there was such a reminder, or the error. */
export class Cancelled {
  constructor(readonly existed: bool, readonly error: string | null) {}
}

/** Durably removes the reminder `name`. */
export function cancelReminder(name: string): Cancelled {
  lowerString(0, name);
  hostCancelReminder(loweredPtr(0), loweredLen(0), ret());
  freeLowered(1);
  if (retTag(0) == 0) return new Cancelled(retTag(4) != 0, null);
  return new Cancelled(false, hostError("cannot cancel the reminder: ", retWord(4), retWord(8)));
}

/** What publish did: the event's sequence on (topic, key), or the error. */
export class Published {
  constructor(readonly sequence: u64, readonly error: string | null) {}
}

/** Durably appends an event to `topic` under `key`; every kind subscribed to it receives it. */
export function publish(topic: string, key: string, payload: Uint8Array): Published {
  if (<usize>payload.length > PAYLOAD_LIMIT) {
    return new Published(0, "cannot publish: " + tooLarge("event", payload.length));
  }
  lowerString(0, topic);
  lowerString(1, key);
  lowerBytes(2, payload);
  hostPublish(loweredPtr(0), loweredLen(0), loweredPtr(1), loweredLen(1), loweredPtr(2), loweredLen(2), ret());
  freeLowered(3);
  if (retTag(0) == 0) return new Published(retU64(8), null);
  return new Published(0, hostError("cannot publish: ", retWord(8), retWord(12)));
}
