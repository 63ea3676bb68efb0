//go:build wasip1 && wasm

// The canonical ABI of world granary:grain/grain@0.2.0, by hand (wit/grain.wit).
//
// Core imports, module "granary:grain/host@0.2.0" (i32 unless noted; ret = return area):
//
//	self-id             (ret)                          ret: kind ptr,len @0,4; identity ptr,len @8,12
//	log                 (level, msg ptr, msg len)       level: trace=0 debug=1 info=2 warn=3 error=4
//	load-state          (ret)                          ret: option tag u8 @0; list ptr,len @4,8
//	save-state          (ptr, len, ret)                ret: result tag u8 @0; err string ptr,len @4,8
//	call                (kind ptr,len, identity ptr,len, method ptr,len, payload ptr,len, ret)
//	                                                   ret: result tag u8 @0; ok list ptr,len @4,8;
//	                                                        err call-error tag u8 @4, string ptr,len @8,12
//	send                (same 9 parameters as call)     ret: result tag u8 @0; err call-error as in call
//	set-receive-timeout (millis i64)
//
// Module "granary:grain/reminders@0.2.0" and "granary:grain/topics@0.2.0":
//
//	set-reminder        (name ptr,len, due-after-ms i64, period-ms i64, ret)
//	                                                   ret: result tag u8 @0; err string ptr,len @4,8
//	cancel-reminder     (name ptr,len, ret)            ret: result tag u8 @0; ok bool u8 @4; err string @4,8
//	publish             (topic ptr,len, key ptr,len, payload ptr,len, ret)
//	                                                   ret: result tag u8 @0; ok u64 @8; err string @8,12
//
// Core exports:
//
//	activate, deactivate  ()
//	handle                (method ptr,len, payload ptr,len) -> ret: result tag u8 @0; ok/err ptr,len @4,8
//	receive-reminder      (name ptr,len, tick i64) -> ret: result tag u8 @0; err ptr,len @4,8
//	receive-event         (topic ptr,len, key ptr,len, sequence i64, payload ptr,len) -> ret (the same)
//	cabi_post_<export>    (ret)
//	cabi_realloc          (old ptr, old size, align, new size) -> ptr
//
// Strings and lists the host hands in (handle's arguments, import results) are written into
// memory that cabi_realloc returns. cabi_realloc may run while an import is lowering its
// result, where the component model forbids calling imports; Go's allocator may call WASI
// (a clock read, a GC) at any time, so cabi_realloc never touches the Go heap: it bumps
// through a static arena, which is empty whenever the host may call it (it is reset once
// each export has copied its arguments out, and after each import's result is copied out).

package granary

import (
	"strconv"
	"unsafe"
)

// PayloadLimit is the largest payload, call reply or saved state, in bytes, that a Go grain
// accepts from the host. A larger handle payload gets an error result; a larger call reply
// makes Call return an error; SaveState refuses a larger state (it could not be loaded again).
const PayloadLimit = 1 << 20

// arenaSize leaves room beside a full payload for the method name and other strings.
const arenaSize = PayloadLimit + 64<<10

const wasmPage = 64 << 10

var (
	// arena is zero-filled static memory: it costs no file size, and pages the host never
	// writes are never touched.
	arena     [arenaSize]byte
	arenaTop  uintptr // offset of the first free byte
	arenaLast uintptr // offset of the last allocation, which can grow in place
)

// When a transfer does not fit the arena, cabi_realloc grows linear memory itself and puts it
// there, so the host finishes the transfer instead of trapping; the export or import that
// received it then reports an error and zeroes the region. Go's runtime believes it owns
// memory only up to its own break, which it moves by growing memory by exactly what it
// needs: so the top grownPages of memory, which this package added, lie above that break and
// are free until Go grows again. A spill goes there (growing memory only when it does not
// fit), is zeroed before Go can allocate again (Go expects fresh memory to be zero), and the
// memory kept for spills is never more than the largest spill seen.
var (
	grownPages int32   // pages this package has grown memory by, in all
	spillBase  uintptr // where this transfer's spill starts
	spillUsed  uintptr // bytes spilled since the last release; > 0 means a transfer spilled
)

