package benchmarks

import (
	"bytes"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/cowkit/cowkit/btree"
	"github.com/cowkit/cowkit/cowmap"
	"github.com/cowkit/cowkit/cowslice"
	"github.com/cowkit/cowkit/cowstring"
	"github.com/cowkit/cowkit/pagearena"
)

// Target is one performance target of DESIGN.md measured as a pair: a
// baseline and cowkit, run interleaved. Met reports whether cowkit's
// ns/op (ours) and its ratio to the baseline's (ours/base) meet the
// target. A target with no baseline (Base == nil) is an absolute one.
type Target struct {
	Name   string // what is measured
	Goal   string // the target as DESIGN.md states it
	Base   func() func(b *testing.B)
	Ours   func() func(b *testing.B)
	Met    func(ours, ratio float64) bool
	Allocs int64 // the most allocations per op cowkit may make; -1 for no limit
}

const (
	tn    = 1_000_000
	mib   = 1 << 20
	gib   = 1 << 30
	page  = pagearena.DefaultPageSize
	words = "copy on write "
)

func ratioAtMost(limit float64) func(_, r float64) bool {
	return func(_, r float64) bool { return r <= limit }
}

func nsAtMost(limit float64) func(ns, _ float64) bool {
	return func(ns, _ float64) bool { return ns <= limit }
}

//go:noinline
func sumAt(s *cowslice.Slice[int]) (t int) {
	for i := range s.Len() {
		t += s.At(i)
	}
	return t
}

//go:noinline
func sumPlain(s []int) (t int) {
	for i := range s {
		t += s[i]
	}
	return t
}

