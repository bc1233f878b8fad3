package rope

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The few assertions these tests need, on go-cmp (the module keeps its
// test dependencies to rapid and go-cmp).

func equal(t *testing.T, want, got any, what ...any) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("%s (-want +got):\n%s", fmt.Sprint(what...), d)
	}
}

func truth(t *testing.T, ok bool, what ...any) {
	t.Helper()
	if !ok {
		t.Fatal(what...)
	}
}

func noErr(t *testing.T, err error, what ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", fmt.Sprint(what...), err)
	}
}

func panicsWith(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		if got := recover(); got != want {
			t.Fatalf("panicked with %v, want %q", got, want)
		}
	}()
	f()
}

func ints(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func TestZeroValue(t *testing.T) {
	var r Rope[int]
	equal(t, 0, r.Len())
	truth(t, len(slices.Collect(r.Values())) == 0, "zero rope yields")
	r.Delete(0, 0)
	r.Concat(&Rope[int]{})
	s := r.Slice(0, 0)
	equal(t, 0, s.Len())
	r.Insert(0, 1, 2)
	r.Append(3)
	equal(t, []int{1, 2, 3}, slices.Collect(r.Values()))
	r.Release()
	r.Release()
	equal(t, 0, r.Len())
	noErr(t, checkRopes([]*Rope[int]{&r, s}), "check")
}

func TestPanics(t *testing.T) {
	r := New(1, 2, 3)
	for _, tt := range []struct {
		name, want string
		f          func()
	}{
		{"At", "rope: index 7 out of range [0:3]", func() { r.At(7) }},
		{"At negative", "rope: index -1 out of range [0:3]", func() { r.At(-1) }},
		{"Set", "rope: index 3 out of range [0:3]", func() { r.Set(3, 0) }},
		{"Insert", "rope: Insert index 4 out of range [0:3]", func() { r.Insert(4, 0) }},
		{"Delete", "rope: Delete bounds [2:1] out of range [0:3]", func() { r.Delete(2, 1) }},
		{"Delete past end", "rope: Delete bounds [0:4] out of range [0:3]", func() { r.Delete(0, 4) }},
		{"Slice", "rope: Slice bounds [-1:2] out of range [0:3]", func() { r.Slice(-1, 2) }},
		{"WriteTo", "rope: WriteTo of a *rope.Rope[int]: only a Rope[byte] holds text", func() { r.WriteTo(&strings.Builder{}) }},
		{"Reader", "rope: Reader of a *rope.Rope[int]: only a Rope[byte] holds text", func() { r.Reader() }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			panicsWith(t, tt.want, tt.f)
			equal(t, []int{1, 2, 3}, slices.Collect(r.Values()), "a failed call changed the rope")
		})
	}
}

// TestBigEdits builds ropes deep enough for every join path (a tree
// joined to a shorter or a taller one, on either side) with the default
// node size, and checks each edit against a slice.
func TestBigEdits(t *testing.T) {
	const n = 200_000
	want := ints(n)
	r := New(want...)
	keep := r.Clone()
	var s *Rope[int]
	check := func(what string) {
		t.Helper()
		live := []*Rope[int]{r, keep}
		if s != nil {
			live = append(live, s)
		}
		noErr(t, checkRopes(live), what)
		truth(t, slices.Equal(want, slices.Collect(r.Values())), what)
	}
	check("New")
	r.Delete(1000, n-1000)
	want = slices.Delete(want, 1000, n-1000)
	check("Delete of the middle")
	r.Insert(1500, ints(50_000)...)
	want = slices.Insert(want, 1500, ints(50_000)...)
	check("Insert of a long run")
	s = keep.Slice(7, 150_007)
	r.Concat(s)
	want = append(want, ints(n)[7:150_007]...)
	check("Concat of a taller rope")
	s.Release()
	s = nil
	short := New(1, 2, 3)
	short.Concat(r)
	r.Release()
	r.Concat(short)
	short.Release()
	want = append([]int{1, 2, 3}, want...)
	check("a short rope joined to the left of a tall one")
	for i := 0; i < r.Len(); i += 997 {
		r.Set(i, -i)
		want[i] = -i
	}
	check("Set")
	truth(t, slices.Equal(ints(n), slices.Collect(keep.Values())), "the clone changed")
}

// TestCloneFirstWriteCopiesAPath: after a Clone, the first Set copies one
// node per level, a few KiB, whatever the length, and the second Set to
// the same leaf copies nothing.
func TestCloneFirstWriteCopiesAPath(t *testing.T) {
	if smallNodes {
		t.Skip("measures the default node size")
	}
	r := New(ints(1_000_000)...)
	equal(t, 3, r.Stats().Height)
	c := r.Clone()
	before := r.Stats()
	equal(t, before.Nodes, before.SharedNodes)
	r.Set(500_000, -1)
	after := r.Stats()
	equal(t, after.Height+1, after.Nodes-after.SharedNodes, "nodes copied")
	truth(t, after.Bytes-after.SharedBytes < 4096, "bytes copied: ", after.Bytes-after.SharedBytes)
	equal(t, 500_000, c.At(500_000))
	allocs := testing.AllocsPerRun(10, func() { r.Set(500_001, -2) })
	equal(t, 0.0, allocs, "allocs of a second Set")
	c.Release()
	equal(t, 0, r.Stats().SharedNodes, "shared nodes after the clone's Release")
}

