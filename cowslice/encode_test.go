package cowslice

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"
)

// elems is the projection the tests compare: s's elements as a plain slice.
func elems[T any](s *Slice[T]) []T { return slices.Collect(s.Values()) }

// jsonLikePlain checks that New(xs...) marshals exactly as json.Marshal
// marshals xs, through json.Marshal and through an Encoder that escapes no
// HTML and indents.
func jsonLikePlain[T any](t *testing.T, xs []T) {
	t.Helper()
	got, err := json.Marshal(New(xs...))
	want, werr := json.Marshal(plain(xs))
	if string(got) != string(want) || err != nil || werr != nil {
		t.Errorf("json.Marshal(New(%#v)) = %s, %v; want %s, %v (as for the []%v)", xs, got, err, want, werr, reflect.TypeFor[T]())
	}
	encode := func(v any) string {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			t.Fatalf("Encode(%#v): %v", v, err)
		}
		return buf.String()
	}
	if got, want := encode(New(xs...)), encode(plain(xs)); got != want {
		t.Errorf("an Encoder without HTML escapes writes New(%#v) as %s, want %s", xs, got, want)
	}
}

type point struct {
	X    int    `json:"x"`
	Name string `json:"name,omitempty"`
	skip int
}

func TestMarshalJSONLikePlain(t *testing.T) {
	x := 7
	jsonLikePlain(t, []int{})
	jsonLikePlain(t, []int{1})
	jsonLikePlain(t, []int{1, -2, 3})
	jsonLikePlain(t, []string{"<a&b>", "bad \xff utf-8", "\u2028", ""})
	jsonLikePlain(t, []byte{})
	jsonLikePlain(t, []byte{0, 1, 255})
	jsonLikePlain(t, []float64{1.5, 0, -1e300})
	jsonLikePlain(t, []*int{nil, &x})
	jsonLikePlain(t, []point{{X: 1}, {X: 2, Name: "b", skip: 3}})
	jsonLikePlain(t, []any{1, "a", nil, []int{2}, map[string]int{"k": 1}})
	jsonLikePlain(t, []*Slice[int]{New(1, 2), nil, New[int]()})
	jsonLikePlain(t, []json.RawMessage{json.RawMessage(`{"a" : 1}`)})
	big := make([]int, 10000)
	for i := range big {
		big[i] = i * i
	}
	jsonLikePlain(t, big)
}

// The exact text for small values, against what json writes for []T.
var jsonTextTests = []struct {
	s    *Slice[int]
	want string
}{
	{New[int](), `[]`},
	{new(Slice[int]), `[]`},
	{New(1), `[1]`},
	{New(1, 2, 3), `[1,2,3]`},
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
	// A released slice is empty, and so is one emptied by Delete.
	s := New(1, 2)
	s.Delete(0, 2)
	r := New(1)
	r.Release()
	for _, e := range []*Slice[int]{s, r} {
		if got, _ := json.Marshal(e); string(got) != "[]" {
			t.Errorf("json.Marshal(an emptied Slice) = %s, want []", got)
		}
	}
	if got, _ := json.Marshal(New[byte]()); string(got) != `""` {
		t.Errorf(`json.Marshal(New[byte]()) = %s, want "" (as for []byte{})`, got)
	}
	if got, _ := json.Marshal(New[byte]('h', 'i')); string(got) != `"aGk="` {
		t.Errorf(`json.Marshal(New[byte]('h', 'i')) = %s, want "aGk=" (base64, as for a []byte)`, got)
	}
}

func TestMarshalJSONHTMLEscapes(t *testing.T) {
	s := New("<&>")
	got, _ := json.Marshal(s)
	if want := `["\u003c\u0026\u003e"]`; string(got) != want {
		t.Errorf("json.Marshal = %s, want %s", got, want)
	}
	direct, _ := s.MarshalJSON()
	if want := `["<&>"]`; string(direct) != want {
		t.Errorf("MarshalJSON() = %s, want %s (json.Marshal escapes it, as it is set to)", direct, want)
	}
}

func TestMarshalJSONErrors(t *testing.T) {
	_, err := json.Marshal(New(1, math.NaN()))
	_, werr := json.Marshal([]float64{1, math.NaN()})
	var uv *json.UnsupportedValueError
	if !errors.As(err, &uv) || werr == nil || uv.Error() != werr.Error() {
		t.Errorf("json.Marshal of a NaN element: %v; want it to wrap %v", err, werr)
	}
	var me *json.MarshalerError
	if !errors.As(err, &me) {
		t.Errorf("json.Marshal of a NaN element: %T, want a *json.MarshalerError", err)
	}
	_, err = json.Marshal(New(make(chan int)))
	var ut *json.UnsupportedTypeError
	if !errors.As(err, &ut) || ut.Type != reflect.TypeFor[chan int]() {
		t.Errorf("json.Marshal of a chan element: %v, want an UnsupportedTypeError for chan int", err)
	}
}

