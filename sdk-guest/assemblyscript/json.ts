// JSON helpers: read a request object's fields, write compact objects, byte for byte what
// serde_json and JSON.stringify write. A small parser of our own: AssemblyScript cannot catch
// a thrown error, and the npm libraries report bad input by aborting (a trap), read integers
// through f64 (inexact past 2^53) or need a compiler transform (see README.md).

import { ByteWriter, decodeUtf8, utf8SequenceLength } from "./bytes";
import { Reply } from "./grain";

/** Nesting deeper than this is refused, as serde_json refuses it (and it bounds the stack). */
const MAX_DEPTH = 128;

/** Values in error messages are cut to this many bytes. */
const SHOWN_BYTES = 64;

/**
 * A parsed JSON object: its members' names and their values as compact JSON text.
 *
 * Errors are sticky: a failed parse or getter sets `error` (its first failure; it starts with
 * "bad payload" or "corrupt state"), and every getter then returns a zero value. Check
 * `error` once after reading the fields.
 */
export class JsonObject {
  error: string | null = null;
  private names: string[] = [];
  private values: Uint8Array[] = [];

  private constructor(private what: string) {}

  /** Parses a payload that must be a JSON object; errors start with "bad payload". */
  static parse(payload: Uint8Array, what: string = "bad payload"): JsonObject {
    const object = new JsonObject(what);
    const parser = new Parser(payload);
    parser.skipSpace();
    const isObject = !parser.atEnd() && payload[parser.pos] == 0x7B; // '{'
    if (parser.atEnd()) {
      object.fail("empty, expected a JSON object");
    } else if (!parser.document()) {
      object.fail(parser.error!);
    } else if (!isObject) {
      object.fail("expected a JSON object, got " + show(parser.out.view()));
    } else {
      // The values share one buffer: the compact copy, which the parser no longer writes.
      const compact = parser.out.view();
      object.names = parser.names;
      for (let i = 0; i < parser.starts.length; i++) {
        object.values.push(compact.subarray(parser.starts[i], parser.ends[i]));
      }
    }
    return object;
  }

  /** Whether the object has a member `name` (null included). */
  has(name: string): bool {
    return this.find(name) >= 0;
  }

  /** The member's value as compact JSON text; null when absent. */
  getRaw(name: string): Uint8Array | null {
    const i = this.find(name);
    return i < 0 ? null : this.values[i];
  }

  /** A required member that must be an integer (no fraction, no exponent) in i64 range. */
  getInt(name: string): i64 {
    const v = this.required(name);
    if (v == null) return 0;
    if (!isIntegerText(v)) {
      this.fail("field `" + name + "` must be an integer, got " + show(v));
      return 0;
    }
    const negative = v[0] == 0x2D; // '-'
    // The magnitude is gathered in u64, against the limit of its sign: exact for every i64.
    const limit: u64 = negative ? <u64>1 << 63 : <u64>i64.MAX_VALUE;
    let magnitude: u64 = 0;
    for (let i = negative ? 1 : 0; i < v.length; i++) {
      const digit = <u64>(v[i] - 0x30);
      if (magnitude > (limit - digit) / 10) {
        this.fail("field `" + name + "` is out of range: " + show(v));
        return 0;
      }
      magnitude = magnitude * 10 + digit;
    }
    return negative ? -(<i64>magnitude) : <i64>magnitude;
  }

  /** A required member that must be a string. */
  getString(name: string): string {
    const v = this.required(name);
    if (v == null) return "";
    if (v[0] != 0x22) { // '"'
      this.fail("field `" + name + "` must be a string, got " + show(v));
      return "";
    }
    return decodeString(v, 0, v.length);
  }

  /** A required member that must be true or false. */
  getBool(name: string): bool {
    const v = this.required(name);
    if (v == null) return false;
    if (v.length == 4 && v[0] == 0x74) return true; // validated JSON: "true"
    if (v.length == 5 && v[0] == 0x66) return false; // "false"
    this.fail("field `" + name + "` must be true or false, got " + show(v));
    return false;
  }

