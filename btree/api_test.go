package btree

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// TestIterationDoesNotWriteTheRoot: loops and cursors hold the handle, not
// the root, whose count shares a cache line with the keys every Get on
// every clone reads.
func TestIterationDoesNotWriteTheRoot(t *testing.T) {
	m := build(rand.Perm(10000))
	c := m.Clone() // a clone, as a Get on another goroutine would use
	before := m.root.shares.Holders()
	check := func(what string) {
		t.Helper()
		if got := m.root.shares.Holders(); got != before {
			t.Fatalf("%s wrote the root's count: %d, was %d", what, got, before)
		}
	}
	for range m.All() {
		check("All")
		break
	}
	for range m.Ascend(500) {
		check("Ascend")
		break
	}
	for range m.Descend(500) {
		check("Descend")
		break
	}
	for range m.Diff(c, func(a, b int) bool { return a == b }) {
		check("Diff")
	}
	cur := m.Cursor()
	cur.Seek(77)
	check("Cursor")
	cur.Release()
	check("Cursor.Release")
	c.Release()
	mustCheck(t, m)
}

// TestWritesSettleHolds: a write inside loops over the map, however nested,
// turns their holds into shares, and each loop then drops its own; the loops
// see their snapshots, and afterwards nothing is left held or shared.
func TestWritesSettleHolds(t *testing.T) {
	m := build(rand.Perm(3000))
	want := collectMap(m)
	outer := 0
	for k, v := range m.All() {
		if want[k] != v {
			t.Fatalf("outer loop: %d -> %d, want %d", k, v, want[k])
		}
		outer++
		if outer == 1 {
			inner := 0
			for k2 := range m.Ascend(1000) {
				inner++
				if inner == 5 {
					m.Set(k2, -1) // settles both loops' holds
				}
				if inner == 10 {
					for range m.Descend(100) { // a new hold on the new root
						m.Delete(50) // settles it
						break
					}
				}
			}
			if inner != 2000 {
				t.Fatalf("inner loop saw %d entries, want 2000", inner)
			}
		}
		if outer == 100 {
			m.Release() // the outer loop's share keeps its snapshot
		}
	}
	if outer != 3000 {
		t.Fatalf("outer loop saw %d entries, want 3000", outer)
	}
	if m.Len() != 0 {
		t.Fatalf("m was released in the loop, but Len() = %d", m.Len())
	}
	mustCheck(t, m)
	m.Set(1, 1)
	mustCheck(t, m)
}

// TestCursorIsASnapshot: a cursor keeps reading the entries its map had
// when it was made, through writes and Release of the map; released, it
// leaves the map unshared.
func TestCursorIsASnapshot(t *testing.T) {
	m := build(rand.Perm(2000)) // keys 0..1999, values k*10
	c := m.Cursor()
	if !c.Seek(1000) || c.Key() != 1000 {
		t.Fatal("Seek(1000) did not land on 1000")
	}
	m.DeleteRange(500, 1500)
	m.Set(1001, -1)
	if !c.Next() || c.Key() != 1001 || c.Value() != 10010 {
		t.Fatalf("after writes to the map the cursor reads %d, %d, want 1001, 10010", c.Key(), c.Value())
	}
	c2 := m.Cursor() // a cursor on the new version
	m.Release()
	n := 1
	for c.Prev() {
		n++
	}
	if n != 1002 {
		t.Fatalf("walking back from 1001 saw %d entries, want 1002", n)
	}
	n = 0
	for c2.Next() {
		n++
	}
	if n != 1001 {
		t.Fatalf("the second cursor saw %d entries, want 1001", n)
	}
	c.Release()
	c2.Release()
	c.Release() // twice is harmless
	if c.Next() || c.Prev() || c.First() || c.Seek(3) {
		t.Fatal("a released cursor moved")
	}
	mustCheck(t, m)
}

func TestNewAPIAllocs(t *testing.T) {
	m := build(rand.Perm(100000))
	i := 0
	cursorAllocs := 1.0 // the cursor; a tree too tall for its built-in frames adds them
	if m.height >= 8 {
		cursorAllocs = 2
	}
	tests := []struct {
		name string
		max  float64
		f    func()
	}{
		{"Swap of an existing key, unshared", 0, func() { m.Swap(777, 1) }},
		{"Pop and re-Set, unshared", 0, func() { m.Pop(778); m.Set(778, 1) }},
		{"PopMin and PopMax", 0, func() {
			k, v, _ := m.PopMin()
			m.Set(k, v)
			k, v, _ = m.PopMax()
			m.Set(k, v)
		}},
		{"At, Rank and Lookup", 0, func() { m.At(i % 100000); m.Rank(i); m.Lookup(i); i += 7 }},
		{"Stats", 0, func() { m.Stats() }},
		{"Ascend loop", 1, func() {
			n := 0
			for range m.Ascend(5000) {
				if n++; n == 100 {
					break
				}
			}
		}},
		{"Descend loop", 1, func() {
			for range m.Descend(5000) {
				break
			}
		}},
		{"Cursor, Seek and 100 Next", cursorAllocs, func() {
			c := m.Cursor()
			c.Seek(5000)
			for range 100 {
				c.Next()
			}
			c.Release()
		}},
	}
	for _, tt := range tests {
		if got := testing.AllocsPerRun(100, tt.f); got > tt.max {
			t.Errorf("%s: %v allocs, want at most %v", tt.name, got, tt.max)
		}
	}
	c := m.Clone()
	c.Release()
	if got := testing.AllocsPerRun(100, func() { m.PopMin() }); got != 0 {
		t.Errorf("PopMin after c := m.Clone(); c.Release(): %v allocs, want 0", got)
	}
	mustCheck(t, m)
}