// record holds handles as struct fields; plainRecord has the same fields
// as plain values: both must be written alike.
type record struct {
	IDs    *Slice[int]            `json:"ids"`
	Names  *Slice[string]         `json:"names,omitempty"`
	Raw    *Slice[byte]           `json:"raw"`
	None   *Slice[int]            `json:"none"`
	Nested *Slice[*Slice[int]]    `json:"nested"`
	Many   []*Slice[point]        `json:"many"`
	Ptr    **Slice[int]           `json:"ptr"`
	Empty  *Slice[int]            `json:"empty"`
	Any    *Slice[any]            `json:"any"`
	Map    map[string]*Slice[int] `json:"map"`
}

type plainRecord struct {
	IDs    []int            `json:"ids"`
	Names  []string         `json:"names,omitempty"`
	Raw    []byte           `json:"raw"`
	None   []int            `json:"none"`
	Nested [][]int          `json:"nested"`
	Many   [][]point        `json:"many"`
	Ptr    *[]int           `json:"ptr"`
	Empty  []int            `json:"empty"`
	Any    []any            `json:"any"`
	Map    map[string][]int `json:"map"`
}

func sampleRecords() (*record, *plainRecord) {
	inner := New(5, 6)
	r := &record{
		IDs:    New(1, 2, 3),
		Names:  New("a", "<b>"),
		Raw:    New[byte](1, 2, 3),
		Nested: New(New(1), New[int](), inner),
		Many:   []*Slice[point]{New(point{X: 1}), New[point]()},
		Ptr:    &inner,
		Empty:  New[int](),
		Any:    New[any](1.5, "x", nil),
		Map:    map[string]*Slice[int]{"k": New(9)},
	}
	ptr := []int{5, 6}
	p := &plainRecord{
		IDs:    []int{1, 2, 3},
		Names:  []string{"a", "<b>"},
		Raw:    []byte{1, 2, 3},
		Nested: [][]int{{1}, {}, {5, 6}},
		Many:   [][]point{{{X: 1}}, {}},
		Ptr:    &ptr,
		Empty:  []int{},
		Any:    []any{1.5, "x", nil},
		Map:    map[string][]int{"k": {9}},
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
		t.Fatalf("a struct of handles marshals as\n%s\nwant, as the struct of plain slices,\n%s", got, want)
	}
	// The same text decodes into handles as into the plain fields: the
	// zero Slice is a ready target, and a null field stays nil.
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
	if d := cmp.Diff(pback.IDs, elems(back.IDs)); d != "" {
		t.Errorf("IDs after a round trip (-want +got):\n%s", d)
	}
	if d := cmp.Diff(*pback.Ptr, elems(*back.Ptr)); d != "" {
		t.Errorf("Ptr after a round trip (-want +got):\n%s", d)
	}
	// A null for a field that holds a handle: json sets the field to nil
	// itself, and the handle it held is not touched.
	old := back.IDs
	if err := json.Unmarshal([]byte(`{"ids":null}`), &back); err != nil || back.IDs != nil {
		t.Errorf(`{"ids":null}: IDs = %v, %v; want nil`, back.IDs, err)
	}
	if d := cmp.Diff([]int{1, 2, 3}, elems(old)); d != "" {
		t.Errorf("the handle a null field held changed (-want +got):\n%s", d)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		xs := rapid.SliceOf(rapid.Int()).Draw(t, "xs")
		strs := rapid.SliceOf(rapid.String()).Draw(t, "strs")
		roundTripJSON(t, xs)
		roundTripJSON(t, strs)
	})
	big := make([]string, 5000)
	for i := range big {
		big[i] = strings.Repeat("x", i%17)
	}
	roundTripJSON(t, big)
}

func roundTripJSON[T any](t interface {
	Helper()
	Fatalf(string, ...any)
}, xs []T) {
	t.Helper()
	s := New(xs...)
	c := s.Clone()
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	var back Slice[T]
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("json.Unmarshal(%s): %v", data, err)
	}
	if d := cmp.Diff(xs, elems(&back), cmpopts.EquateEmpty()); d != "" {
		t.Fatalf("round trip through %s (-want +got):\n%s", data, d)
	}
	if len(xs) > 0 && (!s.Shared() || !c.Shared()) {
		t.Fatalf("json.Marshal detached a shared clone")
	}
	if err := checkInvariants([]*Slice[T]{s, c, &back}); err != nil {
		t.Fatalf("%v", err)
	}
}