  /** Records a failure, for the getters' checks and a grain's own; the first one is kept. */
  fail(why: string): void {
    if (this.error == null) this.error = this.what + ": " + why;
  }

  private required(name: string): Uint8Array | null {
    if (this.error != null) return null;
    const i = this.find(name);
    if (i < 0) {
      this.fail("missing field `" + name + "`");
      return null;
    }
    return this.values[i];
  }

  private find(name: string): i32 {
    // The last of duplicate names wins, as in JSON.parse and serde_json's Value.
    for (let i = this.values.length - 1; i >= 0; i--) {
      if (this.names[i] == name) return i;
    }
    return -1;
  }
}

/** Shorthand for JsonObject.parse(payload): errors start with "bad payload". */
export function parseObject(payload: Uint8Array): JsonObject {
  return JsonObject.parse(payload);
}

/** The error reply for a request that is not what a method expects. */
export function badPayload(why: string): Reply {
  return Reply.err("bad payload: " + why);
}

function isIntegerText(v: Uint8Array): bool {
  const first = v[0];
  if (first != 0x2D && (first < 0x30 || first > 0x39)) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c == 0x2E || c == 0x65 || c == 0x45) return false; // '.', 'e', 'E'
  }
  return true;
}

/** A value in an error message, cut to a readable length. */
function show(v: Uint8Array): string {
  if (v.length <= SHOWN_BYTES) return decodeUtf8(v);
  return decodeUtf8(v.subarray(0, SHOWN_BYTES)) + "...";
}

// --- parsing ------------------------------------------------------------------------------

/**
 * Checks one JSON document and writes its compact copy to `out`. Collects the names of the
 * top-level object's members and the spans of their values in `out`.
 */
class Parser {
  pos: i32 = 0;
  error: string | null = null;
  out: ByteWriter;
  names: string[] = [];
  starts: i32[] = [];
  ends: i32[] = [];
  private depth: i32 = 0;

  constructor(private input: Uint8Array) {
    this.out = new ByteWriter(input.length);
  }

  atEnd(): bool {
    return this.pos >= this.input.length;
  }

  skipSpace(): void {
    while (!this.atEnd()) {
      const c = this.input[this.pos];
      if (c != 0x20 && c != 0x09 && c != 0x0A && c != 0x0D) return;
      this.pos++;
    }
  }

  /** One value and nothing after it but space. */
  document(): bool {
    if (!this.value()) return false;
    this.skipSpace();
    return this.atEnd() || this.fail("trailing characters");
  }

  private fail(why: string): bool {
    this.error = why + " at byte " + this.pos.toString();
    return false;
  }

  /** Consumes `c` (and the space before it), writing it out. */
  private take(c: u8): bool {
    this.skipSpace();
    if (this.atEnd() || this.input[this.pos] != c) return false;
    this.pos++;
    this.out.byte(c);
    return true;
  }

  private value(): bool {
    this.skipSpace();
    if (this.atEnd()) return this.fail("unexpected end, expected a value");
    const c = this.input[this.pos];
    if (c == 0x7B) return this.container(0x7D); // '{' ... '}'
    if (c == 0x5B) return this.container(0x5D); // '[' ... ']'
    if (c == 0x22) return this.string();
    if (c == 0x2D || (c >= 0x30 && c <= 0x39)) return this.number();
    if (c == 0x74) return this.literal("true");
    if (c == 0x66) return this.literal("false");
    if (c == 0x6E) return this.literal("null");
    return this.fail("expected a value");
  }

