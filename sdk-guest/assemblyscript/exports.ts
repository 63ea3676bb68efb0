// The component's core exports (world grain: activate, handle, receive-reminder,
// receive-event, deactivate). A grain's entry module re-exports them all:
// `export * from "<path>/sdk-guest/assemblyscript/exports";`. AssemblyScript names an export
// after its function, so the build renames receive_reminder and receive_event (and their
// cabi_post_) to the canonical ABI's receive-reminder and receive-event.

import {
  PAYLOAD_LIMIT, copyOut, endTransfers, freeCopy, liftBytes, liftString, releaseTransfer, tooLarge,
} from "./abi";
import { trap } from "./abort";
import { Event, Reply, registeredGrain } from "./grain";

export { cabi_realloc } from "./abi";

export function activate(): void {
  const error = registeredGrain().activate();
  if (error != null) trap("activate failed: " + error); // the only way to refuse an activation
}

// handle's return area: result tag u8 @0, reply or error ptr,len @4,8.
const handleRet: usize = memory.data(12, 4);

export function handle(methodPtr: usize, methodLen: usize, payloadPtr: usize, payloadLen: usize): usize {
  let reply: Reply;
  if (methodLen > PAYLOAD_LIMIT || payloadLen > PAYLOAD_LIMIT) {
    releaseTransfer(methodPtr, methodLen);
    releaseTransfer(payloadPtr, payloadLen);
    endTransfers();
    reply = Reply.err(payloadLen > PAYLOAD_LIMIT
      ? tooLarge("payload", payloadLen)
      : tooLarge("method name", methodLen));
  } else {
    const method = liftString(methodPtr, methodLen);
    const payload = liftBytes(payloadPtr, payloadLen);
    endTransfers();
    reply = registeredGrain().handle(method, payload);
  }
  const bytes = reply.wireBytes();
  store<u8>(handleRet, reply.isOk ? 0 : 1);
  store<u32>(handleRet, <u32>copyOut(bytes), 4);
  store<u32>(handleRet, <u32>bytes.length, 8);
  return handleRet;
}

// The reply stays in heap.alloc memory until the host has copied it.
export function cabi_post_handle(ret: usize): void {
  freeCopy(load<u32>(ret, 4), load<u32>(ret, 8));
}

// receive-reminder's and receive-event's return area: result tag u8 @0, error ptr,len @4,8.
const receiveRet: usize = memory.data(12, 4);

function receiveResult(error: string | null): usize {
  const bytes = error == null ? new Uint8Array(0) : Reply.err(error).wireBytes();
  store<u8>(receiveRet, error == null ? 0 : 1);
  store<u32>(receiveRet, <u32>copyOut(bytes), 4);
  store<u32>(receiveRet, <u32>bytes.length, 8);
  return receiveRet;
}

export function receive_reminder(namePtr: usize, nameLen: usize, tick: u64): usize {
  if (nameLen > PAYLOAD_LIMIT) {
    releaseTransfer(namePtr, nameLen);
    endTransfers();
    return receiveResult(tooLarge("reminder name", nameLen));
  }
  const name = liftString(namePtr, nameLen);
  endTransfers();
  return receiveResult(registeredGrain().receiveReminder(name, tick));
}

export function receive_event(
  topicPtr: usize, topicLen: usize, keyPtr: usize, keyLen: usize, sequence: u64, payloadPtr: usize, payloadLen: usize,
): usize {
  if (topicLen > PAYLOAD_LIMIT || keyLen > PAYLOAD_LIMIT || payloadLen > PAYLOAD_LIMIT) {
    releaseTransfer(topicPtr, topicLen);
    releaseTransfer(keyPtr, keyLen);
    releaseTransfer(payloadPtr, payloadLen);
    endTransfers();
    return receiveResult(tooLarge("event", payloadLen));
  }
  const topic = liftString(topicPtr, topicLen);
  const key = liftString(keyPtr, keyLen);
  const payload = liftBytes(payloadPtr, payloadLen);
  endTransfers();
  return receiveResult(registeredGrain().receiveEvent(new Event(topic, key, sequence, payload)));
}

export function cabi_post_receive_reminder(ret: usize): void {
  freeCopy(load<u32>(ret, 4), load<u32>(ret, 8));
}

export function cabi_post_receive_event(ret: usize): void {
  freeCopy(load<u32>(ret, 4), load<u32>(ret, 8));
}

export function deactivate(): void {
  registeredGrain().deactivate();
}
