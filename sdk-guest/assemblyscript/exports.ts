// The component's core exports (world grain: activate, handle, deactivate). A grain's entry
// module re-exports them all: `export * from "<path>/sdk-guest/assemblyscript/exports";`.

import {
  PAYLOAD_LIMIT, copyOut, endTransfers, freeCopy, liftBytes, liftString, releaseTransfer, tooLarge,
} from "./abi";
import { trap } from "./abort";
import { Reply, registeredGrain } from "./grain";

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

export function deactivate(): void {
  registeredGrain().deactivate();
}
