package codec

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// Named types, to check that codecs take ~T and name T in their errors.
type (
	ID      int32
	Port    uint16
	Celsius float64
	Ratio   float32
	Name    string
)

// doc is a JSON value with nested slices and maps.
type doc struct {
	Name  string
	Tags  []string
	Count map[string]int
	Kids  []kid
	Blob  []byte
	Next  *kid
}

type kid struct {
	N    int64
	Seen map[string][]int
}

func equal[T comparable](a, b T) bool { return a == b }

func sameFloat64[T ~float64](a, b T) bool {
	return math.Float64bits(float64(a)) == math.Float64bits(float64(b))
}

func sameFloat32[T ~float32](a, b T) bool {
	return math.Float32bits(float32(a)) == math.Float32bits(float32(b))
}

// checkRoundTrip checks, for values from gen, that Append keeps the
// prefix it appends to, writes the same bytes with or without spare
// capacity, and that Decode gives the value back.
func checkRoundTrip[T any](t *testing.T, c Codec[T], gen *rapid.Generator[T], eq func(a, b T) bool) {
	t.Helper()
	rapid.Check(t, func(t *rapid.T) {
		v := gen.Draw(t, "v")
		prefix := rapid.SliceOfN(rapid.Byte(), 0, 8).Draw(t, "prefix")
		spare := rapid.IntRange(0, 16).Draw(t, "spare")
		b := append(make([]byte, 0, len(prefix)+spare), prefix...)
		want := c.Append(nil, v)
		b = c.Append(b, v)
		if !bytes.Equal(b[:len(prefix)], prefix) {
			t.Fatalf("Append(%x, %v) changed the prefix to %x", prefix, v, b[:len(prefix)])
		}
		if enc := b[len(prefix):]; !bytes.Equal(enc, want) {
			t.Fatalf("Append(%x, %v) appended %x, want %x as after nil", prefix, v, enc, want)
		}
		got, err := c.Decode(b[len(prefix):])
		if err != nil {
			t.Fatalf("Decode(%x) (Append of %v): %v", want, v, err)
		}
		if !eq(got, v) {
			t.Fatalf("Decode(%x) = %v, want %v", want, got, v)
		}
	})
}

// float64s draws any bits, with the special values often.
func float64s() *rapid.Generator[float64] {
	return rapid.OneOf(
		rapid.SampledFrom([]float64{
			0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
			math.Float64frombits(0x7ff0_0000_0000_0001), // a signaling NaN
			math.Float64frombits(0xfff8_dead_beef_0001), // a negative NaN with a payload
			math.SmallestNonzeroFloat64, -math.MaxFloat64,
		}),
		rapid.Map(rapid.Uint64(), math.Float64frombits),
	)
}

func float32s() *rapid.Generator[float32] {
	return rapid.OneOf(
		rapid.SampledFrom([]float32{
			0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
			math.Float32frombits(0x7f80_0001), // a signaling NaN
			math.Float32frombits(0xffc0_beef), // a negative NaN with a payload
			math.SmallestNonzeroFloat32, math.MaxFloat32,
		}),
		rapid.Map(rapid.Uint32(), math.Float32frombits),
	)
}

func docs() *rapid.Generator[doc] {
	kids := rapid.Custom(func(t *rapid.T) kid {
		return kid{
			N:    rapid.Int64().Draw(t, "n"),
			Seen: rapid.MapOfN(rapid.String(), rapid.SliceOf(rapid.Int()), 0, 3).Draw(t, "seen"),
		}
	})
	return rapid.Custom(func(t *rapid.T) doc {
		d := doc{
			Name:  rapid.String().Draw(t, "name"),
			Tags:  rapid.SliceOfN(rapid.String(), 0, 4).Draw(t, "tags"),
			Count: rapid.MapOfN(rapid.String(), rapid.Int(), 0, 4).Draw(t, "count"),
			Kids:  rapid.SliceOfN(kids, 0, 3).Draw(t, "kids"),
			Blob:  rapid.SliceOfN(rapid.Byte(), 0, 8).Draw(t, "blob"),
		}
		if rapid.Bool().Draw(t, "has next") {
			k := kids.Draw(t, "next")
			d.Next = &k
		}
		return d
	})
}

