package cowstring

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

var jsonStrings = []string{
	"", "a", "hello, world", "<&>", `quote " and \ backslash`, "bad \xff utf-8", "\xc3", "\u2028\u2029",
	"tab\tnewline\n", "\x00\x1f", "é 日本 🙂", strings.Repeat("0123456789", 10000),
}

// jsonLikePlain checks that New(str) marshals exactly as json.Marshal
// marshals str, through json.Marshal and through an Encoder that escapes no
// HTML and indents.
func jsonLikePlain(t *testing.T, str string) {
	t.Helper()
	got, err := json.Marshal(New(str))
	want, werr := json.Marshal(str)
	if string(got) != string(want) || err != nil || werr != nil {
		t.Errorf("json.Marshal(New(%.40q)) = %.60s, %v; want %.60s, %v (as for the string)", str, got, err, want, werr)
	}
	encode := func(v any) string {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			t.Fatalf("Encode: %v", err)
		}
		return buf.String()
	}
	if got, want := encode(New(str)), encode(str); got != want {
		t.Errorf("an Encoder without HTML escapes writes New(%.40q) as %.60s, want %.60s", str, got, want)
	}
}

func TestMarshalJSONLikePlain(t *testing.T) {
	for _, str := range jsonStrings {
		jsonLikePlain(t, str)
	}
	// A handle whose view starts inside its buffer: a Substr, a cut prefix.
	s := New("<<prefix>>text")
	sub := s.Substr(2, 8)
	s.Delete(0, 10)
	for _, tt := range []struct {
		h    *String
		want string
	}{{sub, "prefix"}, {s, "text"}} {
		got, _ := json.Marshal(tt.h)
		want, _ := json.Marshal(tt.want)
		if string(got) != string(want) {
			t.Errorf("json.Marshal of a view = %s, want %s", got, want)
		}
	}
}

var jsonTextTests = []struct {
	s    *String
	want string
}{
	{New(""), `""`},
	{new(String), `""`},
	{New("hi"), `"hi"`},
	{New(`a"b`), `"a\"b"`},
	{New("\xff"), `"\ufffd"`},
	{nil, `null`},
}

func TestMarshalJSONText(t *testing.T) {
	for _, tt := range jsonTextTests {
		got, err := json.Marshal(tt.s)
		if string(got) != tt.want || err != nil {
			t.Errorf("json.Marshal(%v) = %s, %v, want %s", tt.s, got, err, tt.want)
		}
		direct, err := tt.s.MarshalJSON()
		if string(direct) != tt.want || err != nil {
			t.Errorf("(%v).MarshalJSON() = %s, %v, want %s", tt.s, direct, err, tt.want)
		}
	}
}

func TestMarshalJSONHTMLEscapes(t *testing.T) {
	s := New("<&>")
	got, _ := json.Marshal(s)
	if want := `"\u003c\u0026\u003e"`; string(got) != want {
		t.Errorf("json.Marshal = %s, want %s", got, want)
	}
	direct, _ := s.MarshalJSON()
	if want := `"<&>"`; string(direct) != want {
		t.Errorf("MarshalJSON() = %s, want %s (json.Marshal escapes it, as it is set to)", direct, want)
	}
}

// record holds handles as struct fields; plainRecord has the same fields
// as plain strings: both must be written alike.
type record struct {
	Name  *String            `json:"name"`
	Note  *String            `json:"note,omitempty"`
	None  *String            `json:"none"`
	Empty *String            `json:"empty"`
	Ptr   **String           `json:"ptr"`
	List  []*String          `json:"list"`
	ByKey map[string]*String `json:"by_key"`
}

type plainRecord struct {
	Name  string            `json:"name"`
	Note  string            `json:"note,omitempty"`
	None  *string           `json:"none"`
	Empty string            `json:"empty"`
	Ptr   *string           `json:"ptr"`
	List  []string          `json:"list"`
	ByKey map[string]string `json:"by_key"`
}

