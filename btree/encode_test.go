package btree

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// entry is one key and value, for comparing a map's contents in order.
type entry[K, V any] struct {
	K K
	V V
}

func entriesOf[K, V any](m *Map[K, V]) []entry[K, V] {
	out := []entry[K, V]{}
	for k, v := range m.All() {
		out = append(out, entry[K, V]{k, v})
	}
	return out
}

func mustCheckAny[K, V any](t *testing.T, live ...*Map[K, V]) {
	t.Helper()
	if err := checkMaps(live); err != nil {
		t.Fatal(err)
	}
}

// intMaps are maps of several sizes, for round trips.
var intMapSizes = []int{0, 1, 2, 63, 64, 1000, 20000}

func randomIntMap(n int) (*Map[int, string], map[int]string) {
	m, model := New[int, string](), map[int]string{}
	for _, k := range rand.Perm(n) {
		k -= n / 2
		m.Set(k, strconv.Itoa(k*3))
		model[k] = strconv.Itoa(k * 3)
	}
	return m, model
}

func TestJSONRoundTrip(t *testing.T) {
	for _, n := range intMapSizes {
		m, model := randomIntMap(n)
		data, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("n=%d: Marshal: %v", n, err)
		}
		var fromGo map[int]string
		if err := json.Unmarshal(data, &fromGo); err != nil || !reflect.DeepEqual(fromGo, model) {
			t.Fatalf("n=%d: json reads our text as a Go map that differs (err %v)", n, err)
		}
		got := New[int, string]()
		got.Set(1<<40, "dropped") // Unmarshal replaces the contents
		if err := json.Unmarshal(data, got); err != nil {
			t.Fatalf("n=%d: Unmarshal: %v", n, err)
		}
		if d := cmp.Diff(entriesOf(m), entriesOf(got)); d != "" {
			t.Fatalf("n=%d: round trip (-want +got):\n%s", n, d)
		}
		mustCheckAny(t, m, got)
	}
}

func TestGobRoundTrip(t *testing.T) {
	for _, n := range intMapSizes {
		m, _ := randomIntMap(n)
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(m); err != nil {
			t.Fatalf("n=%d: Encode: %v", n, err)
		}
		got := New[int, string]()
		got.Set(1<<40, "dropped")
		if err := gob.NewDecoder(&buf).Decode(got); err != nil {
			t.Fatalf("n=%d: Decode: %v", n, err)
		}
		if d := cmp.Diff(entriesOf(m), entriesOf(got)); d != "" {
			t.Fatalf("n=%d: round trip (-want +got):\n%s", n, d)
		}
		mustCheckAny(t, m, got)
	}
}

// TestJSONTextAsGoMap: with string keys, json's order (by name) and the
// map's are one, and the text is byte for byte what json.Marshal writes for
// the Go map, escapes included.
func TestJSONTextAsGoMap(t *testing.T) {
	gomap := map[string]any{
		"":           nil,
		"a":          1,
		"b<&>":       "</script>",
		"ü\u2028":    []int{1, 2},
		"\x00\n\"\\": map[string]bool{"t": true},
		"z":          struct{ X, Y int }{1, 2},
		"\xff":       1.5, // invalid UTF-8, written as U+FFFD
	}
	m := New[string, any]()
	for k, v := range gomap {
		m.Set(k, v)
	}
	want, err := json.Marshal(gomap)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("json.Marshal(m) = %s\nwant %s (as for the Go map)", got, want)
	}
	// Without HTML escaping, as a json.Encoder set so writes it, and as
	// MarshalJSON itself returns it: escaping is the caller's choice.
	unescaped := func(v any) string {
		var buf strings.Builder
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	if got, want := unescaped(m), unescaped(gomap); got != want {
		t.Errorf("an Encoder with SetEscapeHTML(false) writes m as %s\nwant %s (as for the Go map)", got, want)
	}
	if direct, _ := m.MarshalJSON(); string(direct)+"\n" != unescaped(gomap) {
		t.Errorf("m.MarshalJSON() = %s\nwant %s", direct, unescaped(gomap))
	}
}

