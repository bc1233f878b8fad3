package cowstring

import (
	"fmt"
	"io"
)

// Format implements fmt.Formatter: s prints exactly as fmt prints a Go
// string holding its bytes, with the verb and flags given, for every verb:
// the text itself for %v and %s, quoted for %q, in hex for %x, padded for
// %10s, and %!d(string=...) for a verb that does not apply to strings, as
// for a Go string. With %#v it prints the Go syntax of that string,
// "text". A nil *String prints as <nil>, and with %#v as
// (*cowstring.String)(nil), the Go syntax of a nil pointer. fmt itself
// handles %T (the handle's type) and %p (the handle's address) without
// calling Format.
//
// Without Format, fmt would call [String.String] for %v, %s, %q and %x,
// pinning the bytes it views, and print the handle's internals for other
// verbs. Format pins nothing: it hands fmt a view of s's bytes for the
// length of the call, and leaves s as shared as it was.
func (s *String) Format(f fmt.State, verb rune) {
	if s == nil {
		if verb == 'v' && f.Flag('#') {
			io.WriteString(f, "(*cowstring.String)(nil)")
		} else {
			io.WriteString(f, "<nil>")
		}
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), s.view())
}
