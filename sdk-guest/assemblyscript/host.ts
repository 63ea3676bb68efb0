// What the node offers a grain (interface granary:grain/host): identity, log, state, calls to
// other grains, the receive timeout. Failures are returned, never thrown.

import {
  PAYLOAD_LIMIT, endTransfers, freeLowered, hostCall, hostLoadState, hostLog, hostSaveState,
  hostSelfId, hostSend, hostSetReceiveTimeout, liftBytes, liftString, lowerBytes, lowerString,
  loweredLen, loweredPtr, releaseTransfer, ret, retTag, retWord, tooLarge,
} from "./abi";
import { trap } from "./abort";
import { JsonObject } from "./json";
import { Reply } from "./grain";

// --- identity and log ----------------------------------------------------------------------

/** The cluster identity of a grain: kind/identity. */
export class GrainId {
  constructor(readonly kind: string, readonly identity: string) {}

  /** Reads "kind/identity" (the identity may contain further slashes); null if malformed. */
  static parse(s: string): GrainId | null {
    const slash = s.indexOf("/");
    if (slash <= 0 || slash == s.length - 1) return null;
    return new GrainId(s.substring(0, slash), s.substring(slash + 1));
  }

  toString(): string {
    return this.kind + "/" + this.identity;
  }
}

let self: GrainId | null = null;

/** The identity this instance runs as. */
export function selfId(): GrainId {
  let id = self;
  if (id == null) {
    hostSelfId(ret());
    const kindLen = retWord(4);
    const identityLen = retWord(12);
    if (kindLen > PAYLOAD_LIMIT || identityLen > PAYLOAD_LIMIT) {
      releaseTransfer(retWord(0), kindLen);
      releaseTransfer(retWord(8), identityLen);
      endTransfers();
      trap("granary: self-id is over the payload limit"); // no node names a grain that long
    }
    const kind = liftString(retWord(0), kindLen);
    id = new GrainId(kind, liftString(retWord(8), identityLen));
    endTransfers();
    self = id;
  }
  return id;
}

/** Severity of a log line, in WIT order. */
export enum LogLevel {
  Trace,
  Debug,
  Info,
  Warn,
  Error,
}

/** Writes a line to the node's log, tagged with this grain's identity. Lines over 16 KiB are cut by the node. */
export function log(level: LogLevel, message: string): void {
  lowerString(0, message);
  hostLog(<u32>level, loweredPtr(0), loweredLen(0));
  freeLowered(1);
}

// --- state ---------------------------------------------------------------------------------

/**
 * The state saved by the last activation of this identity (or by this one); null for an
 * identity never saved. A saved state over PAYLOAD_LIMIT (only a grain in another language
 * can have written one) traps, which fails the activation when called from activate, rather
 * than let the grain overwrite a state it never saw.
 */
export function loadState(): Uint8Array | null {
  hostLoadState(ret());
  if (retTag(0) == 0) return null;
  const len = retWord(8);
  if (len > PAYLOAD_LIMIT) {
    endTransfers();
    trap("granary: cannot load state: " + tooLarge("saved state", len));
  }
  const state = liftBytes(retWord(4), len);
  endTransfers();
  return state;
}

/**
 * The saved state parsed as a JSON object; null for an identity never saved. Its errors
 * start with "corrupt state".
 */
export function loadObject(): JsonObject | null {
  const state = loadState();
  return state == null ? null : JsonObject.parse(state, "corrupt state");
}

/**
 * Durably replaces this grain's state before returning; null when saved, else the error.
 * It fails when a newer activation wrote since this one loaded, or when the state is over
 * PAYLOAD_LIMIT (it could not be loaded again).
 */
export function saveState(state: Uint8Array): string | null {
  if (<usize>state.length > PAYLOAD_LIMIT) {
    return "cannot save state: " + tooLarge("state", state.length);
  }
  lowerBytes(0, state);
  hostSaveState(loweredPtr(0), loweredLen(0), ret());
  freeLowered(1);
  if (retTag(0) == 0) return null;
  const message = liftMessage(retWord(4), retWord(8));
  endTransfers();
  return "cannot save state: " + message;
}

