package cowstring

import (
	"fmt"
	"testing"
)

// verbs are the formats the tests try, each against fmt of the Go string.
var verbs = []string{
	"%v", "%+v", "%#v", "%s", "%q", "%+q", "%#q", "%x", "%X", "% x", "%#x", "%d", "%c", "%t", "%p",
	"%10s", "%-10s|", "%.2s", "%10.3q", "%[1]s %[1]q", "%!", "%z",
}

func TestFormatLikePlain(t *testing.T) {
	for _, str := range []string{"", "a", "hello, world", "<\xff>", "é 日本 🙂", "tab\tnl\n\"q\""} {
		for _, h := range []*String{New(str), New("<"+str+">").Substr(1, 1+len(str))} {
			for _, verb := range verbs {
				if verb == "%p" {
					continue // fmt prints the handle's address, and %!p for a string
				}
				if got, want := fmt.Sprintf(verb, h), fmt.Sprintf(verb, str); got != want {
					t.Errorf("Sprintf(%q, New(%q)) = %q, want %q (as for the string)", verb, str, got, want)
				}
			}
		}
	}
}

func TestFormatNested(t *testing.T) {
	s := New("hi")
	tests := []struct {
		format string
		arg    any
		want   string
	}{
		{"%v", struct{ S *String }{s}, "{hi}"},
		{"%+v", struct{ S *String }{s}, "{S:hi}"},
		{"%q", []*String{s, New("")}, `["hi" ""]`},
		{"%d", s, "%!d(string=hi)"},
		{"%#v", s, `"hi"`},
		{"%v", new(String), ""},
		{"%v", (*String)(nil), "<nil>"},
		{"%s", (*String)(nil), "<nil>"},
		{"%#v", (*String)(nil), "(*cowstring.String)(nil)"},
		{"%T", s, "*cowstring.String"},
	}
	for _, tt := range tests {
		if got := fmt.Sprintf(tt.format, tt.arg); got != tt.want {
			t.Errorf("Sprintf(%q, %T) = %q, want %q", tt.format, tt.arg, got, tt.want)
		}
	}
	if got, want := fmt.Sprintf("%p", s), fmt.Sprintf("%p", any(s)); got != want {
		t.Errorf("%%p = %s, want the handle's address %s", got, want)
	}
	// Printing pins nothing: s stays unshared.
	if s.Shared() {
		t.Error("printing pinned s")
	}
}
