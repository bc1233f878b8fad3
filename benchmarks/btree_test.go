package benchmarks

// btree.Map against tidwall/btree's Map (v1.8.2, its default degree),
// google/btree's BTreeG (v1.1.3) and benbjohnson/immutable's SortedMap
// (v0.4.3), at 1e6 random int keys. Each benchmark runs the
// implementations in that order, cowkit last.
//
// Both sit behind a small interface, so that one loop measures both; the
// interface call costs a few nanoseconds, the same on both sides, against
// operations of several hundred. Iteration sums inside each
// implementation's own loop.

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/benbjohnson/immutable"
	"github.com/cowkit/cowkit/btree"
	gbtree "github.com/google/btree"
	tidwall "github.com/tidwall/btree"
)

const n = 1_000_000

// keys are n distinct random keys, in random order.
var keys = sync.OnceValue(func() []int {
	r := rand.New(rand.NewPCG(1, 2))
	seen := make(map[int]bool, n)
	ks := make([]int, 0, n)
	for len(ks) < n {
		if k := r.IntN(1 << 40); !seen[k] {
			seen[k] = true
			ks = append(ks, k)
		}
	}
	return ks
})

// ordered is what the benchmarks need of an ordered map.
type ordered interface {
	Get(k int) (int, bool)
	Set(k, v int)
	Delete(k int)
	Sum() int       // iterates over every entry in order
	Clone() ordered // an O(1) snapshot
}

type impl struct {
	name string
	new  func() ordered
}

// impls are the ordered maps compared, tidwall/btree first: benchstat
// -col /impl reports the others as ratios against it.
var impls = []impl{
	{"impl=tidwall", func() ordered { return &twMap{new(tidwall.Map[int, int])} }},
	{"impl=google", func() ordered { return &gbMap{gbtree.NewG(32, pairLess)} }},
	{"impl=immutable", func() ordered { return &imMap{immutable.NewSortedMap[int, int](nil)} }},
	{"impl=cowkit", func() ordered { return &ckMap{btree.New[int, int]()} }},
}

type twMap struct{ m *tidwall.Map[int, int] }

func (t *twMap) Get(k int) (int, bool) { return t.m.Get(k) }
func (t *twMap) Set(k, v int)          { t.m.Set(k, v) }
func (t *twMap) Delete(k int)          { t.m.Delete(k) }
func (t *twMap) Clone() ordered        { return &twMap{t.m.Copy()} }
func (t *twMap) Sum() (s int) {
	t.m.Scan(func(_, v int) bool { s += v; return true })
	return s
}

// gbMap is google/btree's BTreeG of key-value pairs ordered by key, at
// degree 32 (nodes of up to 63 items), the degree its README suggests
// trying first.
type gbMap struct{ m *gbtree.BTreeG[pair] }

type pair struct{ k, v int }

func pairLess(a, b pair) bool { return a.k < b.k }

func (g *gbMap) Get(k int) (int, bool) {
	p, ok := g.m.Get(pair{k: k})
	return p.v, ok
}
func (g *gbMap) Set(k, v int)   { g.m.ReplaceOrInsert(pair{k, v}) }
func (g *gbMap) Delete(k int)   { g.m.Delete(pair{k: k}) }
func (g *gbMap) Clone() ordered { return &gbMap{g.m.Clone()} }
func (g *gbMap) Sum() (s int) {
	g.m.Ascend(func(p pair) bool { s += p.v; return true })
	return s
}

// imMap is benbjohnson/immutable's persistent SortedMap: every Set returns
// a new map, so a clone is the map value itself.
type imMap struct {
	m *immutable.SortedMap[int, int]
}

func (i *imMap) Get(k int) (int, bool) { return i.m.Get(k) }
func (i *imMap) Set(k, v int)          { i.m = i.m.Set(k, v) }
func (i *imMap) Delete(k int)          { i.m = i.m.Delete(k) }
func (i *imMap) Clone() ordered        { return &imMap{i.m} }
func (i *imMap) Sum() (s int) {
	for it := i.m.Iterator(); !it.Done(); {
		_, v, _ := it.Next()
		s += v
	}
	return s
}