  /** An object (close is '}') or an array (close is ']'), at its opening bracket. */
  private container(close: u8): bool {
    if (++this.depth > MAX_DEPTH) return this.fail("nested too deeply");
    const isObject = close == 0x7D;
    const collect = isObject && this.depth == 1;
    this.out.byte(this.input[this.pos++]);
    if (this.take(close)) {
      this.depth--;
      return true;
    }
    for (;;) {
      if (isObject) {
        this.skipSpace();
        if (this.atEnd() || this.input[this.pos] != 0x22) return this.fail("expected a member name");
        const nameStart = this.pos;
        if (!this.string()) return false;
        if (collect) this.names.push(decodeString(this.input, nameStart, this.pos));
        if (!this.take(0x3A)) return this.fail("expected ':'");
        if (collect) this.starts.push(this.out.length);
      }
      if (!this.value()) return false;
      if (collect) this.ends.push(this.out.length);
      if (this.take(0x2C)) continue; // ','
      if (this.take(close)) {
        this.depth--;
        return true;
      }
      return this.fail(this.atEnd()
        ? "unexpected end, expected ',' or '" + String.fromCharCode(close) + "'"
        : "expected ',' or '" + String.fromCharCode(close) + "'");
    }
  }

  /** A string token, copied with its escapes as written. */
  private string(): bool {
    const input = this.input;
    const start = this.pos++;
    while (!this.atEnd()) {
      const c = input[this.pos];
      if (c == 0x22) {
        this.pos++;
        this.out.slice(input, start, this.pos);
        return true;
      }
      if (c < 0x20) return this.fail("control character in a string");
      if (c == 0x5C) { // '\'
        if (this.pos + 1 >= input.length) break;
        const e = input[this.pos + 1];
        if (e == 0x75) { // 'u'
          if (input.length - this.pos < 6 || !isHex4(input, this.pos + 2)) return this.fail("bad \\u escape");
          this.pos += 6;
        } else if (e == 0x22 || e == 0x5C || e == 0x2F || e == 0x62 || e == 0x66 || e == 0x6E || e == 0x72 || e == 0x74) {
          this.pos += 2;
        } else {
          return this.fail("bad escape");
        }
      } else {
        const n = utf8SequenceLength(input, this.pos, input.length);
        if (n == 0) return this.fail("invalid UTF-8 in a string");
        this.pos += n;
      }
    }
    return this.fail("unexpected end in a string");
  }

  private number(): bool {
    const input = this.input;
    const start = this.pos;
    if (input[this.pos] == 0x2D) this.pos++;
    if (!this.atEnd() && input[this.pos] == 0x30) {
      this.pos++;
    } else if (this.digits() == 0) {
      return this.fail("bad number");
    }
    if (!this.atEnd() && input[this.pos] == 0x2E) { // '.'
      this.pos++;
      if (this.digits() == 0) return this.fail("bad number");
    }
    if (!this.atEnd() && (input[this.pos] | 0x20) == 0x65) { // 'e' or 'E'
      this.pos++;
      if (!this.atEnd() && (input[this.pos] == 0x2B || input[this.pos] == 0x2D)) this.pos++;
      if (this.digits() == 0) return this.fail("bad number");
    }
    this.out.slice(input, start, this.pos);
    return true;
  }

  private digits(): i32 {
    const start = this.pos;
    while (!this.atEnd() && this.input[this.pos] >= 0x30 && this.input[this.pos] <= 0x39) this.pos++;
    return this.pos - start;
  }

  private literal(word: string): bool {
    const n = word.length;
    if (this.input.length - this.pos < n) return this.fail("expected a value");
    for (let i = 0; i < n; i++) {
      if (<i32>this.input[this.pos + i] != word.charCodeAt(i)) return this.fail("expected a value");
    }
    this.out.slice(this.input, this.pos, this.pos + n);
    this.pos += n;
    return true;
  }
}

function hexDigit(c: u8): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

function isHex4(bytes: Uint8Array, at: i32): bool {
  for (let i = at; i < at + 4; i++) {
    if (hexDigit(bytes[i]) < 0) return false;
  }
  return true;
}

function hex4(bytes: Uint8Array, at: i32): u32 {
  let v: u32 = 0;
  for (let i = at; i < at + 4; i++) v = v << 4 | <u32>hexDigit(bytes[i]);
  return v;
}

/**
 * Decodes the checked string token bytes[start, end) (quotes included). A lone surrogate
 * escape becomes U+FFFD.
 */