// TestDeleteRangeOfASharedMap: removing 90% of a shared map opens only the
// two boundary paths: it allocates O(height) nodes, and the other handle
// keeps everything.
func TestDeleteRangeOfASharedMap(t *testing.T) {
	const n = 100000
	m := build(rand.Perm(n))
	want := collectMap(m)
	got := testing.AllocsPerRun(20, func() {
		c := m.Clone()
		if r := c.DeleteRange(5000, 95000); r != 90000 {
			t.Fatalf("DeleteRange removed %d, want 90000", r)
		}
		c.Release()
	})
	// Per run: the handle, the two boundary paths (height+1 nodes each) and
	// a sibling or two refilled from on the way back up.
	if limit := float64(1 + 2*(m.height+1) + 4); got > limit {
		t.Errorf("DeleteRange of 90%% of a shared map: %v allocs, want at most %v", got, limit)
	}
	c := m.Clone()
	c.DeleteRange(5000, 95000)
	if c.Len() != 10000 || !maps.Equal(collectMap(m), want) {
		t.Fatalf("after the clone's DeleteRange: clone Len %d, want 10000, or the original changed", c.Len())
	}
	mustCheck(t, m, c)
	if s := c.Stats(); s.Nodes-s.SharedNodes > 2*(m.height+1)+4 {
		t.Errorf("the clone holds %d private nodes, want O(height)", s.Nodes-s.SharedNodes)
	}
}

// TestCollectFillsLeaves: ascending input fills every leaf but the last,
// for about 17 bytes per int->int entry.
func TestCollectFillsLeaves(t *testing.T) {
	if maxLeaf != 63 {
		t.Skip("small nodes")
	}
	const n = 200000
	m := Collect(func(yield func(int, int) bool) {
		for i := range n {
			if !yield(i, i) {
				return
			}
		}
	})
	mustCheck(t, m)
	leaves := 0
	var walk func(h *header, level int)
	walk = func(h *header, level int) {
		if level == 0 {
			leaves++
			return
		}
		in := innerOf[int, int](h)
		for _, kid := range in.kids[:in.n+1] {
			walk(kid, level-1)
		}
	}
	walk(m.root, m.height)
	if want := (n + maxLeaf - 1) / maxLeaf; leaves != want {
		t.Errorf("%d ascending entries filled %d leaves, want %d (full ones)", n, leaves, want)
	}
	// Bytes as the allocator rounds them: leaves are exactly 1024, inner
	// nodes 248 in a 256-byte class.
	s := m.Stats()
	bytes := float64(leaves*1024 + (s.Nodes-leaves)*256)
	if per := bytes / n; per > 17.5 {
		t.Errorf("Collect of %d ascending entries: %.2f bytes per entry, want <= 17.5", n, per)
	}
}

func TestNewAPIPanics(t *testing.T) {
	m := build([]int{1, 2, 3})
	c := m.Cursor()
	tests := []struct {
		name string
		f    func()
		want string
	}{
		{"At(-1)", func() { m.At(-1) }, "btree: index -1 out of range [0:3]"},
		{"At(3)", func() { m.At(3) }, "btree: index 3 out of range [0:3]"},
		{"Key before a move", func() { c.Key() }, "btree: Cursor.Key called on a cursor that has not moved yet"},
		{"Value off the end", func() { c.Last(); c.Next(); c.Value() }, "btree: Cursor.Value called on a cursor that is after the last entry"},
		{"Key before the start", func() { c.First(); c.Prev(); c.Key() }, "btree: Cursor.Key called on a cursor that is before the first entry"},
		{"Key after Release", func() { c.Release(); c.Key() }, "btree: Cursor.Key called on a cursor that was released"},
		{"Apply of a bad op", func() { m.Apply(slices.Values([]Change[int, int]{{Op: 9}})) }, "btree: Apply of a change with Op(9)"},
	}
	for _, tt := range tests {
		func() {
			defer func() {
				if r := recover(); r != tt.want {
					t.Errorf("%s: panic %v, want %q", tt.name, r, tt.want)
				}
			}()
			tt.f()
		}()
	}
	if got := collect(m.All()); !slices.Equal(got, [][2]int{{1, 10}, {2, 20}, {3, 30}}) {
		t.Errorf("after the panics m = %v", got)
	}
	mustCheck(t, m)
}

