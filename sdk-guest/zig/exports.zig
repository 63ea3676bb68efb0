//! The exports of world granary:grain/grain@0.2.0, at the canonical ABI, around a grain's
//! `activate`, `handle`, `receiveReminder`, `receiveEvent` and `deactivate`:
//!
//!   activate, deactivate  ()
//!   handle                (method ptr,len, payload ptr,len) -> ret: result tag u8 @0;
//!                                                              reply or error ptr,len @4,8
//!   receive-reminder      (name ptr,len, tick i64) -> ret: result tag u8 @0; error ptr,len @4,8
//!   receive-event         (topic ptr,len, key ptr,len, sequence i64, payload ptr,len) -> ret (the same)
//!   cabi_post_<export>    (ret)
//!   cabi_realloc          (old ptr, old size, align, new size) -> ptr
const std = @import("std");
const granary = @import("granary.zig");
const host = @import("host.zig");
const memory = @import("memory.zig");

/// Exports `Grain`'s functions as the component's. `Grain` (usually the root file, `@This()`)
/// declares `pub fn handle(*Context, method, payload) ![]const u8`, and optionally
/// `pub fn activate(*Context) !void`, `pub fn deactivate(*Context) void`,
/// `pub fn receiveReminder(*Context, name, tick: u64) !void` (a reminder's tick; an error is
/// logged by the node) and `pub fn receiveEvent(*Context, granary.Event) !void` (an event of a
/// subscribed topic; an error has it delivered again later). Without them a tick or an event
/// is an error.
pub fn exportGrain(comptime Grain: type) void {
    const glue = Glue(Grain);
    @export(&glue.activate, .{ .name = "activate" });
    @export(&glue.handle, .{ .name = "handle" });
    @export(&glue.postHandle, .{ .name = "cabi_post_handle" });
    @export(&glue.receiveReminder, .{ .name = "receive-reminder" });
    @export(&glue.postHandle, .{ .name = "cabi_post_receive-reminder" });
    @export(&glue.receiveEvent, .{ .name = "receive-event" });
    @export(&glue.postHandle, .{ .name = "cabi_post_receive-event" });
    @export(&glue.deactivate, .{ .name = "deactivate" });
    @export(&memory.cabiRealloc, .{ .name = "cabi_realloc" });
}

fn Glue(comptime Grain: type) type {
    return struct {
        // handle's return area, read by the host after handle returns.
        var handle_ret: [3]u32 = .{ 0, 0, 0 };
        var limit_text: [128]u8 = undefined;

        fn activate() callconv(.c) void {
            defer memory.reset();
            if (!@hasDecl(Grain, "activate")) return;
            var ctx = newContext();
            Grain.activate(&ctx) catch |err| {
                granary.log(.err, std.fmt.allocPrint(ctx.allocator, "activate failed: {s}", .{ctx.describe(err, "activate")}) catch
                    "activate failed");
                @trap(); // the only way to refuse an activation: the node then discards it
            };
        }

        fn handle(method_ptr: [*]const u8, method_len: usize, payload_ptr: [*]const u8, payload_len: usize) callconv(.c) *[3]u32 {
            if (payload_len > memory.payload_limit) {
                return refuse("payload of {d} bytes is over the {d}-byte limit of Zig grains", .{ payload_len, memory.payload_limit });
            }
            if (memory.spilled()) {
                return refuse("method name of {d} bytes does not fit the {d}-byte arena of Zig grains", .{ method_len, memory.arena_size });
            }
            const method = method_ptr[0..method_len];
            var ctx = newContext();
            const reply = Grain.handle(&ctx, method, payload_ptr[0..payload_len]) catch |err|
                return result(1, ctx.describe(err, method));
            return result(0, reply);
        }

        // The reply lives in the arena until the host has copied it.
        fn postHandle(_: *[3]u32) callconv(.c) void {
            memory.reset();
        }

        fn receiveReminder(name_ptr: [*]const u8, name_len: usize, tick: u64) callconv(.c) *[3]u32 {
            if (memory.spilled()) return refuse("reminder name of {d} bytes does not fit the arena", .{name_len});
            if (comptime !@hasDecl(Grain, "receiveReminder")) return result(1, "this grain does not handle reminders");
            var ctx = newContext();
            Grain.receiveReminder(&ctx, name_ptr[0..name_len], tick) catch |err|
                return result(1, ctx.describe(err, "receive-reminder"));
            return result(0, "");
        }

        fn receiveEvent(
            topic_ptr: [*]const u8,
            topic_len: usize,
            key_ptr: [*]const u8,
            key_len: usize,
            sequence: u64,
            payload_ptr: [*]const u8,
            payload_len: usize,
        ) callconv(.c) *[3]u32 {
            if (payload_len > memory.payload_limit) {
                return refuse("event of {d} bytes is over the {d}-byte limit of Zig grains", .{ payload_len, memory.payload_limit });
            }
            if (memory.spilled()) return refuse("event topic and key of {d} bytes do not fit the arena", .{topic_len + key_len});
            if (comptime !@hasDecl(Grain, "receiveEvent")) return result(1, "this grain does not handle events");
            var ctx = newContext();
            const event: granary.Event = .{
                .topic = topic_ptr[0..topic_len],
                .key = key_ptr[0..key_len],
                .sequence = sequence,
                .payload = payload_ptr[0..payload_len],
            };
            Grain.receiveEvent(&ctx, event) catch |err| return result(1, ctx.describe(err, "receive-event"));
            return result(0, "");
        }

        fn deactivate() callconv(.c) void {
            defer memory.reset();
            if (!@hasDecl(Grain, "deactivate")) return;
            var ctx = newContext();
            Grain.deactivate(&ctx);
        }

        /// An error result for arguments that are never read: they only had to land somewhere.
        fn refuse(comptime format: []const u8, args: anytype) *[3]u32 {
            memory.dropSpill();
            return result(1, std.fmt.bufPrint(&limit_text, format, args) catch unreachable);
        }

        fn result(tag: u32, bytes: []const u8) *[3]u32 {
            handle_ret = .{ tag, @intFromPtr(host.ptrOf(bytes)), bytes.len };
            return &handle_ret;
        }
    };
}

fn newContext() granary.Context {
    return .{ .allocator = memory.allocator() };
}
