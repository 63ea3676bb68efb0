// The canonical ABI of world granary:grain/grain@0.2.0 (wit/grain.wit), by hand: the host
// imports, and the memory that every string and list crossing the boundary lives in.
//
// Core imports, module "granary:grain/host@0.2.0" (i32 unless noted; ret = return area):
//
//   self-id             (ret)                          ret: kind ptr,len @0,4; identity ptr,len @8,12
//   log                 (level, msg ptr, msg len)       level: trace=0 debug=1 info=2 warn=3 error=4
//   load-state          (ret)                          ret: option tag u8 @0; list ptr,len @4,8
//   save-state          (ptr, len, ret)                ret: result tag u8 @0; err string ptr,len @4,8
//   call                (kind ptr,len, identity ptr,len, method ptr,len, payload ptr,len, ret)
//                                                      ret: result tag u8 @0; ok list ptr,len @4,8;
//                                                           err call-error tag u8 @4, string ptr,len @8,12
//   send                (same 9 parameters as call)     ret: result tag u8 @0; err call-error as in call
//   set-receive-timeout (millis i64)
//
// Modules "granary:grain/reminders@0.2.0" and "granary:grain/topics@0.2.0":
//
//   set-reminder        (name ptr,len, due-after-ms i64, period-ms i64, ret)
//                                                      ret: result tag u8 @0; err string ptr,len @4,8
//   cancel-reminder     (name ptr,len, ret)            ret: result tag u8 @0; ok bool u8 @4; err string @4,8
//   publish             (topic ptr,len, key ptr,len, payload ptr,len, ret)
//                                                      ret: result tag u8 @0; ok u64 @8; err string @8,12
//
// Core exports (exports.ts): activate, deactivate (); handle (method ptr,len, payload ptr,len)
// -> ret: result tag u8 @0, ok/err ptr,len @4,8; receive-reminder (name ptr,len, tick i64) and
// receive-event (topic ptr,len, key ptr,len, sequence i64, payload ptr,len) -> ret: result tag
// u8 @0, err ptr,len @4,8; cabi_post_<export> (ret); cabi_realloc. AssemblyScript names an
// export by its function, so these two are receive_reminder / receive_event (and their
// cabi_post_) in the core module, and the build renames them (examples/assemblyscript/build.sh).
//
// No boundary buffer is a GC object: the incremental GC may free an object the moment no
// reference to it is live, and a raw pointer handed to the host is no reference. So what
// goes out is copied to heap.alloc memory first, and what comes in is written by the host into
// memory cabi_realloc takes from heap.alloc (which never runs the GC, and never calls an
// import: cabi_realloc may run while an import lowers its result, where imports are
// forbidden). Each transfer is copied into GC objects and freed as soon as it arrives.

/** The largest list or string, in bytes, the host may hand an AssemblyScript grain. */
export const PAYLOAD_LIMIT: usize = 1 << 20;

const PAGE: u64 = 1 << 16;

// A zero-length transfer needs an aligned address, not memory.
const EMPTY: usize = memory.data(8, 8);

// Transfers over the limit go to pages grown here, outside the heap (TLSF only adopts pages
// it grew itself), so that the host can finish writing them instead of trapping; the export
// or import that receives one reports an error and never reads it. The region is reused by
// the next such transfer. When the heap has grown above it and a larger one comes, a new
// region starts at the top of memory and the old one is left behind.
let spillBase: u64 = 0;
let spillSize: u64 = 0;
let spillUsed: u64 = 0;

export function cabi_realloc(oldPtr: usize, oldSize: usize, align: usize, newSize: usize): usize {
  if (newSize == 0) {
    releaseTransfer(oldPtr, oldSize);
    return EMPTY;
  }
  // Whether a transfer spilled is read from its length alone, so a block never changes sides.
  const spills = newSize > PAYLOAD_LIMIT;
  if (oldSize != 0 && newSize <= oldSize && spills == (oldSize > PAYLOAD_LIMIT)) return oldPtr;
  let ptr: usize;
  if (spills) {
    ptr = spill(<u64>newSize, <u64>max<usize>(align, 1));
    // Memory cannot grow: an address past the end makes the host fail the transfer.
    if (ptr == 0) return ~(align - 1);
  } else {
    ptr = heap.alloc(newSize);
  }
  if (oldSize != 0) {
    memory.copy(ptr, oldPtr, min(oldSize, newSize));
    releaseTransfer(oldPtr, oldSize);
  }
  return ptr;
}

/** Space for a transfer over the limit; 0 when memory cannot grow. */
function spill(size: u64, align: u64): usize {
  let offset = (spillUsed + align - 1) & ~(align - 1);
  if (offset + size > spillSize) {
    const top = <u64>memory.size() * PAGE;
    if (spillBase + spillSize != top) {
      spillBase = top;
      spillSize = 0;
      offset = 0;
    }
    const pages = (offset + size - spillSize + PAGE - 1) / PAGE;
    if (memory.grow(<i32>pages) < 0) return 0;
    spillSize += pages * PAGE;
  }
  spillUsed = offset + size;
  return <usize>(spillBase + offset);
}

/** Frees a block the host wrote through cabi_realloc once it has been copied (or refused). */
export function releaseTransfer(ptr: usize, len: usize): void {
  if (len != 0 && len <= PAYLOAD_LIMIT) heap.free(ptr);
}

/** Ends a call's transfers: the spill region is free again. */
export function endTransfers(): void {
  spillUsed = 0;
}