var jsonTextTests = []struct {
	name string
	m    any
	want string
}{
	{"empty", New[int, int](), `{}`},
	{"zero Map", new(Map[int, int]), `{}`},
	{"nil *Map", (*Map[int, int])(nil), `null`},
	{"int keys ascend numerically", func() any {
		m := New[int, int]()
		for _, k := range []int{10, -1, 2, 100, -20} {
			m.Set(k, k)
		}
		return m
	}(), `{"-20":-20,"-1":-1,"2":2,"10":10,"100":100}`},
	{"uint8 keys", func() any {
		m := New[uint8, bool]()
		m.Set(255, true)
		m.Set(9, false)
		return m
	}(), `{"9":false,"255":true}`},
	{"NewFunc order", func() any {
		m := NewFunc[string, int](func(a, b string) int { return strings.Compare(b, a) })
		m.Set("a", 1)
		m.Set("b", 2)
		return m
	}(), `{"b":2,"a":1}`},
	{"string kind with MarshalText is written as itself", func() any {
		m := New[upperString, int]()
		m.Set("ab", 1)
		return m
	}(), `{"ab":1}`},
	{"int kind with MarshalText is written as its text", func() any {
		m := New[hexInt, int]()
		m.Set(255, 1)
		m.Set(16, 2)
		return m
	}(), `{"0x10":2,"0xff":1}`},
	{"TextMarshaler struct keys", func() any {
		m := NewFunc[point, string](comparePoints)
		m.Set(point{2, 1}, "b")
		m.Set(point{1, 2}, "a")
		return m
	}(), `{"1,2":"a","2,1":"b"}`},
	{"a nil pointer TextMarshaler key", func() any {
		m := NewFunc[*point, int](func(a, b *point) int {
			switch {
			case a == b:
				return 0
			case a == nil:
				return -1
			case b == nil:
				return 1
			}
			return comparePoints(*a, *b)
		})
		m.Set(nil, 0)
		m.Set(&point{3, 4}, 1)
		return m
	}(), `{"":0,"3,4":1}`},
	{"pointer values", func() any {
		m := New[string, *point2]()
		m.Set("nil", nil)
		m.Set("p", &point2{1})
		return m
	}(), `{"nil":null,"p":{"X":1}}`},
	{"values are not addressable", func() any {
		m := New[string, ptrMarshaler]()
		m.Set("a", ptrMarshaler{1})
		return m
	}(), `{"a":{"N":1}}`},
}

// upperString has MarshalText and UnmarshalText, which json uses for keys
// only when decoding: a string kind encodes as itself.
type upperString string

func (s upperString) MarshalText() ([]byte, error) { return []byte(strings.ToUpper(string(s))), nil }
func (s *upperString) UnmarshalText(b []byte) error {
	*s = upperString(strings.ToLower(string(b)))
	return nil
}

// hexInt is an int kind with text methods, which json prefers to decimal.
type hexInt int

func (h hexInt) MarshalText() ([]byte, error) { return []byte(fmt.Sprintf("%#x", int(h))), nil }
func (h *hexInt) UnmarshalText(b []byte) error {
	n, err := strconv.ParseInt(string(b), 0, 64)
	*h = hexInt(n)
	return err
}

type point struct{ X, Y int }

func (p point) MarshalText() ([]byte, error) { return fmt.Appendf(nil, "%d,%d", p.X, p.Y), nil }
func (p *point) UnmarshalText(b []byte) error {
	_, err := fmt.Sscanf(string(b), "%d,%d", &p.X, &p.Y)
	return err
}

func comparePoints(a, b point) int {
	if a.X != b.X {
		return a.X - b.X
	}
	return a.Y - b.Y
}

// ptrMarshaler has a MarshalJSON on its pointer, which json does not call
// for a Go map's values.
type ptrMarshaler struct{ N int }

func (*ptrMarshaler) MarshalJSON() ([]byte, error) { return []byte(`"pointer method"`), nil }

func TestJSONText(t *testing.T) {
	for _, tt := range jsonTextTests {
		got, err := json.Marshal(tt.m)
		if err != nil || string(got) != tt.want {
			t.Errorf("%s: json.Marshal = %s, %v, want %s", tt.name, got, err, tt.want)
		}
	}
	// Integer keys: json orders a Go map's members by name, "10" < "2".
	gomap, _ := json.Marshal(map[int]int{2: 2, 10: 10})
	if string(gomap) != `{"10":10,"2":2}` {
		t.Errorf("json.Marshal of a Go map = %s: the test's premise changed", gomap)
	}
	// The values of a Go map are not addressable: json ignores
	// ptrMarshaler's method there, as MarshalJSON does.
	if gomap, _ := json.Marshal(map[string]ptrMarshaler{"a": {1}}); string(gomap) != `{"a":{"N":1}}` {
		t.Errorf("json.Marshal of a Go map of ptrMarshaler = %s", gomap)
	}
}

