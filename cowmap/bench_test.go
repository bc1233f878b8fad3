package cowmap_test

import (
	"maps"
	"testing"

	"github.com/cowkit/cowkit/cowmap"
)

// Each comparison runs the built-in map first, as impl=map, so that
// `benchstat -col /impl` prints cowmap's time as a ratio to it.

var (
	sinkInt int
	sinkMap map[int]int
	sinkCow *cowmap.Map[int, int]
)

var sizes = []struct {
	name string
	n    int
}{{"n=1e3", 1e3}, {"n=1e5", 1e5}}

func filled(n int) (map[int]int, *cowmap.Map[int, int]) {
	m := make(map[int]int, n)
	for i := range n {
		m[i] = i
	}
	return m, cowmap.From(m)
}

func BenchmarkGet(b *testing.B) {
	for _, sz := range sizes {
		m, c := filled(sz.n)
		b.Run(sz.name+"/impl=map", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				sinkInt += m[i%sz.n]
				i++
			}
		})
		b.Run(sz.name+"/impl=cowmap", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				v, _ := c.Get(i % sz.n)
				sinkInt += v
				i++
			}
		})
	}
}

func BenchmarkSet(b *testing.B) {
	m, c := filled(1e3)
	b.Run("impl=map", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			m[i%1000] = i
			i++
		}
	})
	b.Run("impl=cowmap", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			c.Set(i%1000, i)
			i++
		}
	})
}

func BenchmarkClone(b *testing.B) {
	for _, sz := range sizes {
		_, c := filled(sz.n)
		b.Run(sz.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkCow = c.Clone()
			}
		})
	}
}

// BenchmarkFirstWrite: a snapshot and one write, against maps.Clone and the
// same write.
func BenchmarkFirstWrite(b *testing.B) {
	for _, sz := range sizes {
		m, c := filled(sz.n)
		b.Run(sz.name+"/impl=map", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				x := maps.Clone(m)
				x[0] = 1
				sinkMap = x
			}
		})
		b.Run(sz.name+"/impl=cowmap", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				x := c.Clone()
				x.Set(0, 1)
				sinkCow = x
			}
		})
	}
}