func TestRoundTrip(t *testing.T) {
	t.Run("Int[int8]", func(t *testing.T) { checkRoundTrip(t, Int[int8](), rapid.Int8(), equal) })
	t.Run("Int[int16]", func(t *testing.T) { checkRoundTrip(t, Int[int16](), rapid.Int16(), equal) })
	t.Run("Int[int32]", func(t *testing.T) { checkRoundTrip(t, Int[int32](), rapid.Int32(), equal) })
	t.Run("Int[int64]", func(t *testing.T) { checkRoundTrip(t, Int[int64](), rapid.Int64(), equal) })
	t.Run("Int[int]", func(t *testing.T) { checkRoundTrip(t, Int[int](), rapid.Int(), equal) })
	t.Run("Int[ID]", func(t *testing.T) {
		checkRoundTrip(t, Int[ID](), rapid.Map(rapid.Int32(), func(x int32) ID { return ID(x) }), equal)
	})
	t.Run("Uint[uint8]", func(t *testing.T) { checkRoundTrip(t, Uint[uint8](), rapid.Uint8(), equal) })
	t.Run("Uint[uint32]", func(t *testing.T) { checkRoundTrip(t, Uint[uint32](), rapid.Uint32(), equal) })
	t.Run("Uint[uint64]", func(t *testing.T) { checkRoundTrip(t, Uint[uint64](), rapid.Uint64(), equal) })
	t.Run("Uint[uint]", func(t *testing.T) { checkRoundTrip(t, Uint[uint](), rapid.Uint(), equal) })
	t.Run("Uint[uintptr]", func(t *testing.T) { checkRoundTrip(t, Uint[uintptr](), rapid.Uintptr(), equal) })
	t.Run("Uint[Port]", func(t *testing.T) {
		checkRoundTrip(t, Uint[Port](), rapid.Map(rapid.Uint16(), func(x uint16) Port { return Port(x) }), equal)
	})
	t.Run("Float[float32]", func(t *testing.T) { checkRoundTrip(t, Float[float32](), float32s(), sameFloat32) })
	t.Run("Float[float64]", func(t *testing.T) { checkRoundTrip(t, Float[float64](), float64s(), sameFloat64) })
	t.Run("Float[Ratio]", func(t *testing.T) {
		checkRoundTrip(t, Float[Ratio](), rapid.Map(float32s(), func(x float32) Ratio { return Ratio(x) }), sameFloat32)
	})
	t.Run("Float[Celsius]", func(t *testing.T) {
		checkRoundTrip(t, Float[Celsius](), rapid.Map(float64s(), func(x float64) Celsius { return Celsius(x) }), sameFloat64)
	})
	anyBytes := rapid.SliceOf(rapid.Byte()) // not only UTF-8
	t.Run("String[string]", func(t *testing.T) {
		checkRoundTrip(t, String[string](), rapid.Map(anyBytes, func(b []byte) string { return string(b) }), equal)
	})
	t.Run("String[Name]", func(t *testing.T) {
		checkRoundTrip(t, String[Name](), rapid.Map(anyBytes, func(b []byte) Name { return Name(b) }), equal)
	})
	t.Run("Bytes", func(t *testing.T) {
		checkRoundTrip(t, Bytes(), anyBytes, func(a, b []byte) bool { return bytes.Equal(a, b) && a != nil })
	})
	t.Run("JSON[doc]", func(t *testing.T) {
		checkRoundTrip(t, JSON[doc](), docs(), func(a, b doc) bool { return cmp.Equal(a, b) })
	})
}

