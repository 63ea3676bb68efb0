//! Native tests of the JSON helpers: `python -m ziglang test sdk-guest/zig/json_test.zig`.
const std = @import("std");
const granary = @import("granary.zig");
const json = @import("json.zig");

var arena_state = std.heap.ArenaAllocator.init(std.heap.page_allocator);

fn context() granary.Context {
    return .{ .allocator = arena_state.allocator() };
}

fn expectFailure(ctx: *granary.Context, result: anytype, want: []const u8) !void {
    if (result) |_| return error.TestExpectedFailure else |err| {
        try std.testing.expectEqual(error.Failed, err);
        try std.testing.expectEqualStrings(want, ctx.failure.?.text);
    }
}

test "members keep their text; raw is compact, escapes as written" {
    var ctx = context();
    const o = try json.parseObject(&ctx, " { \"n\" : -12 , \"s\": \"a\\u00e9\\n\" ,\"x\" :[ 1.50 , { \"k\" : null } ] , \"e\":1e3}\n", "bad payload");
    try std.testing.expectEqual(-12, try o.int("n"));
    try std.testing.expectEqualStrings("a\u{e9}\n", try o.string("s"));
    try std.testing.expectEqualStrings("[1.50,{\"k\":null}]", (try o.raw("x")).?);
    try std.testing.expectEqualStrings("\"a\\u00e9\\n\"", (try o.raw("s")).?);
    try std.testing.expectEqualStrings("1e3", (try o.raw("e")).?);
    try std.testing.expectEqual(null, try o.raw("absent"));
    try std.testing.expect(o.has("x") and !o.has("y"));
}

test "the last of duplicate names wins" {
    var ctx = context();
    const o = try json.parseObject(&ctx, "{\"n\":1,\"n\":2}", "bad payload");
    try std.testing.expectEqual(2, try o.int("n"));
}

test "failures start with what was parsed" {
    var ctx = context();
    try expectFailure(&ctx, json.parseObject(&ctx, "not json", "bad payload"), "bad payload: not JSON: syntax error at byte 1");
    try expectFailure(&ctx, json.parseObject(&ctx, "", "bad payload"), "bad payload: not JSON: unexpected end at byte 0");
    try expectFailure(&ctx, json.parseObject(&ctx, "{\"n\":1} x", "bad payload"), "bad payload: not JSON: syntax error at byte 8");
    try expectFailure(&ctx, json.parseObject(&ctx, "[1, 2]", "corrupt state"), "corrupt state: expected a JSON object, got [1,2]");
    try expectFailure(&ctx, json.parseObject(&ctx, "\"a\\nb\"", "bad payload"), "bad payload: expected a JSON object, got \"a\\nb\"");
    const o = try json.parseObject(&ctx, "{\"f\":1.5,\"big\":99999999999999999999,\"s\":\"x\",\"b\":null}", "bad payload");
    try expectFailure(&ctx, o.int("f"), "bad payload: field `f` must be an integer, got 1.5");
    try expectFailure(&ctx, o.int("big"), "bad payload: field `big` is out of range: 99999999999999999999");
    try expectFailure(&ctx, o.int("s"), "bad payload: field `s` must be an integer, got \"x\"");
    try expectFailure(&ctx, o.int("missing"), "bad payload: missing field `missing`");
    try expectFailure(&ctx, o.string("f"), "bad payload: field `f` must be a string, got 1.5");
    try expectFailure(&ctx, o.boolean("b"), "bad payload: field `b` must be true or false, got null");
}

test "deep nesting costs no recursion" {
    var ctx = context();
    const depth = 100_000;
    const text = try arena_state.allocator().alloc(u8, 2 * depth + 6);
    @memcpy(text[0..5], "{\"a\":");
    @memset(text[5..][0..depth], '[');
    @memset(text[5 + depth ..][0..depth], ']');
    text[text.len - 1] = '}';
    const o = try json.parseObject(&ctx, text, "bad payload");
    try std.testing.expectEqual(2 * depth, (try o.raw("a")).?.len);
}

test "writing matches serde_json" {
    var ctx = context();
    try std.testing.expectEqualStrings("{\"total\":-5}", try json.stringify(&ctx, .{ .total = @as(i64, -5) }));
    try std.testing.expectEqualStrings("\"ok\"", try json.quote(&ctx, "ok"));
    try std.testing.expectEqualStrings("\"q\\\"\\\\\\n\\u0001\u{e9}/\"", try json.quote(&ctx, "q\"\\\n\x01\u{e9}/"));
    try std.testing.expectEqualStrings("\"a\u{fffd}b\"", try json.quote(&ctx, "a\xffb"));
}
