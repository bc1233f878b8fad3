package benchmarks

// go test -run '^$' -bench Rope -count 6 > rope.txt
// go run golang.org/x/perf/cmd/benchstat@latest -col /impl rope.txt
//
// rope.Rope[int] against a []int, cowslice and benbjohnson/immutable's
// List, every op of RopeOps at every size of GridSizes, and the heap each
// holds (RopeHeaps). cmd/report runs the same functions, interleaved, and
// checks the targets (the Targets named "rope ...").

import (
	"fmt"
	"slices"
	"testing"

	"github.com/benbjohnson/immutable"
)

func BenchmarkRope(b *testing.B) {
	for _, op := range RopeOps {
		b.Run(op.Name, func(b *testing.B) {
			for _, n := range GridSizes {
				b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
					for _, im := range op.Impls {
						b.Run("impl="+im.Name, im.Setup(n))
					}
				})
			}
		})
	}
}

func BenchmarkRopeHeap(b *testing.B) {
	for _, im := range RopeHeaps {
		b.Run("impl="+im.Name, im.Setup(benchN))
	}
}

// TestRopeImplsAgree: the implementations of each rope op do the same
// work on the same elements, so the grid compares like with like.
func TestRopeImplsAgree(t *testing.T) {
	const n = 5000
	want := plainOf(n)
	s, c, l, r := plainWithRoom(n), cowsliceWithRoom(n), listOf(n), ropeOf(n)
	for _, pos := range []func(int) []int{randomPositions, stridedPositions} {
		idx := pos(n)
		w := atPlain(want, idx)
		if got := [3]int{atCowslice(c, idx), atList(l, idx), atRope(r, idx)}; got != [3]int{w, w, w} {
			t.Fatalf("At sums (cowslice, immutable, rope) = %v, want %d each", got, w)
		}
	}
	w := valuesPlain(want)
	if got := [3]int{sumValues(c), valuesList(l), valuesRope(r)}; got != [3]int{w, w, w} {
		t.Fatalf("Values sums (cowslice, immutable, rope) = %v, want %d each", got, w)
	}

	// A cycle of middle Inserts, then of middle Deletes, each undone as
	// middleBench undoes it: every step agrees with the []int, and the
	// undo puts the length back.
	check := func(step string) {
		t.Helper()
		if got := slices.Collect(c.Values()); !slices.Equal(got, s) {
			t.Fatalf("%s: cowslice differs from the []int", step)
		}
		if got := slices.Collect(r.Values()); !slices.Equal(got, s) {
			t.Fatalf("%s: rope differs from the []int", step)
		}
	}
	const k = 700
	for range k {
		s, c, r = insertMidPlain(s), insertMidCowslice(c), insertMidRope(r)
	}
	check("after the Inserts")
	if !slices.Equal(s[n/2:n/2+k], slices.Repeat([]int{-1}, k)) {
		t.Fatalf("the Inserts are not at [n/2, n/2+k)")
	}
	m := (len(s) - k) / 2
	s = slices.Delete(s, m, m+k)
	c.Delete(m, m+k)
	r.Delete(m, m+k)
	check("after undoing the Inserts")
	if !slices.Equal(s, want) {
		t.Fatalf("undoing the Inserts did not restore 0..n-1")
	}
	for range k {
		s, c, r = deleteMidPlain(s), deleteMidCowslice(c), deleteMidRope(r)
	}
	check("after the Deletes")
	s = slices.Insert(s, len(s)/2, pad[:k]...)
	c.Insert(c.Len()/2, pad[:k]...)
	r.Insert(r.Len()/2, pad[:k]...)
	check("after undoing the Deletes")
	if len(s) != n {
		t.Fatalf("undoing the Deletes left %d elements, want %d", len(s), n)
	}

	// The builders build 0..n-1.
	for name, got := range map[string][]int{
		"append":          appendPlainN(n),
		"cowslice Append": slices.Collect(appendCowsliceN(n).Values()),
		"rope Append":     slices.Collect(appendRopeN(n).Values()),
		"rope Collect":    slices.Collect(collectRopeN(n).Values()),
		"immutable":       listValues(appendListN(n)),
	} {
		if !slices.Equal(got, want) {
			t.Errorf("%s did not build 0..n-1", name)
		}
	}

	// The first write after a clone leaves the original as it was.
	cloneSetCowslice(c)
	cloneSetRope(r)
	cloneSetList(l)
	if got := [3]int{c.At(c.Len() / 2), r.At(r.Len() / 2), l.Get(l.Len() / 2)}; got[0] == -1 || got[1] == -1 || got[2] == -1 {
		t.Fatalf("a clone's first write reached the original: %v", got)
	}
	if shared := r.Stats().SharedNodes; shared != 0 {
		t.Fatalf("after the clone's Release the rope still shares %d nodes", shared)
	}
}

func listValues(l *immutable.List[int]) []int {
	out := make([]int, l.Len())
	for i := range out {
		out[i] = l.Get(i)
	}
	return out
}
