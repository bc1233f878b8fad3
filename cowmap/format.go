package cowmap

import (
	"fmt"
	"io"
	"reflect"
)

// Format implements fmt.Formatter: m prints exactly as fmt prints the
// map[K]V it holds, with the verb and flags given, for every verb:
// map[a:1 b:2] for %v, keys sorted as fmt sorts them, and %d, %x, %q, a
// width and so on applied to every key and value, as for a Go map. With
// %#v it prints the Go syntax of that map, map[string]int{"a":1, "b":2};
// an empty Map prints as an empty, non-nil Go map does (map[] and
// map[string]int{}), as [Map.MarshalJSON] writes one. A nil *Map prints as
// <nil>, and with %#v as (*cowmap.Map[string,int])(nil), the Go syntax of a
// nil pointer. fmt itself handles %T (the handle's type) and %p (the
// handle's address) without calling Format.
//
// Format hands fmt the Go map m holds, from a snapshot of m, as [Map.All]
// takes one: it copies no entry and leaves m as shared as it was.
func (m *Map[K, V]) Format(f fmt.State, verb rune) {
	if m == nil {
		if verb == 'v' && f.Flag('#') {
			fmt.Fprintf(f, "(%v)(nil)", reflect.TypeFor[*Map[K, V]]())
		} else {
			io.WriteString(f, "<nil>")
		}
		return
	}
	r := m.r.Share()
	defer r.Drop()
	fmt.Fprintf(f, fmt.FormatString(f, verb), plain(r.Data))
}
