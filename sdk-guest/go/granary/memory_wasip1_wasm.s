// Linear-memory size and growth, which Go has no statement for.
// Used only by the canonical-ABI allocator in abi.go (see "Payload limit" in ../README.md).

#include "textflag.h"

// func memoryPages() int32
TEXT ·memoryPages(SB), NOSPLIT, $0-4
	Get SP
	CurrentMemory
	I32Store ret+0(FP)
	RET

// func memoryGrow(pages int32) int32
TEXT ·memoryGrow(SB), NOSPLIT, $0-12
	Get SP
	I32Load pages+0(FP)
	GrowMemory
	I32Store ret+8(FP)
	RET
