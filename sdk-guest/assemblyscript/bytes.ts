// Bytes and UTF-8: a growable byte buffer, and strings to and from UTF-8 that never trap on
// bad input (AssemblyScript's own decoder passes invalid UTF-8 through as garbage).

/** Appends bytes to a buffer that doubles as it fills. */
export class ByteWriter {
  private buf: Uint8Array;
  private used: i32 = 0;

  constructor(capacity: i32 = 64) {
    this.buf = new Uint8Array(max(capacity, 16));
  }

  get length(): i32 {
    return this.used;
  }

  byte(c: u8): void {
    this.reserve(1);
    this.buf[this.used++] = c;
  }

  /** Appends bytes[start, end). */
  slice(bytes: Uint8Array, start: i32, end: i32): void {
    const n = end - start;
    this.reserve(n);
    memory.copy(this.buf.dataStart + <usize>this.used, bytes.dataStart + <usize>start, <usize>n);
    this.used += n;
  }

  bytes(bytes: Uint8Array): void {
    this.slice(bytes, 0, bytes.length);
  }

  /** Appends s as UTF-8; a lone surrogate becomes U+FFFD. */
  string(s: string): void {
    this.utf16(s, 0, s.length);
  }

  /** Appends the UTF-16 code units s[start, end) as UTF-8; a lone surrogate becomes U+FFFD. */
  utf16(s: string, start: i32, end: i32): void {
    this.reserve((end - start) * 3);
    this.used += <i32>String.UTF8.encodeUnsafe(
      changetype<usize>(s) + (<usize>start << 1), end - start,
      this.buf.dataStart + <usize>this.used, false, String.UTF8.ErrorMode.REPLACE,
    );
  }

  /** Appends a Unicode scalar value as UTF-8. */
  codePoint(cp: u32): void {
    if (cp < 0x80) {
      this.byte(<u8>cp);
    } else if (cp < 0x800) {
      this.byte(<u8>(0xC0 | cp >> 6));
      this.byte(<u8>(0x80 | cp & 0x3F));
    } else if (cp < 0x10000) {
      this.byte(<u8>(0xE0 | cp >> 12));
      this.byte(<u8>(0x80 | cp >> 6 & 0x3F));
      this.byte(<u8>(0x80 | cp & 0x3F));
    } else {
      this.byte(<u8>(0xF0 | cp >> 18));
      this.byte(<u8>(0x80 | cp >> 12 & 0x3F));
      this.byte(<u8>(0x80 | cp >> 6 & 0x3F));
      this.byte(<u8>(0x80 | cp & 0x3F));
    }
  }

  /** A copy of what was written. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.used);
  }

  /** What was written, without a copy: a view that later writes may leave behind. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.used);
  }

  /** What was written, which must be valid UTF-8, as a string. */
  toText(): string {
    return String.UTF8.decodeUnsafe(this.buf.dataStart, <usize>this.used);
  }

  private reserve(n: i32): void {
    if (this.used + n <= this.buf.length) return;
    let capacity = this.buf.length * 2;
    while (capacity < this.used + n) capacity *= 2;
    const grown = new Uint8Array(capacity);
    memory.copy(grown.dataStart, this.buf.dataStart, <usize>this.used);
    this.buf = grown;
  }
}

/** s as UTF-8; a lone surrogate becomes U+FFFD. */
export function encodeUtf8(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s, false, String.UTF8.ErrorMode.REPLACE));
}

/** bytes as a string; each byte that starts no valid UTF-8 sequence becomes U+FFFD. */
export function decodeUtf8(bytes: Uint8Array): string {
  const end = bytes.length;
  if (validUtf8(bytes, 0, end)) return String.UTF8.decodeUnsafe(bytes.dataStart, <usize>end);
  const clean = new ByteWriter(end + 16);
  for (let i = 0; i < end; ) {
    const n = utf8SequenceLength(bytes, i, end);
    if (n == 0) {
      clean.codePoint(0xFFFD);
      i++;
    } else {
      clean.slice(bytes, i, i + n);
      i += n;
    }
  }
  return clean.toText();
}

function validUtf8(bytes: Uint8Array, start: i32, end: i32): bool {
  for (let i = start; i < end; ) {
    const n = utf8SequenceLength(bytes, i, end);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

/**
 * The length of the well-formed UTF-8 sequence at bytes[i] (before end), or 0 when there is
 * none: no overlong forms, no surrogates, nothing past U+10FFFF (Unicode table 3-7).
 */
export function utf8SequenceLength(bytes: Uint8Array, i: i32, end: i32): i32 {
  const c = bytes[i];
  if (c < 0x80) return 1;
  let n: i32;
  let low: u8 = 0x80;
  let high: u8 = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) low = 0xA0;
    if (c == 0xED) high = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) low = 0x90;
    if (c == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (end - i < n) return 0;
  const second = bytes[i + 1];
  if (second < low || second > high) return 0;
  for (let k = 2; k < n; k++) {
    const next = bytes[i + k];
    if (next < 0x80 || next > 0xBF) return 0;
  }
  return n;
}