/** A host-written error message; one over the limit is not read. */
function liftMessage(ptr: usize, len: usize): string {
  if (len <= PAYLOAD_LIMIT) return liftString(ptr, len);
  return "(a message over the payload limit)";
}

// --- other grains --------------------------------------------------------------------------

/** Why a call or send did not produce the callee's reply: the cases of WIT call-error. */
export enum CallErrorKind {
  /** The target could not be reached or activated. */
  Unavailable,
  /** No reply arrived before the caller's deadline. */
  Timeout,
  /** The host refused the call (a call cycle, a malformed grain id). */
  Rejected,
  /** The callee returned an error result, trapped or exceeded a limit. */
  Failed,
}

/** A failed call or send. Its text reads "kind/id method: failed: why". */
export class CallError {
  constructor(
    readonly target: GrainId,
    readonly method: string,
    readonly kind: CallErrorKind,
    readonly message: string, // empty for Timeout
  ) {}

  toString(): string {
    const kinds = ["unavailable", "timed out", "rejected", "failed"];
    const s = this.target.toString() + " " + this.method + ": " + kinds[this.kind];
    return this.message.length == 0 ? s : s + ": " + this.message;
  }
}

/** A call's outcome: the callee's reply, or why there is none. */
export class CallResult {
  constructor(readonly reply: Uint8Array, readonly error: CallError | null) {}

  get ok(): bool {
    return this.error == null;
  }

  /** The reply as this grain's own reply: a failed call becomes an error reply. */
  toReply(): Reply {
    const error = this.error;
    return error == null ? Reply.ok(this.reply) : Reply.err(error.toString());
  }
}

/** Lowers the four arguments that call and send share. */
function lowerMessage(kind: string, identity: string, method: string, payload: Uint8Array | null): void {
  lowerString(0, kind);
  lowerString(1, identity);
  lowerString(2, method);
  lowerBytes(3, payload);
}

/** The call-error in the return area, its message lifted. */
function liftCallError(target: GrainId, method: string): CallError {
  const kind = <CallErrorKind>retTag(4);
  const message = kind == CallErrorKind.Timeout ? "" : liftMessage(retWord(8), retWord(12));
  return new CallError(target, method, kind, message);
}

/**
 * Sends a request to another grain and waits for its reply (null payload: empty). A reply
 * over PAYLOAD_LIMIT is not read: it is a Failed error.
 */
export function call(kind: string, identity: string, method: string, payload: Uint8Array | null = null): CallResult {
  lowerMessage(kind, identity, method, payload);
  hostCall(
    loweredPtr(0), loweredLen(0), loweredPtr(1), loweredLen(1),
    loweredPtr(2), loweredLen(2), loweredPtr(3), loweredLen(3), ret(),
  );
  freeLowered(4);
  const target = new GrainId(kind, identity);
  let result: CallResult;
  if (retTag(0) != 0) {
    result = new CallResult(new Uint8Array(0), liftCallError(target, method));
  } else if (retWord(8) > PAYLOAD_LIMIT) {
    const message = tooLarge("reply", retWord(8));
    result = new CallResult(new Uint8Array(0), new CallError(target, method, CallErrorKind.Failed, message));
  } else {
    result = new CallResult(liftBytes(retWord(4), retWord(8)), null);
  }
  endTransfers();
  return result;
}

/** Delivers a one-way message to another grain; null once it is queued, else the refusal. */
export function send(kind: string, identity: string, method: string, payload: Uint8Array | null = null): CallError | null {
  lowerMessage(kind, identity, method, payload);
  hostSend(
    loweredPtr(0), loweredLen(0), loweredPtr(1), loweredLen(1),
    loweredPtr(2), loweredLen(2), loweredPtr(3), loweredLen(3), ret(),
  );
  freeLowered(4);
  const error: CallError | null = retTag(0) == 0 ? null : liftCallError(new GrainId(kind, identity), method);
  endTransfers();
  return error;
}

/** Deactivates this grain after `millis` without messages; 0 restores the kind's default. */
export function setReceiveTimeout(millis: u64): void {
  hostSetReceiveTimeout(millis);
}
