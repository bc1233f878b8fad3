package btree

// Benchmarks at n = 1e6 random int keys. The comparisons against
// tidwall/btree, google/btree and others live in the nested benchmarks
// module, so that no peer enters this module's go.mod; run the same
// benchmarks there side by side. Here, Diff is compared with a full ordered
// merge of the same two maps (the same cursors, never skipping a subtree).
//
//	go test -run '^$' -bench . -count 6 ./btree

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
)

const benchN = 1_000_000

// benchKeys are benchN distinct random keys, in random order.
var benchKeys = sync.OnceValue(func() []int {
	r := rand.New(rand.NewPCG(1, 2))
	seen := make(map[int]bool, benchN)
	keys := make([]int, 0, benchN)
	for len(keys) < benchN {
		if k := r.IntN(1 << 40); !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
})

// benchMap is a map of all benchKeys, shared by the benchmarks that only
// read it or write to clones of it.
var benchMap = sync.OnceValue(func() *Map[int, int] { return build(benchKeys()) })

var sink int

func BenchmarkMap_Get(b *testing.B) {
	keys, m := benchKeys(), benchMap()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		v, _ := m.Get(keys[i])
		sink += v
		if i++; i == len(keys) {
			i = 0
		}
	}
}

// BenchmarkMap_Set_insert inserts the keys into a map that grows from 0 to
// 1e6 entries, over and over: the average cost of one insert.
func BenchmarkMap_Set_insert(b *testing.B) {
	keys := benchKeys()
	m := New[int, int]()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == len(keys) {
			b.StopTimer()
			m, i = New[int, int](), 0
			b.StartTimer()
		}
		m.Set(keys[i], i)
		i++
	}
}

func BenchmarkMap_Set_overwrite(b *testing.B) {
	keys := benchKeys()
	m := build(keys)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Set(keys[i], i)
		if i++; i == len(keys) {
			i = 0
		}
	}
}

// BenchmarkMap_Delete deletes the keys from a map that shrinks from 1e6
// entries to 0, over and over.
func BenchmarkMap_Delete(b *testing.B) {
	keys := benchKeys()
	m := build(keys)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == len(keys) {
			b.StopTimer()
			m, i = build(keys), 0
			b.StartTimer()
		}
		m.Delete(keys[i])
		i++
	}
}

//go:noinline
func sumAll(m *Map[int, int]) (s int) {
	for _, v := range m.All() {
		s += v
	}
	return s
}

func BenchmarkMap_All(b *testing.B) {
	m := benchMap()
	b.ReportAllocs()
	for b.Loop() {
		sink += sumAll(m)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(m.Len()), "ns/item")
}

// BenchmarkMap_Clone_firstWrite: a snapshot, then one write to it. The
// clone is dropped without Release, as tidwall/btree's Copy is.
func BenchmarkMap_Clone_firstWrite(b *testing.B) {
	keys, m := benchKeys(), benchMap()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c := m.Clone()
		c.Set(keys[i], 1)
		if i++; i == len(keys) {
			i = 0
		}
	}
}

func BenchmarkMap_Clone_1000Writes(b *testing.B) {
	keys, m := benchKeys(), benchMap()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c := m.Clone()
		for range 1000 {
			c.Set(keys[i], 1)
			if i++; i == len(keys) {
				i = 0
			}
		}
	}
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkMap_heapPerItem reports the heap bytes a map of 1e6 random int
// keys holds, per entry.
func BenchmarkMap_heapPerItem(b *testing.B) {
	keys := benchKeys()
	for b.Loop() {
		before := heapInUse()
		m := build(keys)
		after := heapInUse()
		runtime.KeepAlive(m)
		b.ReportMetric(float64(after-before)/float64(len(keys)), "B/item")
	}
}

// BenchmarkMap_Diff compares two 1e6-entry maps that differ in 10 keys:
// Diff, which skips shared subtrees, against a full ordered merge.
func BenchmarkMap_Diff(b *testing.B) {
	keys, base := benchKeys(), benchMap()
	m := base.Clone()
	defer m.Release()
	for i := range 10 {
		m.Set(keys[i*1000], -1)
	}
	for _, bench := range []struct {
		name   string
		noSkip bool
	}{{"impl=merge", true}, {"impl=diff", false}} {
		b.Run(bench.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var x, y cursor[int, int]
				x.start(m.root, m.height)
				y.start(base.root, base.height)
				n := 0
				diff(&x, &y, m.cmp, intEq, func(Change[int, int]) bool { n++; return true }, &diffStats{noSkip: bench.noSkip})
				if n != 10 {
					b.Fatalf("%d changes, want 10", n)
				}
			}
		})
	}
}
