package rope

import (
	"fmt"
	"io"
	"reflect"
)

// Format implements fmt.Formatter: r prints exactly as fmt prints the []T
// it holds, with the verb and flags given ([1 2 3] for %v; %s of a
// Rope[byte] prints the text, as for a []byte), and an empty Rope as an
// empty, non-nil []T. A nil *Rope prints as <nil>. Format copies the
// elements into a []T to hand to fmt, so it costs O(n) time and memory;
// use [Rope.WriteTo] or [Rope.Chunks] to output a large text.
func (r *Rope[T]) Format(f fmt.State, verb rune) {
	if r == nil {
		if verb == 'v' && f.Flag('#') {
			fmt.Fprintf(f, "(%v)(nil)", reflect.TypeFor[*Rope[T]]())
		} else {
			io.WriteString(f, "<nil>")
		}
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), r.plain())
}

// plain returns a copy of r's elements as a non-nil []T.
func (r *Rope[T]) plain() []T {
	d := make([]T, r.n)
	if r.root != nil {
		copyFrom(r.root, 0, d)
	}
	return d
}
