package btree

import (
	"fmt"
	"io"
	"reflect"
	"strings"
)

// Format implements fmt.Formatter: m prints as fmt prints a Go map holding
// its entries, map[k1:v1 k2:v2], but in m's key order, with each key and
// value formatted with the verb and flags given, as fmt formats the
// elements of a map: fmt.Sprintf("%d", m) is map[1:10 2:20], and %+v, %s,
// %x, a width and so on apply to every key and value. A pointer key or
// value prints as inside a Go map, as an address (fmt follows a pointer to
// a struct only at the top level), so a struct value that points back to
// its map prints once, not forever. With %#v, m prints as the Go
// syntax of a Go map with its entries, map[string]int{"a":1, "b":2}: code
// that builds a plain map with them, for the key and value types in
// scope. A nil *Map prints as <nil>, and with %#v as
// (*btree.Map[string,int])(nil). fmt itself handles %T (the handle's type)
// and %p (its address) without calling Format.
//
// Format reads a snapshot of m, as [Map.All] does: it copies no node, and
// allocates a few small objects per key and value to format them.
func (m *Map[K, V]) Format(f fmt.State, verb rune) {
	sharp := verb == 'v' && f.Flag('#')
	if m == nil {
		if sharp {
			fmt.Fprintf(f, "(%v)(nil)", reflect.TypeFor[*Map[K, V]]())
		} else {
			io.WriteString(f, "<nil>")
		}
		return
	}
	kt, vt := reflect.TypeFor[K](), reflect.TypeFor[V]()
	format := fmt.FormatString(f, verb)
	sep := " "
	if sharp {
		fmt.Fprintf(f, "map[%v]%v{", kt, vt)
		sep = ", "
	} else {
		io.WriteString(f, "map[")
	}
	first := true
	for k, v := range m.All() {
		if !first {
			io.WriteString(f, sep)
		}
		first = false
		formatElem(f, verb, format, sharp, any(k), kt)
		io.WriteString(f, ":")
		formatElem(f, verb, format, sharp, any(v), vt)
	}
	if sharp {
		io.WriteString(f, "}")
	} else {
		io.WriteString(f, "]")
	}
}

// formatElem prints x, a key or value of type t, as fmt prints an element
// of a Go map: below the top level, where fmt follows no pointer (it
// prints a pointer to a struct as an address, not as &{...}) and calls a
// method of x only for the verbs it calls it for at the top level. fmt
// treats the element of an array the same way, so formatElem prints x as
// the one element of an array and cuts off the array's brackets.
func formatElem(f fmt.State, verb rune, format string, sharp bool, x any, t reflect.Type) {
	if x == nil { // a nil interface: fmt names its static type for %#v
		if sharp {
			io.WriteString(f, t.String()+"(nil)")
		} else {
			io.WriteString(f, "<nil>")
		}
		return
	}
	if verb != 'p' { // %p of an array is an error, and of x the same at any level
		open, end := "[", "]"
		if sharp {
			open, end = "[1]interface {}{", "}"
		}
		s := fmt.Sprintf(format, [1]any{x})
		if len(s) >= len(open)+len(end) && strings.HasPrefix(s, open) && strings.HasSuffix(s, end) {
			io.WriteString(f, s[len(open):len(s)-len(end)])
			return
		}
	}
	fmt.Fprintf(f, format, x)
}
