package codec

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"unsafe"

	"github.com/cowkit/cowkit/internal/stream"
)

// Codec encodes values of type T as bytes and decodes them back; the
// package doc gives the contract both functions keep. A Codec is two
// function values: b := a shares them, and the zero Codec, with nil
// functions, is not usable (btree's Map.Send and Map.Receive panic on it).
// The codecs this package returns hold no state and are safe for
// concurrent use.
type Codec[T any] struct {
	// Append appends the encoding of v to b and returns the extended slice.
	Append func(b []byte, v T) []byte
	// Decode returns the value whose encoding is exactly b, or an error.
	Decode func(b []byte) (T, error)
}

// ErrInvalid is wrapped by every error the Decode of a codec from this
// package returns: input its Append could not have written.
var ErrInvalid = errors.New("codec: invalid encoding")

// Stream errors, as btree's and pagearena's Receive return them (wrapped:
// match them with errors.Is).
var (
	// ErrCorrupt reports a stream that Send did not write: a bad magic
	// number or checksum, a truncation, a record or value that does not
	// decode, counts that do not add up.
	ErrCorrupt = stream.ErrCorrupt
	// ErrBase reports an incremental stream given to a receiver that does
	// not hold the snapshot the stream was sent against, or a Send against
	// a base that was never sent or received.
	ErrBase = stream.ErrBase
	// ErrMismatch reports a stream of another kind or format version than
	// the receiver, or, for an arena, of another page size or size.
	ErrMismatch = stream.ErrMismatch
)

// EncodeError is what an Append panics with when it cannot encode a value:
// JSON's does when json.Marshal fails (a channel, a NaN), and a Codec of
// your own may do the same. btree's Map.Send recovers exactly this type
// (a pointer to it) and returns it as its error; any other panic goes on.
// (pagearena's Arena.Send takes no codec: its pages are bytes.)
type EncodeError struct {
	Err error // why the value cannot be encoded
}

// Error returns "codec: " and e.Err's message.
func (e *EncodeError) Error() string {
	if e.Err == nil {
		return "codec: cannot encode"
	}
	return "codec: " + e.Err.Error()
}

// Unwrap returns e.Err.
func (e *EncodeError) Unwrap() error { return e.Err }

// decodeError is the error of a Decode here: "codec: Int[int8]: 300 out
// of range". It wraps ErrInvalid and, for JSON, encoding/json's error.
type decodeError struct {
	codec string // "Int[int8]"
	why   string
	err   error // encoding/json's, or nil
}

func (e *decodeError) Error() string { return "codec: " + e.codec + ": " + e.why }

func (e *decodeError) Unwrap() []error {
	if e.err == nil {
		return []error{ErrInvalid}
	}
	return []error{ErrInvalid, e.err}
}

func invalid(codec, format string, args ...any) error {
	return &decodeError{codec: codec, why: fmt.Sprintf(format, args...)}
}

// name is how errors name a codec: "Int[int8]", "Float[main.Celsius]".
func name[T any](codec string) string {
	return codec + "[" + reflect.TypeFor[T]().String() + "]"
}

// checkVarint returns nil if b is exactly one varint in its shortest
// form, given the n that binary.Varint or binary.Uvarint returned for b,
// and otherwise an error that says why not.
func checkVarint(codec string, b []byte, n int) error {
	switch {
	case len(b) == 0:
		return invalid(codec, "empty input")
	case n == 0 && len(b) < binary.MaxVarintLen64:
		return invalid(codec, "truncated varint")
	case n <= 0: // n == 0 here: 10 bytes, each saying that more follow
		return invalid(codec, "varint overflows 64 bits")
	case n < len(b):
		return invalid(codec, "varint ends at byte %d of %d", n, len(b))
	case n > 1 && b[n-1] == 0:
		// A shortest varint never ends in a zero byte, which would add
		// nothing but a 7-bit group of zeros above the others.
		return invalid(codec, "overlong varint")
	}
	return nil
}

