package btree

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// build returns a map holding keys[i] -> keys[i]*10.
func build(keys []int) *Map[int, int] {
	m := New[int, int]()
	for _, k := range keys {
		m.Set(k, k*10)
	}
	return m
}

func mustCheck(t *testing.T, live ...*Map[int, int]) {
	t.Helper()
	if err := checkMaps(live); err != nil {
		t.Fatal(err)
	}
}

func TestEmpty(t *testing.T) {
	var zero Map[int, int]
	for name, m := range map[string]*Map[int, int]{"zero": &zero, "New": New[int, int]()} {
		if m.Len() != 0 || m.Delete(1) {
			t.Errorf("%s: Len() = %d or Delete found a key", name, m.Len())
		}
		if v, ok := m.Get(1); ok || v != 0 {
			t.Errorf("%s: Get(1) = %d, %v, want 0, false", name, v, ok)
		}
		if k, v, ok := m.Min(); ok || k != 0 || v != 0 {
			t.Errorf("%s: Min() = %d, %d, %v", name, k, v, ok)
		}
		if k, v, ok := m.Max(); ok || k != 0 || v != 0 {
			t.Errorf("%s: Max() = %d, %d, %v", name, k, v, ok)
		}
		for _, seq := range []func(func(int, int) bool){m.All(), m.Backward(), m.Scan(0, 10)} {
			for k := range seq {
				t.Errorf("%s: an iterator yielded %d", name, k)
			}
		}
		for ch := range m.Diff(New[int, int](), func(a, b int) bool { return a == b }) {
			t.Errorf("%s: Diff yielded %v", name, ch)
		}
		c := m.Clone()
		m.Release()
		m.Release()
		c.Release()
		mustCheck(t, m, c)
	}
}

func TestOneKey(t *testing.T) {
	m := New[int, int]()
	m.Set(5, 50)
	k0, v0, _ := m.Min()
	k1, v1, _ := m.Max()
	if k0 != 5 || v0 != 50 || k1 != 5 || v1 != 50 || m.Len() != 1 {
		t.Fatalf("Min = %d, %d; Max = %d, %d; Len = %d", k0, v0, k1, v1, m.Len())
	}
	if !m.Delete(5) || m.Delete(5) || m.Len() != 0 || m.root != nil {
		t.Fatalf("Delete of the only key: Len = %d, root %p", m.Len(), m.root)
	}
	m.Set(6, 60) // an emptied map is usable
	if v, ok := m.Get(6); !ok || v != 60 {
		t.Fatalf("Get(6) = %d, %v after the map was emptied", v, ok)
	}
	mustCheck(t, m)
}

var panicTests = []struct {
	name string
	f    func()
	want string
}{
	{"NewFunc(nil)", func() { NewFunc[int, int](nil) }, "btree: NewFunc with a nil comparison function"},
	{"Set on the zero Map", func() { new(Map[int, int]).Set(1, 1) }, "btree: Set on a Map with no ordering; make it with New or NewFunc"},
	{"Diff(nil, eq)", func() { New[int, int]().Diff(nil, func(a, b int) bool { return a == b }) }, "btree: Diff with a nil base"},
	{"Diff(base, nil)", func() { New[int, int]().Diff(New[int, int](), nil) }, "btree: Diff with a nil eq function"},
}

func TestPanics(t *testing.T) {
	for _, tt := range panicTests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if got := fmt.Sprint(recover()); got != tt.want {
					t.Errorf("%s panicked with %q, want %q", tt.name, got, tt.want)
				}
			}()
			tt.f()
		})
	}
	var zero Map[int, int]
	func() {
		defer func() { _ = recover() }()
		zero.Set(1, 1)
	}()
	if zero.Len() != 0 || zero.root != nil {
		t.Errorf("a Set that panicked changed the map: Len = %d", zero.Len())
	}
}

