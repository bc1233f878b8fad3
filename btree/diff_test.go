package btree

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func intEq(a, b int) bool { return a == b }

// runDiff returns the changes from base to m and the work diff did.
func runDiff(m, base *Map[int, int], noSkip bool) ([]Change[int, int], diffStats) {
	var a, b cursor[int, int]
	a.start(m.root, m.height)
	b.start(base.root, base.height)
	st := diffStats{noSkip: noSkip}
	var out []Change[int, int]
	diff(&a, &b, m.cmp, intEq, func(c Change[int, int]) bool { out = append(out, c); return true }, &st)
	return out, st
}

// TestDiffSkipsSharedSubtrees: the work of a diff grows with the number of
// changes, not with the size of the maps.
func TestDiffSkipsSharedSubtrees(t *testing.T) {
	keys := rand.Perm(200000)
	base := build(keys)
	m := base.Clone()
	m.Set(-1, 1)                 // Added
	m.Delete(keys[10])           // Removed
	m.Set(keys[20], -5)          // Updated
	m.Set(keys[30], keys[30]*10) // the same value: not a change
	want := []Change[int, int]{
		{Op: Added, Key: -1, New: 1},
		{Op: Removed, Key: keys[10], Old: keys[10] * 10},
		{Op: Updated, Key: keys[20], Old: keys[20] * 10, New: -5},
	}
	slices.SortFunc(want, func(a, b Change[int, int]) int { return a.Key - b.Key })

	got, st := runDiff(m, base, false)
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("Diff (-want +got):\n%s", d)
	}
	full, fst := runDiff(m, base, true)
	if d := cmp.Diff(want, full); d != "" {
		t.Fatalf("full merge (-want +got):\n%s", d)
	}
	// Four written paths: at most four leaves on each side are merged
	// entry by entry; everything else is skipped whole.
	if max := 4 * 2 * (maxLeaf + 1); st.entries > max {
		t.Errorf("Diff compared %d entries, want at most %d", st.entries, max)
	}
	if fst.entries < len(keys) {
		t.Errorf("the full merge compared only %d entries", fst.entries)
	}
	t.Logf("diff: %+v; full merge: %+v", st, fst)

	// The public iterator agrees, and so does the other direction.
	if d := cmp.Diff(want, slices.Collect(m.Diff(base, intEq))); d != "" {
		t.Fatalf("Map.Diff (-want +got):\n%s", d)
	}
	back := slices.Collect(base.Diff(m, intEq))
	if len(back) != 3 || back[0].Op != Removed || back[0].Key != -1 {
		t.Fatalf("base.Diff(m) = %v", back)
	}
}

// TestDiffUnrelatedMaps: maps with the same entries built independently
// share nothing, and Diff still finds no change; maps with different
// entries get the plain merge's answer.
func TestDiffUnrelatedMaps(t *testing.T) {
	a := build(rand.Perm(20000))
	b := build(rand.Perm(20000))
	if got := slices.Collect(a.Diff(b, intEq)); len(got) != 0 {
		t.Fatalf("equal maps built apart: Diff = %d changes, want 0", len(got))
	}
	c := New[int, int]()
	for i := range 30000 {
		if i%2 == 0 {
			c.Set(i, i*10)
		} else {
			c.Set(i, 0)
		}
	}
	want := naiveDiff(collectMap(b), collectMap(c))
	if d := cmp.Diff(want, slices.Collect(c.Diff(b, intEq))); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
}

func collectMap(m *Map[int, int]) map[int]int {
	out := map[int]int{}
	for k, v := range m.All() {
		out[k] = v
	}
	return out
}

// TestDiffEq: eq decides what counts as an update.
func TestDiffEq(t *testing.T) {
	base := build([]int{1, 2, 3})
	m := base.Clone()
	m.Set(1, 11)
	m.Set(2, 35)
	sameTens := func(a, b int) bool { return a/10 == b/10 }
	got := slices.Collect(m.Diff(base, sameTens))
	want := []Change[int, int]{{Op: Updated, Key: 2, Old: 20, New: 35}}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
}

func TestDiffStopsEarlyAndLetsGo(t *testing.T) {
	base := build(rand.Perm(10000))
	m := base.Clone()
	for i := range 100 {
		m.Set(-i-1, i)
	}
	n := 0
	for range m.Diff(base, intEq) {
		if n++; n == 5 {
			break
		}
	}
	if n != 5 {
		t.Fatalf("the loop ran %d times", n)
	}
	mustCheck(t, m, base)
}
