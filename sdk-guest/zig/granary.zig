//! granary: write a grain of world granary:grain/grain@0.1.0 (wit/grain.wit) in Zig.
//!
//!     const granary = @import("granary");
//!     pub const panic = granary.panic; // a panic is logged before it traps
//!     comptime {
//!         granary.exportGrain(@This()); // pub fn handle (and optional activate, deactivate)
//!     }
//!
//! Each export runs with a `*Context` whose allocator is the message arena (memory.zig):
//! everything allocated in it, and every string the host hands in, lives until the export
//! returns. Keep what must outlive a message (the grain's state) in globals.
const std = @import("std");
const host = @import("host.zig");
const memory = @import("memory.zig");
const json_helpers = @import("json.zig");

pub const payload_limit = memory.payload_limit;
pub const arena_size = memory.arena_size;
pub const Object = json_helpers.Object;
pub const exportGrain = @import("exports.zig").exportGrain;

/// A failure with its text in the Context (`error.Failed`), or the message arena is full.
pub const Error = error{ Failed, OutOfMemory };

/// Why `call` or `send` did not produce the callee's reply (the WIT `call-error` cases).
pub const CallError = Error || error{ Unavailable, Timeout, Rejected, CalleeFailed };

/// The cluster identity of a grain.
pub const GrainId = struct {
    kind: []const u8,
    identity: []const u8,

    /// Reads "kind/identity" (the identity may contain further slashes).
    pub fn parse(text: []const u8) ?GrainId {
        const slash = std.mem.findScalar(u8, text, '/') orelse return null;
        if (slash == 0 or slash == text.len - 1) return null;
        return .{ .kind = text[0..slash], .identity = text[slash + 1 ..] };
    }

    /// Formats as "kind/identity" (`{f}`).
    pub fn format(self: GrainId, writer: *std.Io.Writer) std.Io.Writer.Error!void {
        try writer.print("{s}/{s}", .{ self.kind, self.identity });
    }
};

/// Severity of a `log` line, in WIT order.
pub const LogLevel = enum(u32) { trace, debug, info, warn, err };

/// An event on a topic the kind subscribes to, for `receiveEvent`: its views live until the
/// export returns. A sequence already seen on (topic, key) is a duplicate.
pub const Event = struct {
    topic: []const u8,
    key: []const u8,
    sequence: u64,
    payload: []const u8,
};

/// Writes a line to the node's log, tagged with this grain's identity. Bytes that are not
/// UTF-8 become U+FFFD; the node cuts lines over 16 KiB.
pub fn log(level: LogLevel, message: []const u8) void {
    const text = json_helpers.validUtf8(memory.allocator(), message) catch
        "(a log line that is not UTF-8 and did not fit the message arena)";
    host.log(@backingInt(level), host.ptrOf(text), text.len);
}

/// Deactivates this grain after `millis` without messages; 0 restores the kind's default.
pub fn setReceiveTimeout(millis: u64) void {
    host.@"set-receive-timeout"(millis);
}

/// The panic handler for a grain's root file: logs the panic at error level, then traps
/// (Zig cannot unwind, so the node discards the activation and the caller gets `failed`).
pub const panic = std.debug.FullPanic(logAndTrap);

fn logAndTrap(message: []const u8, _: ?usize) noreturn {
    var buffer: [512]u8 = undefined;
    log(.err, std.fmt.bufPrint(&buffer, "panic: {s}", .{message}) catch message);
    @trap();
}

