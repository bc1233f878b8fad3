package benchmarks

import (
	"runtime"
	"testing"
)

// BtreeOp is one B-tree comparison. Setup builds what it measures, for
// one implementation and n random keys, and returns the benchmark, which
// may run many times (testing.Benchmark calls it once per round). Metric
// names the metric to compare by, if not ns/op.
type BtreeOp struct {
	Name   string
	Metric string // "" for ns/op
	Setup  func(im Impl, n int) func(b *testing.B)
}

// Sink and SinkInts keep benchmark results alive, so the compiler cannot
// drop the work that made them.
var Sink int

// BtreeOps are the btree comparisons with the peers in docs/DESIGN.md's
// performance targets, in table order.
var BtreeOps = []BtreeOp{
	{"Get", "", btreeGet},
	{"Set_insert", "", btreeInsert},
	{"Set_overwrite", "", btreeOverwrite},
	{"Delete", "", btreeDelete},
	{"All", "ns/item", btreeAll},
	{"Clone_firstWrite", "", btreeCloneFirstWrite},
	{"Clone_1000Writes", "", btreeClone1000},
	{"heapPerItem", "B/item", btreeHeap},
}

func btreeGet(im Impl, n int) func(b *testing.B) {
	ks := Keys(n)
	m, i := Build(im, ks), 0
	return func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			v, _ := m.Get(ks[i])
			Sink += v
			if i++; i == n {
				i = 0
			}
		}
	}
}

func btreeOverwrite(im Impl, n int) func(b *testing.B) {
	ks := Keys(n)
	m, i := Build(im, ks), 0
	return func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m.Set(ks[i], i)
			if i++; i == n {
				i = 0
			}
		}
	}
}

// btreeInsert inserts into a map that grows from 0 to n entries, over and
// over: the average cost of one insert.
func btreeInsert(im Impl, n int) func(b *testing.B) {
	ks, i, m := Keys(n), 0, im.New()
	return func(b *testing.B) {
		b.ReportAllocs()
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

// btreeDelete deletes from a map that shrinks from n entries to 0, over
// and over.
func btreeDelete(im Impl, n int) func(b *testing.B) {
	ks := Keys(n)
	m, i := Build(im, ks), 0
	return func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if i == n {
				b.StopTimer()
				m, i = Build(im, ks), 0
				b.StartTimer()
			}
			m.Delete(ks[i])
			i++
		}
	}
}

func btreeAll(im Impl, n int) func(b *testing.B) {
	m := Build(im, Keys(n))
	return func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Sink += m.Sum()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/item")
	}
}

// btreeCloneFirstWrite: a snapshot, then one write to it; the snapshot is
// then dropped (only cowkit has a Release, and it is not called).
func btreeCloneFirstWrite(im Impl, n int) func(b *testing.B) {
	ks := Keys(n)
	m, i := Build(im, ks), 0
	return func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m.Clone().Set(ks[i], 1)
			if i++; i == n {
				i = 0
			}
		}
	}
}

func btreeClone1000(im Impl, n int) func(b *testing.B) {
	ks := Keys(n)
	m, i := Build(im, ks), 0
	return func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c := m.Clone()
			for range 1000 {
				c.Set(ks[i], 1)
				if i++; i == n {
					i = 0
				}
			}
		}
	}
}

// HeapInUse returns the live heap after two collections.
func HeapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// btreeHeap reports the heap a map of n random keys holds, per entry.
func btreeHeap(im Impl, n int) func(b *testing.B) {
	ks := Keys(n)
	return func(b *testing.B) {
		for b.Loop() {
			before := HeapInUse()
			m := Build(im, ks)
			after := HeapInUse()
			runtime.KeepAlive(m)
			b.ReportMetric(float64(after-before)/float64(n), "B/item")
		}
	}
}