/** Copies a host-written string out of its transfer block and frees the block. */
export function liftString(ptr: usize, len: usize): string {
  const s = String.UTF8.decodeUnsafe(ptr, len);
  releaseTransfer(ptr, len);
  return s;
}

/** Copies a host-written list out of its transfer block and frees the block. */
export function liftBytes(ptr: usize, len: usize): Uint8Array {
  const bytes = new Uint8Array(<i32>len);
  memory.copy(bytes.dataStart, ptr, len);
  releaseTransfer(ptr, len);
  return bytes;
}

/** A heap.alloc copy of bytes for the host to read; free it with freeCopy. */
export function copyOut(bytes: Uint8Array): usize {
  const len = <usize>bytes.length;
  if (len == 0) return EMPTY;
  const ptr = heap.alloc(len);
  memory.copy(ptr, bytes.dataStart, len);
  return ptr;
}

export function freeCopy(ptr: usize, len: usize): void {
  if (len != 0) heap.free(ptr);
}

// The (ptr, len) pairs of the strings and lists lowered for one import call.
const lowered: usize = memory.data(4 * 8, 4);

/** Lowers s, as UTF-8 (a lone surrogate becomes U+FFFD), into argument slot `slot`. */
export function lowerString(slot: i32, s: string): void {
  const len = <usize>String.UTF8.byteLength(s);
  const ptr = len == 0 ? EMPTY : heap.alloc(len);
  String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, ptr, false, String.UTF8.ErrorMode.REPLACE);
  setLowered(slot, ptr, len);
}

/** Lowers a list of bytes (null is the empty list) into argument slot `slot`. */
export function lowerBytes(slot: i32, bytes: Uint8Array | null): void {
  if (bytes == null) {
    setLowered(slot, EMPTY, 0);
  } else {
    setLowered(slot, copyOut(bytes), <usize>bytes.length);
  }
}

function setLowered(slot: i32, ptr: usize, len: usize): void {
  store<u32>(lowered + (<usize>slot << 3), <u32>ptr);
  store<u32>(lowered + (<usize>slot << 3), <u32>len, 4);
}

export function loweredPtr(slot: i32): usize {
  return load<u32>(lowered + (<usize>slot << 3));
}

export function loweredLen(slot: i32): usize {
  return load<u32>(lowered + (<usize>slot << 3), 4);
}

/** Frees the first `count` lowered arguments once the import has returned. */
export function freeLowered(count: i32): void {
  for (let slot = 0; slot < count; slot++) freeCopy(loweredPtr(slot), loweredLen(slot));
}

// Every import's results; 16 bytes fit them all, and 8-byte alignment publish's u64 (the
// host refuses a return area aligned below its result's alignment).
const retArea: usize = memory.data(16, 8);

/** The zeroed return area, to pass to an import. */
export function ret(): usize {
  memory.fill(retArea, 0, 16);
  return retArea;
}

export function retTag(offset: usize): u8 {
  return load<u8>(retArea + offset);
}

export function retWord(offset: usize): usize {
  return load<u32>(retArea + offset);
}

export function retU64(offset: usize): u64 {
  return load<u64>(retArea + offset);
}

/** The error text for a transfer over the limit. */
export function tooLarge(what: string, size: usize): string {
  return what + " of " + size.toString() + " bytes is over the " + PAYLOAD_LIMIT.toString() +
    "-byte limit of AssemblyScript grains";
}

// --- imports -----------------------------------------------------------------------------

// @ts-ignore: decorator
@external("granary:grain/host@0.2.0", "self-id")
export declare function hostSelfId(ret: usize): void;

// @ts-ignore: decorator
@external("granary:grain/host@0.2.0", "log")
export declare function hostLog(level: u32, msg: usize, msgLen: usize): void;

// @ts-ignore: decorator
@external("granary:grain/host@0.2.0", "load-state")
export declare function hostLoadState(ret: usize): void;

// @ts-ignore: decorator
@external("granary:grain/host@0.2.0", "save-state")
export declare function hostSaveState(state: usize, stateLen: usize, ret: usize): void;

// @ts-ignore: decorator
@external("granary:grain/host@0.2.0", "call")
export declare function hostCall(
  kind: usize, kindLen: usize, identity: usize, identityLen: usize,
  method: usize, methodLen: usize, payload: usize, payloadLen: usize, ret: usize,
): void;

// @ts-ignore: decorator
@external("granary:grain/host@0.2.0", "send")
export declare function hostSend(
  kind: usize, kindLen: usize, identity: usize, identityLen: usize,
  method: usize, methodLen: usize, payload: usize, payloadLen: usize, ret: usize,
): void;

// @ts-ignore: decorator
@external("granary:grain/host@0.2.0", "set-receive-timeout")
export declare function hostSetReceiveTimeout(millis: u64): void;

// @ts-ignore: decorator
@external("granary:grain/reminders@0.2.0", "set-reminder")
export declare function hostSetReminder(name: usize, nameLen: usize, dueAfterMs: u64, periodMs: u64, ret: usize): void;

// @ts-ignore: decorator
@external("granary:grain/reminders@0.2.0", "cancel-reminder")
export declare function hostCancelReminder(name: usize, nameLen: usize, ret: usize): void;

// @ts-ignore: decorator
@external("granary:grain/topics@0.2.0", "publish")
export declare function hostPublish(
  topic: usize, topicLen: usize, key: usize, keyLen: usize, payload: usize, payloadLen: usize, ret: usize,
): void;
