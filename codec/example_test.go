package codec_test

import (
	"errors"
	"fmt"

	"github.com/cowkit/cowkit/codec"
)

// Point is the value the example's Codec encodes.
type Point struct{ X, Y int32 }

// coord encodes one coordinate of a Point.
var coord = codec.Int[int32]()

// pointCodec encodes a Point as X's encoding, then Y's, each by coord.
// coord's Decode takes exactly one encoding, so Append writes X's length
// in a byte before it (1 to 5: an int32 varint is at most 5 bytes); Y's
// encoding is what remains. A Codec of any two codecs composes this way.
func pointCodec() codec.Codec[Point] {
	return codec.Codec[Point]{Append: appendPoint, Decode: decodePoint}
}

func appendPoint(b []byte, p Point) []byte {
	at := len(b)
	b = coord.Append(append(b, 0), p.X)
	b[at] = byte(len(b) - at - 1)
	return coord.Append(b, p.Y)
}

// decodePoint accepts only what appendPoint writes: coord accepts only
// the shortest encoding, so a length byte that Append would not have
// written leaves X's or Y's bytes wrong and one Decode fails.
func decodePoint(b []byte) (Point, error) {
	if len(b) == 0 || int(b[0]) >= len(b) {
		return Point{}, fmt.Errorf("point: %w: no room for X", codec.ErrInvalid)
	}
	end := 1 + int(b[0])
	x, err := coord.Decode(b[1:end])
	if err != nil {
		return Point{}, fmt.Errorf("point: X: %w", err)
	}
	y, err := coord.Decode(b[end:])
	if err != nil {
		return Point{}, fmt.Errorf("point: Y: %w", err)
	}
	return Point{x, y}, nil
}

// A Codec for a struct, made of Int's Append and Decode.
func ExampleCodec() {
	c := pointCodec()
	b := c.Append(nil, Point{X: 3, Y: -300})
	fmt.Printf("% x\n", b)

	p, err := c.Decode(b)
	fmt.Println(p, err)

	_, err = c.Decode(b[:len(b)-1]) // a cut stream
	fmt.Println(err)
	fmt.Println(errors.Is(err, codec.ErrInvalid))
	// Output:
	// 01 06 d7 04
	// {3 -300} <nil>
	// point: Y: codec: Int[int32]: truncated varint
	// true
}
