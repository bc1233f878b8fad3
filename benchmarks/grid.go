package benchmarks

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/cowkit/cowkit/btree"
	tidwall "github.com/tidwall/btree"
)

// The grid compares btree.Map with tidwall/btree's Map, op by op, at every
// size in GridSizes and with int and string keys, as ratios in one run:
// every op of the ordered-map API that both have, old and new. Both sit
// behind GridMap, so each pays the same interface call.

// GridSizes are the map sizes of the grid.
var GridSizes = []int{1e3, 1e4, 1e5, 1e6}

// GridMap is what the grid needs of an ordered map from K to int.
type GridMap[K cmp.Ordered] interface {
	Get(k K) (int, bool)
	Set(k K, v int)
	Delete(k K)
	Sum() int                      // every value, in key order
	Ascend(from K, n int) int      // the sum of the first n values from from up
	Descend(from K, n int) int     // the sum of the first n values from from down
	Seek(from K, n int) int        // a cursor: Seek(from), then n Next
	At(i int) K                    // the key of rank i
	Rank(k K) int                  // the number of keys < k
	PopMin() (K, int)              // remove the smallest entry
	CloneDeleteRange(lo, hi K) int // snapshot, remove [lo, hi) from it, drop it
	Load(sorted []K)               // append ascending keys past the maximum
}

// GridImpl is one implementation in the grid.
type GridImpl[K cmp.Ordered] struct {
	Name string
	New  func() GridMap[K]
}

// GridImpls returns tidwall's Map (the baseline) and cowkit's btree.Map.
func GridImpls[K cmp.Ordered]() []GridImpl[K] {
	return []GridImpl[K]{
		{"tidwall", func() GridMap[K] { return &twGrid[K]{m: new(tidwall.Map[K, int])} }},
		{"cowkit", func() GridMap[K] { return &ckGrid[K]{m: btree.New[K, int]()} }},
	}
}

// GridOp is one row of the grid. Int and String set up its benchmark for
// one implementation and n keys of each type; Metric names the metric to
// compare by, if not ns/op.
type GridOp struct {
	Name, Metric string
	Int          func(im GridImpl[int], n int) func(b *testing.B)
	String       func(im GridImpl[string], n int) func(b *testing.B)
}

// GridOps are the grid's rows.
var GridOps = []GridOp{
	{"Get", "", gridGet[int], gridGet[string]},
	{"Set_insert", "", gridInsert[int], gridInsert[string]},
	{"Set_overwrite", "", gridOverwrite[int], gridOverwrite[string]},
	{"Delete", "", gridDelete[int], gridDelete[string]},
	{"All", "ns/item", gridAll[int], gridAll[string]},
	{"Ascend_100", "", gridAscend[int], gridAscend[string]},
	{"Descend_100", "", gridDescend[int], gridDescend[string]},
	{"Seek_100Next", "", gridSeek[int], gridSeek[string]},
	{"At", "", gridAt[int], gridAt[string]},
	{"Rank", "", gridRank[int], gridRank[string]},
	{"PopMin", "", gridPopMin[int], gridPopMin[string]},
	{"DeleteRange_100", "", gridDeleteRange[int], gridDeleteRange[string]},
	{"Load", "ns/item", gridLoad[int], gridLoad[string]},
}

// GridKeys returns n distinct keys of type K in random order, the same
// for every call: the int keys of Keys, or, for strings, those ints
// formatted as "user/%08x/%08x".
func GridKeys[K cmp.Ordered](n int) []K {
	var k K
	switch any(k).(type) {
	case int:
		return any(Keys(n)).([]K)
	case string:
		strMu.Lock()
		defer strMu.Unlock()
		if ks, ok := strKeys[n]; ok {
			return any(ks).([]K)
		}
		ks := make([]string, n)
		for i, x := range Keys(n) {
			ks[i] = fmt.Sprintf("user/%08x/%08x", uint32(x>>32), uint32(x))
		}
		strKeys[n] = ks
		return any(ks).([]K)
	}
	panic("benchmarks: no grid keys of this type")
}

var (
	strMu   sync.Mutex
	strKeys = map[int][]string{}
	built   sync.Map // gridBuilt -> GridMap, shared by the ops that leave it as it was
)

type gridBuilt struct {
	impl, keys string
	n          int
}

// gridMap returns im's map of the n grid keys (k -> i), built once and
// shared by the ops that leave it as they found it.
func gridMap[K cmp.Ordered](im GridImpl[K], n int) GridMap[K] {
	var k K
	id := gridBuilt{im.Name, fmt.Sprintf("%T", k), n}
	if m, ok := built.Load(id); ok {
		return m.(GridMap[K])
	}
	m := gridBuild(im, GridKeys[K](n))
	built.Store(id, m)
	return m
}

