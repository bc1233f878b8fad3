package cowslice

import (
	"fmt"
	"io"
	"reflect"
)

// Format implements fmt.Formatter: s prints exactly as fmt prints the []T
// it holds, with the verb and flags given, for every verb: [1 2 3] for %v,
// [    1     2] for %5d, [%!s(int=1)] for %s of a Slice[int], as for a
// []int. With %#v it prints the Go syntax of that slice, []int{1, 2, 3}; an
// empty Slice prints as an empty, non-nil []T does ([] and []int{}), as
// [Slice.MarshalJSON] writes one. A nil *Slice prints as <nil>, and with %#v
// as (*cowslice.Slice[int])(nil), the Go syntax of a nil pointer. fmt
// itself handles %T (the handle's type) and %p (the handle's address)
// without calling Format.
//
// Format reads a snapshot of s, as [Slice.All] does: it copies no element
// and leaves s as shared as it was.
func (s *Slice[T]) Format(f fmt.State, verb rune) {
	if s == nil {
		if verb == 'v' && f.Flag('#') {
			fmt.Fprintf(f, "(%v)(nil)", reflect.TypeFor[*Slice[T]]())
		} else {
			io.WriteString(f, "<nil>")
		}
		return
	}
	r := s.r.Share()
	defer r.Drop()
	fmt.Fprintf(f, fmt.FormatString(f, verb), plain(r.Data))
}
