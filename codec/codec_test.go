package codec

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// roundTrip checks that v survives Append and Decode, after a prefix that
// Append keeps, and returns the encoding.
func roundTrip[T any](t *rapid.T, c Codec[T], v T, eq func(a, b T) bool) []byte {
	prefix := []byte("prefix")
	b := c.Append(prefix[:len(prefix):len(prefix)], v)
	if !bytes.Equal(b[:len(prefix)], prefix) {
		t.Fatalf("Append changed the prefix: %q", b[:len(prefix)])
	}
	got, err := c.Decode(b[len(prefix):])
	if err != nil {
		t.Fatalf("Decode(Append(%v)): %v", v, err)
	}
	if !eq(got, v) {
		t.Fatalf("Decode(Append(%v)) = %v", v, got)
	}
	return b[len(prefix):]
}

func same[T comparable](a, b T) bool { return a == b }

type ID int32

func TestRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		roundTrip(t, Int[int8](), rapid.Int8().Draw(t, "i8"), same)
		roundTrip(t, Int[int16](), rapid.Int16().Draw(t, "i16"), same)
		roundTrip(t, Int[int64](), rapid.Int64().Draw(t, "i64"), same)
		roundTrip(t, Int[int](), rapid.Int().Draw(t, "int"), same)
		roundTrip(t, Int[ID](), ID(rapid.Int32().Draw(t, "id")), same)
		roundTrip(t, Uint[uint8](), rapid.Uint8().Draw(t, "u8"), same)
		roundTrip(t, Uint[uint64](), rapid.Uint64().Draw(t, "u64"), same)
		roundTrip(t, Uint[uintptr](), rapid.Uintptr().Draw(t, "uptr"), same)
		f64 := math.Float64frombits(rapid.Uint64().Draw(t, "f64 bits"))
		roundTrip(t, Float[float64](), f64, func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) })
		f32 := math.Float32frombits(rapid.Uint32().Draw(t, "f32 bits"))
		roundTrip(t, Float[float32](), f32, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) })
		s := string(rapid.SliceOf(rapid.Byte()).Draw(t, "string bytes")) // not only UTF-8
		roundTrip(t, String[string](), s, same)
		p := rapid.SliceOf(rapid.Byte()).Draw(t, "bytes")
		roundTrip(t, Bytes(), p, func(a, b []byte) bool { return bytes.Equal(a, b) && a != nil })
		type doc struct {
			Name string
			Tags []string
			M    map[string]int
		}
		d := doc{rapid.String().Draw(t, "name"), rapid.SliceOf(rapid.String()).Draw(t, "tags"), rapid.MapOf(rapid.String(), rapid.Int()).Draw(t, "m")}
		roundTrip(t, JSON[doc](), d, func(a, b doc) bool {
			return cmp.Equal(a, b, cmp.Comparer(func(x, y []string) bool { return len(x) == len(y) && (len(x) == 0 || cmp.Equal(x, y)) }),
				cmp.Comparer(func(x, y map[string]int) bool { return len(x) == len(y) && (len(x) == 0 || cmp.Equal(x, y)) }))
		})
	})
}

var rejectTests = []struct {
	name string
	dec  func([]byte) error
	in   []byte
}{
	{"Int empty", dec(Int[int]()), nil},
	{"Int prefix of a varint", dec(Int[int]()), []byte{0x80, 0x80}},
	{"Int trailing byte", dec(Int[int]()), []byte{2, 0}},
	{"Int overlong", dec(Int[int]()), []byte{0x82, 0x00}},
	{"Int overflow", dec(Int[int64]()), bytes.Repeat([]byte{0xff}, 11)},
	{"Int[int8] out of range", dec(Int[int8]()), Int[int]().Append(nil, 300)},
	{"Uint[uint8] out of range", dec(Uint[uint8]()), Uint[uint]().Append(nil, 256)},
	{"Uint overlong", dec(Uint[uint]()), []byte{0x80, 0x00}},
	{"Uint empty", dec(Uint[uint]()), []byte{}},
	{"Float short", dec(Float[float64]()), make([]byte, 7)},
	{"Float[float32] long", dec(Float[float32]()), make([]byte, 8)},
}