func TestJSONTextKeysRoundTrip(t *testing.T) {
	u := New[upperString, int]()
	if err := json.Unmarshal([]byte(`{"AB":1,"cd":2}`), u); err != nil {
		t.Fatal(err)
	}
	// Decoding prefers UnmarshalText, as json does for a Go map.
	var gomap map[upperString]int
	if err := json.Unmarshal([]byte(`{"AB":1,"cd":2}`), &gomap); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]entry[upperString, int]{{"ab", 1}, {"cd", 2}}, entriesOf(u)); d != "" || len(gomap) != 2 || gomap["ab"] != 1 {
		t.Errorf("upperString keys (-want +got):\n%s\nGo map: %v", d, gomap)
	}
	h := New[hexInt, int]()
	if err := json.Unmarshal([]byte(`{"0x10":2,"7":1}`), h); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]entry[hexInt, int]{{7, 1}, {16, 2}}, entriesOf(h)); d != "" {
		t.Errorf("hexInt keys (-want +got):\n%s", d)
	}
	p := NewFunc[point, string](comparePoints)
	if err := json.Unmarshal([]byte(`{"2,1":"b","1,2":"a"}`), p); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]entry[point, string]{{point{1, 2}, "a"}, {point{2, 1}, "b"}}, entriesOf(p)); d != "" {
		t.Errorf("point keys (-want +got):\n%s", d)
	}
	before := entriesOf(p)
	err := json.Unmarshal([]byte(`{"3,3":"c","x":"d"}`), p)
	var gomapErr error = json.Unmarshal([]byte(`{"x":"d"}`), new(map[point]string))
	if err == nil || gomapErr == nil || err.Error() != gomapErr.Error() {
		t.Errorf("a key UnmarshalText refuses: %v, want %v (as for a Go map)", err, gomapErr)
	}
	if d := cmp.Diff(before, entriesOf(p)); d != "" {
		t.Errorf("a failed Unmarshal changed the map (-before +after):\n%s", d)
	}
	mustCheckAny(t, p)
}

// TestJSONIntKeyRanges: integer keys parse with json's rules (decimal,
// an optional sign, the type's range), and out of range is the
// *json.UnmarshalTypeError json gives for a Go map.
func TestJSONIntKeyRanges(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{`{"127":1,"-128":2,"+5":3}`, true},
		{`{"128":1}`, false},
		{`{"-129":1}`, false},
		{`{"0x10":1}`, false},
		{`{"1.0":1}`, false},
		{`{"":1}`, false},
		{`{" 1":1}`, false},
	}
	for _, tt := range tests {
		m := New[int8, int]()
		m.Set(0, 0)
		err := json.Unmarshal([]byte(tt.in), m)
		var gomap map[int8]int
		gerr := json.Unmarshal([]byte(tt.in), &gomap)
		if (err == nil) != tt.ok || (gerr == nil) != tt.ok {
			t.Errorf("Unmarshal(%s) = %v; for a Go map %v; want ok %v", tt.in, err, gerr, tt.ok)
			continue
		}
		if !tt.ok {
			var ute, gute *json.UnmarshalTypeError
			if !errors.As(err, &ute) || !errors.As(gerr, &gute) || ute.Value != gute.Value || ute.Type != gute.Type {
				t.Errorf("Unmarshal(%s) = %#v, want %#v", tt.in, err, gerr)
			}
			if d := cmp.Diff([]entry[int8, int]{{0, 0}}, entriesOf(m)); d != "" {
				t.Errorf("Unmarshal(%s) failed and changed the map:\n%s", tt.in, d)
			}
			continue
		}
		want := []entry[int8, int]{{-128, gomap[-128]}, {5, gomap[5]}, {127, gomap[127]}}
		if d := cmp.Diff(want, entriesOf(m)); d != "" || len(gomap) != 3 {
			t.Errorf("Unmarshal(%s) (-want +got):\n%s\nGo map: %v", tt.in, d, gomap)
		}
	}
	u := New[uint16, int]()
	if err := json.Unmarshal([]byte(`{"-1":1}`), u); err == nil {
		t.Errorf("a negative uint16 key: no error")
	}
	if err := json.Unmarshal([]byte(`{"65535":1}`), u); err != nil || u.Len() != 1 {
		t.Errorf("the largest uint16 key: %v", err)
	}
}

// TestJSONUnsupportedKeys: the key types json rejects for a Go map are
// rejected with the same error types, whether m is empty or not.
func TestJSONUnsupportedKeys(t *testing.T) {
	f := New[float64, int]()
	_, gerr := json.Marshal(map[float64]int{})
	checkUnsupported := func(what string, err error) {
		t.Helper()
		var ute, gute *json.UnsupportedTypeError
		if !errors.As(err, &ute) || !errors.As(gerr, &gute) {
			t.Errorf("%s: %v, want a *json.UnsupportedTypeError as json gives a Go map (%v)", what, err, gerr)
		} else if ute.Type != reflect.TypeFor[*Map[float64, int]]() {
			t.Errorf("%s: the error names %v", what, ute.Type)
		}
	}
	_, err := json.Marshal(f)
	checkUnsupported("empty map[float64]", err)
	f.Set(1.5, 1)
	_, err = f.MarshalJSON()
	checkUnsupported("map[float64]", err)

	s := NewFunc[point2, int](func(a, b point2) int { return a.X - b.X })
	s.Set(point2{1}, 1)
	_, err = json.Marshal(s)
	//lint:ignore SA1026 the point: json's error for a struct key type
	_, gerr = json.Marshal(map[point2]int{{1}: 1})
	var ute *json.UnsupportedTypeError
	if !errors.As(err, &ute) || !errors.As(gerr, &ute) {
		t.Errorf("struct keys: %v, want a *json.UnsupportedTypeError (Go map: %v)", err, gerr)
	}

	// Decoding: a *json.UnmarshalTypeError, and the map unchanged.
	err = json.Unmarshal([]byte(`{"1":2}`), f)
	gerr = json.Unmarshal([]byte(`{"1":2}`), new(map[float64]int))
	var mte, gmte *json.UnmarshalTypeError
	if !errors.As(err, &mte) || !errors.As(gerr, &gmte) || mte.Value != "object" || mte.Value != gmte.Value {
		t.Errorf("Unmarshal into map[float64]: %v, want a *json.UnmarshalTypeError like %v", err, gerr)
	}
	if f.Len() != 1 {
		t.Errorf("a failed Unmarshal changed the map")
	}
}

