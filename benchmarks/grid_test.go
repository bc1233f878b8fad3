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

func BenchmarkItemSet(b *testing.B) {
	for _, op := range ItemSetOps {
		b.Run(op.Name, func(b *testing.B) {
			for _, n := range GridSizes {
				b.Run(ItemSetName(n), func(b *testing.B) {
					for _, im := range ItemSetImpls {
						b.Run("impl="+im.Name, op.Setup(im, n))
					}
				})
			}
		})
	}
}

// TestItemSetImplsAgree: both item sets store each item once and answer
// alike.
func TestItemSetImplsAgree(t *testing.T) {
	const n = 3000
	its := itemsFor(n)
	ss := []ItemSet{buildItems(ItemSetImpls[0], its), buildItems(ItemSetImpls[1], its)}
	for i, it := range its[:300] {
		for j, s := range ss {
			if got := s.Get(itemKey(it.Key)); got != it {
				t.Fatalf("%s: Get(%q) is not the stored item", ItemSetImpls[j].Name, it.Key)
			}
		}
		if a, b := ss[0].AscendLimit(it, short), ss[1].AscendLimit(it, short); a != b {
			t.Fatalf("AscendLimit from item %d: google %d, cowkit %d", i, a, b)
		}
	}
	for j, s := range ss {
		if got := s.CloneCompact(n / 10); got != n-n/10 {
			t.Fatalf("%s: compaction left %d, want %d", ItemSetImpls[j].Name, got, n-n/10)
		}
		s.ReplaceOrInsert(&Item{Key: its[5].Key, Rev: -1})
		if got := s.Get(itemKey(its[5].Key)); got.Rev != -1 {
			t.Fatalf("%s: ReplaceOrInsert kept the old item", ItemSetImpls[j].Name)
		}
	}
}