func memoryPages() int32
func memoryGrow(pages int32) int32

func alignUp(n, align uintptr) uintptr { return (n + align - 1) &^ (align - 1) }

// addr is a linear-memory address as a pointer (Go's heap does not move on wasm).
func addr(a uintptr) unsafe.Pointer { return unsafe.Add(nil, a) }

func bytesAt(ptr, n uint32) []byte {
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(addr(uintptr(ptr))), n)
}

// The WASI adapter (which maps the wasi_snapshot_preview1 imports of Go's runtime onto WASI
// 0.2) allocates its state and its stack, one 64 KiB page each, through this module's
// cabi_realloc the first time the runtime reads the clock, early in Go's runtime
// initialization, and keeps them for the life of the instance. They come from this static
// region, which Go never reuses. (With wit-component's --realloc-via-memory-grow the adapter
// would grow memory for them instead, and Go, which believes it owns all memory past its own
// break, soon overwrites them: "assertion failed" in the adapter.)
const adapterAreaSize = 3 * wasmPage

var (
	adapterArea [adapterAreaSize]byte
	adapterTop  uintptr
	// runtimeReady is set by this package's init, after the runtime's own initialization:
	// from then on every allocation is a transfer from the host, served by the arena.
	runtimeReady bool
)

//go:wasmimport wasi_snapshot_preview1 clock_time_get
func wasiClockTimeGet(clock uint32, precision uint64, time unsafe.Pointer) uint32

func init() {
	if adapterTop == 0 {
		// The runtime has always read the clock by now; should a future one not have, read
		// it here, so the adapter still allocates before the arena takes over.
		var t uint64
		wasiClockTimeGet(1, 1, unsafe.Pointer(&t))
	}
	runtimeReady = true
}

//go:wasmexport cabi_realloc
func cabiRealloc(oldPtr, oldSize, align, newSize uint32) uint32 {
	if align == 0 {
		align = 1
	}
	if !runtimeReady {
		return adapterAlloc(oldPtr, oldSize, uintptr(align), uintptr(newSize))
	}
	if oldPtr != 0 && newSize <= oldSize {
		return oldPtr
	}
	base := uintptr(unsafe.Pointer(&arena[0]))
	a, n := uintptr(align), uintptr(newSize)
	// A block that is the arena's last allocation grows in place.
	if oldPtr != 0 && uintptr(oldPtr) == base+arenaLast && arenaLast+n <= arenaSize {
		arenaTop = arenaLast + n
		return oldPtr
	}
	var p uintptr
	if off := alignUp(arenaTop, a); off+n <= arenaSize {
		p = base + off
		arenaLast, arenaTop = off, off+n
	} else if p = spill(n, a); p == 0 {
		// Memory cannot grow (the grain's memory limit): hand back an address past the end
		// of memory, so the host fails the transfer ("realloc return: beyond end of memory").
		return ^uint32(0) &^ (align - 1)
	}
	if oldPtr != 0 && oldSize != 0 {
		copy(bytesAt(uint32(p), oldSize), bytesAt(oldPtr, oldSize))
	}
	return uint32(p)
}

// adapterAlloc serves the WASI adapter's permanent allocations; it traps when they do not fit.
func adapterAlloc(oldPtr, oldSize uint32, align, n uintptr) uint32 {
	if oldPtr != 0 {
		panic("granary: the WASI adapter reallocated") // never seen: it only allocates
	}
	base := uintptr(unsafe.Pointer(&adapterArea[0]))
	off := alignUp(base+adapterTop, align) - base
	if off+n > adapterAreaSize {
		panic("granary: the WASI adapter needs more than the memory reserved for it")
	}
	adapterTop = off + n
	return uint32(base + off)
}