func gridBuild[K cmp.Ordered](im GridImpl[K], ks []K) GridMap[K] {
	m := im.New()
	for i, k := range ks {
		m.Set(k, i)
	}
	return m
}

// next steps i through n keys.
func next(i, n int) int {
	if i++; i == n {
		return 0
	}
	return i
}

func gridGet[K cmp.Ordered](im GridImpl[K], n int) func(b *testing.B) {
	ks, m := GridKeys[K](n), gridMap(im, n)
	return func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			v, _ := m.Get(ks[i])
			Sink += v
			i = next(i, n)
		}
	}
}

// gridInsert inserts into a map that grows from 0 to n entries, over and
// over: the average cost of one insert at sizes up to n.
func gridInsert[K cmp.Ordered](im GridImpl[K], n int) func(b *testing.B) {
	ks := GridKeys[K](n)
	return func(b *testing.B) {
		b.ReportAllocs()
		m, i := im.New(), 0
		for b.Loop() {
			if i == n {
				b.StopTimer()
				m, i = im.New(), 0
				b.StartTimer()
			}
			m.Set(ks[i], i)
			i++
		}
	}
}

func gridOverwrite[K cmp.Ordered](im GridImpl[K], n int) func(b *testing.B) {
	ks, m := GridKeys[K](n), gridMap(im, n)
	return func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			m.Set(ks[i], i)
			i = next(i, n)
		}
	}
}

// gridDelete deletes from a map that shrinks from n entries to 0, over and
// over.
func gridDelete[K cmp.Ordered](im GridImpl[K], n int) func(b *testing.B) {
	ks := GridKeys[K](n)
	return func(b *testing.B) {
		b.ReportAllocs()
		m, i := gridBuild(im, ks), 0
		for b.Loop() {
			if i == n {
				b.StopTimer()
				m, i = gridBuild(im, ks), 0
				b.StartTimer()
			}
			m.Delete(ks[i])
			i++
		}
	}
}

func gridAll[K cmp.Ordered](im GridImpl[K], n int) func(b *testing.B) {
	m := gridMap(im, n)
	return func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Sink += m.Sum()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/item")
	}
}

// short is the length of the short scans: Ascend, Descend and Seek from a
// random key, then this many entries (fewer near the end).
const short = 100

func gridAscend[K cmp.Ordered](im GridImpl[K], n int) func(b *testing.B) {
	return gridScan(im, n, GridMap[K].Ascend)
}

func gridDescend[K cmp.Ordered](im GridImpl[K], n int) func(b *testing.B) {
	return gridScan(im, n, GridMap[K].Descend)
}

func gridSeek[K cmp.Ordered](im GridImpl[K], n int) func(b *testing.B) {
	return gridScan(im, n, GridMap[K].Seek)
}

func gridScan[K cmp.Ordered](im GridImpl[K], n int, scan func(m GridMap[K], from K, n int) int) func(b *testing.B) {
	ks, m := GridKeys[K](n), gridMap(im, n)
	return func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			Sink += scan(m, ks[i], short)
			i = next(i, n)
		}
	}
}

func gridAt[K cmp.Ordered](im GridImpl[K], n int) func(b *testing.B) {
	m := gridMap(im, n)
	idx := Keys(n) // random ranks: the keys mod n
	return func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			SinkAny = m.At(idx[i] % n)
			i = next(i, n)
		}
	}
}

func gridRank[K cmp.Ordered](im GridImpl[K], n int) func(b *testing.B) {
	ks, m := GridKeys[K](n), gridMap(im, n)
	return func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			Sink += m.Rank(ks[i])
			i = next(i, n)
		}
	}
}

// gridPopMin pops the smallest entry and sets it back.
func gridPopMin[K cmp.Ordered](im GridImpl[K], n int) func(b *testing.B) {
	m := gridMap(im, n)
	return func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			k, v := m.PopMin()
			m.Set(k, v)
		}
	}
}

// gridDeleteRange takes a snapshot, removes 100 consecutive keys from a
// random place in it, and drops it.
func gridDeleteRange[K cmp.Ordered](im GridImpl[K], n int) func(b *testing.B) {
	m := gridMap(im, n)
	sorted := slices.Sorted(slices.Values(GridKeys[K](n)))
	if tw, ok := m.(*twGrid[K]); ok {
		tw.mirror() // tidwall's DeleteRange is BTreeG's
	}
	starts := Keys(n)
	return func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			s := starts[i] % max(1, n-short)
			Sink += m.CloneDeleteRange(sorted[s], sorted[min(s+short, n-1)])
			i = next(i, n)
		}
	}
}

// gridLoad builds a map of n ascending keys: cowkit's Insert of a sorted
// sequence against tidwall's Load.
func gridLoad[K cmp.Ordered](im GridImpl[K], n int) func(b *testing.B) {
	sorted := slices.Sorted(slices.Values(GridKeys[K](n)))
	return func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m := im.New()
			m.Load(sorted)
			SinkAny = m
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/item")
	}
}