type point2 struct{ X int }

// TestJSONDuplicateKeys: the later member wins, as for a Go map.
func TestJSONDuplicateKeys(t *testing.T) {
	in := `{"b":1,"a":2,"b":3,"a":4,"c":5}`
	var gomap map[string]int
	if err := json.Unmarshal([]byte(in), &gomap); err != nil {
		t.Fatal(err)
	}
	m := New[string, int]()
	if err := json.Unmarshal([]byte(in), m); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]entry[string, int]{{"a", gomap["a"]}, {"b", gomap["b"]}, {"c", gomap["c"]}}, entriesOf(m)); d != "" || m.Len() != len(gomap) {
		t.Errorf("duplicates (-Go map +got):\n%s", d)
	}
	mustCheckAny(t, m)
}

// malformedJSON holds inputs that UnmarshalJSON must refuse for a
// Map[string, int], and json.Unmarshal for a map[string]int.
var malformedJSON = []string{
	``, ` `, `{`, `{"a"`, `{"a":`, `{"a":1`, `{"a":1,`, `{"a":1,}`, `{,}`, `{"a" 1}`,
	`{"a":1 "b":2}`, `{1:2}`, `{a:1}`, `[1]`, `[]`, `"x"`, `5`, `true`, `{"a":"x"}`,
	`{"a":1.5}`, `{"a":[1]}`, `{"a":1}x`, `{"a":1}{}`, `{"a":1}]`, `{"a\x01":1}`,
	`{"\ud800":1, "b":}`, `nul`, `{"a":nul}`, `{"a":1e999}`, strings.Repeat("[", 20000),
}

func TestJSONMalformed(t *testing.T) {
	for _, in := range malformedJSON {
		m, _ := randomIntMapString(100)
		before := entriesOf(m)
		c := m.Clone()
		err := m.UnmarshalJSON([]byte(in))
		if err == nil {
			t.Errorf("UnmarshalJSON(%q): no error", in)
		}
		if gerr := json.Unmarshal([]byte(in), new(map[string]int)); gerr == nil {
			t.Errorf("json.Unmarshal(%q) into a Go map: no error: the test's premise is wrong", in)
		}
		if d := cmp.Diff(before, entriesOf(m)); d != "" {
			t.Errorf("UnmarshalJSON(%q) failed (%v) and changed the map (-before +after):\n%s", in, err, d)
		}
		mustCheckAny(t, m, c)
	}
	// Not an object: the *json.UnmarshalTypeError json gives a Go map.
	for in, kind := range map[string]string{`[1]`: "array", `"x"`: "string", `5`: "number", `true`: "bool"} {
		var ute *json.UnmarshalTypeError
		if err := New[string, int]().UnmarshalJSON([]byte(in)); !errors.As(err, &ute) || ute.Value != kind {
			t.Errorf("UnmarshalJSON(%s) = %v, want a *json.UnmarshalTypeError for %s", in, err, kind)
		}
	}
	if err := New[string, int]().UnmarshalJSON([]byte(`{"a":1`)); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncated input: %v, want io.ErrUnexpectedEOF", err)
	}
}

func randomIntMapString(n int) (*Map[string, int], map[string]int) {
	m, model := New[string, int](), map[string]int{}
	for _, k := range rand.Perm(n) {
		m.Set(strconv.Itoa(k), k)
		model[strconv.Itoa(k)] = k
	}
	return m, model
}