// spill allocates n bytes above Go's break, growing memory if needed; 0 when it cannot grow.
func spill(n, align uintptr) uintptr {
	if spillUsed == 0 {
		spillBase = uintptr(memoryPages()-grownPages) * wasmPage
	}
	off := alignUp(spillBase+spillUsed, align) - spillBase
	if have := uintptr(grownPages) * wasmPage; off+n > have {
		more := int32((off + n - have + wasmPage - 1) / wasmPage)
		if memoryGrow(more) < 0 {
			return 0
		}
		grownPages += more
	}
	spillUsed = off + n
	return spillBase + off
}

// spilled reports whether a transfer since the last release did not fit the arena.
func spilled() bool { return spillUsed != 0 }

// release empties the arena and zeroes what spilled, once nothing in them is needed.
func release() {
	if spillUsed != 0 {
		clear(unsafe.Slice((*byte)(addr(spillBase)), spillUsed))
		spillUsed = 0
	}
	arenaTop, arenaLast = 0, 0
}

// --- imports ---------------------------------------------------------------------------

//go:wasmimport granary:grain/host@0.2.0 self-id
func hostSelfID(ret unsafe.Pointer)

//go:wasmimport granary:grain/host@0.2.0 log
func hostLog(level uint32, msg unsafe.Pointer, msgLen uint32)

//go:wasmimport granary:grain/host@0.2.0 load-state
func hostLoadState(ret unsafe.Pointer)

//go:wasmimport granary:grain/host@0.2.0 save-state
func hostSaveState(state unsafe.Pointer, stateLen uint32, ret unsafe.Pointer)

//go:wasmimport granary:grain/host@0.2.0 call
func hostCall(kind unsafe.Pointer, kindLen uint32, identity unsafe.Pointer, identityLen uint32,
	method unsafe.Pointer, methodLen uint32, payload unsafe.Pointer, payloadLen uint32, ret unsafe.Pointer)

//go:wasmimport granary:grain/host@0.2.0 send
func hostSend(kind unsafe.Pointer, kindLen uint32, identity unsafe.Pointer, identityLen uint32,
	method unsafe.Pointer, methodLen uint32, payload unsafe.Pointer, payloadLen uint32, ret unsafe.Pointer)

//go:wasmimport granary:grain/host@0.2.0 set-receive-timeout
func hostSetReceiveTimeout(millis uint64)

//go:wasmimport granary:grain/reminders@0.2.0 set-reminder
func hostSetReminder(name unsafe.Pointer, nameLen uint32, dueAfterMs, periodMs uint64, ret unsafe.Pointer)

//go:wasmimport granary:grain/reminders@0.2.0 cancel-reminder
func hostCancelReminder(name unsafe.Pointer, nameLen uint32, ret unsafe.Pointer)

//go:wasmimport granary:grain/topics@0.2.0 publish
func hostPublish(topic unsafe.Pointer, topicLen uint32, key unsafe.Pointer, keyLen uint32,
	payload unsafe.Pointer, payloadLen uint32, ret unsafe.Pointer)

// retWords receives every import's results: 16 bytes fit them all, and their 8-byte
// alignment publish's u64 (the host refuses a return area aligned less than its result).
var retWords [2]uint64

// retArea is retWords as the four 32-bit words the layouts above name.
var retArea = (*[4]uint32)(unsafe.Pointer(&retWords))

func ret() unsafe.Pointer {
	retWords = [2]uint64{}
	return unsafe.Pointer(&retWords)
}

func tag(word uint32) uint8 { return uint8(word) }

func strPtr(s string) unsafe.Pointer { return unsafe.Pointer(unsafe.StringData(s)) }

func bytesPtr(b []byte) unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(b)) }

// takeBytes copies a host-written list out of the arena.
func takeBytes(ptr, n uint32) []byte {
	out := make([]byte, n)
	copy(out, bytesAt(ptr, n))
	return out
}