func TestNewFuncReverse(t *testing.T) {
	m := NewFunc[int, string](func(a, b int) int { return b - a })
	for _, k := range rand.Perm(500) {
		m.Set(k, fmt.Sprint(k))
	}
	got := slices.Collect(m.Keys())
	want := make([]int, 500)
	for i := range want {
		want[i] = 499 - i
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("All() with a reversed comparison (-want +got):\n%s", d)
	}
	if k, _, _ := m.Min(); k != 499 {
		t.Errorf("Min() = %d, want 499 (the first in the map's order)", k)
	}
	// Scan's bounds are in the map's order: lo "<=" k "<" hi.
	if got := slices.Collect(keysOf(m.Scan(10, 5))); !slices.Equal(got, []int{10, 9, 8, 7, 6}) {
		t.Errorf("Scan(10, 5) = %v, want [10 9 8 7 6]", got)
	}
	if got := slices.Collect(keysOf(m.Scan(5, 10))); len(got) != 0 {
		t.Errorf("Scan(5, 10) = %v, want nothing (lo is after hi in this order)", got)
	}
	for i := range 500 {
		if i%3 != 0 && !m.Delete(i) {
			t.Fatalf("Delete(%d) = false", i)
		}
	}
	if err := checkMaps([]*Map[int, string]{m}); err != nil {
		t.Fatal(err)
	}
}

func keysOf[K, V any](seq func(func(K, V) bool)) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range seq {
			if !yield(k) {
				return
			}
		}
	}
}

func TestStringKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	m := New[string, int]()
	model := map[string]int{}
	for i := range 20000 {
		k := strings.Repeat("ab", r.IntN(4)) + fmt.Sprint(r.IntN(5000))
		switch r.IntN(3) {
		case 0, 1:
			m.Set(k, i)
			model[k] = i
		case 2:
			_, want := model[k]
			if got := m.Delete(k); got != want {
				t.Fatalf("Delete(%q) = %v, want %v", k, got, want)
			}
			delete(model, k)
		}
	}
	if d := cmp.Diff(model, maps.Collect(m.All())); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	if got, want := slices.Collect(m.Keys()), slices.Sorted(maps.Keys(model)); !slices.Equal(got, want) {
		t.Fatal("Keys() is not in ascending string order")
	}
	if err := checkMaps([]*Map[string, int]{m}); err != nil {
		t.Fatal(err)
	}
}

func TestNaNKeys(t *testing.T) {
	m := New[float64, int]()
	m.Set(1, 1)
	m.Set(math.NaN(), 2)
	m.Set(math.Inf(-1), 3)
	m.Set(math.NaN(), 4) // the same key as the first NaN, as in cmp.Compare
	if m.Len() != 3 {
		t.Fatalf("Len() = %d, want 3", m.Len())
	}
	if k, v, _ := m.Min(); !math.IsNaN(k) || v != 4 {
		t.Errorf("Min() = %v, %d, want NaN, 4 (NaN sorts first)", k, v)
	}
	if v, ok := m.Get(math.NaN()); !ok || v != 4 {
		t.Errorf("Get(NaN) = %d, %v", v, ok)
	}
	if !m.Delete(math.NaN()) || m.Len() != 2 {
		t.Errorf("Delete(NaN) did not remove the NaN key")
	}
}

func TestScanBounds(t *testing.T) {
	keys := make([]int, 0, 5000)
	for i := range 5000 {
		keys = append(keys, i*2) // even keys 0..9998
	}
	rand.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	m := build(keys)
	tests := []struct {
		lo, hi     int
		first, cnt int
	}{
		{-100, 0, 0, 0},
		{-100, 1, 0, 1},
		{0, 0, 0, 0},
		{7, 7, 0, 0},
		{7, 3, 0, 0},
		{1, 2, 0, 0},
		{3, 11, 4, 4},
		{9000, 20000, 9000, 500},
		{-1, 20000, 0, 5000},
		{9998, 9999, 9998, 1},
	}
	for _, tt := range tests {
		got := slices.Collect(keysOf(m.Scan(tt.lo, tt.hi)))
		if len(got) != tt.cnt || len(got) > 0 && got[0] != tt.first {
			t.Errorf("Scan(%d, %d) yielded %d keys starting at %v, want %d from %d", tt.lo, tt.hi, len(got), got[:min(len(got), 1)], tt.cnt, tt.first)
		}
	}
}