// TestDecodeZeroMap: a zero Map has no ordering to build in: decoding into
// it is an error, and it stays empty.
func TestDecodeZeroMap(t *testing.T) {
	var z Map[string, int]
	if err := z.UnmarshalJSON([]byte(`{"a":1}`)); !errors.Is(err, ErrNoOrdering) {
		t.Errorf("UnmarshalJSON into the zero Map = %v, want ErrNoOrdering", err)
	}
	if err := json.Unmarshal([]byte(`{}`), &z); !errors.Is(err, ErrNoOrdering) {
		t.Errorf("json.Unmarshal({}) into the zero Map = %v, want ErrNoOrdering", err)
	}
	if !strings.Contains(ErrNoOrdering.Error(), "btree.New or btree.NewFunc") {
		t.Errorf("ErrNoOrdering says %q, which does not name New and NewFunc", ErrNoOrdering)
	}
	if err := z.UnmarshalJSON([]byte(" null ")); err != nil || z.Len() != 0 {
		t.Errorf("UnmarshalJSON(null) into the zero Map = %v (Len %d), want nil and empty", err, z.Len())
	}
	full := New[string, int]()
	full.Set("a", 1)
	keep := full.Clone()
	if err := full.UnmarshalJSON([]byte("null")); err != nil || full.Len() != 0 {
		t.Errorf("UnmarshalJSON(null) = %v (Len %d), want nil and empty, as json leaves a Go map for null", err, full.Len())
	}
	if v, ok := keep.Get("a"); !ok || v != 1 || keep.Len() != 1 {
		t.Errorf("UnmarshalJSON(null) on a map changed its clone: Get(a) = %v, %v", v, ok)
	}
	full.Set("b", 2) // the ordering is kept
	mustCheckAny(t, full, keep)
	data, _ := New[string, int]().GobEncode()
	if err := z.GobDecode(data); !errors.Is(err, ErrNoOrdering) {
		t.Errorf("GobDecode into the zero Map = %v, want ErrNoOrdering", err)
	}
	var nilMap *Map[string, int]
	if err := nilMap.UnmarshalJSON([]byte(`{}`)); !errors.Is(err, ErrNoOrdering) {
		t.Errorf("UnmarshalJSON on a nil *Map = %v, want ErrNoOrdering", err)
	}
	if err := nilMap.GobDecode(data); !errors.Is(err, ErrNoOrdering) {
		t.Errorf("GobDecode on a nil *Map = %v, want ErrNoOrdering", err)
	}
	if z.Len() != 0 || z.root != nil {
		t.Errorf("the zero Map holds %d entries", z.Len())
	}
}

type doc struct {
	Name  string
	Index *Map[string, int]
	Byte  *Map[int, *point2] `json:",omitempty"`
}

