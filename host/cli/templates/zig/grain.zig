//! `__NAME__`: a Granary grain. `./build.sh` makes __NAME__.wasm; README.md says what next.
const std = @import("std");
const granary = @import("granary");

pub const panic = granary.panic;

comptime {
    granary.exportGrain(@This());
}

/// How many greetings this identity has given, kept in the grain's state {"count":N}.
var count: i64 = 0;

pub fn activate(ctx: *granary.Context) !void {
    const state = try ctx.loadObject() orelse return;
    count = try state.int("count");
}

pub fn handle(ctx: *granary.Context, method: []const u8, payload: []const u8) ![]const u8 {
    if (std.mem.eql(u8, method, "greet")) {
        const name = try (try ctx.parseObject(payload)).string("name");
        try ctx.saveState(try ctx.json(.{ .count = count + 1 }));
        count += 1;
        const greeting = std.fmt.allocPrint(ctx.allocator, "Hello, {s}!", .{name}) catch
            return ctx.fail("out of memory", .{});
        return ctx.json(.{ .greeting = greeting, .count = count });
    }
    return ctx.fail("unknown method {f}: __NAME__ has greet", .{std.json.fmt(method, .{})});
}