func TestUnmarshalJSONNull(t *testing.T) {
	// json sets a []T to nil for null: a Slice becomes empty.
	xs := []int{1, 2}
	if err := json.Unmarshal([]byte("null"), &xs); err != nil || xs != nil {
		t.Fatalf("json sets a []int to %v, %v for null; this test assumes nil", xs, err)
	}
	s := New(1, 2)
	c := s.Clone()
	if err := json.Unmarshal([]byte(" null "), s); err != nil || s.Len() != 0 {
		t.Errorf("json.Unmarshal(null) into a Slice: Len() = %d, %v; want 0, nil", s.Len(), err)
	}
	if d := cmp.Diff([]int{1, 2}, elems(c)); d != "" || c.Shared() {
		t.Errorf("null reached the clone, or left it shared (-want +got):\n%s", d)
	}
	if err := checkInvariants([]*Slice[int]{s, c}); err != nil {
		t.Error(err)
	}
}

// TestUnmarshalJSONReplaces: the old elements are replaced, not decoded
// into, so a clone sharing them never sees the decoding.
func TestUnmarshalJSONReplaces(t *testing.T) {
	s := New(point{X: 1, Name: "a"}, point{X: 2})
	c := s.Clone()
	if err := json.Unmarshal([]byte(`[{"x":5}]`), s); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]point{{X: 5}}, elems(s), cmp.AllowUnexported(point{})); d != "" {
		t.Errorf("after Unmarshal (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]point{{X: 1, Name: "a"}, {X: 2}}, elems(c), cmp.AllowUnexported(point{})); d != "" {
		t.Errorf("the clone changed (-want +got):\n%s", d)
	}
	if s.Shared() || c.Shared() {
		t.Errorf("after Unmarshal: Shared() = %v, %v, want false, false", s.Shared(), c.Shared())
	}
	// Into an unshared slice: the new elements still come in a new array.
	u := New(1, 2, 3)
	old := &u.r.Data[0]
	if err := u.UnmarshalJSON([]byte(`[7]`)); err != nil || *old != 1 {
		t.Errorf("Unmarshal wrote into the old array: %v, old[0] = %d", err, *old)
	}
	if err := checkInvariants([]*Slice[point]{s, c}); err != nil {
		t.Error(err)
	}
}

var malformedJSON = []string{
	``, ` `, `[`, `[1,`, `[1 2]`, `[1,]`, `]`, `{"a":1}`, `"abc"`, `12`, `true`,
	`[1,"a"]`, `[1.5]`, `[1e400]`, `[99999999999999999999]`, `[null,{}]`, `[1] [2]`,
	`[1]x`, "[\xff]", `nul`, `[01]`,
}

func TestUnmarshalJSONMalformed(t *testing.T) {
	for _, in := range malformedJSON {
		s := New(7, 8, 9)
		c := s.Clone()
		err := s.UnmarshalJSON([]byte(in))
		var xs []int
		werr := json.Unmarshal([]byte(in), &xs)
		if err == nil || werr == nil {
			t.Errorf("UnmarshalJSON(%q) = %v, and json.Unmarshal into a []int = %v; want errors from both", in, err, werr)
		} else if reflect.TypeOf(err) != reflect.TypeOf(werr) {
			t.Errorf("UnmarshalJSON(%q) = %T, json's error for a []int is %T", in, err, werr)
		}
		if d := cmp.Diff([]int{7, 8, 9}, elems(s)); d != "" {
			t.Errorf("a failed UnmarshalJSON(%q) changed s (-want +got):\n%s", in, d)
		}
		if !s.Shared() || !c.Shared() {
			t.Errorf("a failed UnmarshalJSON(%q) detached s", in)
		}
		if err := checkInvariants([]*Slice[int]{s, c}); err != nil {
			t.Error(err)
		}
	}
}

