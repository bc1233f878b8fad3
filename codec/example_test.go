package codec_test

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cowkit/cowkit/codec"
)

type Point struct{ X, Y int32 }

// A codec for a struct, from Int's varints: each field's varint after the
// other, and Decode checks that they fill the input exactly.
func pointCodec() codec.Codec[Point] {
	return codec.Codec[Point]{
		Append: func(b []byte, p Point) []byte {
			return binary.AppendVarint(binary.AppendVarint(b, int64(p.X)), int64(p.Y))
		},
		Decode: func(b []byte) (Point, error) {
			x, n := binary.Varint(b)
			if n <= 0 {
				return Point{}, errors.New("point: bad X")
			}
			y, m := binary.Varint(b[n:])
			if m <= 0 || n+m != len(b) || int64(int32(x)) != x || int64(int32(y)) != y {
				return Point{}, errors.New("point: bad Y")
			}
			return Point{int32(x), int32(y)}, nil
		},
	}
}

func Example() {
	c := pointCodec()
	b := c.Append(nil, Point{3, -4})
	p, err := c.Decode(b)
	fmt.Println(len(b), p, err)
	_, err = c.Decode(b[:1])
	fmt.Println(err)
	// Output:
	// 2 {3 -4} <nil>
	// point: bad Y
}