// --- exports ---------------------------------------------------------------------------

var (
	handleRet    [3]uint32 // handle's return area
	pendingReply []byte    // kept alive until cabi_post_handle
)

//go:wasmexport activate
func exportActivate() {
	release()
	activate()
}

//go:wasmexport handle
func exportHandle(methodPtr, methodLen, payloadPtr, payloadLen uint32) uint32 {
	if spilled() || payloadLen > PayloadLimit {
		// Nothing is copied out of the spill region: it is zeroed before Go allocates again.
		release()
		if payloadLen <= PayloadLimit {
			return handleResult(nil, tooLarge("method name", methodLen))
		}
		return handleResult(nil, tooLarge("payload", payloadLen))
	}
	method := string(bytesAt(methodPtr, methodLen))
	payload := takeBytes(payloadPtr, payloadLen)
	release()
	reply, err := handle(method, payload)
	release() // in case an import's result spilled and a panic skipped its release
	return handleResult(reply, err)
}

func handleResult(reply []byte, err error) uint32 {
	if err != nil {
		handleRet[0] = 1
		reply = []byte(validUTF8(err.Error()))
	} else {
		handleRet[0] = 0
	}
	pendingReply = reply
	handleRet[1] = uint32(uintptr(bytesPtr(reply)))
	handleRet[2] = uint32(len(reply))
	return uint32(uintptr(unsafe.Pointer(&handleRet[0])))
}

//go:wasmexport cabi_post_handle
func exportPostHandle(uint32) {
	pendingReply = nil
}

// receiveRet is the return area of receive-reminder and receive-event; pendingError keeps
// the error text alive until the post-return.
var (
	receiveRet   [3]uint32
	pendingError []byte
)

//go:wasmexport receive-reminder
func exportReceiveReminder(namePtr, nameLen uint32, tick uint64) uint32 {
	if spilled() {
		release()
		return receiveResult(tooLarge("reminder name", nameLen))
	}
	name := string(bytesAt(namePtr, nameLen))
	release()
	return receiveResult(receiveReminder(name, tick))
}

//go:wasmexport receive-event
func exportReceiveEvent(topicPtr, topicLen, keyPtr, keyLen uint32, sequence uint64, payloadPtr, payloadLen uint32) uint32 {
	if spilled() || payloadLen > PayloadLimit {
		release()
		return receiveResult(tooLarge("event", payloadLen))
	}
	event := Event{
		Topic:    string(bytesAt(topicPtr, topicLen)),
		Key:      string(bytesAt(keyPtr, keyLen)),
		Sequence: sequence,
		Payload:  takeBytes(payloadPtr, payloadLen),
	}
	release()
	return receiveResult(receiveEvent(event))
}

func receiveResult(err error) uint32 {
	release() // in case an import's result spilled and a panic skipped its release
	receiveRet = [3]uint32{}
	pendingError = nil
	if err != nil {
		pendingError = []byte(validUTF8(err.Error()))
		receiveRet[0] = 1
		receiveRet[1] = uint32(uintptr(bytesPtr(pendingError)))
		receiveRet[2] = uint32(len(pendingError))
	}
	return uint32(uintptr(unsafe.Pointer(&receiveRet[0])))
}

//go:wasmexport cabi_post_receive-reminder
func exportPostReceiveReminder(uint32) { pendingError = nil }

//go:wasmexport cabi_post_receive-event
func exportPostReceiveEvent(uint32) { pendingError = nil }

//go:wasmexport deactivate
func exportDeactivate() {
	release()
	deactivate()
}

type limitError struct {
	what string
	size uint32
}

func (e *limitError) Error() string {
	return e.what + " of " + strconv.FormatUint(uint64(e.size), 10) + " bytes is over the " +
		strconv.Itoa(PayloadLimit) + "-byte limit of Go grains"
}

func tooLarge(what string, size uint32) error { return &limitError{what, size} }