func TestJSONStructFields(t *testing.T) {
	inner := New("inner")
	r := &record{
		Name:  New("<name>"),
		Note:  New("note"),
		Empty: New(""),
		Ptr:   &inner,
		List:  []*String{New("a"), New("")},
		ByKey: map[string]*String{"k": New("v")},
	}
	ptr := "inner"
	p := &plainRecord{
		Name:  "<name>",
		Note:  "note",
		Ptr:   &ptr,
		List:  []string{"a", ""},
		ByKey: map[string]string{"k": "v"},
	}
	got, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(p)
	if string(got) != string(want) {
		t.Fatalf("a struct of handles marshals as\n%s\nwant, as the struct of strings,\n%s", got, want)
	}
	var back record
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if back.None != nil {
		t.Errorf("a null field decoded to %v, want nil", back.None)
	}
	again, _ := json.Marshal(&back)
	if string(again) != string(want) {
		t.Errorf("after a round trip the struct marshals as\n%s\nwant\n%s", again, want)
	}
	if back.Name.String() != "<name>" || (*back.Ptr).String() != "inner" || back.ByKey["k"].String() != "v" {
		t.Errorf("after a round trip: Name %q, Ptr %q, ByKey[k] %q", back.Name, *back.Ptr, back.ByKey["k"])
	}
	old := back.Name
	if err := json.Unmarshal([]byte(`{"name":null}`), &back); err != nil || back.Name != nil {
		t.Errorf(`{"name":null}: Name = %v, %v; want nil`, back.Name, err)
	}
	if old.String() != "<name>" {
		t.Errorf("the handle a null field held changed: %q", old)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		roundTripJSON(t, rapid.String().Draw(t, "text"))
		roundTripJSON(t, string(rapid.SliceOf(rapid.Byte()).Draw(t, "bytes")))
	})
	for _, str := range jsonStrings {
		roundTripJSON(t, str)
	}
}

// roundTripJSON: a String marshals and decodes back to what a Go string
// does (invalid UTF-8 comes back as U+FFFD, as it does for the string).
func roundTripJSON(t interface {
	Helper()
	Fatalf(string, ...any)
}, str string) {
	t.Helper()
	s := New(str)
	c := s.Clone()
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	var want string
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("json.Unmarshal(%s) into a string: %v", data, err)
	}
	var back String
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("json.Unmarshal(%s): %v", data, err)
	}
	if got := string(back.Bytes()); got != want {
		t.Fatalf("round trip of %q through %s = %q, want %q", str, data, got, want)
	}
	if len(str) > 0 && (!s.Shared() || !c.Shared()) {
		t.Fatalf("json.Marshal detached a shared clone")
	}
	if err := checkInvariants([]*String{s, c, &back}); err != nil {
		t.Fatalf("%v", err)
	}
}

func TestUnmarshalJSONNull(t *testing.T) {
	str := "keep"
	if err := json.Unmarshal([]byte("null"), &str); err != nil || str != "keep" {
		t.Fatalf("json leaves a string as %q, %v for null; this test assumes unchanged", str, err)
	}
	s := New("keep")
	if err := json.Unmarshal([]byte(" null "), s); err != nil || s.String() != "keep" {
		t.Errorf("json.Unmarshal(null) into a String: %q, %v; want it unchanged", s, err)
	}
}

// TestUnmarshalJSONReplaces: decoding makes a new buffer, so strings handed
// out, clones and substrings keep their values.
func TestUnmarshalJSONReplaces(t *testing.T) {
	s := New("before")
	kept := s.String()
	c := s.Clone()
	sub := s.Substr(0, 3)
	if err := json.Unmarshal([]byte(`"after"`), s); err != nil {
		t.Fatal(err)
	}
	if s.String() != "after" || kept != "before" || c.String() != "before" || sub.String() != "bef" {
		t.Errorf("after Unmarshal: s %q, kept %q, clone %q, substr %q; want after before before bef", s, kept, c, sub)
	}
	s.WriteString("!") // s's new buffer is its own: this writes in place
	if s.String() != "after!" || c.String() != "before" {
		t.Errorf("after a write: s %q, clone %q", s, c)
	}
	if err := json.Unmarshal([]byte(`""`), s); err != nil || s.Len() != 0 {
		t.Errorf(`Unmarshal(""): Len() = %d, %v; want 0`, s.Len(), err)
	}
	if err := checkInvariants([]*String{s, c, sub}); err != nil {
		t.Error(err)
	}
}

var malformedJSON = []string{
	``, ` `, `"abc`, `abc"`, `"\q"`, `"\u12"`, `""x`, `"a" "b"`, `12`, `true`, `[]`, `{}`, `["a"]`,
	"\"\x01\"", `nul`, `'a'`,
}

func TestUnmarshalJSONMalformed(t *testing.T) {
	for _, in := range malformedJSON {
		s := New("keep")
		c := s.Clone()
		err := s.UnmarshalJSON([]byte(in))
		var str string
		werr := json.Unmarshal([]byte(in), &str)
		if err == nil || werr == nil {
			t.Errorf("UnmarshalJSON(%q) = %v, and json.Unmarshal into a string = %v; want errors from both", in, err, werr)
		} else if reflect.TypeOf(err) != reflect.TypeOf(werr) {
			t.Errorf("UnmarshalJSON(%q) = %T, json's error for a string is %T", in, err, werr)
		}
		if string(s.Bytes()) != "keep" || !s.Shared() {
			t.Errorf("a failed UnmarshalJSON(%q) changed s to %q, or detached it", in, s.Bytes())
		}
		if err := checkInvariants([]*String{s, c}); err != nil {
			t.Error(err)
		}
	}
}

