package cowmap

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"
)

// entries is the projection the tests compare: m's entries as a Go map.
func entries[K comparable, V any](m *Map[K, V]) map[K]V { return maps.Collect(m.All()) }

// jsonLikePlain checks that From(gm) marshals exactly as json.Marshal
// marshals gm, through json.Marshal and through an Encoder that escapes no
// HTML and indents.
func jsonLikePlain[K comparable, V any](t *testing.T, gm map[K]V) {
	t.Helper()
	got, err := json.Marshal(From(gm))
	want, werr := json.Marshal(plain(gm))
	if string(got) != string(want) || err != nil || werr != nil {
		t.Errorf("json.Marshal(From(%v)) = %s, %v; want %s, %v (as for the %T)", gm, got, err, want, werr, gm)
	}
	encode := func(v any) string {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			t.Fatalf("Encode(%v): %v", v, err)
		}
		return buf.String()
	}
	if got, want := encode(From(gm)), encode(plain(gm)); got != want {
		t.Errorf("an Encoder without HTML escapes writes From(%v) as %s, want %s", gm, got, want)
	}
}

// textKey is a map key that json writes with MarshalText.
type textKey struct{ A, B int }

func (k textKey) MarshalText() ([]byte, error) { return []byte(fmt.Sprintf("%d-%d", k.A, k.B)), nil }

func (k *textKey) UnmarshalText(b []byte) error {
	_, err := fmt.Sscanf(string(b), "%d-%d", &k.A, &k.B)
	return err
}

type point struct {
	X    int    `json:"x"`
	Name string `json:"name,omitempty"`
}

func TestMarshalJSONLikePlain(t *testing.T) {
	jsonLikePlain(t, map[string]int{})
	jsonLikePlain(t, map[string]int{"a": 1})
	jsonLikePlain(t, map[string]int{"b": 2, "a": 1, "": 0, "<&>": 3, "bad \xff": 4, "\u2028": 5})
	jsonLikePlain(t, map[int]string{10: "ten", 2: "two", -1: "minus one"})
	jsonLikePlain(t, map[uint8]bool{255: true, 0: false})
	jsonLikePlain(t, map[textKey]int{{1, 2}: 3, {0, 0}: 1})
	jsonLikePlain(t, map[string]any{"n": nil, "s": []int{1}, "m": map[string]int{"k": 1}, "f": 1.5})
	jsonLikePlain(t, map[string]point{"p": {X: 1}, "q": {X: 2, Name: "q"}})
	jsonLikePlain(t, map[string]*Map[string, int]{"inner": From(map[string]int{"x": 1}), "nil": nil, "empty": New[string, int]()})
	jsonLikePlain(t, map[string][]byte{"b": {1, 2}})
	big := make(map[string]int, 5000)
	for i := range 5000 {
		big[strconv.Itoa(i)] = i * i
	}
	jsonLikePlain(t, big)
}

var jsonTextTests = []struct {
	m    *Map[string, int]
	want string
}{
	{New[string, int](), `{}`},
	{new(Map[string, int]), `{}`},
	{From(map[string]int{"a": 1}), `{"a":1}`},
	{From(map[string]int{"b": 2, "a": 1}), `{"a":1,"b":2}`},
	{nil, `null`},
}

func TestMarshalJSONText(t *testing.T) {
	for _, tt := range jsonTextTests {
		got, err := json.Marshal(tt.m)
		if string(got) != tt.want || err != nil {
			t.Errorf("json.Marshal(%v) = %s, %v, want %s", tt.m, got, err, tt.want)
		}
		direct, err := tt.m.MarshalJSON()
		if string(direct) != tt.want || err != nil {
			t.Errorf("(%v).MarshalJSON() = %s, %v, want %s", tt.m, direct, err, tt.want)
		}
	}
	emptied := From(map[string]int{"a": 1})
	emptied.Delete("a")
	released := From(map[string]int{"a": 1})
	released.Release()
	for _, e := range []*Map[string, int]{emptied, released} {
		if got, _ := json.Marshal(e); string(got) != "{}" {
			t.Errorf("json.Marshal(an emptied Map) = %s, want {}", got)
		}
	}
}

func TestMarshalJSONHTMLEscapes(t *testing.T) {
	m := From(map[string]string{"<k>": "&"})
	got, _ := json.Marshal(m)
	if want := `{"\u003ck\u003e":"\u0026"}`; string(got) != want {
		t.Errorf("json.Marshal = %s, want %s", got, want)
	}
	direct, _ := m.MarshalJSON()
	if want := `{"<k>":"&"}`; string(direct) != want {
		t.Errorf("MarshalJSON() = %s, want %s (json.Marshal escapes it, as it is set to)", direct, want)
	}
}