func TestIteratorsStopEarly(t *testing.T) {
	m := build(rand.Perm(3000))
	iters := map[string]func(func(int, int) bool){"All": m.All(), "Backward": m.Backward(), "Scan": m.Scan(100, 2000)}
	for name, seq := range iters {
		n := 0
		for range seq {
			if n++; n == 70 {
				break
			}
		}
		if n != 70 {
			t.Errorf("%s: the loop ran %d times, want 70", name, n)
		}
	}
	// Every iteration has dropped its hold: m is unshared and writes in place.
	mustCheck(t, m)
	if shared(m) {
		t.Fatal("an iterator that stopped early left the root held")
	}
}

func TestIteratorReleasesHoldOnPanic(t *testing.T) {
	m := build(rand.Perm(1000))
	func() {
		defer func() { _ = recover() }()
		for range m.All() {
			panic("boom")
		}
	}()
	mustCheck(t, m)
	if shared(m) {
		t.Fatal("a loop body that panicked left the root held")
	}
}

// TestCloneSharesUntilWrite checks the structure, not just the contents: a
// clone shares every node, a write copies one node per level, and the
// rest stays shared.
func TestCloneSharesUntilWrite(t *testing.T) {
	m := build(rand.Perm(100000))
	c := m.Clone()
	if c.root != m.root || m.root.shares.Holders() != 2 {
		t.Fatalf("Clone did not share the root and count it once more")
	}
	c.Set(123, -1)
	if v, _ := m.Get(123); v != 1230 {
		t.Fatalf("a write to the clone reached the original: Get(123) = %d", v)
	}
	if c.root == m.root {
		t.Fatal("the write did not copy the root")
	}
	var differ int
	for k, v := range c.All() {
		if w, _ := m.Get(k); w != v {
			differ++
		}
	}
	if differ != 1 {
		t.Fatalf("%d entries differ, want 1", differ)
	}
	// Only the nodes on 123's path are private to c; all others are
	// reachable from both roots.
	if private := countPrivate(c); private != c.height+1 {
		t.Errorf("c holds %d nodes alone, want %d (one per level)", private, c.height+1)
	}
	mustCheck(t, m, c)
}

// countPrivate counts the nodes of m whose only holder is m.
func countPrivate(m *Map[int, int]) int {
	var walk func(h *header, level int) int
	walk = func(h *header, level int) int {
		if h.shares.Shared() {
			return 0 // shared, and so is everything below it, from m's view
		}
		n := 1
		if level > 0 {
			in := innerOf[int, int](h)
			for _, kid := range in.kids[:in.n+1] {
				n += walk(kid, level-1)
			}
		}
		return n
	}
	return walk(m.root, m.height)
}

func TestAllocs(t *testing.T) {
	keys := rand.Perm(100000)
	m := build(keys)
	tests := []struct {
		name string
		max  float64
		f    func()
	}{
		{"Get", 0, func() { _, _ = m.Get(777) }},
		{"Set of an existing key, unshared", 0, func() { m.Set(777, 1) }},
		{"Delete of an absent key", 0, func() { m.Delete(-5) }},
		{"Min and Max", 0, func() { m.Min(); m.Max() }},
		{"All loop", 1, func() {
			for k, v := range m.All() {
				_, _ = k, v
			}
		}},
		{"Scan loop", 1, func() {
			for k, v := range m.Scan(10, 500) {
				_, _ = k, v
			}
		}},
		{"Clone", 1, func() { c := m.Clone(); defer c.Release() }},
	}
	for _, tt := range tests {
		if got := testing.AllocsPerRun(100, tt.f); got > tt.max {
			t.Errorf("%s: %v allocs, want at most %v", tt.name, got, tt.max)
		}
	}
	mustCheck(t, m)
}

// TestDeleteUnsharedNeverAllocates deletes every key of an unshared map,
// in random order, so that leaves and inner nodes merge and borrow at every
// level, and counts the allocations of all of it.
func TestDeleteUnsharedNeverAllocates(t *testing.T) {
	keys := rand.Perm(50000)
	m := build(keys)
	rand.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	next := 0
	got := testing.AllocsPerRun(49, func() {
		for _, k := range keys[next : next+1000] {
			if !m.Delete(k) {
				t.Fatalf("Delete(%d) = false", k)
			}
		}
		next += 1000
	})
	if got != 0 {
		t.Errorf("deleting from an unshared map: %v allocs per 1000 deletes, want 0", got)
	}
	if m.Len() != 0 || m.root != nil {
		t.Fatalf("Len() = %d after deleting every key", m.Len())
	}
}

