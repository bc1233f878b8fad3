package benchmarks

import (
	"math/rand/v2"
	"sync"

	"github.com/benbjohnson/immutable"
	"github.com/cowkit/cowkit/btree"
	gbtree "github.com/google/btree"
	tidwall "github.com/tidwall/btree"
)

// Ordered is what the B-tree benchmarks need of an ordered map from int to
// int. Every implementation sits behind it, so that one loop measures them
// all; the interface call costs a few nanoseconds, the same for each,
// against operations of several hundred. Sum iterates inside each
// implementation's own loop.
type Ordered interface {
	Get(k int) (int, bool)
	Set(k, v int)
	Delete(k int)
	Sum() int       // iterates over every entry in key order
	Clone() Ordered // an O(1) snapshot
}

// Impl is one ordered-map implementation.
type Impl struct {
	Name string // as in "impl=tidwall"
	New  func() Ordered
}

// Impls are the ordered maps compared: tidwall/btree first, the baseline
// that benchstat -col /impl and the report compare the others with, and
// cowkit last.
var Impls = []Impl{
	{"tidwall", func() Ordered { return &twMap{new(tidwall.Map[int, int])} }},
	{"google", func() Ordered { return &gbMap{gbtree.NewG(32, pairLess)} }},
	{"immutable", func() Ordered { return &imMap{immutable.NewSortedMap[int, int](nil)} }},
	{"cowkit", func() Ordered { return &ckMap{btree.New[int, int]()} }},
}

// Keys returns n distinct random keys in random order, the same for every
// call with the same n.
func Keys(n int) []int {
	keysMu.Lock()
	defer keysMu.Unlock()
	if ks, ok := keysCache[n]; ok {
		return ks
	}
	r := rand.New(rand.NewPCG(1, 2))
	seen := make(map[int]bool, n)
	ks := make([]int, 0, n)
	for len(ks) < n {
		if k := r.IntN(1 << 40); !seen[k] {
			seen[k] = true
			ks = append(ks, k)
		}
	}
	keysCache[n] = ks
	return ks
}

var (
	keysMu    sync.Mutex
	keysCache = map[int][]int{}
)

// Build returns a map of im holding k -> k for every key.
func Build(im Impl, keys []int) Ordered {
	m := im.New()
	for _, k := range keys {
		m.Set(k, k)
	}
	return m
}

// tidwall/btree v1.8.2's Map at its default degree.
type twMap struct{ m *tidwall.Map[int, int] }

func (t *twMap) Get(k int) (int, bool) { return t.m.Get(k) }
func (t *twMap) Set(k, v int)          { t.m.Set(k, v) }
func (t *twMap) Delete(k int)          { t.m.Delete(k) }
func (t *twMap) Clone() Ordered        { return &twMap{t.m.Copy()} }
func (t *twMap) Sum() (s int) {
	t.m.Scan(func(_, v int) bool { s += v; return true })
	return s
}

// gbMap is google/btree v1.1.3's BTreeG of key-value pairs ordered by key,
// at degree 32 (nodes of up to 63 items), the degree its README suggests
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
func (g *gbMap) Clone() Ordered { return &gbMap{g.m.Clone()} }
func (g *gbMap) Sum() (s int) {
	g.m.Ascend(func(p pair) bool { s += p.v; return true })
	return s
}

// imMap is benbjohnson/immutable v0.4.3's persistent SortedMap: every Set
// returns a new map, so a clone is the map value itself.
type imMap struct {
	m *immutable.SortedMap[int, int]
}

func (i *imMap) Get(k int) (int, bool) { return i.m.Get(k) }
func (i *imMap) Set(k, v int)          { i.m = i.m.Set(k, v) }
func (i *imMap) Delete(k int)          { i.m = i.m.Delete(k) }
func (i *imMap) Clone() Ordered        { return &imMap{i.m} }
func (i *imMap) Sum() (s int) {
	for it := i.m.Iterator(); !it.Done(); {
		_, v, _ := it.Next()
		s += v
	}
	return s
}

// ckMap is cowkit's btree.Map.
type ckMap struct{ m *btree.Map[int, int] }

func (c *ckMap) Get(k int) (int, bool) { return c.m.Get(k) }
func (c *ckMap) Set(k, v int)          { c.m.Set(k, v) }
func (c *ckMap) Delete(k int)          { c.m.Delete(k) }
func (c *ckMap) Clone() Ordered        { return &ckMap{c.m.Clone()} }
func (c *ckMap) Sum() (s int) {
	for _, v := range c.m.All() {
		s += v
	}
	return s
}