// TestFormat pins the encodings down to encoding/binary's.
func TestFormat(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		i, u := rapid.Int64().Draw(t, "i"), rapid.Uint64().Draw(t, "u")
		if got, want := Int[int64]().Append(nil, i), binary.AppendVarint(nil, i); !bytes.Equal(got, want) {
			t.Fatalf("Int: Append(%d) = %x, want %x", i, got, want)
		}
		if got, want := Uint[uint64]().Append(nil, u), binary.AppendUvarint(nil, u); !bytes.Equal(got, want) {
			t.Fatalf("Uint: Append(%d) = %x, want %x", u, got, want)
		}
		f := math.Float64frombits(u)
		if got, want := Float[float64]().Append(nil, f), binary.LittleEndian.AppendUint64(nil, u); !bytes.Equal(got, want) {
			t.Fatalf("Float[float64]: Append(%#x bits) = %x, want %x", u, got, want)
		}
		g := math.Float32frombits(uint32(u))
		if got, want := Float[float32]().Append(nil, g), binary.LittleEndian.AppendUint32(nil, uint32(u)); !bytes.Equal(got, want) {
			t.Fatalf("Float[float32]: Append(%#x bits) = %x, want %x", uint32(u), got, want)
		}
	})
}

var encodingTests = []struct {
	name string
	got  []byte
	want string // hex
}{
	{"Int 0", Int[int]().Append(nil, 0), "00"},
	{"Int -1", Int[int8]().Append(nil, -1), "01"},
	{"Int 1", Int[int16]().Append(nil, 1), "02"},
	{"Int -64", Int[int32]().Append(nil, -64), "7f"},
	{"Int 64", Int[int64]().Append(nil, 64), "8001"},
	{"Int min int64", Int[int64]().Append(nil, math.MinInt64), "ffffffffffffffffff01"},
	{"Int[ID] 300", Int[ID]().Append(nil, 300), "d804"},
	{"Uint 127", Uint[uint8]().Append(nil, 127), "7f"},
	{"Uint 300", Uint[uint]().Append(nil, 300), "ac02"},
	{"Uint max uint64", Uint[uint64]().Append(nil, math.MaxUint64), "ffffffffffffffffff01"},
	{"Float[float32] 1", Float[float32]().Append(nil, 1), "0000803f"},
	{"Float[Ratio] -Inf", Float[Ratio]().Append(nil, Ratio(math.Inf(-1))), "000080ff"},
	{"Float[float64] -0", Float[float64]().Append(nil, math.Copysign(0, -1)), "0000000000000080"},
	{"Float[Celsius] 1.5", Float[Celsius]().Append(nil, 1.5), "000000000000f83f"},
	{"String", String[string]().Append(nil, "a\xff"), "61ff"},
	{"Bytes nil", Bytes().Append(nil, nil), ""},
	{"JSON", JSON[map[string]int]().Append(nil, map[string]int{"b": 2, "a": 1}), "7b2261223a312c2262223a327d"},
}