// TestApplyReplaysDiff: base.Clone().Apply(m.Diff(base, eq)) equals m.
func TestApplyReplaysDiff(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	base := build(rand.Perm(5000))
	m := base.Clone()
	for range 2000 {
		k := rng.IntN(7000)
		switch rng.IntN(3) {
		case 0:
			m.Delete(k)
		default:
			m.Set(k, rng.IntN(100))
		}
	}
	m.DeleteRange(100, 300)
	c := base.Clone()
	c.Apply(m.Diff(base, func(a, b int) bool { return a == b }))
	if !maps.Equal(collectMap(c), collectMap(m)) {
		t.Fatal("base.Clone().Apply(m.Diff(base, eq)) differs from m")
	}
	// Applying a diff to the very map it is taken from works too: Diff
	// ranges over snapshots.
	base.Apply(m.Diff(base, func(a, b int) bool { return a == b }))
	if !maps.Equal(collectMap(base), collectMap(m)) {
		t.Fatal("base.Apply(m.Diff(base, eq)) differs from m")
	}
	mustCheck(t, base, m, c)
}

// TestStressNewOps is the Qt promise for the new operations, under -race:
// clones pop, range-delete and insert while other goroutines walk cursors
// and Ascend loops over the source, which must never change.
func TestStressNewOps(t *testing.T) {
	const n, workers, walkers = 20000, 3, 2
	src := build(rand.Perm(n))
	want := collectMap(src)
	var wg sync.WaitGroup
	errs := make(chan error, workers+walkers)
	clones := make([]*Map[int, int], workers)
	for g := range clones {
		clones[g] = src.Clone()
	}
	for g, c := range clones {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 9))
			model := maps.Clone(want)
			for range 300 {
				switch rng.IntN(5) {
				case 0:
					if k, _, ok := c.PopMin(); ok {
						delete(model, k)
					}
				case 1:
					if k, _, ok := c.PopMax(); ok {
						delete(model, k)
					}
				case 2:
					lo, w := rng.IntN(n), rng.IntN(200)
					want := 0
					for k := range model {
						if k >= lo && k < lo+w {
							delete(model, k)
							want++
						}
					}
					if got := c.DeleteRange(lo, lo+w); got != want {
						errs <- fmt.Errorf("clone %d: DeleteRange removed %d, want %d", g, got, want)
						return
					}
				case 3:
					base := n + rng.IntN(n)
					c.Insert(func(yield func(int, int) bool) {
						for i := range 50 {
							if !yield(base+i, g) {
								return
							}
						}
					})
					for i := range 50 {
						model[base+i] = g
					}
				default:
					k := rng.IntN(2 * n)
					c.Pop(k)
					delete(model, k)
				}
				if c.Len() != len(model) {
					errs <- fmt.Errorf("clone %d: Len %d, model %d", g, c.Len(), len(model))
					return
				}
			}
			if !maps.Equal(collectMap(c), model) {
				errs <- fmt.Errorf("clone %d differs from its model", g)
			}
		}()
	}
	for w := range walkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 30 {
				cur := src.Cursor()
				k := (w*7919 + i*104729) % n
				if !cur.Seek(k) || cur.Key() != k {
					errs <- fmt.Errorf("walker %d: Seek(%d) missed", w, k)
					cur.Release()
					return
				}
				for j := 1; j <= 200 && cur.Next(); j++ {
					if cur.Key() != k+j || cur.Value() != (k+j)*10 {
						errs <- fmt.Errorf("walker %d: the source changed under a cursor", w)
						cur.Release()
						return
					}
				}
				cur.Release()
				next := k
				for key := range src.Ascend(k) {
					if key != next {
						errs <- fmt.Errorf("walker %d: Ascend(%d) yielded %d, want %d", w, k, key, next)
						return
					}
					if next++; next == k+100 {
						break
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if !maps.Equal(collectMap(src), want) {
		t.Fatal("the clones' writes reached the source")
	}
	mustCheck(t, append(clones, src)...)
}

// TestCursorOnAnotherGoroutine: a cursor made on a map may be walked and
// released on another goroutine while the map's owner writes it. The
// release and the owner's settle meet only in atomics (run with -race);
// before the hold count and its epoch shared one word, a release that read
// the old epoch could take its hold back after the settle had counted it,
// leaving the root with one holder too few.
func TestCursorOnAnotherGoroutine(t *testing.T) {
	m := build(rand.Perm(1000))
	for round := range 200 {
		c := m.Cursor()
		want := collectMap(m)
		done := make(chan error)
		go func() {
			n := 0
			for c.Next() {
				if want[c.Key()] != c.Value() {
					done <- fmt.Errorf("round %d: the cursor saw %d -> %d, its snapshot has %d", round, c.Key(), c.Value(), want[c.Key()])
					c.Release()
					return
				}
				n++
			}
			c.Release()
			if n != len(want) {
				done <- fmt.Errorf("round %d: the cursor saw %d entries, want %d", round, n, len(want))
				return
			}
			done <- nil
		}()
		for i := range 50 {
			m.Set((round*50+i)%1500, -round)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	mustCheck(t, m)
	if shared(m) {
		t.Fatal("every cursor was released, but the map is still shared")
	}
}