func TestMarshalJSONErrors(t *testing.T) {
	// A key type json cannot write: the same error as for the Go map, even
	// for an empty one.
	for _, m := range []*Map[[2]int, int]{New[[2]int, int](), From(map[[2]int]int{{1, 2}: 3})} {
		_, err := json.Marshal(m)
		//lint:ignore SA1026 the test compares with json's error for this type
		_, werr := json.Marshal(map[[2]int]int{})
		var ut *json.UnsupportedTypeError
		if !errors.As(err, &ut) || ut.Type != reflect.TypeFor[map[[2]int]int]() || werr == nil || ut.Error() != werr.Error() {
			t.Errorf("json.Marshal of a Map[[2]int, int] of %d entries: %v; want it to wrap %v", m.Len(), err, werr)
		}
		var me *json.MarshalerError
		if !errors.As(err, &me) {
			t.Errorf("json.Marshal of a Map[[2]int, int]: %T, want a *json.MarshalerError", err)
		}
	}
	_, err := json.Marshal(From(map[float64]int{1: 1}))
	if _, werr := json.Marshal(map[float64]int{1: 1}); err == nil || werr == nil {
		t.Errorf("json.Marshal of float64 keys: %v, %v; want errors", err, werr)
	}
	_, err = json.Marshal(From(map[string]float64{"x": math.Inf(1)}))
	var uv *json.UnsupportedValueError
	if !errors.As(err, &uv) {
		t.Errorf("json.Marshal of an infinite value: %v, want an UnsupportedValueError", err)
	}
}

// record holds handles as struct fields; plainRecord has the same fields
// as plain Go maps: both must be written alike.
type record struct {
	Env    *Map[string, string]              `json:"env"`
	Ports  *Map[int, bool]                   `json:"ports,omitempty"`
	None   *Map[string, int]                 `json:"none"`
	Empty  *Map[string, int]                 `json:"empty"`
	Nested *Map[string, *Map[string, int]]   `json:"nested"`
	Ptr    **Map[string, int]                `json:"ptr"`
	List   []*Map[textKey, point]            `json:"list"`
	ByName map[string]*Map[string, []string] `json:"by_name"`
}

type plainRecord struct {
	Env    map[string]string              `json:"env"`
	Ports  map[int]bool                   `json:"ports,omitempty"`
	None   map[string]int                 `json:"none"`
	Empty  map[string]int                 `json:"empty"`
	Nested map[string]map[string]int      `json:"nested"`
	Ptr    *map[string]int                `json:"ptr"`
	List   []map[textKey]point            `json:"list"`
	ByName map[string]map[string][]string `json:"by_name"`
}

func sampleRecords() (*record, *plainRecord) {
	inner := From(map[string]int{"x": 1})
	r := &record{
		Env:    From(map[string]string{"PATH": "/bin", "<html>": "&"}),
		Ports:  From(map[int]bool{443: true, 80: false}),
		Empty:  New[string, int](),
		Nested: From(map[string]*Map[string, int]{"a": inner, "b": New[string, int]()}),
		Ptr:    &inner,
		List:   []*Map[textKey, point]{From(map[textKey]point{{1, 2}: {X: 3}}), New[textKey, point]()},
		ByName: map[string]*Map[string, []string]{"n": From(map[string][]string{"k": {"v"}})},
	}
	ptr := map[string]int{"x": 1}
	p := &plainRecord{
		Env:    map[string]string{"PATH": "/bin", "<html>": "&"},
		Ports:  map[int]bool{443: true, 80: false},
		Empty:  map[string]int{},
		Nested: map[string]map[string]int{"a": {"x": 1}, "b": {}},
		Ptr:    &ptr,
		List:   []map[textKey]point{{{1, 2}: {X: 3}}, {}},
		ByName: map[string]map[string][]string{"n": {"k": {"v"}}},
	}
	return r, p
}