func TestEncoding(t *testing.T) {
	for _, tt := range encodingTests {
		if got := hex.EncodeToString(tt.got); got != tt.want {
			t.Errorf("%s: Append = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func dec[T any](c Codec[T]) func([]byte) error {
	return func(b []byte) error { _, err := c.Decode(b); return err }
}

var rejectTests = []struct {
	dec  func([]byte) error
	in   []byte
	want string // the error's message
}{
	{dec(Int[int]()), nil, "codec: Int[int]: empty input"},
	{dec(Int[int]()), []byte{0x80, 0x80}, "codec: Int[int]: truncated varint"},
	{dec(Int[int64]()), bytes.Repeat([]byte{0xff}, 10), "codec: Int[int64]: varint overflows 64 bits"},
	{dec(Int[int64]()), append(bytes.Repeat([]byte{0xff}, 9), 2), "codec: Int[int64]: varint overflows 64 bits"},
	{dec(Int[int64]()), bytes.Repeat([]byte{0x80}, 11), "codec: Int[int64]: varint overflows 64 bits"},
	{dec(Int[int64]()), bytes.Repeat([]byte{0x80}, 9), "codec: Int[int64]: truncated varint"},
	{dec(Int[int]()), []byte{2, 0}, "codec: Int[int]: varint ends at byte 1 of 2"},
	{dec(Int[int]()), []byte{0x82, 0x00}, "codec: Int[int]: overlong varint"},
	{dec(Int[int64]()), append(bytes.Repeat([]byte{0x80}, 9), 0), "codec: Int[int64]: overlong varint"},
	{dec(Int[int8]()), []byte{0xd8, 0x04}, "codec: Int[int8]: 300 out of range"},
	{dec(Int[int8]()), []byte{0x81, 0x02}, "codec: Int[int8]: -129 out of range"},
	{dec(Int[int16]()), binary.AppendVarint(nil, math.MaxInt16+1), "codec: Int[int16]: 32768 out of range"},
	{dec(Int[int32]()), binary.AppendVarint(nil, math.MinInt32-1), "codec: Int[int32]: -2147483649 out of range"},
	{dec(Int[ID]()), binary.AppendVarint(nil, math.MaxInt32+1), "codec: Int[codec.ID]: 2147483648 out of range"},
	{dec(Uint[uint]()), []byte{}, "codec: Uint[uint]: empty input"},
	{dec(Uint[uint]()), []byte{0xff}, "codec: Uint[uint]: truncated varint"},
	{dec(Uint[uint64]()), append(bytes.Repeat([]byte{0xff}, 9), 2), "codec: Uint[uint64]: varint overflows 64 bits"},
	{dec(Uint[uint]()), []byte{0x80, 0x00}, "codec: Uint[uint]: overlong varint"},
	{dec(Uint[uint]()), []byte{0x00, 0x00}, "codec: Uint[uint]: varint ends at byte 1 of 2"},
	{dec(Uint[uint8]()), []byte{0x80, 0x02}, "codec: Uint[uint8]: 256 out of range"},
	{dec(Uint[Port]()), binary.AppendUvarint(nil, 1<<16), "codec: Uint[codec.Port]: 65536 out of range"},
	{dec(Uint[uint32]()), binary.AppendUvarint(nil, 1<<32), "codec: Uint[uint32]: 4294967296 out of range"},
	{dec(Float[float64]()), make([]byte, 7), "codec: Float[float64]: length 7, want 8"},
	{dec(Float[float64]()), nil, "codec: Float[float64]: length 0, want 8"},
	{dec(Float[float32]()), make([]byte, 8), "codec: Float[float32]: length 8, want 4"},
	{dec(Float[Celsius]()), make([]byte, 4), "codec: Float[codec.Celsius]: length 4, want 8"},
	{dec(JSON[[]int]()), []byte("[1] x"), "codec: JSON[[]int]: invalid character 'x' after top-level value"},
	{dec(JSON[[]int]()), []byte("[1][2]"), "codec: JSON[[]int]: invalid character '[' after top-level value"},
	{dec(JSON[[]int]()), nil, "codec: JSON[[]int]: unexpected end of JSON input"},
	{dec(JSON[int]()), []byte(`"1"`), "codec: JSON[int]: json: cannot unmarshal string into Go value of type int"},
}

func TestDecodeRejects(t *testing.T) {
	for _, tt := range rejectTests {
		err := tt.dec(tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Decode(%x) = %v, want %s", tt.in, err, tt.want)
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("Decode(%x) = %v, want it to wrap ErrInvalid", tt.in, err)
		}
	}
	var syntax *json.SyntaxError
	if _, err := JSON[[]int]().Decode([]byte("[1] x")); !errors.As(err, &syntax) {
		t.Errorf("JSON: Decode of trailing garbage = %v, want it to wrap a *json.SyntaxError", err)
	}
}

// checkPrefixes checks that every proper prefix of an encoding, and the
// encoding with bytes after it, is an error wrapping ErrInvalid.
func checkPrefixes[T any](t *rapid.T, c Codec[T], v T) {
	enc := c.Append(nil, v)
	for i := range len(enc) {
		if _, err := c.Decode(enc[:i]); !errors.Is(err, ErrInvalid) {
			t.Fatalf("Decode(%x), a prefix of %x (%v) = %v, want ErrInvalid", enc[:i], enc, v, err)
		}
	}
	extra := rapid.SliceOfN(rapid.Byte(), 1, 3).Draw(t, "extra")
	if _, err := c.Decode(append(enc, extra...)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Decode(%x), %x (%v) and more = %v, want ErrInvalid", append(enc, extra...), enc, v, err)
	}
}

func TestPrefixesAndTrailingBytes(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		checkPrefixes(t, Int[int64](), rapid.Int64().Draw(t, "i64"))
		checkPrefixes(t, Int[int16](), rapid.Int16().Draw(t, "i16"))
		checkPrefixes(t, Uint[uint64](), rapid.Uint64().Draw(t, "u64"))
		checkPrefixes(t, Uint[uint8](), rapid.Uint8().Draw(t, "u8"))
		checkPrefixes(t, Float[float64](), float64s().Draw(t, "f64"))
		checkPrefixes(t, Float[float32](), float32s().Draw(t, "f32"))
	})
}

// overlong returns enc, a shortest varint, padded to n > len(enc) bytes:
// the same value, as binary.Uvarint reads it when n <= 10.
func overlong(enc []byte, n int) []byte {
	b := bytes.Clone(enc)
	b[len(b)-1] |= 0x80
	for len(b) < n-1 {
		b = append(b, 0x80)
	}
	return append(b, 0)
}

func TestOverlongRejected(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		u := rapid.Uint64().Draw(t, "u")
		enc := binary.AppendUvarint(nil, u)
		n := rapid.IntRange(len(enc)+1, 12).Draw(t, "n")
		b := overlong(enc, n)
		if x, m := binary.Uvarint(b); n <= binary.MaxVarintLen64 && (x != u || m != n) {
			t.Fatalf("overlong(%x, %d) = %x reads as %d in %d bytes, want %d in %d", enc, n, b, x, m, u, n)
		}
		if _, err := Uint[uint64]().Decode(b); !errors.Is(err, ErrInvalid) {
			t.Fatalf("Uint: Decode(%x), %d padded = %v, want ErrInvalid", b, u, err)
		}
		if _, err := Int[int64]().Decode(b); !errors.Is(err, ErrInvalid) {
			t.Fatalf("Int: Decode(%x), %d padded = %v, want ErrInvalid", b, int64(u>>1)^-int64(u&1), err)
		}
	})
}

