package codec_test

import (
	"bytes"
	"testing"
)

// FuzzPointCodec checks the example's claim: its Decode never panics and
// accepts only what its Append writes.
func FuzzPointCodec(f *testing.F) {
	c := pointCodec()
	for _, p := range []Point{{}, {3, -300}, {-1 << 31, 1<<31 - 1}} {
		f.Add(c.Append(nil, p))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := c.Decode(b)
		if err != nil {
			return
		}
		if got := c.Append(nil, p); !bytes.Equal(got, b) {
			t.Fatalf("Append(Decode(%x)) = %x", b, got)
		}
	})
}