// TestEncodeStructField: a *Map field set with New round-trips inside its
// struct; a nil field marshals as null and unmarshals to an error for an
// object (json and gob allocate a zero Map) and stays nil for null.
func TestEncodeStructField(t *testing.T) {
	in := doc{Name: "d", Index: New[string, int](), Byte: New[int, *point2]()}
	in.Index.Set("x", 1)
	in.Index.Set("y", 2)
	in.Byte.Set(7, &point2{7})
	in.Byte.Set(8, nil)

	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"Name":"d","Index":{"x":1,"y":2},"Byte":{"7":{"X":7},"8":null}}`; string(data) != want {
		t.Errorf("json.Marshal = %s, want %s", data, want)
	}
	out := doc{Index: New[string, int](), Byte: New[int, *point2]()}
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(entriesOf(in.Index), entriesOf(out.Index)); d != "" {
		t.Errorf("Index (-want +got):\n%s", d)
	}
	if d := cmp.Diff(entriesOf(in.Byte), entriesOf(out.Byte)); d != "" {
		t.Errorf("Byte (-want +got):\n%s", d)
	}

	// A nil field: null out, and an object into a nil field is an error.
	data, err = json.Marshal(doc{Name: "n"})
	if err != nil || string(data) != `{"Name":"n","Index":null}` {
		t.Errorf("json.Marshal with nil fields = %s, %v", data, err)
	}
	var bare doc
	if err := json.Unmarshal([]byte(`{"Index":{"a":1}}`), &bare); !errors.Is(err, ErrNoOrdering) {
		t.Errorf("json.Unmarshal of an object into a nil *Map field = %v, want ErrNoOrdering", err)
	}
	preset := doc{Index: New[string, int]()}
	if err := json.Unmarshal([]byte(`{"Index":null}`), &preset); err != nil || preset.Index != nil {
		t.Errorf("json.Unmarshal of null into a *Map field = %v, field %v; want nil, nil (as json does for pointers)", err, preset.Index)
	}

	// gob: the same, with the struct's own encoding around the map's.
	in.Byte.Delete(8) // gob refuses nil pointers in a map, as in a Go map
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(in); err != nil {
		t.Fatal(err)
	}
	gobData := bytes.Clone(buf.Bytes())
	gout := doc{Index: New[string, int](), Byte: New[int, *point2]()}
	if err := gob.NewDecoder(&buf).Decode(&gout); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(entriesOf(in.Index), entriesOf(gout.Index)); d != "" {
		t.Errorf("gob Index (-want +got):\n%s", d)
	}
	if d := cmp.Diff(entriesOf(in.Byte), entriesOf(gout.Byte)); d != "" {
		t.Errorf("gob Byte (-want +got):\n%s", d)
	}
	var gbare doc
	if err := gob.NewDecoder(bytes.NewReader(gobData)).Decode(&gbare); !errors.Is(err, ErrNoOrdering) {
		t.Errorf("gob into a nil *Map field = %v, want ErrNoOrdering", err)
	}
	buf.Reset()
	if err := gob.NewEncoder(&buf).Encode(doc{Name: "n"}); err != nil {
		t.Fatalf("gob of nil *Map fields: %v", err)
	}
}

// TestGobNilPointers: a nil pointer key or value is an error, as gob makes
// it for a Go map, not the zero value it would point to.
func TestGobNilPointers(t *testing.T) {
	m := New[string, *point]()
	m.Set("a", nil)
	if _, err := m.GobEncode(); err == nil {
		t.Errorf("GobEncode of a nil pointer value: no error")
	}
	if err := gob.NewEncoder(io.Discard).Encode(map[string]*point{"a": nil}); err == nil {
		t.Errorf("gob of a Go map with a nil pointer value: no error: the test's premise is wrong")
	}
	m.Set("a", &point{1, 2})
	data, err := m.GobEncode()
	if err != nil {
		t.Fatal(err)
	}
	got := New[string, *point]()
	if err := got.GobDecode(data); err != nil {
		t.Fatal(err)
	}
	if p, _ := got.Get("a"); p == nil || *p != (point{1, 2}) {
		t.Errorf("GobDecode = %v", p)
	}
	var nilMap *Map[string, int]
	data, err = nilMap.GobEncode()
	if err != nil {
		t.Fatal(err)
	}
	e := New[string, int]()
	e.Set("x", 1)
	if err := e.GobDecode(data); err != nil || e.Len() != 0 {
		t.Errorf("GobDecode of a nil *Map's encoding = %v, Len %d; want nil, 0", err, e.Len())
	}
}

// TestGobInterfaceValues: interface values go through gob as in a Go map
// (registered concrete types).
func TestGobInterfaceValues(t *testing.T) {
	gob.Register(point{})
	m := New[int, any]()
	m.Set(1, "s")
	m.Set(2, point{1, 2})
	m.Set(3, nil)
	m.Set(4, 7)
	data, err := m.GobEncode()
	if err != nil {
		t.Fatal(err)
	}
	got := New[int, any]()
	if err := got.GobDecode(data); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(entriesOf(m), entriesOf(got)); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
}

// TestGobHostile: every prefix of an encoding, a forged count, bytes after
// the end and flipped bits are errors or decode, never panic, and a failed
// decode leaves the map as it was.
func TestGobHostile(t *testing.T) {
	src, _ := randomIntMap(200)
	data, err := src.GobEncode()
	if err != nil {
		t.Fatal(err)
	}
	m, _ := randomIntMap(50)
	before := entriesOf(m)
	mustFail := func(what string, in []byte) {
		t.Helper()
		if err := m.GobDecode(in); err == nil {
			t.Fatalf("%s: no error", what)
		}
		if d := cmp.Diff(before, entriesOf(m)); d != "" {
			t.Fatalf("%s: a failed GobDecode changed the map (-before +after):\n%s", what, d)
		}
	}
	for i := range len(data) {
		mustFail(fmt.Sprintf("the first %d of %d bytes", i, len(data)), data[:i])
	}
	mustFail("a byte after the end", append(bytes.Clone(data), 0))
	mustFail("another encoding after the end", append(bytes.Clone(data), data...))

	forge := func(count int, entries ...any) []byte {
		var buf bytes.Buffer
		enc := gob.NewEncoder(&buf)
		enc.Encode(count)
		for _, e := range entries {
			enc.Encode(e)
		}
		return buf.Bytes()
	}
	mustFail("a count of 2^62 with one entry", forge(1<<62, 1, "a"))
	mustFail("a negative count", forge(-1))
	mustFail("a key of the wrong type", forge(1, "k", "v"))
	mustFail("a value of the wrong type", forge(1, 1, 2))
	mustFail("no count", forge(0)[:0])
	mustFail("a string count", func() []byte {
		var buf bytes.Buffer
		gob.NewEncoder(&buf).Encode("many")
		return buf.Bytes()
	}())
	if err := m.GobDecode(forge(3, 2, "b", 1, "a", 2, "c")); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]entry[int, string]{{1, "a"}, {2, "c"}}, entriesOf(m)); d != "" {
		t.Errorf("unordered entries with a repeated key (-want +got):\n%s", d)
	}
	mustCheckAny(t, m)

	before = entriesOf(m)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		in := bytes.Clone(data)
		for range 1 + rng.IntN(4) {
			in[rng.IntN(len(in))] ^= byte(1 << rng.IntN(8))
		}
		if err := m.GobDecode(in); err != nil {
			if d := cmp.Diff(before, entriesOf(m)); d != "" {
				t.Fatalf("a failed GobDecode changed the map:\n%s", d)
			}
		} else {
			before = entriesOf(m)
		}
		mustCheckAny(t, m)
	}
}

// A map-typed value whose count is forged allocates nothing by the count:
// gob is handed an empty map to fill, not left to make one of that size.
func TestGobForgedNestedMapCount(t *testing.T) {
	src := New[string, map[string]int]()
	src.Set("a", map[string]int{"k": 7})
	data, err := src.GobEncode()
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte{1, 1, 'k'}) // the inner map: 1 entry, a key of 1 byte, "k"
	if i < 0 {
		t.Fatalf("no inner map count in %x", data)
	}
	// The inner map is the last message: its length, the value's type id
	// (2 bytes), a 0, then the count. Make the count 1<<24 (4 bytes more).
	if l := i - 4; l < 0 || int(data[l]) != len(data)-l-1 {
		t.Fatalf("the last message's length is not where this test expects it in %x", data)
	}
	forged := append(append(bytes.Clone(data[:i]), 0xfc, 1, 0, 0, 0), data[i+1:]...)
	forged[i-4] += 4
	m := New[string, map[string]int]()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	err = m.GobDecode(forged)
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("a forged inner count decoded")
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 4<<20 {
		t.Errorf("GobDecode of a forged inner count of 1<<24 allocated %d bytes", got)
	}
	if m.Len() != 0 {
		t.Errorf("a failed GobDecode left %d entries", m.Len())
	}
	// Nil and empty maps decode as gob decodes them, to empty maps.
	src.Set("nil", nil)
	src.Set("empty", map[string]int{})
	data, _ = src.GobEncode()
	if err := m.GobDecode(data); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]map[string]int{"a": {"k": 7}, "nil": {}, "empty": {}} {
		if got, _ := m.Get(k); !maps.Equal(got, want) || got == nil {
			t.Errorf("%s decoded as %#v, want %#v", k, got, want)
		}
	}
}

// TestEncodeSharedCloneCopiesNothing: encoding is a read. Marshaling a clone
// that shares every node with its source allocates no copy of the tree
// (no more than json.Marshal of the same entries in a Go map, which copies
// each key and value once), writes no count, and leaves every node shared.
func TestEncodeSharedCloneCopiesNothing(t *testing.T) {
	m, model := randomIntMap(5000)
	c := m.Clone()
	before := c.Stats()
	holders := m.root.shares.Holders()
	if before.SharedNodes != before.Nodes {
		t.Fatalf("a fresh clone shares %d of %d nodes", before.SharedNodes, before.Nodes)
	}
	ours := testing.AllocsPerRun(5, func() {
		if _, err := json.Marshal(c); err != nil {
			t.Fatal(err)
		}
	})
	gomap := testing.AllocsPerRun(5, func() {
		if _, err := json.Marshal(model); err != nil {
			t.Fatal(err)
		}
	})
	// A copy of the tree's 5000 entries would take at least one allocation
	// per leaf (about 100); the Go map's encoding takes about two per entry.
	if !raceEnabled && (ours > gomap || ours > 50) {
		t.Errorf("json.Marshal of a shared clone: %v allocs, want at most %v (a Go map's) and no copy of the tree", ours, gomap)
	}
	gobAllocs := testing.AllocsPerRun(5, func() {
		if _, err := c.GobEncode(); err != nil {
			t.Fatal(err)
		}
	})
	if !raceEnabled && gobAllocs > 100 {
		t.Errorf("GobEncode of a shared clone: %v allocs", gobAllocs)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%v", c)
	if after := c.Stats(); after != before {
		t.Errorf("after encoding, the clone's Stats = %+v, want %+v (all shared)", after, before)
	}
	if got := m.root.shares.Holders(); got != holders || c.root != m.root {
		t.Errorf("encoding changed the root's holders (%d, was %d) or the clone's root", got, holders)
	}
	mustCheckAny(t, m, c)
	t.Logf("allocs: json.Marshal of the clone %v, of a Go map %v; GobEncode %v", ours, gomap, gobAllocs)
}

// FuzzUnmarshalJSON: any input is decoded or refused, never a panic; a
// refused input leaves the map unchanged, and a decoded one re-marshals to
// what json makes of the same input decoded as a Go map.
func FuzzUnmarshalJSON(f *testing.F) {
	for _, s := range malformedJSON {
		f.Add([]byte(s))
	}
	for _, s := range []string{`{}`, `null`, `{"1":"a","-2":"b","1":"c"}`, `{"9223372036854775807":"max"}`, `{"3":null}`, `{"+4":"\u00e9<>"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m := New[int, string]()
		m.Set(1<<40, "before")
		c := m.Clone()
		err := m.UnmarshalJSON(data)
		var gomap map[int]string
		gerr := json.Unmarshal(data, &gomap)
		if err != nil {
			if d := cmp.Diff([]entry[int, string]{{1 << 40, "before"}}, entriesOf(m)); d != "" {
				t.Fatalf("a failed UnmarshalJSON (%v) changed the map:\n%s", err, d)
			}
			if gerr == nil {
				t.Fatalf("UnmarshalJSON(%q) = %v, but json decodes it into a Go map", data, err)
			}
			mustCheckAny(t, m, c)
			return
		}
		if gerr != nil {
			t.Fatalf("UnmarshalJSON(%q) succeeded, but json refuses it for a Go map: %v", data, gerr)
		}
		mustCheckAny(t, m, c)
		if string(bytes.TrimSpace(data)) == "null" {
			if m.Len() != 0 || c.Len() != 1 {
				t.Fatalf("UnmarshalJSON(null): Len %d, the clone's %d; want 0 and 1", m.Len(), c.Len())
			}
			return
		}
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		var back map[int]string
		if err := json.Unmarshal(out, &back); err != nil || !reflect.DeepEqual(back, gomap) {
			t.Fatalf("UnmarshalJSON(%q) then Marshal = %s: decodes to %v (%v), want %v", data, out, back, err, gomap)
		}
		if m.Len() != len(gomap) {
			t.Fatalf("UnmarshalJSON(%q) made %d entries, json %d", data, m.Len(), len(gomap))
		}
	})
}

