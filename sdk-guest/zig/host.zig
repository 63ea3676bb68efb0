//! The imports of world granary:grain/grain@0.1.0 (wit/grain.wit), at the canonical ABI,
//! module "granary:grain/host@0.2.0". Every parameter is an i32 unless noted; `ret` is a
//! 4-aligned return area that the import writes into:
//!
//!   self-id             (ret)                      kind ptr,len @0,4; identity ptr,len @8,12
//!   log                 (level, msg ptr, len)      level: trace=0 debug=1 info=2 warn=3 error=4
//!   load-state          (ret)                      option tag u8 @0; list ptr,len @4,8
//!   save-state          (ptr, len, ret)            result tag u8 @0; err string ptr,len @4,8
//!   call                (kind ptr,len, identity ptr,len, method ptr,len, payload ptr,len, ret)
//!                                                  result tag u8 @0; ok list ptr,len @4,8;
//!                                                  err call-error tag u8 @4, string ptr,len @8,12
//!   send                (the same nine)            result tag u8 @0; err call-error as for call
//!   set-receive-timeout (millis i64)
//!   set-reminder        (name ptr,len, due-after-ms i64, period-ms i64, ret)
//!                                                  result tag u8 @0; err string ptr,len @4,8
//!   cancel-reminder     (name ptr,len, ret)        result tag u8 @0; ok bool u8 @4; err string @4,8
//!   publish             (topic ptr,len, key ptr,len, payload ptr,len, ret)
//!                                                  result tag u8 @0; ok u64 @8; err string @8,12
//!
//! Strings and lists in results land in memory from cabi_realloc (see memory.zig); the
//! functions here only name them.

/// Where every import writes its results; 16 bytes fit them all, and 8-byte alignment the
/// u64 in publish's.
pub const RetArea = extern struct {
    words: [4]u32 align(8) = .{ 0, 0, 0, 0 },

    /// The discriminant (an option's, a result's) in the low byte of the first word.
    pub fn tag(self: *const RetArea) u8 {
        return @truncate(self.words[0]);
    }

    /// The call-error discriminant, the low byte of the second word.
    pub fn innerTag(self: *const RetArea) u8 {
        return @truncate(self.words[1]);
    }

    /// The u64 in the words at `index` (low) and `index + 1` (high).
    pub fn uint64(self: *const RetArea, index: usize) u64 {
        return @as(u64, self.words[index]) | (@as(u64, self.words[index + 1]) << 32);
    }

    /// The string or list whose pointer and length are the words at `index` and `index + 1`.
    pub fn bytes(self: *const RetArea, index: usize) []const u8 {
        const len = self.words[index + 1];
        if (len == 0) return "";
        const ptr: [*]const u8 = @ptrFromInt(self.words[index]);
        return ptr[0..len];
    }
};

/// The pointer to pass for `bytes`: an empty slice's may be anything, and the host checks it
/// against memory all the same.
pub fn ptrOf(bytes: []const u8) [*]const u8 {
    return if (bytes.len == 0) "".ptr else bytes.ptr;
}

pub extern "granary:grain/host@0.2.0" fn @"self-id"(ret: *RetArea) void;
pub extern "granary:grain/host@0.2.0" fn log(level: u32, msg_ptr: [*]const u8, msg_len: usize) void;
pub extern "granary:grain/host@0.2.0" fn @"load-state"(ret: *RetArea) void;
pub extern "granary:grain/host@0.2.0" fn @"save-state"(state_ptr: [*]const u8, state_len: usize, ret: *RetArea) void;
pub extern "granary:grain/host@0.2.0" fn call(
    kind_ptr: [*]const u8,
    kind_len: usize,
    identity_ptr: [*]const u8,
    identity_len: usize,
    method_ptr: [*]const u8,
    method_len: usize,
    payload_ptr: [*]const u8,
    payload_len: usize,
    ret: *RetArea,
) void;
pub extern "granary:grain/host@0.2.0" fn send(
    kind_ptr: [*]const u8,
    kind_len: usize,
    identity_ptr: [*]const u8,
    identity_len: usize,
    method_ptr: [*]const u8,
    method_len: usize,
    payload_ptr: [*]const u8,
    payload_len: usize,
    ret: *RetArea,
) void;
pub extern "granary:grain/host@0.2.0" fn @"set-receive-timeout"(millis: u64) void;
pub extern "granary:grain/reminders@0.2.0" fn @"set-reminder"(
    name_ptr: [*]const u8,
    name_len: usize,
    due_after_ms: u64,
    period_ms: u64,
    ret: *RetArea,
) void;
pub extern "granary:grain/reminders@0.2.0" fn @"cancel-reminder"(name_ptr: [*]const u8, name_len: usize, ret: *RetArea) void;
pub extern "granary:grain/topics@0.2.0" fn publish(
    topic_ptr: [*]const u8,
    topic_len: usize,
    key_ptr: [*]const u8,
    key_len: usize,
    payload_ptr: [*]const u8,
    payload_len: usize,
    ret: *RetArea,
) void;
