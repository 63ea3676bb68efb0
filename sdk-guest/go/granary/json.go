package granary

// JSON helpers without encoding/json: in Go 1.27 encoding/json (built on encoding/json/v2)
// pulls in reflect, fmt, os and time, which more than doubles a grain (2.0 MB to 4.5 MB).
// These cover what grains exchange: an object of named fields in, compact JSON out, byte for
// byte what serde_json and JSON.stringify write. A grain that wants encoding/json may still
// import it.

import (
	"errors"
	"strconv"
	"unicode/utf8"
)

// Object is a parsed JSON object: its members' names and their values as compact JSON text.
// Its getters' errors start with "bad payload" (from ParseObject) or "corrupt state"
// (from LoadObject).
type Object struct {
	what string
	keys []string
	vals [][]byte
}

// ParseObject parses a payload that must be a JSON object. Its errors start with
// "bad payload", the convention every example grain follows.
func ParseObject(payload []byte) (Object, error) { return parseObject(payload, "bad payload") }

func parseObject(in []byte, what string) (Object, error) {
	o := Object{what: what}
	p := parser{in: in, obj: &o}
	p.ws()
	if p.pos == len(in) {
		return o, o.fail("empty, expected a JSON object")
	}
	if err := p.document(); err != nil {
		return o, o.fail(err.Error())
	}
	if firstNonSpace(in) != '{' {
		return Object{what: what}, o.fail("expected a JSON object, got " + show(p.out))
	}
	for i, span := range p.spans {
		o.vals[i] = p.out[span[0]:span[1]]
	}
	return o, nil
}

func firstNonSpace(in []byte) byte {
	for _, c := range in {
		if !isSpace(c) {
			return c
		}
	}
	return 0
}

// BadPayload is the error for a request that is not what a method expects.
func BadPayload(why string) error { return errors.New("bad payload: " + why) }

func (o Object) fail(why string) error { return errors.New(o.what + ": " + why) }

func (o Object) lookup(name string) ([]byte, bool) {
	for i := len(o.keys) - 1; i >= 0; i-- { // the last of duplicate names wins
		if o.keys[i] == name {
			return o.vals[i], true
		}
	}
	return nil, false
}

// Has reports whether the object has a member name (null included).
func (o Object) Has(name string) bool {
	_, ok := o.lookup(name)
	return ok
}

// Raw is the member's value as compact JSON text.
func (o Object) Raw(name string) ([]byte, bool) { return o.lookup(name) }

func (o Object) required(name string) ([]byte, error) {
	v, ok := o.lookup(name)
	if !ok {
		return nil, o.fail("missing field `" + name + "`")
	}
	return v, nil
}

// Int is a required member that must be an integer (no fraction, no exponent) in int64 range.
func (o Object) Int(name string) (int64, error) {
	v, err := o.required(name)
	if err != nil {
		return 0, err
	}
	if !isInteger(v) {
		return 0, o.fail("field `" + name + "` must be an integer, got " + show(v))
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		return 0, o.fail("field `" + name + "` is out of range: " + show(v))
	}
	return n, nil
}

// String is a required member that must be a string.
func (o Object) String(name string) (string, error) {
	v, err := o.required(name)
	if err != nil {
		return "", err
	}
	if v[0] != '"' {
		return "", o.fail("field `" + name + "` must be a string, got " + show(v))
	}
	return decodeString(v), nil
}

