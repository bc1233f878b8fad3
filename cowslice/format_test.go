package cowslice

import (
	"fmt"
	"testing"
)

// verbs are the formats the tests try, each against fmt of the plain value.
var verbs = []string{
	"%v", "%+v", "%#v", "%s", "%d", "%x", "%X", "%q", "%o", "%b", "%e", "%g", "%t", "%c", "%U",
	"%5d", "%-5v|", "%05d", "%+d", "%x", "% x", "%#x", "%.2f", "%8.3f", "%[1]v %[1]d", "%!", "%z",
}

type stringer int

func (s stringer) String() string { return fmt.Sprintf("S%d", int(s)) }

type formatter struct{}

func (formatter) Format(f fmt.State, verb rune) { fmt.Fprintf(f, "F(%c)", verb) }

// formatsLikePlain checks s against xs, the []T it holds, for every verb.
func formatsLikePlain[T any](t *testing.T, s *Slice[T], xs []T) {
	t.Helper()
	for _, verb := range verbs {
		got, want := fmt.Sprintf(verb, s), fmt.Sprintf(verb, plain(xs))
		if got != want {
			t.Errorf("Sprintf(%q, New(%v)) = %q, want %q (as for the []%T)", verb, xs, got, want, *new(T))
		}
	}
}

func TestFormatLikePlain(t *testing.T) {
	x := 1
	formatsLikePlain(t, New[int](), []int{})
	formatsLikePlain(t, new(Slice[int]), nil)
	formatsLikePlain(t, New(1), []int{1})
	formatsLikePlain(t, New(1, -2, 300), []int{1, -2, 300})
	formatsLikePlain(t, New("a", "b c", "<\xff>"), []string{"a", "b c", "<\xff>"})
	formatsLikePlain(t, New[byte]('h', 'i'), []byte("hi"))
	formatsLikePlain(t, New(1.5, -2.25), []float64{1.5, -2.25})
	formatsLikePlain(t, New(true, false), []bool{true, false})
	formatsLikePlain(t, New(stringer(1), stringer(2)), []stringer{1, 2})
	formatsLikePlain(t, New(formatter{}), []formatter{{}})
	formatsLikePlain(t, New(point{X: 1, Name: "p"}), []point{{X: 1, Name: "p"}})
	formatsLikePlain(t, New[any](1, "a", nil), []any{1, "a", nil})
	formatsLikePlain(t, New[*int](nil, &x), []*int{nil, &x})
	formatsLikePlain(t, New([]int{1}, nil), [][]int{{1}, nil})
}

func TestFormatNested(t *testing.T) {
	inner := New(1, 2)
	tests := []struct {
		format string
		arg    any
		want   string
	}{
		{"%v", New(inner, New[int]()), "[[1 2] []]"},
		{"%v", struct{ S *Slice[int] }{inner}, "{[1 2]}"},
		{"%+v", struct{ S *Slice[int] }{inner}, "{S:[1 2]}"},
		{"%d", map[string]*Slice[int]{"a": inner}, "map[%!d(string=a):[1 2]]"},
		{"%#v", inner, "[]int{1, 2}"},
		{"%#v", New[int](), "[]int{}"},
		{"%#v", New("a"), `[]string{"a"}`},
		{"%v", (*Slice[int])(nil), "<nil>"},
		{"%d", (*Slice[int])(nil), "<nil>"},
		{"%#v", (*Slice[int])(nil), "(*cowslice.Slice[int])(nil)"},
		{"%T", inner, "*cowslice.Slice[int]"},
		{"%v", struct{ S *Slice[int] }{}, "{<nil>}"},
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

// TestFormatIsARead: printing a shared clone copies nothing and leaves it
// shared, and printing allocates no more than printing the plain slice plus
// the slice header boxed for fmt.
func TestFormatIsARead(t *testing.T) {
	xs := make([]int, 1000)
	s := New(xs...)
	c := s.Clone()
	if !raceEnabled { // fmt pools its printers, which the race detector drops at random
		plainAllocs := testing.AllocsPerRun(20, func() { _ = fmt.Sprint(xs) })
		got := testing.AllocsPerRun(20, func() { _ = fmt.Sprint(c) })
		if got > plainAllocs+1 {
			t.Errorf("Sprint of a shared clone: %v allocations, of the []int: %v; want at most 1 more", got, plainAllocs)
		}
	}
	if !s.Shared() || !c.Shared() {
		t.Error("printing detached a shared clone")
	}
	if err := checkInvariants([]*Slice[int]{s, c}); err != nil {
		t.Error(err)
	}
}
