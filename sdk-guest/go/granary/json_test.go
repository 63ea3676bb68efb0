package granary

import (
	"strings"
	"testing"
)

func TestParseObject(t *testing.T) {
	o, err := ParseObject([]byte(` { "n" : 5 , "s":"a\"b\u00e9\ud83d\ude00\/", "p": { "x" : [1, 2.5e3, true, null] }, "n": -7 } `))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := o.Int("n"); err != nil || n != -7 {
		t.Fatalf("n = %d, %v (the last duplicate wins)", n, err)
	}
	if s, err := o.String("s"); err != nil || s != "a\"bé😀/" {
		t.Fatalf("s = %q, %v", s, err)
	}
	if raw, ok := o.Raw("p"); !ok || string(raw) != `{"x":[1,2.5e3,true,null]}` {
		t.Fatalf("p = %s", raw)
	}
	if o.Has("q") {
		t.Fatal("has q")
	}
}

func TestParseErrors(t *testing.T) {
	for in, want := range map[string]string{
		``:                       "bad payload: empty",
		`   `:                    "bad payload: empty",
		`5`:                      "bad payload: expected a JSON object, got 5",
		`[1]`:                    "bad payload: expected a JSON object",
		`{"n":1`:                 "bad payload: unexpected end",
		`{"n":1} x`:              "bad payload: trailing characters",
		`{n:1}`:                  "bad payload: expected a member name",
		`{"n":01}`:               "bad payload: expected ',' or '}'",
		`{"n":-}`:                "bad payload: bad number",
		`{"n":1.}`:               "bad payload: bad number",
		`{"n":"\x"}`:             "bad payload: bad escape",
		`{"n":"\u12"}`:           "bad payload: bad \\u escape",
		"{\"n\":\"a\nb\"}":       "bad payload: control character",
		`{"n":tru}`:              "bad payload: expected a value",
		strings.Repeat("[", 600): "bad payload: nested too deeply",
		`{"a":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `}`: "nested too deeply",
	} {
		_, err := ParseObject([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseObject(%.20q) = %v, want %q", in, err, want)
		}
	}
}

func TestGetters(t *testing.T) {
	o, err := ParseObject([]byte(`{"i":9223372036854775807,"big":9223372036854775808,"f":1.0,"e":1e2,"s":"x","b":true,"z":null}`))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := o.Int("i"); err != nil || n != 1<<63-1 {
		t.Fatal(n, err)
	}
	for name, want := range map[string]string{
		"big": "bad payload: field `big` is out of range",
		"f":   "bad payload: field `f` must be an integer, got 1.0",
		"e":   "must be an integer",
		"s":   "must be an integer, got \"x\"",
		"z":   "must be an integer, got null",
		"m":   "bad payload: missing field `m`",
	} {
		if _, err := o.Int(name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Int(%s) = %v, want %q", name, err, want)
		}
	}
	if _, err := o.String("i"); err == nil || !strings.Contains(err.Error(), "must be a string") {
		t.Error(err)
	}
	if b, err := o.Bool("b"); err != nil || !b {
		t.Error(b, err)
	}
	if _, err := parseObject([]byte(`{}`), "corrupt state"); err != nil {
		t.Fatal(err)
	}
	st, _ := parseObject([]byte(`{}`), "corrupt state")
	if _, err := st.Int("total"); err == nil || err.Error() != "corrupt state: missing field `total`" {
		t.Error(err)
	}
}

func TestDecodeSurrogates(t *testing.T) {
	o, err := ParseObject([]byte(`{"lone":"\ud800x","low":"\udc00","pair":"\uD83D\uDE00","bad":"` + "\xff" + `"}`))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"lone": "\uFFFDx", "low": "\uFFFD", "pair": "😀", "bad": "\uFFFD"} {
		if s, _ := o.String(name); s != want {
			t.Errorf("%s = %q, want %q", name, s, want)
		}
	}
}

func TestWrite(t *testing.T) {
	b := NewObject().Int("total", -5).String("kind", "a\"\\\n\t\x01<&>é\u2028").Bool("ok", false).Raw("p", []byte(`[1]`))
	want := `{"total":-5,"kind":"a\"\\\n\t\u0001<&>é` + "\u2028" + `","ok":false,"p":[1]}`
	if got := string(b.Bytes()); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if got := string(b.Bytes()); got != want {
		t.Fatal("Bytes is not repeatable")
	}
	if got := string(NewObject().Bytes()); got != `{}` {
		t.Fatal(got)
	}
	if got := string(QuoteJSON("logged")); got != `"logged"` {
		t.Fatal(got)
	}
	if got := string(QuoteJSON("\xff")); got != "\"\uFFFD\"" {
		t.Fatal(got)
	}
}

func TestCompact(t *testing.T) {
	got, err := CompactJSON([]byte(" { \"a\" : [ 1 , \"x y\" ] } \n"))
	if err != nil || string(got) != `{"a":[1,"x y"]}` {
		t.Fatal(string(got), err)
	}
	if _, err := CompactJSON([]byte(`{"a":}`)); err == nil {
		t.Fatal("accepted bad JSON")
	}
}