// allocatedBytes returns the bytes f allocates on average over n runs.
func allocatedBytes(n int, f func()) uint64 {
	f()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / uint64(n)
}

// TestEncodingPinsNothing: encoding or printing a String pins none of its
// bytes, where String() would (so that a later Insert would copy), leaves a
// shared clone shared, and allocates at most two objects more than doing
// the same to the Go string (the buffer MarshalJSON returns and its
// json.Encoder; fmt's inner printer's buffer).
func TestEncodingPinsNothing(t *testing.T) {
	text := strings.Repeat("x", 1<<16)
	s := New(text)
	c := s.Clone()
	u := New(text) // unshared: any pin would show as Shared()
	checks := []struct {
		name              string
		plain, clone, pin func()
	}{
		{"json.Marshal", func() { _, _ = json.Marshal(text) }, func() { _, _ = json.Marshal(c) }, func() { _, _ = json.Marshal(u) }},
		{"GobEncode", func() { _, _ = gobOf(text) }, func() { _, _ = c.GobEncode() }, func() { _, _ = u.GobEncode() }},
		{"Sprint", func() { _ = fmt.Sprint(text) }, func() { _ = fmt.Sprint(c) }, func() { _ = fmt.Sprint(u) }},
		{"Sprintf %q", func() { _ = fmt.Sprintf("%q", text) }, func() { _ = fmt.Sprintf("%q", c) }, func() { _ = fmt.Sprintf("%q", u) }},
	}
	for _, ck := range checks {
		if !raceEnabled {
			want, got := testing.AllocsPerRun(20, ck.plain), testing.AllocsPerRun(20, ck.clone)
			if got > want+2 {
				t.Errorf("%s of a shared clone: %v allocations, of the Go string: %v; want at most 2 more", ck.name, got, want)
			}
		}
		ck.pin()
		if u.Shared() || u.r.Pinned() != 0 {
			t.Errorf("%s pinned the bytes of an unshared String", ck.name)
		}
		if !s.Shared() || !c.Shared() {
			t.Fatalf("%s detached the clone", ck.name)
		}
	}
	if got := testing.AllocsPerRun(10, func() { u.Insert(1, "y"); u.Delete(1, 2) }); got != 0 {
		t.Errorf("Insert into an encoded, unshared String: %v allocations, want 0", got)
	}
	if err := checkInvariants([]*String{s, c, u}); err != nil {
		t.Error(err)
	}
}

func FuzzUnmarshalJSON(f *testing.F) {
	for _, s := range malformedJSON {
		f.Add([]byte(s))
	}
	for _, s := range []string{`""`, `null`, `"abc"`, `"\u00e9<>\ud800"`, `"\"\\\/\b\f\n\r\t"`, "\"\xff\"", ` "x" `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := New("keep")
		c := s.Clone()
		err := s.UnmarshalJSON(data)
		want := "keep"
		werr := json.Unmarshal(data, &want)
		if err != nil {
			if werr == nil {
				t.Fatalf("UnmarshalJSON(%q) = %v, but json decodes it into a string", data, err)
			}
			if string(s.Bytes()) != "keep" || !s.Shared() {
				t.Fatalf("a failed UnmarshalJSON(%q) changed s to %q", data, s.Bytes())
			}
		} else {
			if werr != nil {
				t.Fatalf("UnmarshalJSON(%q) succeeded, but json refuses it for a string: %v", data, werr)
			}
			if got := string(s.Bytes()); got != want {
				t.Fatalf("UnmarshalJSON(%q) = %q, json decodes %q", data, got, want)
			}
			got, err := json.Marshal(s)
			wantJSON, werr := json.Marshal(want)
			if string(got) != string(wantJSON) || err != nil || werr != nil {
				t.Fatalf("UnmarshalJSON(%q) then Marshal = %s, %v; want %s, %v", data, got, err, wantJSON, werr)
			}
		}
		if c.String() != "keep" {
			t.Fatalf("UnmarshalJSON(%q) reached the clone", data)
		}
		if err := checkInvariants([]*String{s, c}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestGobRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		roundTripGob(t, string(rapid.SliceOf(rapid.Byte()).Draw(t, "bytes")))
	})
	for _, str := range jsonStrings {
		roundTripGob(t, str)
	}
	s := New("<<prefix>>text")
	sub := s.Substr(2, 8)
	data, _ := sub.GobEncode()
	back := new(String)
	if err := back.GobDecode(data); err != nil || back.String() != "prefix" {
		t.Errorf("gob round trip of a Substr = %q, %v; want prefix", back, err)
	}
}