// checkIntRange checks that Int[T] accepts the varint of x exactly when
// T holds x.
func checkIntRange[T ~int8 | ~int16 | ~int32 | ~int64 | ~int](t *rapid.T, lo, hi int64) {
	near := rapid.Int64Range(max(lo, math.MinInt64+2)-2, min(hi, math.MaxInt64-2)+2) // T's range and a little
	x := rapid.OneOf(rapid.Int64(), near).Draw(t, "x")
	v, err := Int[T]().Decode(binary.AppendVarint(nil, x))
	if fits := lo <= x && x <= hi; fits != (err == nil) || fits && int64(v) != x {
		t.Fatalf("Int: Decode of %d in [%d, %d] = %d, %v", x, lo, hi, v, err)
	}
	if err != nil && !errors.Is(err, ErrInvalid) {
		t.Fatalf("Int: Decode of %d: %v, want ErrInvalid", x, err)
	}
}

func checkUintRange[T ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uint](t *rapid.T, hi uint64) {
	near := rapid.Uint64Range(0, min(hi, math.MaxUint64-2)+2)
	x := rapid.OneOf(rapid.Uint64(), near).Draw(t, "x")
	v, err := Uint[T]().Decode(binary.AppendUvarint(nil, x))
	if fits := x <= hi; fits != (err == nil) || fits && uint64(v) != x {
		t.Fatalf("Uint: Decode of %d in [0, %d] = %d, %v", x, hi, v, err)
	}
	if err != nil && !errors.Is(err, ErrInvalid) {
		t.Fatalf("Uint: Decode of %d: %v, want ErrInvalid", x, err)
	}
}

