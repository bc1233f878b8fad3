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

// Codec encodes and decodes values of type T; see the package doc for
// the contract. The zero Codec has nil functions, and Send and Receive
// panic on it.
type Codec[T any] struct {
	Append func(b []byte, v T) []byte
	Decode func(b []byte) (T, error)
}

// ErrInvalid is wrapped by the errors of Int, Uint and Float's Decode.
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

// EncodeError is what JSON's Append panics with when encoding/json
// cannot encode a value (a channel, a NaN); btree's and pagearena's Send
// recover exactly this type and return it as their error.
type EncodeError struct{ Err error }

func (e *EncodeError) Error() string { return "codec: " + e.Err.Error() }
func (e *EncodeError) Unwrap() error { return e.Err }

func invalid(name string, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalid, name, fmt.Sprintf(format, args...))
}

// Int returns a codec for a signed integer type: a zigzag varint, 1 to
// 10 bytes.
func Int[T ~int | ~int8 | ~int16 | ~int32 | ~int64]() Codec[T] {
	name := "Int[" + reflect.TypeFor[T]().String() + "]"
	return Codec[T]{
		Append: func(b []byte, v T) []byte { return binary.AppendVarint(b, int64(v)) },
		Decode: func(b []byte) (T, error) {
			x, n := binary.Varint(b)
			switch {
			case n <= 0 || n != len(b):
				return 0, invalid(name, "not one varint in %d bytes", len(b))
			case n > 1 && b[n-1] == 0: // a shortest varint never ends in 0x00

				return 0, invalid(name, "overlong varint")
			case int64(T(x)) != x:
				return 0, invalid(name, "%d out of range", x)
			}
			return T(x), nil
		},
	}
}

// Uint returns a codec for an unsigned integer type: a varint, 1 to 10
// bytes.
func Uint[T ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr]() Codec[T] {
	name := "Uint[" + reflect.TypeFor[T]().String() + "]"
	return Codec[T]{
		Append: func(b []byte, v T) []byte { return binary.AppendUvarint(b, uint64(v)) },
		Decode: func(b []byte) (T, error) {
			x, n := binary.Uvarint(b)
			switch {
			case n <= 0 || n != len(b):
				return 0, invalid(name, "not one varint in %d bytes", len(b))
			case n > 1 && b[n-1] == 0:
				return 0, invalid(name, "overlong varint")
			case uint64(T(x)) != x:
				return 0, invalid(name, "%d out of range", x)
			}
			return T(x), nil
		},
	}
}

// Float returns a codec for a floating-point type: its IEEE 754 bits,
// little-endian, 4 bytes for a float32 type and 8 for a float64 one.
func Float[T ~float32 | ~float64]() Codec[T] {
	var zero T
	if unsafe.Sizeof(zero) == 4 {
		name := "Float[" + reflect.TypeFor[T]().String() + "]"
		return Codec[T]{
			Append: func(b []byte, v T) []byte { return binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(v))) },
			Decode: func(b []byte) (T, error) {
				if len(b) != 4 {
					return 0, invalid(name, "%d bytes, want 4", len(b))
				}
				return T(math.Float32frombits(binary.LittleEndian.Uint32(b))), nil
			},
		}
	}
	name := "Float[" + reflect.TypeFor[T]().String() + "]"
	return Codec[T]{
		Append: func(b []byte, v T) []byte { return binary.LittleEndian.AppendUint64(b, math.Float64bits(float64(v))) },
		Decode: func(b []byte) (T, error) {
			if len(b) != 8 {
				return 0, invalid(name, "%d bytes, want 8", len(b))
			}
			return T(math.Float64frombits(binary.LittleEndian.Uint64(b))), nil
		},
	}
}

// String returns a codec for a string type: its bytes, whatever they are
// (not only UTF-8). Decode copies them into a new string.
func String[T ~string]() Codec[T] {
	return Codec[T]{
		Append: func(b []byte, v T) []byte { return append(b, v...) },
		Decode: func(b []byte) (T, error) { return T(b), nil },
	}
}

// Bytes returns a codec for byte slices: the bytes as they are. Decode
// returns a fresh copy; nil and empty slices both decode as an empty,
// non-nil slice, so a stream does not tell them apart.
func Bytes() Codec[[]byte] {
	return Codec[[]byte]{
		Append: func(b []byte, v []byte) []byte { return append(b, v...) },
		Decode: func(b []byte) ([]byte, error) { return append([]byte{}, b...), nil },
	}
}

// JSON returns a codec that writes what json.Marshal writes and reads it
// back with json.Unmarshal into a new T. A value json.Marshal rejects
// makes Append panic with an *EncodeError (see there).
func JSON[T any]() Codec[T] {
	return Codec[T]{
		Append: func(b []byte, v T) []byte {
			j, err := json.Marshal(v)
			if err != nil {
				panic(&EncodeError{err})
			}
			return append(b, j...)
		},
		Decode: func(b []byte) (T, error) {
			var v T
			if err := json.Unmarshal(b, &v); err != nil {
				var zero T
				return zero, fmt.Errorf("codec: JSON[%v]: %w", reflect.TypeFor[T](), err)
			}
			return v, nil
		},
	}
}
