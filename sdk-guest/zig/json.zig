//! JSON helpers over std.json: read the members of a payload or state that must be an object,
//! and write compact JSON byte for byte as serde_json and JSON.stringify write it.
const std = @import("std");
const Context = @import("granary.zig").Context;
const Error = @import("granary.zig").Error;

/// The bytes JSON allows between tokens.
const whitespace = " \t\r\n";

/// A parsed JSON object: its members' names and their values as JSON text, as written.
/// Only the top level is taken apart, so a payload costs the arena a few words per member
/// however deeply its values nest. Of duplicate names, the last wins.
pub const Object = struct {
    ctx: *Context,
    /// What a failure is called: "bad payload" or "corrupt state".
    what: []const u8,
    members: []const Member,

    pub const Member = struct { name: []const u8, text: []const u8 };

    /// Whether the object has a member `name` (null included).
    pub fn has(self: Object, name: []const u8) bool {
        return self.lookup(name) != null;
    }

    /// A required member that must be an integer (no fraction, no exponent) in i64 range.
    pub fn int(self: Object, name: []const u8) Error!i64 {
        const text = try self.required(name);
        if (text[0] != '-' and !std.ascii.isDigit(text[0])) return self.mistyped(name, "an integer", text);
        return std.fmt.parseInt(i64, text, 10) catch |err| return switch (err) {
            error.InvalidCharacter => self.mistyped(name, "an integer", text), // a fraction or an exponent
            error.Overflow => self.ctx.fail("{s}: field `{s}` is out of range: {s}", .{ self.what, name, text }),
        };
    }

    /// A required member that must be a string, decoded (std.json checks that it is UTF-8).
    pub fn string(self: Object, name: []const u8) Error![]const u8 {
        const text = try self.required(name);
        if (text[0] != '"') return self.mistyped(name, "a string", text);
        return std.json.parseFromSliceLeaky([]const u8, self.ctx.allocator, text, .{}) catch |err| switch (err) {
            error.OutOfMemory => error.OutOfMemory,
            else => unreachable, // a string token that the scanner accepted
        };
    }

    /// A required member that must be true or false.
    pub fn boolean(self: Object, name: []const u8) Error!bool {
        const text = try self.required(name);
        if (std.mem.eql(u8, text, "true")) return true;
        if (std.mem.eql(u8, text, "false")) return false;
        return self.mistyped(name, "true or false", text);
    }

    /// A member's value as compact JSON text; null when there is no such member.
    pub fn raw(self: Object, name: []const u8) Error!?[]const u8 {
        const text = self.lookup(name) orelse return null;
        return try compact(self.ctx.allocator, text);
    }

    fn lookup(self: Object, name: []const u8) ?[]const u8 {
        var i = self.members.len;
        while (i > 0) {
            i -= 1;
            if (std.mem.eql(u8, self.members[i].name, name)) return self.members[i].text;
        }
        return null;
    }

    fn required(self: Object, name: []const u8) Error![]const u8 {
        return self.lookup(name) orelse return self.ctx.fail("{s}: missing field `{s}`", .{ self.what, name });
    }

    fn mistyped(self: Object, name: []const u8, want: []const u8, text: []const u8) Error {
        const shown = compact(self.ctx.allocator, text) catch |err| return err;
        return self.ctx.fail("{s}: field `{s}` must be {s}, got {s}", .{ self.what, name, want, cut(shown) });
    }
};