// FuzzGobDecode: any input is decoded or refused, never a panic, and a
// refused input leaves the map unchanged.
func FuzzGobDecode(f *testing.F) {
	src, _ := randomIntMap(20)
	data, _ := src.GobEncode()
	f.Add(data)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		m := New[int, string]()
		m.Set(1<<40, "before")
		if err := m.GobDecode(data); err != nil {
			if d := cmp.Diff([]entry[int, string]{{1 << 40, "before"}}, entriesOf(m)); d != "" {
				t.Fatalf("a failed GobDecode (%v) changed the map:\n%s", err, d)
			}
		}
		mustCheckAny(t, m)
	})
}

// jsonAsGoMap checks that a map from string keys to the values vs marshals
// as json.Marshal marshals the Go map with the same entries.
func jsonAsGoMap[V any](t *testing.T, vs ...V) {
	t.Helper()
	m, gomap := New[string, V](), map[string]V{}
	for i, v := range vs {
		m.Set(strconv.Itoa(i), v)
		gomap[strconv.Itoa(i)] = v
	}
	got, err := json.Marshal(m)
	want, gerr := json.Marshal(gomap)
	if string(got) != string(want) || (err == nil) != (gerr == nil) {
		t.Errorf("Map[string, %v]: json.Marshal = %s, %v; want %s, %v (as for the Go map)", reflect.TypeFor[V](), got, err, want, gerr)
	}
}