/// One export's view of the node: its allocator, the host functions that return data into
/// the message arena, JSON helpers, and the text of the error the export returns.
pub const Context = struct {
    allocator: std.mem.Allocator,
    failure: ?Failure = null,

    const Failure = struct { err: anyerror, text: []const u8 };

    /// Fails with a formatted text: `return ctx.fail("total would overflow", .{});`
    /// makes the message's error result "total would overflow".
    pub fn fail(ctx: *Context, comptime format: []const u8, args: anytype) error{Failed} {
        ctx.record(error.Failed, format, args);
        return error.Failed;
    }

    /// Fails with "bad payload: " and a formatted text, the convention for malformed requests.
    pub fn badPayload(ctx: *Context, comptime format: []const u8, args: anytype) error{Failed} {
        return ctx.fail("bad payload: " ++ format, args);
    }

    fn record(ctx: *Context, err: anyerror, comptime format: []const u8, args: anytype) void {
        const unrecorded = "(an error message that did not fit the message arena)";
        const text = std.fmt.allocPrint(ctx.allocator, format, args) catch unrecorded;
        ctx.failure = .{ .err = err, .text = json_helpers.validUtf8(ctx.allocator, text) catch unrecorded };
    }

    /// The text for an error an export returns: what `fail` recorded for it, or its name.
    pub fn describe(ctx: *Context, err: anyerror, method: []const u8) []const u8 {
        if (ctx.failure) |failure| if (failure.err == err) return failure.text;
        if (err == error.OutOfMemory) {
            return std.fmt.comptimePrint("out of memory: the message needed more than the {d}-byte arena of Zig grains", .{arena_size});
        }
        return std.fmt.allocPrint(ctx.allocator, "{f} failed: error.{s}", .{ std.json.fmt(method, .{}), @errorName(err) }) catch
            @errorName(err);
    }

    /// The identity this instance runs as.
    pub fn selfId(ctx: *Context) Error!GrainId {
        var ret: host.RetArea = .{};
        host.@"self-id"(&ret);
        if (memory.spilled()) {
            memory.dropSpill();
            return ctx.fail("self-id did not fit the message arena", .{});
        }
        return .{ .kind = ret.bytes(0), .identity = ret.bytes(2) };
    }

    /// The state saved by the last activation of this identity; null if none was.
    pub fn loadState(ctx: *Context) Error!?[]const u8 {
        var ret: host.RetArea = .{};
        host.@"load-state"(&ret);
        if (ret.tag() == 0) return null;
        const state = ret.bytes(1);
        if (memory.spilled() or state.len > payload_limit) {
            memory.dropSpill();
            return ctx.fail("corrupt state: {d} bytes is over the {d}-byte limit of Zig grains", .{ state.len, payload_limit });
        }
        return state;
    }

    /// The saved state as a JSON object (null if none was saved); failures read "corrupt state: ...".
    pub fn loadObject(ctx: *Context) Error!?Object {
        const state = try ctx.loadState() orelse return null;
        return try json_helpers.parseObject(ctx, state, "corrupt state");
    }

    /// Durably replaces this grain's state. Fails when a newer activation wrote since this
    /// one loaded, or when the state is over `payload_limit` (it could not be loaded again).
    pub fn saveState(ctx: *Context, state: []const u8) Error!void {
        if (state.len > payload_limit) {
            return ctx.fail("cannot save state: {d} bytes is over the {d}-byte limit of Zig grains", .{ state.len, payload_limit });
        }
        var ret: host.RetArea = .{};
        host.@"save-state"(host.ptrOf(state), state.len, &ret);
        if (ret.tag() == 0) return;
        if (memory.spilled()) {
            memory.dropSpill();
            return ctx.fail("cannot save state: (a reason over the message arena)", .{});
        }
        return ctx.fail("cannot save state: {s}", .{ret.bytes(1)});
    }

    /// Sends a request to another grain and waits for its reply (in the message arena).
    /// A failure's text reads "kind/id method: failed: why".
    pub fn call(ctx: *Context, target: GrainId, method: []const u8, payload: []const u8) CallError![]const u8 {
        var ret: host.RetArea = .{};
        const to = try validTarget(ctx, target, method);
        host.call(host.ptrOf(to.kind), to.kind.len, host.ptrOf(to.identity), to.identity.len, host.ptrOf(to.method), to.method.len, host.ptrOf(payload), payload.len, &ret);
        if (ret.tag() != 0) return ctx.callFailure(target, method, &ret);
        const reply = ret.bytes(1);
        if (memory.spilled() or reply.len > payload_limit) {
            memory.dropSpill();
            return ctx.fail("{f} {s}: reply of {d} bytes is over the {d}-byte limit of Zig grains", .{ target, method, reply.len, payload_limit });
        }
        return reply;
    }

    /// Delivers a one-way message to another grain; returns once it is queued.
    pub fn send(ctx: *Context, target: GrainId, method: []const u8, payload: []const u8) CallError!void {
        var ret: host.RetArea = .{};
        const to = try validTarget(ctx, target, method);
        host.send(host.ptrOf(to.kind), to.kind.len, host.ptrOf(to.identity), to.identity.len, host.ptrOf(to.method), to.method.len, host.ptrOf(payload), payload.len, &ret);
        if (ret.tag() != 0) return ctx.callFailure(target, method, &ret);
    }

    fn callFailure(ctx: *Context, target: GrainId, method: []const u8, ret: *const host.RetArea) CallError {
        const reason = if (memory.spilled()) "(a message over the message arena)" else ret.bytes(2);
        memory.dropSpill();
        const err: CallError = switch (ret.innerTag()) {
            0 => error.Unavailable,
            1 => error.Timeout,
            2 => error.Rejected,
            else => error.CalleeFailed,
        };
        switch (err) {
            error.Unavailable => ctx.record(err, "{f} {s}: unavailable: {s}", .{ target, method, reason }),
            error.Timeout => ctx.record(err, "{f} {s}: timed out", .{ target, method }),
            error.Rejected => ctx.record(err, "{f} {s}: rejected: {s}", .{ target, method, reason }),
            else => ctx.record(err, "{f} {s}: failed: {s}", .{ target, method, reason }),
        }
        return err;
    }

    /// Durably sets (or replaces) this grain's reminder `name`: first due after
    /// `due_after_ms`, then every `period_ms` (0: once). Its ticks come to `receiveReminder`.
    pub fn setReminder(ctx: *Context, name: []const u8, due_after_ms: u64, period_ms: u64) Error!void {
        const valid = try json_helpers.validUtf8(ctx.allocator, name);
        var ret: host.RetArea = .{};
        host.@"set-reminder"(host.ptrOf(valid), valid.len, due_after_ms, period_ms, &ret);
        if (ret.tag() == 0) return;
        return ctx.fail("cannot set the reminder: {s}", .{ctx.hostReason(&ret, 1)});
    }

    /// Durably removes the reminder `name`; false if there was none.
    pub fn cancelReminder(ctx: *Context, name: []const u8) Error!bool {
        const valid = try json_helpers.validUtf8(ctx.allocator, name);
        var ret: host.RetArea = .{};
        host.@"cancel-reminder"(host.ptrOf(valid), valid.len, &ret);
        if (ret.tag() == 0) return @as(u8, @truncate(ret.words[1])) != 0;
        return ctx.fail("cannot cancel the reminder: {s}", .{ctx.hostReason(&ret, 1)});
    }

    /// Durably appends an event to `topic` under `key`; returns its sequence on (topic, key).
    pub fn publish(ctx: *Context, topic: []const u8, key: []const u8, payload: []const u8) Error!u64 {
        const valid_topic = try json_helpers.validUtf8(ctx.allocator, topic);
        const valid_key = try json_helpers.validUtf8(ctx.allocator, key);
        var ret: host.RetArea = .{};
        host.publish(host.ptrOf(valid_topic), valid_topic.len, host.ptrOf(valid_key), valid_key.len, host.ptrOf(payload), payload.len, &ret);
        if (ret.tag() == 0) return ret.uint64(2);
        return ctx.fail("cannot publish: {s}", .{ctx.hostReason(&ret, 2)});
    }

    /// The host's error text at `index` of `ret`, unless it spilled out of the arena.
    fn hostReason(_: *Context, ret: *const host.RetArea, index: usize) []const u8 {
        if (!memory.spilled()) return ret.bytes(index);
        memory.dropSpill();
        return "(a reason over the message arena)";
    }

    // JSON: see json.zig.

    /// Parses a payload that must be a JSON object; failures read "bad payload: ...".
    pub fn parseObject(ctx: *Context, payload: []const u8) Error!Object {
        return json_helpers.parseObject(ctx, payload, "bad payload");
    }

    /// `value` as compact JSON: `ctx.json(.{ .total = 5 })` is {"total":5}.
    pub fn json(ctx: *Context, value: anytype) Error![]const u8 {
        return json_helpers.stringify(ctx, value);
    }

    /// `text` as a JSON string: `ctx.quote("ok")` is "ok" with the quotes.
    pub fn quote(ctx: *Context, text: []const u8) Error![]const u8 {
        return json_helpers.quote(ctx, text);
    }
};

const Target = struct { kind: []const u8, identity: []const u8, method: []const u8 };

/// The host traps on a `string` that is not UTF-8; such bytes become U+FFFD instead.
fn validTarget(ctx: *Context, target: GrainId, method: []const u8) error{OutOfMemory}!Target {
    return .{
        .kind = try json_helpers.validUtf8(ctx.allocator, target.kind),
        .identity = try json_helpers.validUtf8(ctx.allocator, target.identity),
        .method = try json_helpers.validUtf8(ctx.allocator, method),
    };
}