func TestRange(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		checkIntRange[int8](t, math.MinInt8, math.MaxInt8)
		checkIntRange[int16](t, math.MinInt16, math.MaxInt16)
		checkIntRange[ID](t, math.MinInt32, math.MaxInt32)
		checkIntRange[int64](t, math.MinInt64, math.MaxInt64)
		checkUintRange[uint8](t, math.MaxUint8)
		checkUintRange[Port](t, math.MaxUint16)
		checkUintRange[uint32](t, math.MaxUint32)
		checkUintRange[uint64](t, math.MaxUint64)
	})
}

func TestFloatLength(t *testing.T) {
	for n := range 17 {
		b := make([]byte, n)
		if _, err := Float[float32]().Decode(b); (err == nil) != (n == 4) || err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("Float[float32]: Decode of %d bytes: %v", n, err)
		}
		if _, err := Float[float64]().Decode(b); (err == nil) != (n == 8) || err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("Float[float64]: Decode of %d bytes: %v", n, err)
		}
	}
}

// clobber overwrites b, as a caller reusing its buffer does.
func clobber(b []byte) {
	for i := range b {
		b[i] = ^b[i]
	}
}

func TestDecodeDoesNotRetain(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := rapid.SliceOf(rapid.Byte()).Draw(t, "in")
		b := bytes.Clone(in)
		s, _ := String[string]().Decode(b)
		p, _ := Bytes().Decode(b)
		clobber(b)
		if s != string(in) {
			t.Fatalf("String: Decode(%x) = %x after its input changed", in, s)
		}
		if !bytes.Equal(p, in) {
			t.Fatalf("Bytes: Decode(%x) = %x after its input changed", in, p)
		}
		copy(b, in)
		if clobber(p); !bytes.Equal(b, in) {
			t.Fatalf("Bytes: writing to Decode's result changed its input to %x", b)
		}

		d := docs().Draw(t, "doc")
		b = JSON[doc]().Append(nil, d)
		got, err := JSON[doc]().Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		clobber(b)
		if diff := cmp.Diff(d, got); diff != "" {
			t.Fatalf("JSON: Decode's result changed with its input (-want +got):\n%s", diff)
		}
	})

	// A json.RawMessage keeps bytes of its input, so encoding/json copies.
	b := []byte(`{"a":[1,2]}`)
	raw, err := JSON[map[string]json.RawMessage]().Decode(b)
	clobber(b)
	if err != nil || string(raw["a"]) != "[1,2]" {
		t.Fatalf("JSON: Decode into a json.RawMessage = %q, %v after its input changed", raw["a"], err)
	}
}

func TestBytesNilAndEmpty(t *testing.T) {
	for _, in := range [][]byte{nil, {}, make([]byte, 0, 8)} {
		got, err := Bytes().Decode(in)
		if err != nil || got == nil || len(got) != 0 {
			t.Errorf("Bytes().Decode(%#v) = %#v, %v, want an empty non-nil slice", in, got, err)
		}
	}
	if got := Bytes().Append(nil, nil); len(got) != 0 {
		t.Errorf("Bytes().Append(nil, nil) = %x, want no bytes", got)
	}
}

var encodeErrorTests = []struct {
	name string
	f    func()
	want string
	as   any // a pointer to the encoding/json error EncodeError wraps
}{
	{"NaN", func() { JSON[float64]().Append(nil, math.NaN()) },
		"codec: JSON[float64]: json: unsupported value: NaN", new(*json.UnsupportedValueError)},
	{"channel", func() { JSON[any]().Append([]byte("x"), make(chan int)) },
		"codec: JSON[interface {}]: json: unsupported type: chan int", new(*json.UnsupportedTypeError)},
	{"nested func", func() { JSON[[]any]().Append(nil, []any{1, func() {}}) },
		"codec: JSON[[]interface {}]: json: unsupported type: func()", new(*json.UnsupportedTypeError)},
}

