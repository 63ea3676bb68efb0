//! Randomized tests of the JSON helpers, run by sdk-guest/fuzz.sh: payloads mutated from
//! seeds (bytes flipped, inserted, cut, spliced), GRANARY_FUZZ_ROUNDS of them (default 2 000),
//! from the PRNG seed GRANARY_FUZZ_SEED (default 1; sdk-guest/fuzz.sh picks a new one each run).
//! Any payload must either fail with an error or parse and answer every getter; a string it
//! holds, quoted back into an object, must read back the same. Zig's own coverage-guided
//! fuzzer needs its build runner, which this SDK does not use.
const std = @import("std");
const granary = @import("granary.zig");
const json = @import("json.zig");

fn envNumber(name: []const u8, default: u64) u64 {
    const text = std.testing.environ.getPosix(name) orelse return default;
    return std.fmt.parseInt(u64, text, 10) catch default;
}

const seeds = [_][]const u8{
    "{}",
    "{\"n\":5}",
    " { \"s\":\"a\\\"b\\u00e9\\ud83d\\ude00\\/\", \"p\": {\"x\": [1, 2.5e3, true, null]}, \"n\": -7 } ",
    "{\"n\":9223372036854775808,\"b\":false}",
    "{\"s\":\"\\ud800\"}",
    "[1]",
};
const names = [_][]const u8{ "n", "s", "p", "b", "" };

fn mutate(random: std.Random, buffer: []u8, seed: []const u8) []const u8 {
    var len = @min(seed.len, buffer.len);
    @memcpy(buffer[0..len], seed[0..len]);
    const edits = random.uintLessThan(u8, 8) + 1;
    for (0..edits) |_| {
        const interesting = "{}[]\",:\\u0123456789eE+-.tfn \x00\xff\xc3\xa9";
        switch (random.uintLessThan(u8, 4)) {
            0 => if (len > 0) {
                buffer[random.uintLessThan(usize, len)] = interesting[random.uintLessThan(usize, interesting.len)];
            },
            1 => if (len < buffer.len) {
                const at = random.uintLessThan(usize, len + 1);
                std.mem.copyBackwards(u8, buffer[at + 1 .. len + 1], buffer[at..len]);
                buffer[at] = interesting[random.uintLessThan(usize, interesting.len)];
                len += 1;
            },
            2 => if (len > 0) {
                const at = random.uintLessThan(usize, len);
                std.mem.copyForwards(u8, buffer[at .. len - 1], buffer[at + 1 .. len]);
                len -= 1;
            },
            else => len = random.uintLessThan(usize, len + 1),
        }
    }
    return buffer[0..len];
}

fn checkOne(payload: []const u8) !void {
    var arena = std.heap.ArenaAllocator.init(std.heap.page_allocator);
    defer arena.deinit();
    var ctx: granary.Context = .{ .allocator = arena.allocator() };
    const object = json.parseObject(&ctx, payload, "bad payload") catch |err| {
        try std.testing.expectEqual(error.Failed, err);
        try std.testing.expect(ctx.failure != null);
        return;
    };
    for (names) |name| {
        _ = object.has(name);
        _ = object.int(name) catch {};
        _ = object.boolean(name) catch {};
        _ = object.raw(name) catch {};
        const text = object.string(name) catch continue;
        const quoted = try json.quote(&ctx, text);
        const rebuilt = try std.fmt.allocPrint(arena.allocator(), "{{\"s\":{s}}}", .{quoted});
        const again = try json.parseObject(&ctx, rebuilt, "rebuilt");
        try std.testing.expectEqualStrings(try json.validUtf8(arena.allocator(), text), try again.string("s"));
    }
}

test "any payload fails cleanly or parses and answers every getter" {
    const prng_seed = envNumber("GRANARY_FUZZ_SEED", 1);
    const rounds = envNumber("GRANARY_FUZZ_ROUNDS", 2_000);
    std.debug.print("json fuzz: seed {d}, {d} rounds\n", .{ prng_seed, rounds });
    var prng = std.Random.DefaultPrng.init(prng_seed);
    const random = prng.random();
    var buffer: [512]u8 = undefined;
    for (seeds) |seed| try checkOne(seed);
    for (0..rounds) |_| {
        const seed = seeds[random.uintLessThan(usize, seeds.len)];
        try checkOne(mutate(random, &buffer, seed));
    }
}
