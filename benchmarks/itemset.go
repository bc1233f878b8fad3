package benchmarks

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cowkit/cowkit/btree"
	gbtree "github.com/google/btree"
)

// The item-set workload is how etcd's MVCC key index, CockroachDB and TiDB
// use google/btree's BTreeG: a set of pointer items ordered by a field,
// where Get returns the stored item (which the caller then changes in
// place), ReplaceOrInsert swaps an item for a new one, scans start at a key
// and stop after a limit, and compaction clones the index and deletes the
// items it no longer needs in one pass. cowkit keeps the same items in a
// Map[*Item, struct{}], each stored once.

// Item is an index entry: a key and the revision that last changed it.
type Item struct {
	Key string
	Rev int
}

func itemLess(a, b *Item) bool { return a.Key < b.Key }
func itemCmp(a, b *Item) int   { return strings.Compare(a.Key, b.Key) }
func itemKey(k string) *Item   { return &Item{Key: k} }
func itemKeys(n int) []string  { return GridKeys[string](n) }
func itemsFor(n int) []*Item   { return newItems(itemKeys(n)) }
func newItems(ks []string) []*Item {
	its := make([]*Item, len(ks))
	for i, k := range ks {
		its[i] = &Item{Key: k, Rev: i}
	}
	return its
}

// ItemSet is what the workload needs of a set of items.
type ItemSet interface {
	ReplaceOrInsert(it *Item)
	Get(probe *Item) *Item
	AscendLimit(from *Item, limit int) int // the sum of Rev of the first limit items >= from
	CloneCompact(below int) int            // clone, delete every item with Rev < below, return the clone's Len
}

// ItemSetImpl is one implementation of the workload.
type ItemSetImpl struct {
	Name string
	New  func() ItemSet
}

// ItemSetImpls are google/btree's BTreeG at degree 32 (the baseline) and
// cowkit's btree.Map with struct{} values.
var ItemSetImpls = []ItemSetImpl{
	{"google", func() ItemSet { return &gbItems{gbtree.NewG(32, itemLess)} }},
	{"cowkit", func() ItemSet { return &ckItems{btree.NewFunc[*Item, struct{}](itemCmp)} }},
}

// ItemSetOp is one op of the workload, set up for an implementation and n
// items.
type ItemSetOp struct {
	Name  string
	Setup func(im ItemSetImpl, n int) func(b *testing.B)
}

// ItemSetOps are the workload's ops.
var ItemSetOps = []ItemSetOp{
	{"ReplaceOrInsert", itemReplace},
	{"Get", itemGet},
	{"AscendGreaterOrEqual_100", itemAscend},
	{"Clone_compact10pct", itemCompact},
}

func buildItems(im ItemSetImpl, its []*Item) ItemSet {
	s := im.New()
	for _, it := range its {
		s.ReplaceOrInsert(it)
	}
	return s
}

// itemReplace replaces existing items with new objects of the same key.
func itemReplace(im ItemSetImpl, n int) func(b *testing.B) {
	its := itemsFor(n)
	s := buildItems(im, its)
	fresh := newItems(itemKeys(n))
	return func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			s.ReplaceOrInsert(fresh[i])
			i = next(i, n)
		}
	}
}

func itemGet(im ItemSetImpl, n int) func(b *testing.B) {
	ks := itemKeys(n)
	s := buildItems(im, itemsFor(n))
	probes := make([]*Item, n)
	for i, k := range ks {
		probes[i] = itemKey(k)
	}
	return func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if it := s.Get(probes[i]); it.Key != ks[i] {
				b.Fatalf("Get(%q) found %q", ks[i], it.Key)
			}
			i = next(i, n)
		}
	}
}

func itemAscend(im ItemSetImpl, n int) func(b *testing.B) {
	ks := itemKeys(n)
	s := buildItems(im, itemsFor(n))
	return func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		probe := new(Item)
		for b.Loop() {
			probe.Key = ks[i]
			Sink += s.AscendLimit(probe, short)
			i = next(i, n)
		}
	}
}

// itemCompact clones the set and deletes the 10% of items with the oldest
// revisions from the clone in one pass, as a compaction does.
func itemCompact(im ItemSetImpl, n int) func(b *testing.B) {
	s := buildItems(im, itemsFor(n))
	return func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if got := s.CloneCompact(n / 10); got != n-n/10 {
				b.Fatalf("compaction left %d items, want %d", got, n-n/10)
			}
		}
	}
}

type gbItems struct{ t *gbtree.BTreeG[*Item] }

func (g *gbItems) ReplaceOrInsert(it *Item) { g.t.ReplaceOrInsert(it) }
func (g *gbItems) Get(probe *Item) *Item {
	it, _ := g.t.Get(probe)
	return it
}
func (g *gbItems) AscendLimit(from *Item, limit int) (s int) {
	g.t.AscendGreaterOrEqual(from, func(it *Item) bool { s += it.Rev; limit--; return limit > 0 })
	return s
}
func (g *gbItems) CloneCompact(below int) int {
	c := g.t.Clone()
	var dead []*Item // google/btree cannot delete during its own Ascend
	c.Ascend(func(it *Item) bool {
		if it.Rev < below {
			dead = append(dead, it)
		}
		return true
	})
	for _, it := range dead {
		c.Delete(it)
	}
	return c.Len()
}

type ckItems struct{ m *btree.Map[*Item, struct{}] }

func (c *ckItems) ReplaceOrInsert(it *Item) { c.m.Set(it, struct{}{}) }
func (c *ckItems) Get(probe *Item) *Item {
	it, _, _ := c.m.Lookup(probe)
	return it
}
func (c *ckItems) AscendLimit(from *Item, limit int) (s int) {
	for it := range c.m.Ascend(from) {
		s += it.Rev
		if limit--; limit == 0 {
			break
		}
	}
	return s
}
func (c *ckItems) CloneCompact(below int) int {
	s := c.m.Clone()
	defer s.Release()
	for it := range s.Keys() { // the loop is over a snapshot: deleting in it is fine
		if it.Rev < below {
			s.Delete(it)
		}
	}
	return s.Len()
}

// ItemSetName names a sub-benchmark of the workload.
func ItemSetName(n int) string { return fmt.Sprintf("n=%d", n) }
