package btree

import (
	"errors"
	"fmt"
	"testing"
)

// label is a Stringer, which fmt calls for %v and %s, not for %d.
type label int

func (l label) String() string { return fmt.Sprintf("L%d", int(l)) }

// shout is a Formatter, which fmt calls for every verb.
type shout string

func (s shout) Format(f fmt.State, verb rune) { fmt.Fprintf(f, "%c!%s", verb, string(s)) }

// formatVerbs are the formats every map is printed with.
var formatVerbs = []string{
	"%v", "%+v", "%#v", "%s", "%d", "%x", "%X", "%q", "%o", "%t", "%e",
	"%6v", "%-6v|", "%06d", "%+d", "%.2f", "%8.3f", "%p", "%T", "%z",
}

// formatCase is a btree.Map and a Go map with the same entries, where the
// Go map's order (fmt sorts its keys) is the btree.Map's.
type formatCase struct {
	name     string
	m, gomap any
}

func newFormatCase[K comparable, V any](name string, order func(a, b K) int, entries ...entry[K, V]) formatCase {
	m, gomap := NewFunc[K, V](order), map[K]V{}
	for _, e := range entries {
		m.Set(e.K, e.V)
		gomap[e.K] = e.V
	}
	return formatCase{name, m, gomap}
}

func formatCases() []formatCase {
	byInt := func(a, b int) int { return a - b }
	byString := func(a, b string) int {
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	}
	p1, p2 := &point2{1}, &point2{2}
	return []formatCase{
		newFormatCase[int, int]("empty", byInt),
		newFormatCase("int to int", byInt, entry[int, int]{3, 30}, entry[int, int]{-1, 10}, entry[int, int]{20, 255}),
		newFormatCase("string to float", byString, entry[string, float64]{"b", 2.5}, entry[string, float64]{"a", -1}),
		newFormatCase("string to bool", byString, entry[string, bool]{"t", true}, entry[string, bool]{"f", false}),
		newFormatCase("string to struct", byString, entry[string, point]{"p", point{1, 2}}, entry[string, point]{"q", point{3, 4}}),
		newFormatCase("string to pointer", byString, entry[string, *point2]{"a", p1}, entry[string, *point2]{"b", p2}, entry[string, *point2]{"c", nil}),
		newFormatCase("string to slice", byString, entry[string, []int]{"a", []int{1, 2}}, entry[string, []int]{"b", nil}),
		newFormatCase("string to any", byString, entry[string, any]{"a", 1}, entry[string, any]{"b", nil}, entry[string, any]{"c", "s"}, entry[string, any]{"d", p1}),
		newFormatCase("string to error", byString, entry[string, error]{"a", errors.New("boom")}, entry[string, error]{"b", nil}),
		newFormatCase("Stringer keys", func(a, b label) int { return int(a - b) }, entry[label, int]{2, 20}, entry[label, int]{1, 10}),
		newFormatCase("Formatter values", byInt, entry[int, shout]{1, "a"}, entry[int, shout]{2, "b"}),
		newFormatCase("map values", byString, entry[string, map[string]int]{"m", map[string]int{"x": 1, "y": 2}}),
	}
}

// TestFormatAsGoMap: for every verb and flag, a map prints as fmt prints
// the Go map with the same entries.
func TestFormatAsGoMap(t *testing.T) {
	for _, c := range formatCases() {
		for _, verb := range formatVerbs {
			if verb == "%p" || verb == "%T" {
				continue // the handle's own address and type, not the entries'
			}
			got, want := fmt.Sprintf(verb, c.m), fmt.Sprintf(verb, c.gomap)
			if got != want {
				t.Errorf("%s: Sprintf(%q) = %s, want %s (as for the Go map)", c.name, verb, got, want)
			}
		}
	}
}

var formatTests = []struct {
	format string
	m      any
	want   string
}{
	{"%v", func() any {
		m := New[int, string]()
		m.Set(10, "ten")
		m.Set(2, "two")
		return m
	}(), "map[2:two 10:ten]"},
	{"%#v", func() any {
		m := New[string, int]()
		m.Set("b", 2)
		m.Set("a", 1)
		return m
	}(), `map[string]int{"a":1, "b":2}`},
	{"%v", new(Map[int, int]), "map[]"},
	{"%#v", new(Map[int, int]), "map[int]int{}"},
	{"%v", (*Map[string, int])(nil), "<nil>"},
	{"%d", (*Map[string, int])(nil), "<nil>"},
	{"%#v", (*Map[string, int])(nil), "(*btree.Map[string,int])(nil)"},
	{"%T", New[string, int](), "*btree.Map[string,int]"},
	{"%v", func() any {
		m := NewFunc[int, int](func(a, b int) int { return b - a })
		m.Set(1, 1)
		m.Set(2, 2)
		return m
	}(), "map[2:2 1:1]"},
	{"%v", struct{ M *Map[int, int] }{func() *Map[int, int] { m := New[int, int](); m.Set(1, 2); return m }()}, "{map[1:2]}"},
	{"%d", func() any {
		m := NewFunc[[]byte, int](func(a, b []byte) int { return len(a) - len(b) })
		m.Set([]byte("ab"), 1)
		return m
	}(), "map[[97 98]:1]"},
	{"%#v", func() any {
		m := NewFunc[[]byte, any](func(a, b []byte) int { return len(a) - len(b) })
		m.Set([]byte("ab"), nil)
		return m
	}(), `map[[]uint8]interface {}{[]uint8{0x61, 0x62}:interface {}(nil)}`},
}

func TestFormat(t *testing.T) {
	for _, tt := range formatTests {
		if got := fmt.Sprintf(tt.format, tt.m); got != tt.want {
			t.Errorf("Sprintf(%q, %T) = %s, want %s", tt.format, tt.m, got, tt.want)
		}
	}
	m := New[int, int]()
	m.Set(1, 1)
	if got, want := fmt.Sprintf("%p", m), fmt.Sprintf("%p", any(m)); got != want || got[:2] != "0x" {
		t.Errorf("%%p = %s, want the handle's address %s", got, want)
	}
}

// cyclic is a value that points back to the map holding it.
type cyclic struct {
	M *Map[int, *cyclic]
}

// TestFormatPointerCycle: a pointer value prints as an address, as in a Go
// map, so a struct that refers back to its map prints once.
func TestFormatPointerCycle(t *testing.T) {
	m := New[int, *cyclic]()
	c := &cyclic{M: m}
	m.Set(1, c)
	want := fmt.Sprintf("map[1:%p]", c)
	if got := fmt.Sprint(m); got != want {
		t.Errorf("Sprint = %s, want %s", got, want)
	}
}

// TestFormatSharedClone: printing is a read: a clone's nodes stay shared.
func TestFormatSharedClone(t *testing.T) {
	m, _ := randomIntMap(3000)
	c := m.Clone()
	before := c.Stats()
	_ = fmt.Sprintf("%v %+v %#v %d", c, c, c, c)
	if after := c.Stats(); after != before {
		t.Errorf("after printing, Stats = %+v, want %+v", after, before)
	}
	mustCheckAny(t, m, c)
}