// roundTripGob: gob keeps the bytes exactly, invalid UTF-8 included.
func roundTripGob(t interface {
	Helper()
	Fatalf(string, ...any)
}, str string) {
	t.Helper()
	s := New(str)
	c := s.Clone()
	data, err := c.GobEncode()
	if err != nil {
		t.Fatalf("GobEncode: %v", err)
	}
	back := new(String)
	if err := back.GobDecode(data); err != nil {
		t.Fatalf("GobDecode: %v", err)
	}
	if got := string(back.Bytes()); got != str {
		t.Fatalf("gob round trip of %.40q = %.40q", str, got)
	}
	if len(str) > 0 && (!s.Shared() || !c.Shared()) {
		t.Fatalf("GobEncode detached a shared clone")
	}
	if err := checkInvariants([]*String{s, c, back}); err != nil {
		t.Fatalf("%v", err)
	}
}

// gobRecord holds handles as fields, for gob.
type gobRecord struct {
	A     *String
	None  *String
	Empty *String
	List  []*String
	Ptr   **String
}

func TestGobStructFields(t *testing.T) {
	inner := New("inner")
	in := gobRecord{A: New("a\xff"), Empty: New(""), List: []*String{New("x"), New("y")}, Ptr: &inner}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&in); err != nil {
		t.Fatal(err)
	}
	var out gobRecord
	if err := gob.NewDecoder(&buf).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if out.A.String() != "a\xff" || out.None != nil || len(out.List) != 2 || out.List[1].String() != "y" {
		t.Errorf("after gob: A %q, None %v, List %v", out.A, out.None, out.List)
	}
	// gob sends no zero value: an empty handle arrives as nil, as an empty
	// string field arrives as "".
	if out.Empty != nil && out.Empty.Len() != 0 {
		t.Errorf("Empty = %q, want nil or empty", out.Empty)
	}
	if out.Ptr == nil || (*out.Ptr).String() != "inner" {
		t.Errorf("Ptr = %v", out.Ptr)
	}
}

func TestGobDecodeMalformed(t *testing.T) {
	good, err := New("hello").GobEncode()
	if err != nil {
		t.Fatal(err)
	}
	ints, _ := gobOf(42)
	inputs := map[string][]byte{
		"empty":         {},
		"trailing byte": append(slices.Clone(good), 0),
		"another type":  ints,
		"garbage":       []byte("not a gob stream"),
		"a forged length": func() []byte {
			// The value's message: its length, string's type id (6,
			// written as 0x0c), a zero byte, the length 5, "hello".
			i := bytes.Index(good, []byte("\x0c\x00\x05hello"))
			f := slices.Concat(good[:i+2], []byte{0xfc, 0x7f, 0xff, 0xff, 0xff}, good[i+3:])
			f[i-1] += 4
			return f
		}(),
	}
	for i := 1; i < len(good); i++ {
		inputs[fmt.Sprintf("truncated to %d bytes", i)] = good[:i]
	}
	for name, in := range inputs {
		s := New("keep")
		c := s.Clone()
		var err error
		allocated := allocatedBytes(1, func() { err = s.GobDecode(in) })
		if err == nil {
			t.Errorf("%s: GobDecode(%x) = nil, want an error", name, in)
		}
		if allocated > 1<<20 {
			t.Errorf("%s: GobDecode of %d bytes allocated %d", name, len(in), allocated)
		}
		if string(s.Bytes()) != "keep" || !s.Shared() {
			t.Errorf("%s: a failed GobDecode changed s to %q", name, s.Bytes())
		}
		if err := checkInvariants([]*String{s, c}); err != nil {
			t.Error(err)
		}
	}
	if err := new(String).GobDecode(nil); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("GobDecode(nil) = %v, want io.ErrUnexpectedEOF", err)
	}
	if err := new(String).GobDecode(good[:len(good)-1]); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("GobDecode of a truncated stream = %v, want io.ErrUnexpectedEOF", err)
	}
}

func gobOf(v any) ([]byte, error) {
	var buf bytes.Buffer
	err := gob.NewEncoder(&buf).Encode(v)
	return buf.Bytes(), err
}

func FuzzGobDecode(f *testing.F) {
	good, _ := New("hello").GobEncode()
	f.Add(good)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		s := New("keep")
		if err := s.GobDecode(data); err != nil && string(s.Bytes()) != "keep" {
			t.Fatalf("a failed GobDecode (%v) changed s to %q", err, s.Bytes())
		}
		if err := checkInvariants([]*String{s}); err != nil {
			t.Fatal(err)
		}
	})
}
