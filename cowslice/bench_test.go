package cowslice_test

import (
	"slices"
	"testing"

	"github.com/cowkit/cowkit/cowslice"
)

// Each comparison runs the plain Go baseline first, as impl=plain, so that
// `benchstat -col /impl` prints cowslice's time as a ratio to it.

var (
	sinkInt   int
	sinkSlice *cowslice.Slice[int]
	sinkPlain []int
)

var sizes = []struct {
	name string
	n    int
}{{"n=1e3", 1e3}, {"n=1e6", 1e6}}

func filled(n int) ([]int, *cowslice.Slice[int]) {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	return p, cowslice.New(p...)
}

// The loops being compared live in functions of their own, kept out of line
// alike, because b.Loop keeps every variable of its body alive, which would
// turn the loop's accumulator into a memory store on every element.

//go:noinline
func sumIndexPlain(p []int) int {
	sum := 0
	for i := 0; i < len(p); i++ {
		sum += p[i]
	}
	return sum
}

//go:noinline
func sumAt(s *cowslice.Slice[int]) int {
	sum := 0
	for i := 0; i < s.Len(); i++ {
		sum += s.At(i)
	}
	return sum
}

//go:noinline
func sumRangePlain(p []int) int {
	sum := 0
	for _, v := range p {
		sum += v
	}
	return sum
}

//go:noinline
func sumValues(s *cowslice.Slice[int]) int {
	sum := 0
	for v := range s.Values() {
		sum += v
	}
	return sum
}

func BenchmarkAt(b *testing.B) {
	for _, sz := range sizes {
		p, s := filled(sz.n)
		b.Run(sz.name+"/impl=plain", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkInt = sumIndexPlain(p)
			}
		})
		b.Run(sz.name+"/impl=cowslice", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkInt = sumAt(s)
			}
		})
	}
}

func BenchmarkValues(b *testing.B) {
	for _, sz := range sizes {
		p, s := filled(sz.n)
		b.Run(sz.name+"/impl=plain", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkInt = sumRangePlain(p)
			}
		})
		b.Run(sz.name+"/impl=cowslice", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkInt = sumValues(s)
			}
		})
	}
}

func BenchmarkSet(b *testing.B) {
	const n = 1 << 10
	p, s := filled(n)
	b.Run("impl=plain", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			p[i&(n-1)] = i
			i++
		}
	})
	b.Run("impl=cowslice", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			s.Set(i&(n-1), i)
			i++
		}
	})
}

// BenchmarkAppend measures one append of an element: "grow" builds a slice
// of 1000 elements from empty (reported per element), "inplace" appends
// within capacity.
func BenchmarkAppend(b *testing.B) {
	const n = 1000
	b.Run("grow/impl=plain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var p []int
			for i := range n {
				p = append(p, i)
			}
			sinkPlain = p
		}
	})
	b.Run("grow/impl=cowslice", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s := cowslice.New[int]()
			for i := range n {
				s.Append(i)
			}
			sinkSlice = s
		}
	})
	b.Run("inplace/impl=plain", func(b *testing.B) {
		b.ReportAllocs()
		p := make([]int, 0, n)
		for b.Loop() {
			if len(p) == n {
				clear(p)
				p = p[:0]
			}
			p = append(p, 1)
		}
	})
	b.Run("inplace/impl=cowslice", func(b *testing.B) {
		b.ReportAllocs()
		s := cowslice.New(make([]int, n)...)
		s.Delete(0, n)
		for b.Loop() {
			if s.Len() == n {
				s.Delete(0, n)
			}
			s.Append(1)
		}
	})
}

func BenchmarkClone(b *testing.B) {
	for _, sz := range sizes {
		_, s := filled(sz.n)
		b.Run(sz.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkSlice = s.Clone()
			}
		})
	}
}

// BenchmarkFirstWrite is a snapshot followed by one write: the whole copy-up
// of a flat type, against an eager slices.Clone plus the same write.
func BenchmarkFirstWrite(b *testing.B) {
	for _, sz := range sizes {
		p, s := filled(sz.n)
		b.Run(sz.name+"/impl=plain", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c := slices.Clone(p)
				c[0] = 1
				sinkPlain = c
			}
		})
		b.Run(sz.name+"/impl=cowslice", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c := s.Clone()
				c.Set(0, 1)
				sinkSlice = c
			}
		})
	}
}