function decodeString(bytes: Uint8Array, start: i32, end: i32): string {
  const last = end - 1;
  const text = new ByteWriter(last - start);
  for (let i = start + 1; i < last; ) {
    const c = bytes[i];
    if (c != 0x5C) {
      text.byte(c);
      i++;
      continue;
    }
    const e = bytes[i + 1];
    i += 2;
    if (e == 0x62) text.byte(0x08);
    else if (e == 0x66) text.byte(0x0C);
    else if (e == 0x6E) text.byte(0x0A);
    else if (e == 0x72) text.byte(0x0D);
    else if (e == 0x74) text.byte(0x09);
    else if (e != 0x75) text.byte(e); // '"', '\', '/'
    else {
      let cp = hex4(bytes, i);
      i += 4;
      if (cp >= 0xD800 && cp < 0xDC00) { // a high surrogate: a low one must follow
        const low = i + 6 <= last && bytes[i] == 0x5C && bytes[i + 1] == 0x75 ? hex4(bytes, i + 2) : 0;
        if (low >= 0xDC00 && low < 0xE000) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          i += 6;
        } else {
          cp = 0xFFFD;
        }
      } else if (cp >= 0xDC00 && cp < 0xE000) {
        cp = 0xFFFD;
      }
      text.codePoint(cp);
    }
  }
  return text.toText();
}

// --- writing ------------------------------------------------------------------------------

/**
 * Writes a compact JSON object, members in the order they are added:
 *
 *   new ObjectBuilder().int("total", 5).toBytes() // {"total":5}
 */
export class ObjectBuilder {
  private out: ByteWriter = new ByteWriter();

  constructor() {
    this.out.byte(0x7B); // '{'
  }

  int(name: string, value: i64): ObjectBuilder {
    this.key(name);
    this.out.string(value.toString());
    return this;
  }

  string(name: string, value: string): ObjectBuilder {
    this.key(name);
    writeJsonString(this.out, value);
    return this;
  }

  bool(name: string, value: bool): ObjectBuilder {
    this.key(name);
    this.out.string(value ? "true" : "false");
    return this;
  }

  /** A member whose value is already compact JSON text (as JsonObject.getRaw gives it). */
  raw(name: string, json: Uint8Array): ObjectBuilder {
    this.key(name);
    this.out.bytes(json);
    return this;
  }

  /** The finished object; the builder may go on. */
  toBytes(): Uint8Array {
    const body = this.out.toBytes();
    const object = new Uint8Array(body.length + 1);
    object.set(body);
    object[body.length] = 0x7D; // '}'
    return object;
  }

  private key(name: string): void {
    if (this.out.length > 1) this.out.byte(0x2C); // ','
    writeJsonString(this.out, name);
    this.out.byte(0x3A); // ':'
  }
}

/** s as a JSON string: quoteJson("ok") is the 4 bytes "ok" with the quotes. */
export function quoteJson(s: string): Uint8Array {
  const out = new ByteWriter(s.length + 2);
  writeJsonString(out, s);
  return out.toBytes();
}

/**
 * Appends s as a JSON string, escaped as serde_json and JSON.stringify escape it (quote,
 * backslash, control characters); a lone surrogate becomes U+FFFD.
 */
export function writeJsonString(out: ByteWriter, s: string): void {
  out.byte(0x22);
  let run = 0; // the start of the code units not yet written
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c != 0x22 && c != 0x5C) continue;
    out.utf16(s, run, i);
    run = i + 1;
    out.byte(0x5C);
    if (c == 0x22 || c == 0x5C) out.byte(<u8>c);
    else if (c == 0x0A) out.byte(0x6E); // n
    else if (c == 0x0D) out.byte(0x72); // r
    else if (c == 0x09) out.byte(0x74); // t
    else if (c == 0x08) out.byte(0x62); // b
    else if (c == 0x0C) out.byte(0x66); // f
    else {
      out.string("u00");
      out.byte(<u8>HEX.charCodeAt(c >> 4));
      out.byte(<u8>HEX.charCodeAt(c & 0xF));
    }
  }
  out.utf16(s, run, s.length);
  out.byte(0x22);
}

const HEX = "0123456789abcdef";
