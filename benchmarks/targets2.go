package benchmarks

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cowkit/cowkit/btree"
	tidwall "github.com/tidwall/btree"
)

// The second round's btree targets that are not a cell of the grid.
func init() {
	Targets = append(Targets, []Target{
		{
			Name: "btree Collect of 1e6 ascending int keys vs tidwall Load", Goal: "<= 1.00x", Allocs: -1, Met: ratioAtMost(1),
			Base: func() func(b *testing.B) {
				return func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						m := new(tidwall.Map[int, int])
						for i := range tn {
							m.Load(i, i)
						}
						SinkAny = m
					}
				}
			},
			Ours: func() func(b *testing.B) {
				return func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						SinkAny = btree.Collect(ascending(tn))
					}
				}
			},
		},
		{
			Name: "btree Collect of 1e6 ascending int keys: heap per entry", Goal: "<= 17.5 B/item", Metric: "B/item", Allocs: -1,
			Met: func(v, _ float64) bool { return v <= 17.5 },
			Ours: func() func(b *testing.B) {
				return func(b *testing.B) {
					for b.Loop() {
						before := HeapInUse()
						m := btree.Collect(ascending(tn))
						after := HeapInUse()
						runtime.KeepAlive(m)
						b.ReportMetric(float64(after-before)/tn, "B/item")
					}
				}
			},
		},
		{
			Name: "btree DeleteRange of the middle half of a shared 1e6 map vs deleting key by key", Goal: ">= 100x faster (<= 0.01x)", Allocs: -1, Met: ratioAtMost(0.01),
			Base: func() func(b *testing.B) {
				m := btree.Collect(ascending(tn))
				return func(b *testing.B) {
					for b.Loop() {
						c := m.Clone()
						for k := tn / 4; k < 3*tn/4; k++ {
							c.Delete(k)
						}
						c.Release()
					}
				}
			},
			Ours: func() func(b *testing.B) {
				m := btree.Collect(ascending(tn))
				return func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						c := m.Clone()
						if got := c.DeleteRange(tn/4, 3*tn/4); got != tn/2 {
							b.Fatalf("DeleteRange removed %d, want %d", got, tn/2)
						}
						c.Release()
					}
				}
			},
		},
		{
			Name: "btree Get (1e4) while the other core runs Ascend(from) + 100 entries on a clone, vs tidwall the same", Goal: "<= 1.00x", Allocs: 0, Met: ratioAtMost(1),
			Base: func() func(b *testing.B) {
				m := new(tidwall.Map[int, int])
				for _, k := range Keys(scanN) {
					m.Set(k, k)
				}
				c := m.Copy()
				scan := func(from int) {
					n := 0
					c.Ascend(from, func(_, v int) bool { Sink2.Add(int64(v)); n++; return n < short })
				}
				return getWhileScanning(m.Get, scan)
			},
			Ours: func() func(b *testing.B) {
				m := btree.New[int, int]()
				for _, k := range Keys(scanN) {
					m.Set(k, k)
				}
				c := m.Clone()
				scan := func(from int) {
					n := 0
					for _, v := range c.Ascend(from) {
						Sink2.Add(int64(v))
						if n++; n == short {
							break
						}
					}
				}
				return getWhileScanning(m.Get, scan)
			},
		},
	}...)
}

// scanN is the size of the Get-while-scanning target: small enough that
// Get runs from the cache, where a cache line bounced between the cores
// shows (it cost Gets 20% when iterations counted themselves on the root).
const scanN = 10_000

// Sink2 is a sink a second goroutine may write.
var Sink2 atomic.Int64

// ascending yields 0 -> 0, ..., n-1 -> n-1.
func ascending(n int) func(yield func(int, int) bool) {
	return func(yield func(int, int) bool) {
		for i := range n {
			if !yield(i, i) {
				return
			}
		}
	}
}

// getWhileScanning measures get on one core while another goroutine runs
// short scans on a clone of the same map for the whole benchmark: a scan
// that writes a cache line get reads (a count on the shared root, say)
// slows every get down.
func getWhileScanning(get func(int) (int, bool), scan func(from int)) func(b *testing.B) {
	ks := Keys(scanN)
	return func(b *testing.B) {
		var stop atomic.Bool
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i = next(i, scanN) {
				scan(ks[i])
			}
		}()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			v, _ := get(ks[i])
			Sink += v
			i = next(i, scanN)
		}
		stop.Store(true)
		wg.Wait()
	}
}