type ckMap struct{ m *btree.Map[int, int] }

func (c *ckMap) Get(k int) (int, bool) { return c.m.Get(k) }
func (c *ckMap) Set(k, v int)          { c.m.Set(k, v) }
func (c *ckMap) Delete(k int)          { c.m.Delete(k) }
func (c *ckMap) Clone() ordered        { return &ckMap{c.m.Clone()} }
func (c *ckMap) Sum() (s int) {
	for _, v := range c.m.All() {
		s += v
	}
	return s
}

func build(im impl) ordered {
	m := im.new()
	for _, k := range keys() {
		m.Set(k, k)
	}
	return m
}

var sink int

// each runs f as a sub-benchmark of b for every implementation, with a map
// of all the keys built beforehand, outside the timing.
func each(b *testing.B, f func(b *testing.B, im impl, m ordered)) {
	for _, im := range impls {
		b.Run(im.name, func(b *testing.B) {
			m := build(im)
			b.ReportAllocs()
			b.ResetTimer()
			f(b, im, m)
		})
	}
}

func BenchmarkBtree_Get(b *testing.B) {
	each(b, func(b *testing.B, _ impl, m ordered) {
		ks, i := keys(), 0
		for b.Loop() {
			v, _ := m.Get(ks[i])
			sink += v
			if i++; i == n {
				i = 0
			}
		}
	})
}

func BenchmarkBtree_Set_overwrite(b *testing.B) {
	each(b, func(b *testing.B, _ impl, m ordered) {
		ks, i := keys(), 0
		for b.Loop() {
			m.Set(ks[i], i)
			if i++; i == n {
				i = 0
			}
		}
	})
}

// BenchmarkBtree_Set_insert inserts into a map that grows from 0 to n
// entries, over and over: the average cost of one insert.
func BenchmarkBtree_Set_insert(b *testing.B) {
	each(b, func(b *testing.B, im impl, _ ordered) {
		ks, i, m := keys(), 0, im.new()
		for b.Loop() {
			if i == n {
				b.StopTimer()
				m, i = im.new(), 0
				b.StartTimer()
			}
			m.Set(ks[i], i)
			i++
		}
	})
}

// BenchmarkBtree_Delete deletes from a map that shrinks from n entries to
// 0, over and over.
func BenchmarkBtree_Delete(b *testing.B) {
	each(b, func(b *testing.B, im impl, m ordered) {
		ks, i := keys(), 0
		for b.Loop() {
			if i == n {
				b.StopTimer()
				m, i = build(im), 0
				b.StartTimer()
			}
			m.Delete(ks[i])
			i++
		}
	})
}

func BenchmarkBtree_All(b *testing.B) {
	each(b, func(b *testing.B, _ impl, m ordered) {
		for b.Loop() {
			sink += m.Sum()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/item")
	})
}

// BenchmarkBtree_Clone_firstWrite: a snapshot, then one write to it; the
// snapshot is then dropped (tidwall has no Release; cowkit's is not called).
func BenchmarkBtree_Clone_firstWrite(b *testing.B) {
	each(b, func(b *testing.B, _ impl, m ordered) {
		ks, i := keys(), 0
		for b.Loop() {
			m.Clone().Set(ks[i], 1)
			if i++; i == n {
				i = 0
			}
		}
	})
}

func BenchmarkBtree_Clone_1000Writes(b *testing.B) {
	each(b, func(b *testing.B, _ impl, m ordered) {
		ks, i := keys(), 0
		for b.Loop() {
			c := m.Clone()
			for range 1000 {
				c.Set(ks[i], 1)
				if i++; i == n {
					i = 0
				}
			}
		}
	})
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkBtree_heapPerItem reports the heap a map of n random int keys
// holds, per entry.
func BenchmarkBtree_heapPerItem(b *testing.B) {
	for _, im := range impls {
		b.Run(im.name, func(b *testing.B) {
			keys() // outside the measurement
			for b.Loop() {
				before := heapInUse()
				m := build(im)
				after := heapInUse()
				runtime.KeepAlive(m)
				b.ReportMetric(float64(after-before)/n, "B/item")
			}
		})
	}
}