func dec[T any](c Codec[T]) func([]byte) error {
	return func(b []byte) error { _, err := c.Decode(b); return err }
}

func TestDecodeRejects(t *testing.T) {
	for _, tt := range rejectTests {
		if err := tt.dec(tt.in); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Decode(%x) = %v, want ErrInvalid", tt.name, tt.in, err)
		}
	}
	if _, err := JSON[[]int]().Decode([]byte("[1] x")); err == nil {
		t.Error("JSON: trailing garbage accepted")
	}
}

func TestDecodeDoesNotRetain(t *testing.T) {
	b := []byte("hello")
	s, _ := String[string]().Decode(b)
	p, _ := Bytes().Decode(b)
	j, _ := JSON[string]().Decode([]byte(`"hello"`))
	clear(b)
	if s != "hello" || string(p) != "hello" || j != "hello" {
		t.Fatalf("a decoded value changed with its input: %q %q %q", s, p, j)
	}
	if p, _ := Bytes().Decode(nil); p == nil || len(p) != 0 {
		t.Fatalf("Bytes().Decode(nil) = %#v, want an empty non-nil slice", p)
	}
}

func TestJSONAppendPanicsWithEncodeError(t *testing.T) {
	defer func() {
		e, ok := recover().(*EncodeError)
		if !ok || e.Unwrap() == nil {
			t.Fatalf("recovered %v, want an *EncodeError", e)
		}
	}()
	JSON[float64]().Append(nil, math.NaN())
}

func TestAllocs(t *testing.T) {
	buf := make([]byte, 0, 64)
	i, u, f := Int[int](), Uint[uint64](), Float[float64]()
	enc := []byte{0x80, 0x01}
	for name, fn := range map[string]func(){
		"Int.Append":    func() { i.Append(buf, -12345) },
		"Uint.Append":   func() { u.Append(buf, 12345) },
		"Float.Append":  func() { f.Append(buf, 1.5) },
		"Int.Decode":    func() { i.Decode(enc) },
		"Uint.Decode":   func() { u.Decode(enc) },
		"Float.Decode":  func() { f.Decode(buf[:8]) },
		"String.Append": func() { String[string]().Append(buf, "abc") },
	} {
		if n := testing.AllocsPerRun(100, fn); n != 0 {
			t.Errorf("%s: %v allocations, want 0", name, n)
		}
	}
}

// fuzzCanonical checks that Decode never panics and that what it accepts
// Append writes back byte for byte.
func fuzzCanonical[T any](f *testing.F, c Codec[T], seeds ...T) {
	for _, s := range seeds {
		f.Add(c.Append(nil, s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := c.Decode(b)
		if err != nil {
			return
		}
		if got := c.Append(nil, v); !bytes.Equal(got, b) {
			t.Fatalf("Append(Decode(%x)) = %x", b, got)
		}
	})
}

func FuzzInt(f *testing.F)    { fuzzCanonical(f, Int[int16](), 0, -1, 300, math.MinInt16) }
func FuzzUint(f *testing.F)   { fuzzCanonical(f, Uint[uint32](), 0, 127, 128, math.MaxUint32) }
func FuzzFloat(f *testing.F)  { fuzzCanonical(f, Float[float32](), 0, float32(math.Inf(-1)), 1.5) }
func FuzzString(f *testing.F) { fuzzCanonical(f, String[string](), "", "héllo", "\xff") }
func FuzzBytes(f *testing.F)  { fuzzCanonical(f, Bytes(), []byte{}, []byte{0, 1, 2}) }

func FuzzJSON(f *testing.F) {
	type doc struct {
		A int
		B []string
	}
	f.Add([]byte(`{"A":1,"B":["x"]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c := JSON[doc]()
		v, err := c.Decode(b)
		if err != nil {
			return
		}
		if w, err := c.Decode(c.Append(nil, v)); err != nil || !cmp.Equal(v, w) {
			t.Fatalf("JSON round trip of %+v: %+v, %v", v, w, err)
		}
	})
}