// Targets are DESIGN.md's performance table, in its order, less the btree
// rows (see BtreeOps) and the btree Diff (a white-box benchmark in
// package btree, BenchmarkMap_Diff, whose full merge uses the same cursors).
var Targets = []Target{
	{
		Name: "cowslice Clone", Goal: "<= 30 ns, 1 allocation", Allocs: 1, Met: nsAtMost(30),
		Ours: func() func(b *testing.B) {
			s := cowslice.New(make([]int, tn)...)
			return func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					SinkAny = s.Clone() // escapes, as a kept clone does
				}
			}
		},
	},
	{
		Name: "cowmap Clone", Goal: "<= 30 ns, 1 allocation", Allocs: 1, Met: nsAtMost(30),
		Ours: func() func(b *testing.B) {
			m := cowmap.New[int, int]()
			for k := range 1000 {
				m.Set(k, k)
			}
			return func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					SinkAny = m.Clone() // escapes, as a kept clone does
				}
			}
		},
	},
	{
		Name: "cowstring Clone", Goal: "<= 30 ns, 1 allocation", Allocs: 1, Met: nsAtMost(30),
		Ours: func() func(b *testing.B) {
			s := cowstring.New(strings.Repeat(words, 1000))
			return func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					SinkAny = s.Clone() // escapes, as a kept clone does
				}
			}
		},
	},
	{
		Name: "btree Clone (1e6 entries)", Goal: "<= 30 ns, 1 allocation", Allocs: 1, Met: nsAtMost(30),
		Ours: func() func(b *testing.B) {
			m := btree.New[int, int]()
			for k := range tn {
				m.Set(k, k)
			}
			return func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					SinkAny = m.Clone() // escapes, as a kept clone does
				}
			}
		},
	},
	{
		Name: "cowslice At loop vs []int (1e6)", Goal: "<= 1.10x", Allocs: 0, Met: ratioAtMost(1.10),
		Base: func() func(b *testing.B) {
			s := make([]int, tn)
			return func(b *testing.B) {
				for b.Loop() {
					Sink += sumPlain(s)
				}
			}
		},
		Ours: func() func(b *testing.B) {
			s := cowslice.New(make([]int, tn)...)
			return func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					Sink += sumAt(s)
				}
			}
		},
	},
	{
		Name: "cowslice first write after Clone vs slices.Clone + write (1e6)", Goal: "<= 1.10x", Allocs: -1, Met: ratioAtMost(1.10),
		Base: func() func(b *testing.B) { return CloneKinds[0].Setup(tn) },
		Ours: func() func(b *testing.B) { return CloneKinds[1].Setup(tn) },
	},
	{
		Name: "cowmap Get vs map (1e5 random keys)", Goal: "<= 1.10x", Allocs: 0, Met: ratioAtMost(1.10),
		Base: func() func(b *testing.B) {
			ks := Keys(1e5)
			m := map[int]int{}
			for _, k := range ks {
				m[k] = k
			}
			return func(b *testing.B) {
				i := 0
				for b.Loop() {
					Sink += m[ks[i]]
					if i++; i == len(ks) {
						i = 0
					}
				}
			}
		},
		Ours: func() func(b *testing.B) {
			ks := Keys(1e5)
			m := cowmap.New[int, int]()
			for _, k := range ks {
				m.Set(k, k)
			}
			return func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					v, _ := m.Get(ks[i])
					Sink += v
					if i++; i == len(ks) {
						i = 0
					}
				}
			}
		},
	},
	{
		Name: "cowstring WriteString x1000 vs strings.Builder", Goal: "<= 1.20x", Allocs: -1, Met: ratioAtMost(1.20),
		Base: func() func(b *testing.B) {
			return func(b *testing.B) {
				for b.Loop() {
					var sb strings.Builder
					for range 1000 {
						sb.WriteString(words)
					}
					Sink += sb.Len()
				}
			}
		},
		Ours: func() func(b *testing.B) {
			return func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					s := cowstring.New("")
					for range 1000 {
						s.WriteString(words)
					}
					Sink += s.Len()
				}
			}
		},
	},
	{
		Name: "cowstring WriteString x1000 vs bytes.Buffer", Goal: "(no target)", Allocs: -1, Met: nil,
		Base: func() func(b *testing.B) {
			return func(b *testing.B) {
				for b.Loop() {
					var bb bytes.Buffer
					for range 1000 {
						bb.WriteString(words)
					}
					Sink += bb.Len()
				}
			}
		},
		Ours: func() func(b *testing.B) {
			return func(b *testing.B) {
				for b.Loop() {
					s := cowstring.New("")
					for range 1000 {
						s.WriteString(words)
					}
					Sink += s.Len()
				}
			}
		},
	},
	{
		Name: "cowmap first write after Clone vs maps.Clone + write (1e5)", Goal: "(no target)", Allocs: -1, Met: nil,
		Base: func() func(b *testing.B) {
			m := map[int]int{}
			for k := range 100_000 {
				m[k] = k
			}
			return func(b *testing.B) {
				i := 0
				for b.Loop() {
					c := maps.Clone(m)
					c[i%100_000] = 1
					i++
				}
			}
		},
		Ours: func() func(b *testing.B) { return CloneKinds[2].Setup(100_000) },
	},
	{
		Name: "pagearena Fork at 1 GiB (about 16 MiB written), with the fork's Release", Goal: "< 1 µs, O(1)", Allocs: 1, Met: nsAtMost(1000),
		Ours: func() func(b *testing.B) { return forkBench(gib, 16*mib) },
	},
	{
		Name: "pagearena Fork at 64 MiB (about 16 MiB written), with the fork's Release", Goal: "< 1 µs, O(1)", Allocs: 1, Met: nsAtMost(1000),
		Ours: func() func(b *testing.B) { return forkBench(64*mib, 16*mib) },
	},
	{
		Name: "pagearena Fork vs copying the 16 MiB touched", Goal: "(no target)", Allocs: -1, Met: nil,
		Base: func() func(b *testing.B) {
			touched := make([]byte, 16*mib)
			return func(b *testing.B) {
				for b.Loop() {
					SinkBytes = slices.Clone(touched)
				}
			}
		},
		Ours: func() func(b *testing.B) { return forkBench(gib, 16*mib) },
	},
	{
		Name: "pagearena first write to a shared page vs make + copy 4 KiB", Goal: "<= 1.5x", Allocs: -1, Met: ratioAtMost(1.5),
		Base: func() func(b *testing.B) {
			src := make([]byte, page)
			return func(b *testing.B) {
				for b.Loop() {
					p := make([]byte, page)
					copy(p, src)
					p[7] = 2
					SinkBytes = p
				}
			}
		},
		Ours: func() func(b *testing.B) {
			const size = 64 * mib
			a, _ := pagearena.New(size)
			a.WriteAt(make([]byte, size), 0)
			f, off := a.Fork(), int64(0)
			return func(b *testing.B) {
				for b.Loop() {
					if off == size {
						b.StopTimer()
						f.Release()
						f, off = a.Fork(), 0
						b.StartTimer()
					}
					f.WriteAt([]byte{2}, off+7)
					off += page
				}
			}
		},
	},
}

// SinkBytes and SinkAny keep results alive; see Sink.
var (
	SinkBytes []byte
	SinkAny   any
)

// forkBench forks (and releases the fork of) an arena of size bytes with
// touched bytes written, spread over the arena.
func forkBench(size, touched int64) func(b *testing.B) {
	a, _ := pagearena.New(size)
	r := rand.New(rand.NewPCG(3, 4))
	buf := make([]byte, page)
	for range touched / page {
		a.WriteAt(buf, r.Int64N(size/page)*page)
	}
	return func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			a.Fork().Release()
		}
	}
}
