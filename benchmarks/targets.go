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
	tidwall "github.com/tidwall/btree"
)

// Target is one performance target of docs/DESIGN.md measured as a pair: a
// baseline and cowkit, run interleaved. Met reports whether cowkit's
// ns/op (ours) and its ratio to the baseline's (ours/base) meet the
// target. A target with no baseline (Base == nil) is an absolute one.
type Target struct {
	Name   string // what is measured
	Goal   string // the target as docs/DESIGN.md states it
	Base   func() func(b *testing.B)
	Ours   func() func(b *testing.B)
	Met    func(ours, ratio float64) bool
	Allocs int64  // the most allocations per op cowkit may make; -1 for no limit
	Metric string // the metric to compare by, if not ns/op
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

// Targets are the performance targets of docs/DESIGN.md, each as a pair to
// measure, less the btree comparisons with the peers (BtreeOps and the grid);
// streams.go and targets2.go append the rest.
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
		Name: "btree Diff of two 1e6 maps differing in 10 keys vs a full ordered merge (tidwall cursors)", Goal: ">= 1000x faster (<= 0.001x)", Allocs: -1, Met: ratioAtMost(0.001),
		Base: func() func(b *testing.B) {
			ks := Keys(tn)
			x, y := new(tidwall.Map[int, int]), new(tidwall.Map[int, int])
			for _, k := range ks {
				x.Set(k, k)
				y.Set(k, k)
			}
			for i := range 10 {
				y.Set(ks[i*(tn/10)], -1)
			}
			return func(b *testing.B) {
				for b.Loop() {
					if n := mergeDiff(x, y); n != 10 {
						b.Fatalf("the merge found %d changes, want 10", n)
					}
				}
			}
		},
		Ours: func() func(b *testing.B) {
			base, changed := diffPair(tn)
			eq := func(a, b int) bool { return a == b }
			return func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					n := 0
					for range changed.Diff(base, eq) {
						n++
					}
					if n != 10 {
						b.Fatalf("Diff found %d changes, want 10", n)
					}
				}
			}
		},
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

// diffPair returns a map of n random keys and a clone of it with ten keys
// changed, for the Diff target.
func diffPair(n int) (base, changed *btree.Map[int, int]) {
	ks := Keys(n)
	base = btree.New[int, int]()
	for _, k := range ks {
		base.Set(k, k)
	}
	changed = base.Clone()
	for i := range 10 {
		changed.Set(ks[i*(n/10)], -1)
	}
	return base, changed
}

// mergeDiff counts the differences between two tidwall maps by a full
// ordered merge with their cursors: the work a Diff that cannot skip
// shared parts has to do.
func mergeDiff(a, b *tidwall.Map[int, int]) (changes int) {
	x, y := a.Iter(), b.Iter()
	okx, oky := x.First(), y.First()
	for okx || oky {
		switch {
		case !oky || okx && x.Key() < y.Key():
			changes++
			okx = x.Next()
		case !okx || y.Key() < x.Key():
			changes++
			oky = y.Next()
		default:
			if x.Value() != y.Value() {
				changes++
			}
			okx, oky = x.Next(), y.Next()
		}
	}
	return changes
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