func TestJSONAppendPanicsWithEncodeError(t *testing.T) {
	for _, tt := range encodeErrorTests {
		err := func() (err error) {
			defer func() {
				if e, ok := recover().(*EncodeError); ok {
					err = e
				}
			}()
			tt.f()
			return nil
		}()
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: recovered %v, want an *EncodeError %q", tt.name, err, tt.want)
			continue
		}
		if !errors.As(err, tt.as) {
			t.Errorf("%s: %v does not wrap a %T", tt.name, err, tt.as)
		}
	}
	if got := (&EncodeError{}).Error(); got != "codec: cannot encode" {
		t.Errorf("EncodeError{}.Error() = %q", got)
	}
}

func TestAllocs(t *testing.T) {
	buf := make([]byte, 0, 64)
	i, u := Int[int64](), Uint[uint64]()
	f, g := Float[float64](), Float[float32]()
	s, p := String[string](), Bytes()
	ienc, uenc := i.Append(nil, math.MinInt64), u.Append(nil, math.MaxUint64)
	fenc, genc := f.Append(nil, math.Pi), g.Append(nil, math.Pi)
	bs := []byte("abc")
	for _, tt := range []struct {
		name string
		f    func()
	}{
		{"Int.Append", func() { i.Append(buf, math.MinInt64) }},
		{"Uint.Append", func() { u.Append(buf, math.MaxUint64) }},
		{"Float[float64].Append", func() { f.Append(buf, math.Pi) }},
		{"Float[float32].Append", func() { g.Append(buf, math.Pi) }},
		{"String.Append", func() { s.Append(buf, "abc") }},
		{"Bytes.Append", func() { p.Append(buf, bs) }},
		{"Int.Decode", func() { i.Decode(ienc) }},
		{"Uint.Decode", func() { u.Decode(uenc) }},
		{"Float[float64].Decode", func() { f.Decode(fenc) }},
		{"Float[float32].Decode", func() { g.Decode(genc) }},
		{"String.Decode of no bytes", func() { s.Decode(nil) }},
	} {
		if n := testing.AllocsPerRun(100, tt.f); n != 0 {
			t.Errorf("%s: %v allocations, want 0", tt.name, n)
		}
	}
}

// canonical decodes b with c, and checks that an error wraps ErrInvalid
// and that a value Append writes back as b.
func canonical[T any](t *testing.T, c Codec[T], b []byte) (T, bool) {
	t.Helper()
	v, err := c.Decode(b)
	if err != nil {
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("Decode(%x) = %v, want it to wrap ErrInvalid", b, err)
		}
		return v, false
	}
	if got := c.Append(nil, v); !bytes.Equal(got, b) {
		t.Fatalf("Append(Decode(%x)) = %x", b, got)
	}
	return v, true
}

// narrowInt checks that Int[T] accepts b exactly when Int[int64] does
// with a value that fits T, and then decodes the same value.
func narrowInt[T ~int8 | ~int16 | ~int32 | ~int](t *testing.T, b []byte, wide int64, ok bool) {
	t.Helper()
	v, got := canonical(t, Int[T](), b)
	if want := ok && int64(T(wide)) == wide; got != want || got && int64(v) != wide {
		t.Fatalf("Int: Decode(%x) = %d, %v; as an int64: %d, %v", b, v, got, wide, ok)
	}
}

func narrowUint[T ~uint8 | ~uint16 | ~uint32 | ~uint | ~uintptr](t *testing.T, b []byte, wide uint64, ok bool) {
	t.Helper()
	v, got := canonical(t, Uint[T](), b)
	if want := ok && uint64(T(wide)) == wide; got != want || got && uint64(v) != wide {
		t.Fatalf("Uint: Decode(%x) = %d, %v; as a uint64: %d, %v", b, v, got, wide, ok)
	}
}

