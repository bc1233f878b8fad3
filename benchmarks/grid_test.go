package benchmarks

// go test -run '^$' -bench Grid -count 6 > grid.txt
// go run golang.org/x/perf/cmd/benchstat@latest -col /impl grid.txt
//
// btree.Map against tidwall/btree's Map, every op of GridOps at every size
// of GridSizes, int and string keys. cmd/report runs the same functions,
// interleaved, and prints the whole grid.

import (
	"fmt"
	"testing"
)

func BenchmarkGrid(b *testing.B) {
	for _, op := range GridOps {
		b.Run(op.Name, func(b *testing.B) {
			for _, n := range GridSizes {
				b.Run(fmt.Sprintf("keys=int/n=%d", n), func(b *testing.B) {
					for _, im := range GridImpls[int]() {
						b.Run("impl="+im.Name, op.Int(im, n))
					}
				})
				b.Run(fmt.Sprintf("keys=string/n=%d", n), func(b *testing.B) {
					for _, im := range GridImpls[string]() {
						b.Run("impl="+im.Name, op.String(im, n))
					}
				})
			}
		})
	}
}

// TestGridImplsAgree: both grid implementations answer every op alike, so
// the grid compares the same work.
func TestGridImplsAgree(t *testing.T) {
	const n = 5000
	ks := GridKeys[string](n)
	ims := GridImpls[string]()
	ms := []GridMap[string]{gridBuild(ims[0], ks), gridBuild(ims[1], ks)}
	ms[0].(*twGrid[string]).mirror()
	for i, k := range ks[:200] {
		var got [2][9]int
		for j, m := range ms {
			v, _ := m.Get(k)
			got[j] = [9]int{v, m.Sum(), m.Ascend(k, short), m.Descend(k, short), m.Seek(k, short), m.Rank(k), m.CloneDeleteRange(k, ks[(i+1)%n])}
			if a := m.At(i); a != ms[0].At(i) {
				t.Fatalf("At(%d) = %q for %d, want %q", i, a, j, ms[0].At(i))
			}
		}
		if got[0] != got[1] {
			t.Fatalf("key %q: tidwall %v, cowkit %v", k, got[0], got[1])
		}
	}
	for range 10 {
		k0, v0 := ms[0].PopMin()
		k1, v1 := ms[1].PopMin()
		if k0 != k1 || v0 != v1 {
			t.Fatalf("PopMin: tidwall %q %d, cowkit %q %d", k0, v0, k1, v1)
		}
	}
}