/// Parses `text`, which must be one JSON object; failures read "<what>: why".
pub fn parseObject(ctx: *Context, text: []const u8, what: []const u8) Error!Object {
    var scanner = std.json.Scanner.initCompleteInput(ctx.allocator, text);
    defer scanner.deinit();
    var diagnostics: std.json.Diagnostics = .{};
    scanner.enableDiagnostics(&diagnostics);
    const scanned = scanMembers(&scanner, ctx.allocator) catch |err| return switch (err) {
        error.OutOfMemory => error.OutOfMemory,
        error.UnexpectedEndOfInput => ctx.fail("{s}: not JSON: unexpected end at byte {d}", .{ what, text.len }),
        else => ctx.fail("{s}: not JSON: syntax error at byte {d}", .{ what, diagnostics.getByteOffset() }),
    };
    const members = scanned orelse {
        const shown = try compact(ctx.allocator, text);
        return ctx.fail("{s}: expected a JSON object, got {s}", .{ what, cut(shown) });
    };
    return .{ .ctx = ctx, .what = what, .members = members };
}

/// The top-level members of the document, or null when it is valid JSON but not an object.
fn scanMembers(scanner: *std.json.Scanner, allocator: std.mem.Allocator) !?[]const Object.Member {
    if (try scanner.peekNextTokenType() != .object_begin) {
        try scanner.skipValue();
        try expectEnd(scanner);
        return null;
    }
    _ = try scanner.next();
    var members: std.ArrayList(Object.Member) = .empty;
    while (try scanner.peekNextTokenType() != .object_end) {
        const name = switch (try scanner.nextAlloc(allocator, .alloc_if_needed)) {
            .string => |s| s,
            .allocated_string => |s| s,
            else => unreachable, // the scanner allows only a string here
        };
        _ = try scanner.peekNextTokenType(); // moves past the colon to the value's first byte
        const start = scanner.cursor;
        try scanner.skipValue();
        const text = std.mem.trimEnd(u8, scanner.input[start..scanner.cursor], whitespace);
        try members.append(allocator, .{ .name = name, .text = text });
    }
    _ = try scanner.next(); // the closing brace
    try expectEnd(scanner);
    return members.items;
}

fn expectEnd(scanner: *std.json.Scanner) !void {
    if (try scanner.next() != .end_of_document) unreachable; // the scanner rejects a second value
}

/// Valid JSON text without its insignificant whitespace; strings stay as written, escapes and
/// all (std.json has no such pass: its writer would re-escape decoded strings).
pub fn compact(allocator: std.mem.Allocator, text: []const u8) error{OutOfMemory}![]const u8 {
    const out = try allocator.alloc(u8, text.len);
    var len: usize = 0;
    var in_string = false;
    var escaped = false;
    for (text) |c| {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (std.mem.findScalar(u8, whitespace, c) != null) {
            continue;
        }
        out[len] = c;
        len += 1;
    }
    return out[0..len];
}

/// `value` (a struct, a number, a string...) as compact JSON: `.{ .total = 5 }` is {"total":5}.
pub fn stringify(ctx: *Context, value: anytype) Error![]const u8 {
    return std.json.Stringify.valueAlloc(ctx.allocator, value, .{});
}

/// `text` as a JSON string, escaped as serde_json escapes it; invalid UTF-8 becomes U+FFFD.
pub fn quote(ctx: *Context, text: []const u8) Error![]const u8 {
    var out: std.Io.Writer.Allocating = .init(ctx.allocator);
    std.json.Stringify.encodeJsonString(try validUtf8(ctx.allocator, text), .{}, &out.writer) catch
        return error.OutOfMemory; // the writer's only failure
    return out.toOwnedSlice();
}

/// `text`, or a copy with each ill-formed UTF-8 sequence replaced by U+FFFD. The host traps
/// on a `string` that is not UTF-8, so every string handed to it goes through here.
pub fn validUtf8(allocator: std.mem.Allocator, text: []const u8) error{OutOfMemory}![]const u8 {
    if (std.unicode.utf8ValidateSlice(text)) return text;
    return std.fmt.allocPrint(allocator, "{f}", .{std.unicode.fmtUtf8(text)});
}

/// A value shown in an error message, cut to a readable length at a character boundary.
fn cut(text: []const u8) []const u8 {
    if (text.len <= 64) return text;
    var end: usize = 64;
    while (end > 0 and text[end] & 0xC0 == 0x80) end -= 1;
    return text[0..end];
}
