package rope_test

import (
	"slices"
	"testing"

	"github.com/cowkit/cowkit/rope"
)

// Each comparison runs the plain Go baseline first, as impl=plain, so that
// `benchstat -col /impl` prints the rope's time as a ratio to it. The
// benchmarks module compares the rope with its peers (benbjohnson/immutable's
// List, cowslice) and checks the targets.

var (
	sinkInt  int
	sinkRope *rope.Rope[int]
)

var sizes = []struct {
	name string
	n    int
}{{"n=1e3", 1e3}, {"n=1e6", 1e6}}

func filled(n int) ([]int, *rope.Rope[int]) {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	return p, rope.New(p...)
}

//go:noinline
func sumPlain(p []int) int {
	sum := 0
	for _, v := range p {
		sum += v
	}
	return sum
}

//go:noinline
func sumValues(r *rope.Rope[int]) int {
	sum := 0
	for v := range r.Values() {
		sum += v
	}
	return sum
}

func BenchmarkValues(b *testing.B) {
	for _, sz := range sizes {
		p, r := filled(sz.n)
		b.Run(sz.name+"/impl=plain", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkInt = sumPlain(p)
			}
		})
		b.Run(sz.name+"/impl=rope", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkInt = sumValues(r)
			}
		})
	}
}

func BenchmarkAt(b *testing.B) {
	for _, sz := range sizes {
		p, r := filled(sz.n)
		b.Run(sz.name+"/impl=plain", func(b *testing.B) {
			i := 0
			for b.Loop() {
				sinkInt += p[i]
				i = (i + 7919) % sz.n
			}
		})
		b.Run(sz.name+"/impl=rope", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				sinkInt += r.At(i)
				i = (i + 7919) % sz.n
			}
		})
	}
}

// BenchmarkInsertDeleteMiddle inserts one element in the middle and
// deletes it again.
func BenchmarkInsertDeleteMiddle(b *testing.B) {
	for _, sz := range sizes {
		p, r := filled(sz.n)
		b.Run(sz.name+"/impl=plain", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p = slices.Insert(p, sz.n/2, -1)
				p = slices.Delete(p, sz.n/2, sz.n/2+1)
			}
		})
		b.Run(sz.name+"/impl=rope", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r.Insert(sz.n/2, -1)
				r.Delete(sz.n/2, sz.n/2+1)
			}
		})
	}
}

// BenchmarkCloneFirstWrite clones and writes one element: the plain
// baseline copies the slice, the rope one path.
func BenchmarkCloneFirstWrite(b *testing.B) {
	for _, sz := range sizes {
		p, r := filled(sz.n)
		b.Run(sz.name+"/impl=plain", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c := slices.Clone(p)
				c[sz.n/2] = -1
				sinkInt += c[0]
			}
		})
		b.Run(sz.name+"/impl=rope", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkRope = r.Clone()
				sinkRope.Set(sz.n/2, -1)
				sinkRope.Release()
			}
		})
	}
}

// BenchmarkAppend builds a sequence of n ints one Append at a time.
func BenchmarkAppend(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name+"/impl=plain", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var p []int
				for i := range sz.n {
					p = append(p, i)
				}
				sinkInt += len(p)
			}
		})
		b.Run(sz.name+"/impl=rope", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := new(rope.Rope[int])
				for i := range sz.n {
					r.Append(i)
				}
				sinkRope = r
			}
		})
	}
}