func TestJSONStructFields(t *testing.T) {
	r, p := sampleRecords()
	got, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(p)
	if string(got) != string(want) {
		t.Fatalf("a struct of handles marshals as\n%s\nwant, as the struct of Go maps,\n%s", got, want)
	}
	var back record
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	var pback plainRecord
	if err := json.Unmarshal(got, &pback); err != nil {
		t.Fatal(err)
	}
	if back.None != nil || pback.None != nil {
		t.Errorf("a null field decoded to %v, %v; want nil", back.None, pback.None)
	}
	again, _ := json.Marshal(&back)
	if string(again) != string(want) {
		t.Errorf("after a round trip the struct marshals as\n%s\nwant\n%s", again, want)
	}
	if d := cmp.Diff(pback.Env, entries(back.Env)); d != "" {
		t.Errorf("Env after a round trip (-want +got):\n%s", d)
	}
	if d := cmp.Diff(*pback.Ptr, entries(*back.Ptr)); d != "" {
		t.Errorf("Ptr after a round trip (-want +got):\n%s", d)
	}
	if d := cmp.Diff(pback.List[0], entries(back.List[0])); d != "" {
		t.Errorf("List[0] after a round trip (-want +got):\n%s", d)
	}
	old := back.Env
	if err := json.Unmarshal([]byte(`{"env":null}`), &back); err != nil || back.Env != nil {
		t.Errorf(`{"env":null}: Env = %v, %v; want nil`, back.Env, err)
	}
	if old.Len() != 2 {
		t.Errorf("the handle a null field held changed: %v", old)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		roundTripJSON(t, rapid.MapOf(rapid.String(), rapid.Int()).Draw(t, "strings"))
		roundTripJSON(t, rapid.MapOf(rapid.Int(), rapid.String()).Draw(t, "ints"))
	})
	big := make(map[int]string, 5000)
	for i := range 5000 {
		big[i-2500] = strings.Repeat("x", i%13)
	}
	roundTripJSON(t, big)
}

func roundTripJSON[K comparable, V any](t interface {
	Helper()
	Fatalf(string, ...any)
}, gm map[K]V) {
	t.Helper()
	m := From(gm)
	c := m.Clone()
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	var back Map[K, V]
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("json.Unmarshal(%s): %v", data, err)
	}
	if d := cmp.Diff(gm, entries(&back), cmpopts.EquateEmpty()); d != "" {
		t.Fatalf("round trip through %s (-want +got):\n%s", data, d)
	}
	if len(gm) > 0 && (!m.Shared() || !c.Shared()) {
		t.Fatalf("json.Marshal detached a shared clone")
	}
	if err := checkInvariants([]*Map[K, V]{m, c, &back}); err != nil {
		t.Fatalf("%v", err)
	}
}

func TestUnmarshalJSONNull(t *testing.T) {
	gm := map[string]int{"a": 1}
	if err := json.Unmarshal([]byte("null"), &gm); err != nil || gm != nil {
		t.Fatalf("json sets a Go map to %v, %v for null; this test assumes nil", gm, err)
	}
	m := From(map[string]int{"a": 1})
	c := m.Clone()
	if err := json.Unmarshal([]byte(" null "), m); err != nil || m.Len() != 0 {
		t.Errorf("json.Unmarshal(null) into a Map: Len() = %d, %v; want 0, nil", m.Len(), err)
	}
	if d := cmp.Diff(map[string]int{"a": 1}, entries(c)); d != "" || c.Shared() {
		t.Errorf("null reached the clone, or left it shared (-want +got):\n%s", d)
	}
	if err := checkInvariants([]*Map[string, int]{m, c}); err != nil {
		t.Error(err)
	}
}

// TestUnmarshalJSONReplaces: the old entries are replaced, where json
// merges into a non-nil Go map, and a clone sharing them is not affected.
func TestUnmarshalJSONReplaces(t *testing.T) {
	gm := map[string]int{"a": 1}
	if err := json.Unmarshal([]byte(`{"b":2}`), &gm); err != nil || len(gm) != 2 {
		t.Fatalf("json merges into a Go map to %v, %v; this test assumes a:1 b:2", gm, err)
	}
	m := From(map[string]int{"a": 1})
	c := m.Clone()
	if err := json.Unmarshal([]byte(`{"b":2,"b":3}`), m); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[string]int{"b": 3}, entries(m)); d != "" {
		t.Errorf("after Unmarshal (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]int{"a": 1}, entries(c)); d != "" {
		t.Errorf("the clone changed (-want +got):\n%s", d)
	}
	if m.Shared() || c.Shared() {
		t.Errorf("after Unmarshal: Shared() = %v, %v, want false, false", m.Shared(), c.Shared())
	}
	if err := checkInvariants([]*Map[string, int]{m, c}); err != nil {
		t.Error(err)
	}
}