// Bool is a required member that must be true or false.
func (o Object) Bool(name string) (bool, error) {
	v, err := o.required(name)
	if err != nil {
		return false, err
	}
	switch string(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, o.fail("field `" + name + "` must be true or false, got " + show(v))
}

func isInteger(v []byte) bool {
	if v[0] != '-' && (v[0] < '0' || v[0] > '9') {
		return false
	}
	for _, c := range v {
		if c == '.' || c == 'e' || c == 'E' {
			return false
		}
	}
	return true
}

// show quotes a value in an error, cut to a readable length.
func show(v []byte) string {
	const max = 64
	if len(v) > max {
		return string(v[:max]) + "..."
	}
	return string(v)
}

// CompactJSON checks that raw is one JSON value and removes its insignificant space.
func CompactJSON(raw []byte) ([]byte, error) {
	p := parser{in: raw}
	p.ws()
	if p.pos == len(raw) {
		return nil, errors.New("empty, expected JSON")
	}
	if err := p.document(); err != nil {
		return nil, err
	}
	return p.out, nil
}

// --- parsing ----------------------------------------------------------------------------

const maxDepth = 512

type parser struct {
	in    []byte
	pos   int
	out   []byte   // the compact copy of what was parsed
	depth int      // nesting of objects and arrays
	obj   *Object  // when set, receives the top-level object's members
	spans [][2]int // their values' spans in out
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (p *parser) ws() {
	for p.pos < len(p.in) && isSpace(p.in[p.pos]) {
		p.pos++
	}
}

func (p *parser) errAt(why string) error {
	return errors.New(why + " at byte " + strconv.Itoa(p.pos))
}

func (p *parser) document() error {
	if err := p.value(); err != nil {
		return err
	}
	p.ws()
	if p.pos != len(p.in) {
		return p.errAt("trailing characters")
	}
	return nil
}

func (p *parser) value() error {
	p.ws()
	if p.pos == len(p.in) {
		return p.errAt("unexpected end, expected a value")
	}
	switch c := p.in[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		return p.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	}
	return p.errAt("expected a value")
}

func (p *parser) literal(word string) error {
	if len(p.in)-p.pos < len(word) || string(p.in[p.pos:p.pos+len(word)]) != word {
		return p.errAt("expected a value")
	}
	p.out = append(p.out, word...)
	p.pos += len(word)
	return nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.errAt("nested too deeply")
	}
	return nil
}

func (p *parser) object() error {
	if err := p.enter(); err != nil {
		return err
	}
	top := p.obj != nil && p.depth == 1
	p.pos++
	p.out = append(p.out, '{')
	p.ws()
	if p.pos < len(p.in) && p.in[p.pos] == '}' {
		p.pos++
		p.out = append(p.out, '}')
		p.depth--
		return nil
	}
	for {
		p.ws()
		if p.pos == len(p.in) || p.in[p.pos] != '"' {
			return p.errAt("expected a member name")
		}
		start := len(p.out)
		if err := p.str(); err != nil {
			return err
		}
		name := p.out[start:]
		p.ws()
		if p.pos == len(p.in) || p.in[p.pos] != ':' {
			return p.errAt("expected ':'")
		}
		p.pos++
		p.out = append(p.out, ':')
		valueStart := len(p.out)
		if err := p.value(); err != nil {
			return err
		}
		if top {
			p.obj.keys = append(p.obj.keys, decodeString(name))
			p.obj.vals = append(p.obj.vals, nil)
			p.spans = append(p.spans, [2]int{valueStart, len(p.out)})
		}
		p.ws()
		if p.pos == len(p.in) {
			return p.errAt("unexpected end, expected ',' or '}'")
		}
		switch p.in[p.pos] {
		case ',':
			p.pos++
			p.out = append(p.out, ',')
			continue
		case '}':
			p.pos++
			p.out = append(p.out, '}')
			p.depth--
			return nil
		}
		return p.errAt("expected ',' or '}'")
	}
}

func (p *parser) array() error {
	if err := p.enter(); err != nil {
		return err
	}
	p.pos++
	p.out = append(p.out, '[')
	p.ws()
	if p.pos < len(p.in) && p.in[p.pos] == ']' {
		p.pos++
		p.out = append(p.out, ']')
		p.depth--
		return nil
	}
	for {
		if err := p.value(); err != nil {
			return err
		}
		p.ws()
		if p.pos == len(p.in) {
			return p.errAt("unexpected end, expected ',' or ']'")
		}
		switch p.in[p.pos] {
		case ',':
			p.pos++
			p.out = append(p.out, ',')
			continue
		case ']':
			p.pos++
			p.out = append(p.out, ']')
			p.depth--
			return nil
		}
		return p.errAt("expected ',' or ']'")
	}
}

// str checks a string token and copies it, escapes as written, to out.
func (p *parser) str() error {
	start := p.pos
	p.pos++ // opening quote
	for p.pos < len(p.in) {
		c := p.in[p.pos]
		switch {
		case c == '"':
			p.pos++
			p.out = append(p.out, p.in[start:p.pos]...)
			return nil
		case c < 0x20:
			return p.errAt("control character in a string")
		case c == '\\':
			if p.pos+1 == len(p.in) {
				return p.errAt("unexpected end in a string")
			}
			switch p.in[p.pos+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.pos += 2
			case 'u':
				if len(p.in)-p.pos < 6 || !isHex4(p.in[p.pos+2:p.pos+6]) {
					return p.errAt("bad \\u escape")
				}
				p.pos += 6
			default:
				return p.errAt("bad escape")
			}
		default:
			p.pos++
		}
	}
	return p.errAt("unexpected end in a string")
}

func isHex4(b []byte) bool {
	for _, c := range b[:4] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		default:
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}

func (p *parser) number() error {
	start := p.pos
	if p.in[p.pos] == '-' {
		p.pos++
	}
	digits := func() int {
		n := 0
		for p.pos < len(p.in) && p.in[p.pos] >= '0' && p.in[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	if p.pos < len(p.in) && p.in[p.pos] == '0' {
		p.pos++
	} else if digits() == 0 {
		return p.errAt("bad number")
	}
	if p.pos < len(p.in) && p.in[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return p.errAt("bad number")
		}
	}
	if p.pos < len(p.in) && (p.in[p.pos] == 'e' || p.in[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.in) && (p.in[p.pos] == '+' || p.in[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return p.errAt("bad number")
		}
	}
	p.out = append(p.out, p.in[start:p.pos]...)
	return nil
}

// decodeString decodes a checked string token (quotes included). Invalid UTF-8 and lone
// surrogates become U+FFFD.
func decodeString(tok []byte) string {
	s := tok[1 : len(tok)-1]
	plain := true
	for _, c := range s {
		if c == '\\' || c >= utf8.RuneSelf {
			plain = false
			break
		}
	}
	if plain {
		return string(s)
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRune(s[i:])
			out = utf8.AppendRune(out, r) // RuneError for invalid bytes
			i += n
			continue
		}
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		switch e := s[i+1]; e {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := hex4(s[i+2:])
			i += 6
			if r >= 0xD800 && r < 0xDC00 { // a high surrogate: a low one must follow
				if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if lo := hex4(s[i+2:]); lo >= 0xDC00 && lo < 0xE000 {
						r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
						i += 6
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			} else if r >= 0xDC00 && r < 0xE000 {
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
			continue
		default: // '"', '\\', '/'
			out = append(out, e)
		}
		i += 2
	}
	return string(out)
}

// --- writing ----------------------------------------------------------------------------

// ObjectBuilder writes a compact JSON object, members in the order they are added:
//
//	granary.NewObject().Int("total", 5).Bytes() // {"total":5}
type ObjectBuilder struct{ buf []byte }

// NewObject starts an empty object.
func NewObject() *ObjectBuilder { return &ObjectBuilder{buf: []byte{'{'}} }

func (b *ObjectBuilder) key(k string) {
	if len(b.buf) > 1 {
		b.buf = append(b.buf, ',')
	}
	b.buf = AppendJSONString(b.buf, k)
	b.buf = append(b.buf, ':')
}

// Int adds an integer member.
func (b *ObjectBuilder) Int(k string, v int64) *ObjectBuilder {
	b.key(k)
	b.buf = strconv.AppendInt(b.buf, v, 10)
	return b
}

// String adds a string member.
func (b *ObjectBuilder) String(k, v string) *ObjectBuilder {
	b.key(k)
	b.buf = AppendJSONString(b.buf, v)
	return b
}

// Bool adds a true or false member.
func (b *ObjectBuilder) Bool(k string, v bool) *ObjectBuilder {
	b.key(k)
	b.buf = strconv.AppendBool(b.buf, v)
	return b
}

// Raw adds a member whose value is already JSON text (compact it with CompactJSON if needed).
func (b *ObjectBuilder) Raw(k string, json []byte) *ObjectBuilder {
	b.key(k)
	b.buf = append(b.buf, json...)
	return b
}

// Bytes is the finished object.
func (b *ObjectBuilder) Bytes() []byte {
	out := make([]byte, len(b.buf)+1)
	copy(out, b.buf)
	out[len(b.buf)] = '}'
	return out
}

// QuoteJSON is s as a JSON string: QuoteJSON("ok") is the 4 bytes "ok" with the quotes.
func QuoteJSON(s string) []byte { return AppendJSONString(nil, s) }

// AppendJSONString appends s as a JSON string, escaped as serde_json and JSON.stringify
// escape it (quote, backslash, control characters); invalid UTF-8 becomes U+FFFD.
func AppendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				dst = append(dst, "\uFFFD"...)
			} else {
				dst = append(dst, s[i:i+n]...)
			}
			i += n
			continue
		}
		switch {
		case c == '"':
			dst = append(dst, '\\', '"')
		case c == '\\':
			dst = append(dst, '\\', '\\')
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c == '\b':
			dst = append(dst, '\\', 'b')
		case c == '\f':
			dst = append(dst, '\\', 'f')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		default:
			dst = append(dst, c)
		}
		i++
	}
	return append(dst, '"')
}