var cloneSink *Rope[int] // so that Clone's handle escapes, as a user's does

func TestAllocs(t *testing.T) {
	r := New(ints(100_000)...)
	sink := 0
	equal(t, 0.0, testing.AllocsPerRun(100, func() { sink += r.At(54_321) }), "At")
	equal(t, 0.0, testing.AllocsPerRun(100, func() { r.Set(54_321, 7) }), "Set, unshared")
	equal(t, 1.0, testing.AllocsPerRun(100, func() {
		cloneSink = r.Clone()
		cloneSink.Release()
	}), "Clone")
	equal(t, 0.0, testing.AllocsPerRun(100, func() {
		r.Insert(50_000, 1)
		r.Delete(50_000, 50_001)
	}), "Insert and Delete of one element in a leaf with room")
	_ = sink
}

func TestAppendFillsLeaves(t *testing.T) {
	if smallNodes {
		t.Skip("measures the default node size")
	}
	var r Rope[int]
	for i := range 100_000 {
		r.Append(i)
	}
	noErr(t, checkRopes([]*Rope[int]{&r}), "check")
	st := r.Stats()
	leaves := 0
	var count func(n *node[int])
	count = func(n *node[int]) {
		if n.level == 0 {
			leaves++
		}
		for _, c := range n.kids {
			count(c.n)
		}
	}
	count(r.root)
	fill := float64(r.Len()) / float64(leaves*leafCap[int]())
	truth(t, fill > 0.85, fmt.Sprintf("leaf fill of a rope built by appends: %.2f (%d leaves, %+v)", fill, leaves, st))
	full := New(ints(100_000)...)
	truth(t, full.Stats().Bytes < 100_000*8*11/10, "heap of a rope built by New: ", full.Stats().Bytes, " B, against 800 KB of ints")
}

func TestLoopHoldsSnapshot(t *testing.T) {
	r := New(ints(1000)...)
	var got []int
	for v := range r.Values() {
		got = append(got, v)
		if v%10 == 0 {
			r.Delete(0, r.Len()/2)
			r.Append(-v)
		}
	}
	equal(t, ints(1000), got)
	noErr(t, checkRopes([]*Rope[int]{r}), "check")
	equal(t, 0, r.Stats().SharedNodes, "the loop let go of its hold")
}

func TestStringOfInts(t *testing.T) {
	equal(t, "[1 2 3]", New(1, 2, 3).String())
	equal(t, "[]", new(Rope[int]).String())
	equal(t, fmt.Sprintf("%03d", []int{1, 2}), fmt.Sprintf("%03d", New(1, 2)))
	equal(t, "[]int{1, 2}", fmt.Sprintf("%#v", New(1, 2)))
	equal(t, "<nil>", fmt.Sprint((*Rope[int])(nil)))
}

// TestDeleteInLeafAllocatesNothing: deleting inside a leaf, even one at
// its minimum fill that then merges with or borrows from a neighbour,
// allocates nothing on a rope that shares nothing.
func TestDeleteInLeafAllocatesNothing(t *testing.T) {
	r := New(ints(100_000)...)
	r.Delete(0, 1) // warm up
	// A leaf underflows once in about a hundred deletes, so count every
	// allocation of the whole run: AllocsPerRun rounds the average down.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	for range 20_000 {
		r.Delete(r.Len()/3, r.Len()/3+1)
	}
	runtime.ReadMemStats(&m1)
	equal(t, uint64(0), m1.Mallocs-m0.Mallocs, "allocations in 20,000 one-element Deletes")
	noErr(t, checkRopes([]*Rope[int]{r}), "after the deletes")
	equal(t, 100_000-20_001, r.Len(), "Len")
}

func TestConcatOverflowPanics(t *testing.T) {
	r := New(1)
	for range 62 {
		r.Concat(r)
	}
	equal(t, 1<<62, r.Len(), "Len after 62 doublings")
	panicsWith(t, fmt.Sprintf("rope: a length of %d and %d more elements overflows int", 1<<62, 1<<62), func() { r.Concat(r) })
	equal(t, 1<<62, r.Len(), "Len after the failed Concat")
	st := r.Stats() // a node held twice is counted once: this returns at once
	truth(t, st.Nodes < 200, "Stats of a self-shared rope counts distinct nodes: ", st.Nodes)
	r.Release()
}

func TestCollectBatchBoundedInBytes(t *testing.T) {
	type huge [1 << 20]byte
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	r := Collect(func(yield func(huge) bool) {})
	runtime.ReadMemStats(&ms1)
	equal(t, 0, r.Len(), "Len")
	truth(t, ms1.TotalAlloc-ms0.TotalAlloc < 1<<20, "Collect of an empty seq of 1 MiB elements allocated ", ms1.TotalAlloc-ms0.TotalAlloc, " B")
	want := ints(10_000)
	got := Collect(slices.Values(want))
	equal(t, want, slices.Collect(got.Values()), "Collect")
	noErr(t, checkRopes([]*Rope[int]{got}), "after Collect")
}

func TestNilAndZero(t *testing.T) {
	equal(t, "<nil>", (*Rope[byte])(nil).String(), "nil Rope[byte]")
	var rd Reader
	n, err := rd.Read(make([]byte, 4))
	truth(t, n == 0 && err == io.EOF, "zero Reader Read: ", n, err)
	equal(t, 0, rd.Len(), "zero Reader Len")
	noErr(t, rd.Close(), "zero Reader Close")
}