var malformedJSON = []string{
	``, ` `, `{`, `{"a":`, `{"a":1,}`, `{"a" 1}`, `}`, `[1]`, `"abc"`, `12`, `true`,
	`{"a":"x"}`, `{"a":1.5}`, `{"a":1e400}`, `{"a":1}{}`, `{"a":1}x`, "{\xff:1}", `nul`,
	`{"a":{}}`, `{1:2}`,
}

func TestUnmarshalJSONMalformed(t *testing.T) {
	for _, in := range malformedJSON {
		m := From(map[string]int{"keep": 7})
		c := m.Clone()
		err := m.UnmarshalJSON([]byte(in))
		var gm map[string]int
		werr := json.Unmarshal([]byte(in), &gm)
		if err == nil || werr == nil {
			t.Errorf("UnmarshalJSON(%q) = %v, and json.Unmarshal into a Go map = %v; want errors from both", in, err, werr)
		} else if reflect.TypeOf(err) != reflect.TypeOf(werr) {
			t.Errorf("UnmarshalJSON(%q) = %T, json's error for a Go map is %T", in, err, werr)
		}
		if d := cmp.Diff(map[string]int{"keep": 7}, entries(m)); d != "" {
			t.Errorf("a failed UnmarshalJSON(%q) changed m (-want +got):\n%s", in, d)
		}
		if !m.Shared() || !c.Shared() {
			t.Errorf("a failed UnmarshalJSON(%q) detached m", in)
		}
		if err := checkInvariants([]*Map[string, int]{m, c}); err != nil {
			t.Error(err)
		}
	}
	// Keys of a type json cannot decode.
	if err := New[[2]int, int]().UnmarshalJSON([]byte(`{"a":1}`)); err == nil {
		t.Error("UnmarshalJSON into a Map[[2]int, int] succeeded")
	}
}

// padded is large in memory and small in JSON, gob and fmt: a copy of the
// entries would show in the bytes allocated.
type padded struct {
	X int `json:"x"`
	_ [248]byte
}

// String keeps fmt's text small, as the JSON and gob are.
func (p padded) String() string { return strconv.Itoa(p.X) }

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

// TestEncodingCopiesNoStorage: marshaling a shared clone copies none of
// its entries (a copy would allocate the map's 256 KiB of values) and
// leaves it shared.
func TestEncodingCopiesNoStorage(t *testing.T) {
	gm := make(map[int]padded, 1024)
	for i := range 1024 {
		gm[i] = padded{X: i}
	}
	m := From(gm)
	c := m.Clone()
	storage := uint64(len(gm)) * uint64(reflect.TypeFor[padded]().Size())
	if !raceEnabled {
		plainAllocs := testing.AllocsPerRun(20, func() { _, _ = json.Marshal(gm) })
		gotAllocs := testing.AllocsPerRun(20, func() { _, _ = json.Marshal(c) })
		// The handle's path adds the buffer MarshalJSON returns and the
		// json.Encoder that fills it (the encoder's state is pooled).
		if gotAllocs > plainAllocs+2 {
			t.Errorf("json.Marshal of a shared clone: %v allocations, json.Marshal of the Go map: %v; want at most 2 more", gotAllocs, plainAllocs)
		}
	}
	// Encoding a Go map allocates per entry itself (fmt even copies every
	// value to sort the keys), so the handle is measured against the Go map.
	checks := []struct {
		name         string
		plain, clone func()
	}{
		{"json.Marshal", func() { _, _ = json.Marshal(gm) }, func() { _, _ = json.Marshal(c) }},
		{"GobEncode", func() { var buf bytes.Buffer; _ = gob.NewEncoder(&buf).Encode(gm) }, func() { _, _ = c.GobEncode() }},
		{"Sprint", func() { _ = fmt.Sprint(gm) }, func() { _ = fmt.Sprint(c) }},
	}
	for _, ck := range checks {
		want, got := allocatedBytes(10, ck.plain), allocatedBytes(10, ck.clone)
		if got >= want+storage/2 {
			t.Errorf("%s of a shared clone allocates %d bytes, of the Go map %d; its values take %d, so it copies them", ck.name, got, want, storage)
		}
		if !m.Shared() || !c.Shared() {
			t.Fatalf("%s detached the clone", ck.name)
		}
	}
	if err := checkInvariants([]*Map[int, padded]{m, c}); err != nil {
		t.Error(err)
	}
}

