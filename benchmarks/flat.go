package benchmarks

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/cowkit/cowkit/cowslice"
	"github.com/cowkit/cowkit/pagearena"
)

// The second round's targets for the flat types and pagearena, measured
// from this package, as a user's code calls them: each loop is a
// //go:noinline function of this package, the same for the baseline and
// for cowkit, so that neither is inlined into the benchmark's loop (for
// b.Loop keeps every variable of its body alive, which slows an iterator
// loop written directly in it).

//go:noinline
func sumValues(s *cowslice.Slice[int]) (t int) {
	for v := range s.Values() {
		t += v
	}
	return t
}

//go:noinline
func sumAll(s *cowslice.Slice[int]) (t int) {
	for i, v := range s.All() {
		t += i ^ v
	}
	return t
}

//go:noinline
func sumAllPlain(s []int) (t int) {
	for i, v := range s {
		t += i ^ v
	}
	return t
}

//go:noinline
func setLoop(s *cowslice.Slice[int]) {
	for i := range s.Len() {
		s.Set(i, i)
	}
}

//go:noinline
func setLoopPlain(s []int) {
	for i := range len(s) {
		s[i] = i
	}
}

//go:noinline
func appendLoop(s *cowslice.Slice[int], n int) {
	for i := range n {
		s.Append(i)
	}
}

//go:noinline
func appendLoopPlain(s []int, n int) []int {
	for i := range n {
		s = append(s, i)
	}
	return s
}

// loopTarget is a target comparing a loop over a plain []int of n
// elements with the same loop over a Slice.
func loopTarget(name string, n int, goal string, limit float64, plain func([]int), ours func(*cowslice.Slice[int])) Target {
	var met func(_, r float64) bool
	if limit > 0 {
		met = ratioAtMost(limit)
	}
	return Target{
		Name: fmt.Sprintf("cowslice %s vs []int (%s)", name, sizeName(n)), Goal: goal, Allocs: 0, Met: met,
		Base: func() func(b *testing.B) {
			s := make([]int, n)
			return func(b *testing.B) {
				for b.Loop() {
					plain(s)
				}
			}
		},
		Ours: func() func(b *testing.B) {
			s := cowslice.New(make([]int, n)...)
			return func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					ours(s)
				}
			}
		},
	}
}

func sizeName(n int) string {
	switch n {
	case 1e3:
		return "1e3"
	case 1e6:
		return "1e6"
	}
	return fmt.Sprint(n)
}

func init() {
	for _, n := range []int{1e3, 1e6} {
		Targets = append(Targets,
			loopTarget("Values loop", n, "<= 1.10x", 1.10,
				func(s []int) { Sink += sumPlain(s) },
				func(s *cowslice.Slice[int]) { Sink += sumValues(s) }),
			loopTarget("All loop", n, "<= 1.10x", 1.10,
				func(s []int) { Sink += sumAllPlain(s) },
				func(s *cowslice.Slice[int]) { Sink += sumAll(s) }),
		)
	}
	Targets = append(Targets,
		loopTarget("At loop", 1e3, "as close as the compiler allows (first round: <= 1.10x)", 1.10,
			func(s []int) { Sink += sumPlain(s) },
			func(s *cowslice.Slice[int]) { Sink += sumAt(s) }),
		loopTarget("Set loop on an unshared slice", 1e3, "<= 1.50x", 1.50,
			setLoopPlain, setLoop),
		Target{
			Name: "cowslice Append x1000 within capacity vs append", Goal: "<= 1.50x", Allocs: 0, Met: ratioAtMost(1.50),
			Base: func() func(b *testing.B) {
				s := make([]int, 0, 1000)
				return func(b *testing.B) {
					for b.Loop() {
						s = appendLoopPlain(slices.Delete(s, 0, len(s)), 1000)
					}
				}
			},
			Ours: func() func(b *testing.B) {
				s := cowslice.New(make([]int, 1000)...)
				return func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						s.Delete(0, s.Len()) // keeps the capacity, as slices.Delete does
						appendLoop(s, 1000)
					}
				}
			},
		},
		Target{
			Name: "pagearena sequential WriteAt of private pages, 64 MiB in 1 MiB calls, vs copy()", Goal: "<= 1.20x", Allocs: 0, Met: ratioAtMost(1.20),
			Base: func() func(b *testing.B) {
				dst, src := make([]byte, 64*mib), bytes.Repeat([]byte{1}, mib)
				return func(b *testing.B) {
					for b.Loop() {
						for off := 0; off < len(dst); off += mib {
							copy(dst[off:], src)
						}
					}
				}
			},
			Ours: func() func(b *testing.B) {
				a, _ := pagearena.New(64 * mib)
				src := bytes.Repeat([]byte{1}, mib)
				for off := int64(0); off < 64*mib; off += mib {
					a.WriteAt(src, off) // every page private before the loop
				}
				return func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						for off := int64(0); off < 64*mib; off += mib {
							a.WriteAt(src, off)
						}
					}
				}
			},
		},
	)
}
