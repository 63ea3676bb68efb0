//! The message arena: one bounded bump allocator that serves both the grain's allocations and
//! the host's transfers (cabi_realloc), emptied after every export returns.
//!
//! The host writes every string and list it passes in (handle's arguments, import results)
//! into memory that cabi_realloc returns, and may call it while an import is lowering its
//! result. Serving those transfers from the same arena as the grain's own allocations means
//! nothing is copied: a payload or a call reply stays where the host put it until the message
//! is done. A transfer that does not fit is not a trap: it spills into memory grown for the
//! purpose, and the export or import that receives it reports an error instead of reading it.
const std = @import("std");

/// The largest payload, call reply or saved state, in bytes, that a Zig grain accepts.
pub const payload_limit = 1 << 20;

/// Room for a full payload, the method name, the JSON built from them and a full call reply.
pub const arena_size = 4 << 20;

const wasm_page = 64 << 10;

// Zero-initialized static memory: it adds nothing to the file, and pages a message never
// touches cost the instance nothing.
var arena_bytes: [arena_size]u8 align(16) = undefined;
var arena: std.heap.FixedBufferAllocator = .init(&arena_bytes);

// Spilled transfers go above everything else in linear memory. Nothing in a Zig grain grows
// memory but spill, so the region starts where memory ended at the first spill and only grows
// when a later spill is larger than every one before.
var spill_base: u64 = 0;
var spill_capacity: u64 = 0;
var spill_used: u64 = 0;

/// The allocator for this message's work; everything in it is gone once the export returns.
pub fn allocator() std.mem.Allocator {
    return arena.allocator();
}

/// Empties the arena. Called once an export's results are no longer needed.
pub fn reset() void {
    arena.end_index = 0;
    spill_used = 0;
}

/// Whether a transfer since the last check did not fit the arena.
pub fn spilled() bool {
    return spill_used != 0;
}

/// Forgets what spilled: its bytes are never read.
pub fn dropSpill() void {
    spill_used = 0;
}

/// The canonical ABI's allocator. When memory cannot grow (the grain's memory limit) it
/// returns an address past the end of memory, so the host fails the transfer cleanly
/// ("realloc return: beyond end of memory") rather than this module trapping.
pub fn cabiRealloc(old_ptr: ?[*]u8, old_size: usize, alignment: usize, new_size: usize) callconv(.c) usize {
    const old = if (old_ptr) |p| p[0..old_size] else null;
    if (old != null and new_size <= old_size) return @intFromPtr(old_ptr);
    const byte_alignment = std.mem.Alignment.fromByteUnits(alignment);
    const fresh = arenaTake(old, byte_alignment, new_size) orelse
        spill(new_size, alignment) orelse
        return std.math.maxInt(usize) & ~(alignment - 1);
    if (old) |bytes| if (fresh != bytes.ptr) @memcpy(fresh[0..bytes.len], bytes);
    return @intFromPtr(fresh);
}

fn arenaTake(old: ?[]u8, alignment: std.mem.Alignment, new_size: usize) ?[*]u8 {
    // FixedBufferAllocator's index arithmetic assumes sizes far below usize's range.
    if (new_size > arena_size) return null;
    const a = arena.allocator();
    if (old) |bytes| {
        if (arena.ownsSlice(bytes) and a.rawResize(bytes, alignment, new_size, @returnAddress())) return bytes.ptr;
    }
    return a.rawAlloc(new_size, alignment, @returnAddress());
}

fn spill(size: usize, alignment: usize) ?[*]u8 {
    if (spill_base == 0) spill_base = @as(u64, @wasmMemorySize(0)) * wasm_page;
    const start = std.mem.alignForward(u64, spill_base + spill_used, alignment);
    const end = start + size;
    if (end > spill_base + spill_capacity) {
        const pages = std.math.divCeil(u64, end - spill_base - spill_capacity, wasm_page) catch unreachable;
        if (pages > std.math.maxInt(u32) or @wasmMemoryGrow(0, @intCast(pages)) < 0) return null;
        spill_capacity += pages * wasm_page;
    }
    spill_used = end - spill_base;
    return @ptrFromInt(@as(usize, @intCast(start)));
}