func FuzzUnmarshalJSON(f *testing.F) {
	for _, s := range malformedJSON {
		f.Add([]byte(s))
	}
	for _, s := range []string{`{}`, `null`, `{"a":1,"b":2,"a":3}`, `{"1":{"x":[1,"<>"]},"-2":null}`, `{"\u00e9":-0}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzUnmarshal[string, int](t, data)
		fuzzUnmarshal[int, any](t, data)
		fuzzUnmarshal[textKey, string](t, data)
	})
}

// fuzzUnmarshal checks UnmarshalJSON(data) into a Map[K, V] against
// json.Unmarshal into a nil map[K]V: the same success or failure; on
// success the same entries, marshaled as json marshals them; on failure no
// change.
func fuzzUnmarshal[K comparable, V any](t *testing.T, data []byte) {
	t.Helper()
	var k K
	var v V
	m := From(map[K]V{k: v})
	c := m.Clone()
	err := m.UnmarshalJSON(data)
	var want map[K]V
	werr := json.Unmarshal(data, &want)
	if err != nil {
		if werr == nil {
			t.Fatalf("Map[%T, %T].UnmarshalJSON(%q) = %v, but json decodes it into a Go map", k, v, data, err)
		}
		if m.Len() != 1 || !m.Shared() {
			t.Fatalf("a failed UnmarshalJSON(%q) changed m: Len() = %d", data, m.Len())
		}
	} else {
		if werr != nil {
			t.Fatalf("Map[%T, %T].UnmarshalJSON(%q) succeeded, but json refuses it for a Go map: %v", k, v, data, werr)
		}
		got, err := json.Marshal(m)
		wantJSON, werr := json.Marshal(plain(want))
		if string(got) != string(wantJSON) || err != nil || werr != nil {
			t.Fatalf("Map[%T, %T].UnmarshalJSON(%q) then Marshal = %s, %v; want %s, %v", k, v, data, got, err, wantJSON, werr)
		}
	}
	if c.Len() != 1 {
		t.Fatalf("UnmarshalJSON(%q) reached the clone", data)
	}
	if err := checkInvariants([]*Map[K, V]{m, c}); err != nil {
		t.Fatal(err)
	}
}

func TestGobRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		roundTripGob(t, rapid.MapOf(rapid.String(), rapid.Int()).Draw(t, "strings"))
		roundTripGob(t, rapid.MapOf(rapid.Int(), rapid.SliceOf(rapid.Byte())).Draw(t, "ints"))
	})
	big := make(map[int]int, 100000)
	for i := range 100000 {
		big[i] = -i
	}
	roundTripGob(t, big)
	roundTripGob(t, map[textKey]point{{1, 2}: {X: 3, Name: "p"}})
}

func roundTripGob[K comparable, V any](t interface {
	Helper()
	Fatalf(string, ...any)
}, gm map[K]V) {
	t.Helper()
	m := From(gm)
	c := m.Clone()
	data, err := c.GobEncode()
	if err != nil {
		t.Fatalf("GobEncode: %v", err)
	}
	back := new(Map[K, V])
	if err := back.GobDecode(data); err != nil {
		t.Fatalf("GobDecode: %v", err)
	}
	if d := cmp.Diff(gm, entries(back), cmpopts.EquateEmpty()); d != "" {
		t.Fatalf("gob round trip (-want +got):\n%s", d)
	}
	if len(gm) > 0 && (!m.Shared() || !c.Shared()) {
		t.Fatalf("GobEncode detached a shared clone")
	}
	if err := checkInvariants([]*Map[K, V]{m, c, back}); err != nil {
		t.Fatalf("%v", err)
	}
}

// gobRecord holds handles as fields, for gob.
type gobRecord struct {
	A     *Map[string, int]
	None  *Map[string, int]
	Empty *Map[string, int]
	Deep  *Map[string, *Map[int, string]]
	Ptr   **Map[string, int]
}

func TestGobStructFields(t *testing.T) {
	inner := From(map[string]int{"x": 1})
	in := gobRecord{
		A:     From(map[string]int{"a": 1, "b": 2}),
		Empty: New[string, int](),
		Deep:  From(map[string]*Map[int, string]{"d": From(map[int]string{1: "one"})}),
		Ptr:   &inner,
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&in); err != nil {
		t.Fatal(err)
	}
	var out gobRecord
	if err := gob.NewDecoder(&buf).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[string]int{"a": 1, "b": 2}, entries(out.A)); d != "" {
		t.Errorf("A (-want +got):\n%s", d)
	}
	if out.None != nil {
		t.Errorf("None = %v, want nil", out.None)
	}
	// gob sends no zero value: an empty handle arrives as nil, as an empty
	// Go map field does.
	if out.Empty != nil && out.Empty.Len() != 0 {
		t.Errorf("Empty = %v, want nil or empty", out.Empty)
	}
	d, _ := out.Deep.Get("d")
	if diff := cmp.Diff(map[int]string{1: "one"}, entries(d)); diff != "" {
		t.Errorf("Deep (-want +got):\n%s", diff)
	}
	if out.Ptr == nil || *out.Ptr == nil {
		t.Fatal("Ptr is nil")
	}
	if diff := cmp.Diff(map[string]int{"x": 1}, entries(*out.Ptr)); diff != "" {
		t.Errorf("Ptr (-want +got):\n%s", diff)
	}
}

// forgeCount returns the gob encoding of map[string]int{"a": 1} with its
// entry count raised to 2^22, and the length of the message that holds it
// fixed up to match: a short input that claims a huge map.
func forgeCount(good []byte) []byte {
	// A gob stream is a sequence of messages, each a length and that many
	// bytes; the value is in the last. A gob unsigned integer below 128 is
	// one byte, and any other is a byte holding minus its length in bytes,
	// then its big-endian bytes.
	uintLen := func(b byte) int {
		if b < 128 {
			return 1
		}
		return 1 + int(-int8(b))
	}
	last := 0
	for i := 0; i < len(good); {
		if uintLen(good[i]) != 1 || good[i] > 100 {
			panic("forgeCount: a message longer than this test expects")
		}
		last = i
		i += 1 + int(good[i])
	}
	// The last message: its length, the type id, a zero byte, the count 1.
	count := last + 1 + uintLen(good[last+1]) + 1
	if good[count] != 1 {
		panic("forgeCount: the count is not where this test expects it")
	}
	// 2^22: enough to show a decoder that sizes a map by it (hundreds of
	// MB), not so much that such a decoder gets the test process killed.
	huge := []byte{0xfd, 0x40, 0, 0}
	forged := slices.Concat(good[:count], huge, good[count+1:])
	forged[last] += byte(len(huge) - 1)
	return forged
}

func TestGobDecodeMalformed(t *testing.T) {
	good, err := From(map[string]int{"a": 1}).GobEncode()
	if err != nil {
		t.Fatal(err)
	}
	strs, _ := From(map[string]string{"a": "b"}).GobEncode()
	inputs := map[string][]byte{
		"empty":          {},
		"trailing byte":  append(slices.Clone(good), 0),
		"another type":   strs,
		"garbage":        []byte("not a gob stream"),
		"a forged count": forgeCount(good),
	}
	for i := 1; i < len(good); i++ {
		inputs[fmt.Sprintf("truncated to %d bytes", i)] = good[:i]
	}
	for name, in := range inputs {
		m := From(map[string]int{"keep": 7})
		c := m.Clone()
		var err error
		allocated := allocatedBytes(1, func() { err = m.GobDecode(in) })
		if err == nil {
			t.Errorf("%s: GobDecode(%x) = nil, want an error", name, in)
		}
		if allocated > 1<<20 {
			t.Errorf("%s: GobDecode of %d bytes allocated %d", name, len(in), allocated)
		}
		if d := cmp.Diff(map[string]int{"keep": 7}, entries(m)); d != "" || !m.Shared() {
			t.Errorf("%s: a failed GobDecode changed m (-want +got):\n%s", name, d)
		}
		if err := checkInvariants([]*Map[string, int]{m, c}); err != nil {
			t.Error(err)
		}
	}
	if err := new(Map[string, int]).GobDecode(nil); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("GobDecode(nil) = %v, want io.ErrUnexpectedEOF", err)
	}
	if err := new(Map[string, int]).GobDecode(good[:len(good)-1]); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("GobDecode of a truncated stream = %v, want io.ErrUnexpectedEOF", err)
	}
}

func FuzzGobDecode(f *testing.F) {
	good, _ := From(map[string]int{"a": 1, "b": 2}).GobEncode()
	one, _ := From(map[string]int{"a": 1}).GobEncode()
	f.Add(good)
	f.Add(forgeCount(one))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		m := From(map[string]int{"keep": 7})
		if err := m.GobDecode(data); err != nil {
			if d := cmp.Diff(map[string]int{"keep": 7}, entries(m)); d != "" {
				t.Fatalf("a failed GobDecode (%v) changed m (-want +got):\n%s", err, d)
			}
		}
		if err := checkInvariants([]*Map[string, int]{m}); err != nil {
			t.Fatal(err)
		}
	})
}