type (
	holdsPtrMarshaler struct{ P ptrMarshaler }
	arrayOfThem       [2]ptrMarshaler
	ptrText           struct{ N int }
	failing           struct{}
)

func (*ptrText) MarshalText() ([]byte, error) { return []byte("text"), nil }
func (failing) MarshalJSON() ([]byte, error)  { return nil, errors.New("no") }

// TestJSONValuesAsGoMap: values marshal as they do in a Go map, where
// they are not addressable, errors included.
func TestJSONValuesAsGoMap(t *testing.T) {
	jsonAsGoMap(t, ptrMarshaler{1})
	jsonAsGoMap(t, holdsPtrMarshaler{ptrMarshaler{2}})
	jsonAsGoMap(t, arrayOfThem{{3}, {4}})
	jsonAsGoMap(t, []ptrMarshaler{{5}}) // slice elements are addressable
	jsonAsGoMap(t, &ptrMarshaler{6})
	jsonAsGoMap[any](t, ptrMarshaler{7}, &ptrMarshaler{8}, nil, 1.5, "<>")
	jsonAsGoMap(t, ptrText{9})
	jsonAsGoMap(t, struct{ T ptrText }{ptrText{10}})
	jsonAsGoMap(t, []byte("bytes"), nil)
	jsonAsGoMap(t, 1.5, math.Copysign(0, -1), 1e21)
	jsonAsGoMap(t, map[string]int{"b": 1, "a": 2})
	jsonAsGoMap(t, failing{})
	jsonAsGoMap(t, make(chan int))
	jsonAsGoMap(t, math.NaN())
	jsonAsGoMap[*Map[int, int]](t, nil, func() *Map[int, int] { m := New[int, int](); m.Set(2, 3); return m }())

	// The errors are the ones json gives for a Go map, wrapped as json
	// wraps any Marshaler's.
	m := New[string, failing]()
	m.Set("a", failing{})
	_, err := json.Marshal(m)
	var outer, me *json.MarshalerError
	if !errors.As(err, &outer) || outer.Type != reflect.TypeFor[*Map[string, failing]]() || !errors.As(outer.Err, &me) || me.Type != reflect.TypeFor[failing]() {
		t.Errorf("a failing value: %v, want the *json.MarshalerError for failing inside", err)
	}
	c := New[string, chan int]()
	c.Set("a", make(chan int))
	_, err = json.Marshal(c)
	var ute *json.UnsupportedTypeError
	if !errors.As(err, &ute) || ute.Type != reflect.TypeFor[chan int]() {
		t.Errorf("a chan value: %v, want a *json.UnsupportedTypeError for chan int", err)
	}
}
