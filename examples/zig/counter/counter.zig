//! counter: adds numbers to a durable total. State is the JSON {"total":N}.
//! Implements the counter contract of examples/README.md, byte for byte.
const std = @import("std");
const granary = @import("granary");

pub const panic = granary.panic;

comptime {
    granary.exportGrain(@This());
}

// One instance serves one identity, one message at a time.
var total: i64 = 0;
// Reminder ticks this activation received (not saved), and the last tick counted.
var ticks: u64 = 0;
var last_tick: u64 = 0;

/// Adds `n` to the total, durably; returns the new state {"total":N}.
fn add(ctx: *granary.Context, n: i64) ![]const u8 {
    const next = std.math.add(i64, total, n) catch return ctx.fail("total would overflow", .{});
    const state = try ctx.json(.{ .total = next });
    try ctx.saveState(state);
    total = next;
    return state;
}

/// Counts each tick once: one not above the last one seen is a repeat.
pub fn receiveReminder(_: *granary.Context, _: []const u8, tick: u64) !void {
    if (tick > last_tick) {
        ticks += 1;
        last_tick = tick;
    }
}

/// An event {"n": N} on a subscribed topic adds N, as `add` does.
pub fn receiveEvent(ctx: *granary.Context, event: granary.Event) !void {
    _ = try add(ctx, try (try ctx.parseObject(event.payload)).int("n"));
}

/// Loads the saved total; an identity never saved starts at 0. A state that is not
/// {"total":N} fails the activation rather than being overwritten.
pub fn activate(ctx: *granary.Context) !void {
    const state = try ctx.loadObject() orelse return;
    total = try state.int("total");
}

pub fn handle(ctx: *granary.Context, method: []const u8, payload: []const u8) ![]const u8 {
    const eql = std.mem.eql;
    if (eql(u8, method, "add")) {
        return add(ctx, try (try ctx.parseObject(payload)).int("n"));
    }
    if (eql(u8, method, "get")) {
        return ctx.json(.{ .total = total });
    }
    if (eql(u8, method, "whoami")) {
        const me = try ctx.selfId();
        return ctx.json(.{ .kind = me.kind, .identity = me.identity });
    }
    if (eql(u8, method, "log")) {
        granary.log(.info, payload);
        return ctx.quote("logged");
    }
    if (eql(u8, method, "call")) {
        const request = try ctx.parseObject(payload);
        const target = try request.string("target");
        const callee = granary.GrainId.parse(target) orelse
            return ctx.badPayload("target must be \"kind/identity\", got {f}", .{std.json.fmt(target, .{})});
        const callee_method = try request.string("method");
        const body = try request.raw("payload") orelse ""; // compact JSON text; none when absent
        return ctx.call(callee, callee_method, body);
    }
    if (eql(u8, method, "set-timeout")) {
        const millis = try (try ctx.parseObject(payload)).int("millis");
        if (millis < 0) return ctx.badPayload("millis must not be negative, got {d}", .{millis});
        granary.setReceiveTimeout(@intCast(millis));
        return ctx.quote("ok");
    }
    if (eql(u8, method, "remind")) {
        const period = try (try ctx.parseObject(payload)).int("period_ms");
        if (period < 0) return ctx.badPayload("period_ms must not be negative, got {d}", .{period});
        try ctx.setReminder("tick", @intCast(period), @intCast(period));
        return ctx.quote("ok");
    }
    if (eql(u8, method, "unremind")) {
        return ctx.json(.{ .cancelled = try ctx.cancelReminder("tick") });
    }
    if (eql(u8, method, "ticks")) {
        return ctx.json(.{ .ticks = ticks });
    }
    if (eql(u8, method, "publish")) {
        const request = try ctx.parseObject(payload);
        const body = try request.raw("payload") orelse "";
        return ctx.json(.{ .sequence = try ctx.publish(try request.string("topic"), try request.string("key"), body) });
    }
    return ctx.fail("unknown method {f}: counter has add, get, whoami, log, call, set-timeout, remind, unremind, ticks, publish", .{std.json.fmt(method, .{})});
}
