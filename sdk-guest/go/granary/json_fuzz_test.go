package granary

// Fuzz targets of the hand-written JSON helpers, run by host/fuzz/sdk.sh with `go test -fuzz`.
// Between runs they replay their seeds as ordinary tests.

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"
)

func FuzzParseObject(f *testing.F) {
	for _, seed := range []string{`{}`, `{"n":5}`, ` { "s":"a\"b\u00e9\ud83d\ude00\/", "p": {"x": [1, 2.5e3, true, null]}, "n": -7 } `, `{"n":9223372036854775808}`, `[1]`, `{"a":"\ud800"}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		object, err := ParseObject(payload)
		compact, compactErr := CompactJSON(payload)
		if err != nil {
			return
		}
		if compactErr != nil {
			t.Fatalf("an object that parses does not compact: %v", compactErr)
		}
		if !json.Valid(compact) {
			t.Fatalf("compact output is not JSON: %q", compact)
		}
		again, err := CompactJSON(compact)
		if err != nil || !bytes.Equal(again, compact) {
			t.Fatalf("compacting twice changes %q into %q (%v)", compact, again, err)
		}
		// Every getter answers for any name, present or not, of any type.
		for _, name := range []string{"n", "s", "p", "a", ""} {
			object.Has(name)
			object.Raw(name)
			if n, err := object.Int(name); err == nil {
				raw, _ := object.Raw(name)
				var want int64
				if json.Unmarshal(raw, &want) != nil || want != n {
					t.Fatalf("Int(%q) = %d, encoding/json reads %s", name, n, raw)
				}
			}
			if s, err := object.String(name); err == nil && !utf8.ValidString(s) {
				t.Fatalf("String(%q) is not UTF-8: %q", name, s)
			}
			object.Bool(name)
		}
	})
}

func FuzzQuoteJSON(f *testing.F) {
	for _, seed := range []string{"", "ok", "a\"b\\c\n\u2028\x00", "\xff\xfe", "😀"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		quoted := QuoteJSON(s)
		var back string
		if err := json.Unmarshal(quoted, &back); err != nil {
			t.Fatalf("QuoteJSON(%q) = %s is not a JSON string: %v", s, quoted, err)
		}
		if utf8.ValidString(s) && back != s {
			t.Fatalf("QuoteJSON(%q) reads back as %q", s, back)
		}
		object := NewObject().String("s", s).Bytes()
		parsed, err := ParseObject(object)
		if err != nil {
			t.Fatalf("an object the builder wrote does not parse: %s: %v", object, err)
		}
		if got, err := parsed.String("s"); err != nil || got != back {
			t.Fatalf("built %s, read back %q (%v), want %q", object, got, err, back)
		}
	})
}