// TestInsertAllocatesOnlyOnSplit: an insert into a leaf with room allocates
// nothing, and a million sequential inserts allocate about one node per 63.
func TestInsertAllocatesOnlyOnSplit(t *testing.T) {
	m := New[int, int]()
	m.Set(0, 0)
	m.Set(1000, 0)
	k := 1
	if got := testing.AllocsPerRun(50, func() { m.Set(k, k); k++ }); got != 0 {
		t.Errorf("insert into a leaf with room: %v allocs, want 0", got)
	}
	m = New[int, int]()
	i := 0
	got := testing.AllocsPerRun(1, func() {
		for range 100000 {
			m.Set(i, i)
			i++
		}
	})
	// Ascending inserts leave every node but the last of its level all but
	// full: maxLeaf-1 entries per leaf, maxInner children per inner node.
	nodes := 0
	for level := 100000 / (maxLeaf - 1); level > 0; level /= maxInner {
		nodes += level
	}
	if got > float64(nodes)*11/10+10 {
		t.Errorf("100000 ascending inserts: %v allocs, want about %d (one per full node)", got, nodes)
	}
	mustCheck(t, m)
}

// TestReleaseRestoresInPlaceWrites is Rodeh's promise: once a clone is
// released, its source writes in place again, even where the clone had
// written (and so had shadowed the nodes the source still points to).
func TestReleaseRestoresInPlaceWrites(t *testing.T) {
	keys := rand.Perm(100000)
	m := build(keys)

	c := m.Clone()
	c.Release()
	if got := testing.AllocsPerRun(100, func() { m.Set(keys[7], 1) }); got != 0 {
		t.Errorf("after c := m.Clone(); c.Release(): m.Set allocates %v, want 0", got)
	}

	c = m.Clone()
	for _, k := range keys[:500] {
		c.Set(k, -k) // c now has private paths; m's nodes on them are shared
	}
	if !shared(m) {
		t.Fatal("m should share nodes with c before the Release")
	}
	c.Release()
	if shared(m) {
		t.Fatal("after c.Release(), m still shares nodes")
	}
	if got := testing.AllocsPerRun(100, func() {
		for _, k := range keys[:500] {
			m.Set(k, k)
		}
	}); got != 0 {
		t.Errorf("after the clone that wrote was released: m.Set allocates %v per 500 writes, want 0", got)
	}
	mustCheck(t, m, c)
}

func TestReleaseKeepsOrdering(t *testing.T) {
	m := NewFunc[string, int](func(a, b string) int { return strings.Compare(b, a) })
	m.Set("a", 1)
	m.Set("b", 2)
	m.Release()
	m.Release()
	m.Set("a", 1)
	m.Set("c", 3)
	if got := slices.Collect(m.Keys()); !slices.Equal(got, []string{"c", "a"}) {
		t.Fatalf("after Release, Keys() = %v, want [c a] (the map kept its reversed order)", got)
	}
}

func TestWriteDuringIterationSeesSnapshot(t *testing.T) {
	m := build(rand.Perm(5000))
	n := 0
	for k := range m.All() {
		m.Delete(k)
		m.Set(k+100000, k)
		n++
	}
	if n != 5000 || m.Len() != 5000 {
		t.Fatalf("the loop ran %d times and left %d entries, want 5000 and 5000", n, m.Len())
	}
	if k, _, _ := m.Min(); k != 100000 {
		t.Fatalf("Min() = %d, want 100000", k)
	}
	mustCheck(t, m)
	if shared(m) {
		t.Fatal("the finished loop left nodes shared")
	}
}

func TestOpString(t *testing.T) {
	for op, want := range map[Op]string{Added: "Added", Removed: "Removed", Updated: "Updated", 0: "Op(0)", 9: "Op(9)"} {
		if got := op.String(); got != want {
			t.Errorf("Op(%d).String() = %q, want %q", uint8(op), got, want)
		}
	}
}