// Int returns a codec for a signed integer type: a zigzag varint, as
// binary.AppendVarint writes it, 1 byte for -64 to 63 and at most 10.
// Decode accepts only the shortest encoding of a value that fits T.
func Int[T ~int | ~int8 | ~int16 | ~int32 | ~int64]() Codec[T] {
	codec := name[T]("Int")
	return Codec[T]{
		Append: func(b []byte, v T) []byte { return binary.AppendVarint(b, int64(v)) },
		Decode: func(b []byte) (T, error) {
			x, n := binary.Varint(b)
			if err := checkVarint(codec, b, n); err != nil {
				return 0, err
			}
			if int64(T(x)) != x {
				return 0, invalid(codec, "%d out of range", x)
			}
			return T(x), nil
		},
	}
}

// Uint returns a codec for an unsigned integer type: a varint, as
// binary.AppendUvarint writes it, 1 byte below 128 and at most 10.
// Decode accepts only the shortest encoding of a value that fits T.
func Uint[T ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr]() Codec[T] {
	codec := name[T]("Uint")
	return Codec[T]{
		Append: func(b []byte, v T) []byte { return binary.AppendUvarint(b, uint64(v)) },
		Decode: func(b []byte) (T, error) {
			x, n := binary.Uvarint(b)
			if err := checkVarint(codec, b, n); err != nil {
				return 0, err
			}
			if uint64(T(x)) != x {
				return 0, invalid(codec, "%d out of range", x)
			}
			return T(x), nil
		},
	}
}

// Float returns a codec for a floating-point type: its IEEE 754 bits,
// little-endian, 4 bytes for a float32 type and 8 for a float64 one.
// Every value round-trips bit for bit: -0, the infinities, and NaNs with
// their sign and payload. Decode accepts exactly 4 bytes for a float32
// type and exactly 8 for a float64 one.
func Float[T ~float32 | ~float64]() Codec[T] {
	codec := name[T]("Float")
	var zero T
	if unsafe.Sizeof(zero) == 4 {
		return Codec[T]{
			Append: func(b []byte, v T) []byte {
				return binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(v)))
			},
			Decode: func(b []byte) (T, error) {
				if len(b) != 4 {
					return 0, invalid(codec, "length %d, want 4", len(b))
				}
				return T(math.Float32frombits(binary.LittleEndian.Uint32(b))), nil
			},
		}
	}
	return Codec[T]{
		Append: func(b []byte, v T) []byte {
			return binary.LittleEndian.AppendUint64(b, math.Float64bits(float64(v)))
		},
		Decode: func(b []byte) (T, error) {
			if len(b) != 8 {
				return 0, invalid(codec, "length %d, want 8", len(b))
			}
			return T(math.Float64frombits(binary.LittleEndian.Uint64(b))), nil
		},
	}
}

// String returns a codec for a string type: its bytes as they are, any
// bytes, not only UTF-8. Decode accepts any input and copies it into a new
// string (no allocation for an empty one).
func String[T ~string]() Codec[T] {
	return Codec[T]{
		Append: func(b []byte, v T) []byte { return append(b, v...) },
		Decode: func(b []byte) (T, error) { return T(b), nil },
	}
}

// Bytes returns a codec for byte slices: the bytes as they are. Decode
// accepts any input and returns a fresh copy, never nil: a nil and an
// empty slice both encode as no bytes, and decode as an empty, non-nil
// slice.
func Bytes() Codec[[]byte] {
	return Codec[[]byte]{
		Append: func(b []byte, v []byte) []byte { return append(b, v...) },
		Decode: func(b []byte) ([]byte, error) { return append([]byte{}, b...), nil },
	}
}

// JSON returns a codec that appends what json.Marshal writes and decodes
// with json.Unmarshal into a new T; both allocate as encoding/json does.
// Append panics with an *EncodeError if json.Marshal fails (a channel, a
// NaN). Decode's errors wrap ErrInvalid and encoding/json's error;
// json.Unmarshal rejects trailing bytes but, unlike the other codecs here,
// accepts encodings Append would not write (spaces, fields in another
// order), so Append(Decode(b)) need not equal b.
func JSON[T any]() Codec[T] {
	codec := name[T]("JSON")
	return Codec[T]{
		Append: func(b []byte, v T) []byte {
			j, err := json.Marshal(v)
			if err != nil {
				panic(&EncodeError{fmt.Errorf("%s: %w", codec, err)})
			}
			return append(b, j...)
		},
		Decode: func(b []byte) (T, error) {
			var v T
			if err := json.Unmarshal(b, &v); err != nil {
				var zero T
				return zero, &decodeError{codec: codec, why: err.Error(), err: err}
			}
			return v, nil
		},
	}
}