// twGrid is tidwall/btree v1.8.2's Map at its default degree. Its Map has
// no DeleteRange; its BTreeG has one, so the DeleteRange row uses a BTreeG
// mirror of the same entries (without locks).
type twGrid[K cmp.Ordered] struct {
	m *tidwall.Map[K, int]
	g *tidwall.BTreeG[kv[K]]
}

type kv[K cmp.Ordered] struct {
	k K
	v int
}

func (t *twGrid[K]) mirror() {
	if t.g != nil {
		return
	}
	t.g = tidwall.NewBTreeGOptions(func(a, b kv[K]) bool { return a.k < b.k }, tidwall.Options{NoLocks: true})
	t.m.Scan(func(k K, v int) bool { t.g.Set(kv[K]{k, v}); return true })
}

func (t *twGrid[K]) Get(k K) (int, bool) { return t.m.Get(k) }
func (t *twGrid[K]) Set(k K, v int)      { t.m.Set(k, v) }
func (t *twGrid[K]) Delete(k K)          { t.m.Delete(k) }
func (t *twGrid[K]) Sum() (s int) {
	t.m.Scan(func(_ K, v int) bool { s += v; return true })
	return s
}
func (t *twGrid[K]) Ascend(from K, n int) (s int) {
	t.m.Ascend(from, func(_ K, v int) bool { s += v; n--; return n > 0 })
	return s
}
func (t *twGrid[K]) Descend(from K, n int) (s int) {
	t.m.Descend(from, func(_ K, v int) bool { s += v; n--; return n > 0 })
	return s
}
func (t *twGrid[K]) Seek(from K, n int) (s int) {
	it := t.m.Iter()
	for ok := it.Seek(from); ok && n > 0; ok = it.Next() {
		s += it.Value()
		n--
	}
	return s
}
func (t *twGrid[K]) At(i int) K {
	k, _, _ := t.m.GetAt(i)
	return k
}

// Rank has no tidwall method: it is a binary search over GetAt, O(log² n),
// the way a tidwall user finds a key's position.
func (t *twGrid[K]) Rank(k K) int {
	return sort.Search(t.m.Len(), func(i int) bool {
		x, _, _ := t.m.GetAt(i)
		return x >= k
	})
}
func (t *twGrid[K]) PopMin() (K, int) {
	k, v, _ := t.m.PopMin()
	return k, v
}
func (t *twGrid[K]) CloneDeleteRange(lo, hi K) int {
	c := t.g.Copy()
	c.DeleteRange(kv[K]{k: lo}, kv[K]{k: hi}, noReturn)
	return t.g.Len() - c.Len()
}

var noReturn = &tidwall.DeleteRangeOptions{NoReturn: true}

func (t *twGrid[K]) Load(sorted []K) {
	for i, k := range sorted {
		t.m.Load(k, i)
	}
}

// ckGrid is cowkit's btree.Map.
type ckGrid[K cmp.Ordered] struct{ m *btree.Map[K, int] }

func (c *ckGrid[K]) Get(k K) (int, bool) { return c.m.Get(k) }
func (c *ckGrid[K]) Set(k K, v int)      { c.m.Set(k, v) }
func (c *ckGrid[K]) Delete(k K)          { c.m.Delete(k) }
func (c *ckGrid[K]) Sum() (s int) {
	for _, v := range c.m.All() {
		s += v
	}
	return s
}
func (c *ckGrid[K]) Ascend(from K, n int) (s int) {
	for _, v := range c.m.Ascend(from) {
		s += v
		if n--; n == 0 {
			break
		}
	}
	return s
}
func (c *ckGrid[K]) Descend(from K, n int) (s int) {
	for _, v := range c.m.Descend(from) {
		s += v
		if n--; n == 0 {
			break
		}
	}
	return s
}
func (c *ckGrid[K]) Seek(from K, n int) (s int) {
	cur := c.m.Cursor()
	for ok := cur.Seek(from); ok && n > 0; ok = cur.Next() {
		s += cur.Value()
		n--
	}
	cur.Release()
	return s
}
func (c *ckGrid[K]) At(i int) K {
	k, _ := c.m.At(i)
	return k
}
func (c *ckGrid[K]) Rank(k K) int { return c.m.Rank(k) }
func (c *ckGrid[K]) PopMin() (K, int) {
	k, v, _ := c.m.PopMin()
	return k, v
}
func (c *ckGrid[K]) CloneDeleteRange(lo, hi K) int {
	s := c.m.Clone()
	n := s.DeleteRange(lo, hi)
	s.Release()
	return n
}
func (c *ckGrid[K]) Load(sorted []K) {
	c.m.Insert(func(yield func(K, int) bool) {
		for i, k := range sorted {
			if !yield(k, i) {
				return
			}
		}
	})
}