// TestEdgeSetDeleteDoesNotThrash: after a sequential load, adding a key past
// either end and deleting it again, over and over, allocates nothing after
// the first time, whatever the fill of the edge leaf.
func TestEdgeSetDeleteDoesNotThrash(t *testing.T) {
	for _, n := range []int{1, 2, maxLeaf - 1, maxLeaf, maxLeaf + 1, 2*maxLeaf - 2, 5000, 64449} {
		up, down := New[int, int](), New[int, int]()
		for i := range n {
			up.Set(i, i)
			down.Set(-i, i)
		}
		if got := testing.AllocsPerRun(20, func() { up.Set(n, 0); up.Delete(n) }); got != 0 {
			t.Errorf("n=%d ascending: Set(max+1); Delete(max+1) allocates %v per pair, want 0", n, got)
		}
		if got := testing.AllocsPerRun(20, func() { down.Set(-n, 0); down.Delete(-n) }); got != 0 {
			t.Errorf("n=%d descending: Set(min-1); Delete(min-1) allocates %v per pair, want 0", n, got)
		}
		mustCheck(t, up, down)
	}
}

// TestMergeDoesNotCopySibling: a Delete on a shared map that merges two
// leaves copies only its own path, not the neighbour merged into it.
func TestMergeDoesNotCopySibling(t *testing.T) {
	m := New[int, int]()
	for i := range 10 * maxLeaf {
		m.Set(i, i)
	}
	// Thin the third and fourth leaves down to the minimum, so that one
	// more delete from the fourth merges it with the third.
	var leaves [][]int
	for k := range m.All() {
		if len(leaves) == 0 || len(leaves[len(leaves)-1]) == int(m.leafFor(k).n) {
			leaves = append(leaves, nil)
		}
		leaves[len(leaves)-1] = append(leaves[len(leaves)-1], k)
	}
	for _, l := range leaves[2:4] {
		for _, k := range l[minLeaf:] {
			m.Delete(k)
		}
	}
	victim := leaves[3][0]
	if n := m.leafFor(leaves[2][0]).n + m.leafFor(victim).n - 1; n > maxLeaf {
		t.Fatalf("test setup: the two leaves would hold %d entries, too many to merge", n)
	}
	height := m.height
	base := testing.AllocsPerRun(10, func() { c := m.Clone(); c.Release() })
	got := testing.AllocsPerRun(10, func() { c := m.Clone(); c.Delete(victim); c.Release() })
	if want := base + float64(height+1); got != want {
		t.Errorf("a merging Delete on a shared map: %v allocs, want %v (%v for Clone and Release, and one copy per level of the path)", got, want, base)
	}
	c := m.Clone()
	c.Delete(victim)
	if got, want := countLeaves(c), countLeaves(m)-1; got != want {
		t.Fatalf("the clone has %d leaves, want %d: no leaves merged", got, want)
	}
	mustCheck(t, m, c)
}

func countLeaves(m *Map[int, int]) int {
	var walk func(h *header, level int) int
	walk = func(h *header, level int) int {
		if level == 0 {
			return 1
		}
		n, in := 0, innerOf[int, int](h)
		for _, kid := range in.kids[:in.n+1] {
			n += walk(kid, level-1)
		}
		return n
	}
	return walk(m.root, m.height)
}

// TestSetStoresTheGivenKey pins what Set's doc says: an equal key already
// present is replaced by the one given, as a Go map replaces it (for
// float64 keys, where +0 and -0 are equal but distinguishable).
func TestSetStoresTheGivenKey(t *testing.T) {
	negZero := math.Copysign(0, -1)
	gomap := map[float64]int{0: 1}
	gomap[negZero] = 2
	for k := range gomap {
		if !math.Signbit(k) || len(gomap) != 1 {
			t.Fatalf("a Go map kept the key %v (len %d): Set's doc compares with it wrongly", k, len(gomap))
		}
	}
	m := New[float64, int]()
	m.Set(0, 1)
	m.Set(negZero, 2)
	if k, v, ok := m.Lookup(0); !ok || !math.Signbit(k) || v != 2 || m.Len() != 1 {
		t.Fatalf("after Set(+0, 1), Set(-0, 2): Lookup = %v, %v, %v, Len %d; want -0, 2, true, 1", k, v, ok, m.Len())
	}
	if old, loaded := m.Swap(0, 3); !loaded || old != 2 {
		t.Fatalf("Swap(+0, 3) = %v, %v, want 2, true", old, loaded)
	}
	if k, _, _ := m.Min(); math.Signbit(k) {
		t.Fatalf("Swap(+0, 3) kept the key -0")
	}
}
