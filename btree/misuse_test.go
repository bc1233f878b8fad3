package btree

import (
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"strings"
	"testing"
)

// liar is a comparison function that tells the truth until lie is set, and
// then answers at random: it breaks NewFunc's rule as badly as a function can.
type liar struct {
	lie bool
	rng *rand.Rand
}

func (l *liar) compare(a, b int) int {
	if l.lie {
		return l.rng.IntN(3) - 1
	}
	return cmp.Compare(a, b)
}

// mustNotPanicBare runs f and fails t if f panics with anything but a
// message of this package's.
func mustNotPanicBare(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			if s, ok := r.(string); !ok || !strings.HasPrefix(s, "btree: ") {
				t.Fatalf("%s panicked with %v, want nothing or a \"btree: \" message", what, r)
			}
		}
	}()
	f()
}

// TestLyingComparatorNeverReachesAClone: a comparison function that breaks
// NewFunc's rule may leave the map written with it in any order, but it must
// never change a map that shares nodes with it, and never panic with a bare
// runtime error. Before Set and Delete kept to the path their own walk had
// made private, writes to the clone changed the original in every round,
// and some Deletes panicked with "slice bounds out of range".
func TestLyingComparatorNeverReachesAClone(t *testing.T) {
	const n = 3000
	for round := range 30 {
		t.Run(fmt.Sprint("round ", round), func(t *testing.T) {
			l := &liar{rng: rand.New(rand.NewPCG(uint64(round), 7))}
			m := NewFunc[int, int](l.compare)
			for _, k := range l.rng.Perm(n) { // random order: leaves with room, which shifts and merges reach
				m.Set(k, k)
			}
			want := collectMap(m)
			c := m.Clone()
			ops := l.rng.IntN(3) // Set only, Delete only, or both
			for i := range n {
				// The liar lies in half the operations, so that deletes also
				// find their keys and rebalance against shared siblings.
				l.lie = l.rng.IntN(2) == 0
				if ops != 1 {
					mustNotPanicBare(t, "Set", func() { c.Set(5000+i, 0) })
				}
				if ops != 0 {
					mustNotPanicBare(t, "Delete", func() { c.Delete(l.rng.IntN(n)) })
				}
				if i%10 == 0 { // the other writes, through the liar too
					j := l.rng.IntN(n)
					mustNotPanicBare(t, "Swap", func() { c.Swap(j, 1) })
					mustNotPanicBare(t, "Pop", func() { c.Pop(j + 1) })
					mustNotPanicBare(t, "PopMin", func() { c.PopMin() })
					mustNotPanicBare(t, "PopMax", func() { c.PopMax() })
					mustNotPanicBare(t, "DeleteRange", func() { c.DeleteRange(j, j+40) })
					mustNotPanicBare(t, "Insert", func() {
						c.Insert(func(yield func(int, int) bool) {
							for k := range 20 {
								if !yield(9000+i+k, 0) {
									return
								}
							}
						})
					})
					mustNotPanicBare(t, "At+Rank+Cursor", func() {
						if c.Len() > 0 {
							c.At(j % c.Len())
						}
						c.Rank(j)
						cur := c.Cursor()
						cur.Seek(j)
						for range 10 {
							cur.Next()
						}
						cur.Release()
					})
				}
				if i%100 == 0 { // reads through the liar must not panic either
					mustNotPanicBare(t, "reads", func() {
						c.Get(i)
						for range c.Scan(i, i+500) {
						}
						for range c.Backward() {
						}
						for range c.Diff(m, func(a, b int) bool { return a == b }) {
						}
						for range m.Diff(c, func(a, b int) bool { return a == b }) {
						}
					})
				}
			}
			l.lie = false
			if got := collectMap(m); !maps.Equal(got, want) {
				t.Fatalf("writes to the clone changed the original: it has %d entries, want %d", len(got), len(want))
			}
			if err := checkShapes([]*Map[int, int]{m, c}, map[*Map[int, int]]bool{c: true}); err != nil {
				t.Fatal(err)
			}
			c.Release()
			mustCheck(t, m)
			if shared(m) {
				t.Fatal("the clone was released, but the original still shares nodes")
			}
		})
	}
}
