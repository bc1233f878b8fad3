package cowmap

import (
	"fmt"
	"testing"
)

// verbs are the formats the tests try, each against fmt of the Go map.
var verbs = []string{
	"%v", "%+v", "%#v", "%s", "%d", "%x", "%X", "%q", "%o", "%b", "%e", "%g", "%t", "%c", "%U",
	"%5d", "%-5v|", "%05d", "%+d", "% x", "%#x", "%.2f", "%8.3f", "%[1]v %[1]d", "%!", "%z",
}

type stringer int

func (s stringer) String() string { return fmt.Sprintf("S%d", int(s)) }

// formatsLikePlain checks m against gm, the Go map it holds, for every verb.
func formatsLikePlain[K comparable, V any](t *testing.T, m *Map[K, V], gm map[K]V) {
	t.Helper()
	for _, verb := range verbs {
		got, want := fmt.Sprintf(verb, m), fmt.Sprintf(verb, plain(gm))
		if got != want {
			t.Errorf("Sprintf(%q, From(%v)) = %q, want %q (as for the %T)", verb, gm, got, want, gm)
		}
	}
}

func TestFormatLikePlain(t *testing.T) {
	x := 1
	formatsLikePlain(t, New[string, int](), map[string]int{})
	formatsLikePlain(t, new(Map[string, int]), nil)
	formatsLikePlain(t, From(map[string]int{"a": 1}), map[string]int{"a": 1})
	formatsLikePlain(t, From(map[string]int{"b": 2, "a": 1, "c d": -3}), map[string]int{"b": 2, "a": 1, "c d": -3})
	formatsLikePlain(t, From(map[int]string{10: "x", 2: "<\xff>", -1: ""}), map[int]string{10: "x", 2: "<\xff>", -1: ""})
	formatsLikePlain(t, From(map[float64]bool{1.5: true, -2: false}), map[float64]bool{1.5: true, -2: false})
	formatsLikePlain(t, From(map[stringer]stringer{1: 2}), map[stringer]stringer{1: 2})
	formatsLikePlain(t, From(map[point][]byte{{X: 1}: []byte("hi")}), map[point][]byte{{X: 1}: []byte("hi")})
	formatsLikePlain(t, From(map[any]any{1: "a", "b": nil}), map[any]any{1: "a", "b": nil})
	formatsLikePlain(t, From(map[string]*int{"p": &x, "n": nil}), map[string]*int{"p": &x, "n": nil})
}

func TestFormatNested(t *testing.T) {
	inner := From(map[string]int{"a": 1})
	tests := []struct {
		format string
		arg    any
		want   string
	}{
		{"%v", From(map[int]*Map[string, int]{1: inner, 2: New[string, int]()}), "map[1:map[a:1] 2:map[]]"},
		{"%v", struct{ M *Map[string, int] }{inner}, "{map[a:1]}"},
		{"%+v", struct{ M *Map[string, int] }{inner}, "{M:map[a:1]}"},
		{"%#v", inner, `map[string]int{"a":1}`},
		{"%#v", New[string, int](), "map[string]int{}"},
		{"%v", (*Map[string, int])(nil), "<nil>"},
		{"%d", (*Map[string, int])(nil), "<nil>"},
		{"%#v", (*Map[string, int])(nil), "(*cowmap.Map[string,int])(nil)"},
		{"%T", inner, "*cowmap.Map[string,int]"},
		{"%v", []*Map[string, int]{inner, nil}, "[map[a:1] <nil>]"},
	}
	for _, tt := range tests {
		if got := fmt.Sprintf(tt.format, tt.arg); got != tt.want {
			t.Errorf("Sprintf(%q, %T) = %q, want %q", tt.format, tt.arg, got, tt.want)
		}
	}
	if got, want := fmt.Sprintf("%p", inner), fmt.Sprintf("%p", any(inner)); got != want {
		t.Errorf("%%p = %s, want the handle's address %s", got, want)
	}
}

// TestFormatIsARead: printing a shared clone copies nothing, leaves it
// shared, and allocates at most once more than printing the Go map (fmt
// itself allocates a key and a value for each entry, to sort them).
func TestFormatIsARead(t *testing.T) {
	gm := make(map[int]int, 1000)
	for i := range 1000 {
		gm[i] = i
	}
	m := From(gm)
	c := m.Clone()
	if !raceEnabled { // fmt pools its printers, which the race detector drops at random
		plainAllocs := testing.AllocsPerRun(20, func() { _ = fmt.Sprint(gm) })
		got := testing.AllocsPerRun(20, func() { _ = fmt.Sprint(c) })
		if got > plainAllocs+1 {
			t.Errorf("Sprint of a shared clone: %v allocations, of the Go map: %v; want at most 1 more", got, plainAllocs)
		}
	}
	if !m.Shared() || !c.Shared() {
		t.Error("printing detached a shared clone")
	}
	if err := checkInvariants([]*Map[int, int]{m, c}); err != nil {
		t.Error(err)
	}
}