func FuzzInt(f *testing.F) {
	for _, x := range []int64{0, -1, 1, -64, 64, 127, -129, 300, math.MinInt16, math.MaxInt32, math.MinInt64, math.MaxInt64} {
		f.Add(binary.AppendVarint(nil, x))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		wide, ok := canonical(t, Int[int64](), b)
		narrowInt[int8](t, b, wide, ok)
		narrowInt[int16](t, b, wide, ok)
		narrowInt[ID](t, b, wide, ok)
		narrowInt[int](t, b, wide, ok)
	})
}

func FuzzUint(f *testing.F) {
	for _, x := range []uint64{0, 127, 128, 255, 256, math.MaxUint16, math.MaxUint32 + 1, math.MaxUint64} {
		f.Add(binary.AppendUvarint(nil, x))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		wide, ok := canonical(t, Uint[uint64](), b)
		narrowUint[uint8](t, b, wide, ok)
		narrowUint[Port](t, b, wide, ok)
		narrowUint[uint32](t, b, wide, ok)
		narrowUint[uintptr](t, b, wide, ok)
	})
}

func FuzzFloat(f *testing.F) {
	for _, x := range []float64{0, math.Copysign(0, -1), 1.5, math.Inf(-1), math.Float64frombits(0x7ff0_0000_0000_0001)} {
		f.Add(Float[float64]().Append(nil, x))
		f.Add(Float[float32]().Append(nil, float32(x)))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, ok64 := canonical(t, Float[float64](), b)
		_, ok32 := canonical(t, Float[float32](), b)
		canonical(t, Float[Celsius](), b)
		canonical(t, Float[Ratio](), b)
		if ok64 != (len(b) == 8) || ok32 != (len(b) == 4) {
			t.Fatalf("Decode(%x): float64 %v, float32 %v", b, ok64, ok32)
		}
	})
}

func FuzzString(f *testing.F) {
	for _, s := range []string{"", "héllo", "\xff\xfe", "\x00"} {
		f.Add(String[string]().Append(nil, s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, ok := canonical(t, String[string](), b); !ok {
			t.Fatalf("String: Decode(%x) failed", b)
		}
		canonical(t, String[Name](), b)
	})
}

func FuzzBytes(f *testing.F) {
	for _, p := range [][]byte{nil, {0}, {0, 1, 0xff}} {
		f.Add(Bytes().Append(nil, p))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if v, ok := canonical(t, Bytes(), b); !ok || v == nil {
			t.Fatalf("Bytes: Decode(%x) = %#v, %v", b, v, ok)
		}
	})
}

// FuzzJSON checks that Decode never panics, and that what it accepts
// Append writes in a form that decodes to the same value and encodes to
// the same bytes again.
func FuzzJSON(f *testing.F) {
	c := JSON[doc]()
	f.Add(c.Append(nil, doc{}))
	f.Add(c.Append(nil, doc{Name: "a", Tags: []string{"x", ""}, Count: map[string]int{"k": -1},
		Kids: []kid{{N: 7, Seen: map[string][]int{"s": {1, 2}}}}, Blob: []byte{0, 0xff}, Next: &kid{}}))
	f.Add([]byte(`null`))
	f.Add([]byte(` {"name":"\u00e9", "Tags":null} `))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := c.Decode(b)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Decode(%q) = %v, want it to wrap ErrInvalid", b, err)
			}
			return
		}
		enc := c.Append(nil, v)
		w, err := c.Decode(enc)
		if err != nil {
			t.Fatalf("Decode(%q) (Append of Decode(%q)): %v", enc, b, err)
		}
		if diff := cmp.Diff(v, w); diff != "" {
			t.Fatalf("Decode(%q), re-encoded as %q (-first +second):\n%s", b, enc, diff)
		}
		if again := c.Append(nil, w); !bytes.Equal(again, enc) {
			t.Fatalf("Append of Decode(%q) = %q, want %q", enc, again, enc)
		}
	})
}