// elemWithPad is large in memory and small in JSON and gob: a copy of the
// storage would show in the bytes allocated.
type elemWithPad struct {
	X int `json:"x"`
	_ [248]byte
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

// TestEncodingCopiesNoStorage: marshaling a shared clone copies none of its
// elements (a copy would allocate the 256 KiB array) and leaves it shared.
func TestEncodingCopiesNoStorage(t *testing.T) {
	xs := make([]elemWithPad, 1024)
	for i := range xs {
		xs[i].X = i
	}
	s := New(xs...)
	c := s.Clone()
	storage := uint64(len(xs)) * uint64(reflect.TypeFor[elemWithPad]().Size())

	if !raceEnabled {
		plainAllocs := testing.AllocsPerRun(20, func() { _, _ = json.Marshal(xs) })
		gotAllocs := testing.AllocsPerRun(20, func() { _, _ = json.Marshal(c) })
		// The handle's path adds the buffer MarshalJSON returns and the
		// json.Encoder that fills it (the encoder's state is pooled).
		if gotAllocs > plainAllocs+2 {
			t.Errorf("json.Marshal of a shared clone: %v allocations, json.Marshal of the []T: %v; want at most 2 more", gotAllocs, plainAllocs)
		}
	}
	checks := []struct {
		name string
		f    func()
	}{
		{"json.Marshal", func() { _, _ = json.Marshal(c) }},
		{"GobEncode", func() { _, _ = c.GobEncode() }},
	}
	for _, ck := range checks {
		if got := allocatedBytes(10, ck.f); got >= storage/2 {
			t.Errorf("%s of a shared clone allocates %d bytes; its elements take %d, so it copies them", ck.name, got, storage)
		}
		if !s.Shared() || !c.Shared() {
			t.Fatalf("%s detached the clone", ck.name)
		}
	}
	if err := checkInvariants([]*Slice[elemWithPad]{s, c}); err != nil {
		t.Error(err)
	}
}

func FuzzUnmarshalJSON(f *testing.F) {
	for _, s := range malformedJSON {
		f.Add([]byte(s))
	}
	for _, s := range []string{`[]`, `null`, `[1,2,3]`, `[-0, 1e2]`, `[{"a":[1]}, "x\u00e9<>", true, null]`, `"AAEC"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzUnmarshal[int](t, data)
		fuzzUnmarshal[any](t, data)
		fuzzUnmarshal[byte](t, data)
	})
}

// fuzzUnmarshal checks UnmarshalJSON(data) into a Slice[T] against
// json.Unmarshal into a []T: the same success or failure; on success the
// same elements, marshaled as json marshals them; on failure no change.
func fuzzUnmarshal[T any](t *testing.T, data []byte) {
	t.Helper()
	var zero T
	s := New(zero, zero)
	c := s.Clone()
	err := s.UnmarshalJSON(data)
	var want []T
	werr := json.Unmarshal(data, &want)
	if err != nil {
		if werr == nil {
			t.Fatalf("Slice[%T].UnmarshalJSON(%q) = %v, but json decodes it into a []T", zero, data, err)
		}
		if s.Len() != 2 || !s.Shared() {
			t.Fatalf("a failed UnmarshalJSON(%q) changed s: Len() = %d", data, s.Len())
		}
	} else {
		if werr != nil {
			t.Fatalf("Slice[%T].UnmarshalJSON(%q) succeeded, but json refuses it for a []T: %v", zero, data, werr)
		}
		got, err := json.Marshal(s)
		wantJSON, werr := json.Marshal(plain(want))
		if string(got) != string(wantJSON) || err != nil || werr != nil {
			t.Fatalf("Slice[%T].UnmarshalJSON(%q) then Marshal = %s, %v; want %s, %v", zero, data, got, err, wantJSON, werr)
		}
	}
	if c.Len() != 2 {
		t.Fatalf("UnmarshalJSON(%q) reached the clone", data)
	}
	if err := checkInvariants([]*Slice[T]{s, c}); err != nil {
		t.Fatal(err)
	}
}

func TestGobRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		xs := rapid.SliceOf(rapid.Int()).Draw(t, "xs")
		roundTripGob(t, xs)
		roundTripGob(t, rapid.SliceOf(rapid.String()).Draw(t, "strs"))
	})
	big := make([]int, 100000)
	for i := range big {
		big[i] = i - 5000
	}
	roundTripGob(t, big)
	roundTripGob(t, []point{{X: 1, Name: "a"}, {}})
	roundTripGob(t, []*Slice[int]{New(1, 2), New(3)})
}

func roundTripGob[T any](t interface {
	Helper()
	Fatalf(string, ...any)
}, xs []T) {
	t.Helper()
	s := New(xs...)
	c := s.Clone()
	data, err := c.GobEncode()
	if err != nil {
		t.Fatalf("GobEncode: %v", err)
	}
	back := new(Slice[T])
	if err := back.GobDecode(data); err != nil {
		t.Fatalf("GobDecode: %v", err)
	}
	if d := cmp.Diff(xs, elems(back), cmpopts.EquateEmpty(), cmp.AllowUnexported(point{}), cmp.Transformer("elems", elems[int])); d != "" {
		t.Fatalf("gob round trip (-want +got):\n%s", d)
	}
	if len(xs) > 0 && (!s.Shared() || !c.Shared()) {
		t.Fatalf("GobEncode detached a shared clone")
	}
	if err := checkInvariants([]*Slice[T]{s, c, back}); err != nil {
		t.Fatalf("%v", err)
	}
}

// gobRecord holds handles as fields, for gob.
type gobRecord struct {
	A     *Slice[int]
	B     *Slice[string]
	None  *Slice[int]
	Empty *Slice[int]
	Deep  *Slice[*Slice[int]]
	Ptr   **Slice[int]
}

func TestGobStructFields(t *testing.T) {
	inner := New(4, 5)
	in := gobRecord{A: New(1, 2, 3), B: New("x"), Empty: New[int](), Deep: New(New(7), inner), Ptr: &inner}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&in); err != nil {
		t.Fatal(err)
	}
	var out gobRecord
	if err := gob.NewDecoder(&buf).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]int{1, 2, 3}, elems(out.A)); d != "" {
		t.Errorf("A (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"x"}, elems(out.B)); d != "" {
		t.Errorf("B (-want +got):\n%s", d)
	}
	if out.None != nil {
		t.Errorf("None = %v, want nil", out.None)
	}
	// gob sends no zero value: an empty handle arrives as nil, as an empty
	// []int field does.
	if out.Empty != nil && out.Empty.Len() != 0 {
		t.Errorf("Empty = %v, want nil or empty", out.Empty)
	}
	if d := cmp.Diff([][]int{{7}, {4, 5}}, slices.Collect(func(yield func([]int) bool) {
		for v := range out.Deep.Values() {
			if !yield(elems(v)) {
				return
			}
		}
	})); d != "" {
		t.Errorf("Deep (-want +got):\n%s", d)
	}
	if out.Ptr == nil || *out.Ptr == nil {
		t.Fatal("Ptr is nil")
	}
	if d := cmp.Diff([]int{4, 5}, elems(*out.Ptr)); d != "" {
		t.Errorf("Ptr (-want +got):\n%s", d)
	}
}

func TestGobDecodeMalformed(t *testing.T) {
	good, err := New(1, 2, 3000).GobEncode()
	if err != nil {
		t.Fatal(err)
	}
	strs, _ := New("a").GobEncode()
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
		s := New(7, 8, 9)
		c := s.Clone()
		err := s.GobDecode(in)
		if err == nil {
			t.Errorf("%s: GobDecode(%x) = nil, want an error", name, in)
		}
		if d := cmp.Diff([]int{7, 8, 9}, elems(s)); d != "" || !s.Shared() {
			t.Errorf("%s: a failed GobDecode changed s (-want +got):\n%s", name, d)
		}
		if err := checkInvariants([]*Slice[int]{s, c}); err != nil {
			t.Error(err)
		}
	}
	if err := new(Slice[int]).GobDecode(nil); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("GobDecode(nil) = %v, want io.ErrUnexpectedEOF", err)
	}
	if err := new(Slice[int]).GobDecode(good[:len(good)-1]); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("GobDecode of a truncated stream = %v, want io.ErrUnexpectedEOF", err)
	}
}

// forgeCount returns the gob encoding of []int{1, 2, 3000} with its element
// count raised to 2^28, and the length of the message that holds it fixed
// up to match: a short input that claims a huge slice.
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
		n := uintLen(good[i])
		if n != 1 || good[i] > 100 {
			panic("forgeCount: a message longer than this test expects")
		}
		last = i
		i += n + int(good[i])
	}
	// The last message: its length, the type id, a zero byte, the count 3.
	count := last + 1 + uintLen(good[last+1]) + 1
	if good[count] != 3 {
		panic("forgeCount: the count is not where this test expects it")
	}
	huge := []byte{0xfc, 0x10, 0, 0, 0}
	forged := slices.Concat(good[:count], huge, good[count+1:])
	forged[last] += byte(len(huge) - 1)
	return forged
}

func FuzzGobDecode(f *testing.F) {
	good, _ := New(1, 2, 3000).GobEncode()
	f.Add(good)
	f.Add(forgeCount(good))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		s := New(7, 8)
		if err := s.GobDecode(data); err != nil {
			if d := cmp.Diff([]int{7, 8}, elems(s)); d != "" {
				t.Fatalf("a failed GobDecode (%v) changed s (-want +got):\n%s", err, d)
			}
		}
		if err := checkInvariants([]*Slice[int]{s}); err != nil {
			t.Fatal(err)
		}
	})
}
