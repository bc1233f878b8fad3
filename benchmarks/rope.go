package benchmarks

import (
	"iter"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/benbjohnson/immutable"
	"github.com/cowkit/cowkit/cowslice"
	"github.com/cowkit/cowkit/rope"
)

// The rope comparisons: rope.Rope[int] against a plain []int,
// cowslice.Slice[int] and benbjohnson/immutable's persistent List[int],
// op by op at every size in GridSizes (the rope grid, RopeOps), and the
// targets of the rope issue at 1e6 ints, appended to Targets. Each holds
// the ints 0, 1, ..., n-1; a rope is built by New, so its leaves are full.
// As in flat.go, every loop is a //go:noinline function of this package,
// one per implementation and each of the same shape, passed to a helper
// that runs it in the benchmark's loop.

// RopeImpl is one implementation in a rope comparison: Setup builds n ints
// its way and returns the benchmark of the op, which may run many times.
type RopeImpl struct {
	Name  string // as in "impl=rope"; "plain" is a []int
	Setup func(n int) func(b *testing.B)
}

// RopeOp is one row of the rope grid: an op measured for each of its
// implementations, the baseline first and rope last. Met, if not nil, is
// the rope issue's target for the op at every size, given rope's value
// and its ratio to the baseline's; Goal says it in words.
type RopeOp struct {
	Name   string
	Metric string // "" for ns/op
	Impls  []RopeImpl
	Goal   string
	Met    func(v, ratio float64) bool
}

// RopeOps are the rope grid's rows.
var RopeOps = []RopeOp{
	{
		Name:  "Insert_middle",
		Impls: []RopeImpl{{"plain", insertPlain}, {"cowslice", insertCowslice}, {"rope", insertRope}},
	},
	{
		Name:  "Delete_middle",
		Impls: []RopeImpl{{"plain", deletePlain}, {"cowslice", deleteCowslice}, {"rope", deleteRope}},
	},
	{
		Name: "Clone_firstWrite", Metric: "B/op",
		Impls: []RopeImpl{{"cowslice", cloneSetCowsliceBench}, {"plain", cloneSetPlainBench}, {"immutable", cloneSetListBench}, {"rope", cloneSetRopeBench}},
		Goal:  "<= 4 KiB", Met: func(v, _ float64) bool { return v <= 4096 },
	},
	{
		Name: "At_random", Metric: "ns/item",
		Impls: []RopeImpl{{"immutable", atListBench(randomPositions)}, {"plain", atPlainBench(randomPositions)}, {"cowslice", atCowsliceBench(randomPositions)}, {"rope", atRopeBench(randomPositions)}},
		Goal:  "<= 1.00x immutable.List's Get", Met: ratioAtMost(1),
	},
	{
		Name: "At_strided", Metric: "ns/item",
		Impls: []RopeImpl{{"immutable", atListBench(stridedPositions)}, {"plain", atPlainBench(stridedPositions)}, {"cowslice", atCowsliceBench(stridedPositions)}, {"rope", atRopeBench(stridedPositions)}},
		Goal:  "<= 1.00x immutable.List's Get", Met: ratioAtMost(1),
	},
	{
		Name: "Values", Metric: "ns/item",
		Impls: []RopeImpl{{"plain", valuesPlainBench}, {"cowslice", valuesCowsliceBench}, {"immutable", valuesListBench}, {"rope", valuesRopeBench}},
		Goal:  "<= 1.5x a []int range loop", Met: ratioAtMost(1.5),
	},
	{
		Name: "Append", Metric: "ns/item",
		Impls: []RopeImpl{{"immutable", appendListBench}, {"plain", appendPlainBench}, {"cowslice", appendCowsliceBench}, {"rope", appendRopeBench}},
		Goal:  "<= 1.00x immutable.List's Append", Met: ratioAtMost(1),
	},
}

// RopeHeaps are the ways of building 1e6 ints whose retained heap the
// heap targets compare: a []int built by append (the baseline), a rope
// built by Collect (full leaves, as New builds) and one built by Append
// one element at a time (leaves filled to seven-eighths).
var RopeHeaps = []RopeImpl{
	{"plain_append", func(n int) func(b *testing.B) { return heapBench(n, appendPlainN) }},
	{"rope_Collect", func(n int) func(b *testing.B) { return heapBench(n, collectRopeN) }},
	{"rope_Append", func(n int) func(b *testing.B) { return heapBench(n, appendRopeN) }},
}

// ropeTarget is a target comparing ours with base, each set up for n.
func ropeTarget(name, goal, metric string, met func(v, r float64) bool, base func(int) func(b *testing.B), bn int, ours func(int) func(b *testing.B), on int) Target {
	return Target{
		Name: name, Goal: goal, Metric: metric, Allocs: -1, Met: met,
		Base: func() func(b *testing.B) { return base(bn) },
		Ours: func() func(b *testing.B) { return ours(on) },
	}
}

// The rope issue's targets, at tn = 1e6 ints. "O(log n)" is checked as the
// time at 1e6 over the time at 1e3: for a + b·log n that is at most
// log(1e6)/log(1e3) = 2, where O(n) is 1000. "Amortized O(1)" is the time
// per element of a whole build, at 1e6 over 1e3: at most 1.5x, below what
// O(log n) per element would allow.
func init() {
	Targets = append(Targets,
		ropeTarget("rope Insert of one int in the middle vs slices.Insert on a []int (1e6)", ">= 100x faster (<= 0.01x)", "", ratioAtMost(0.01),
			insertPlain, tn, insertRope, tn),
		ropeTarget("rope Delete of one int in the middle vs slices.Delete on a []int (1e6)", ">= 100x faster (<= 0.01x)", "", ratioAtMost(0.01),
			deletePlain, tn, deleteRope, tn),
		ropeTarget("rope Insert of one int in the middle at 1e6 vs at 1e3", "O(log n): <= 2x", "", ratioAtMost(2),
			insertRope, 1e3, insertRope, tn),
		ropeTarget("rope Delete of one int in the middle at 1e6 vs at 1e3", "O(log n): <= 2x", "", ratioAtMost(2),
			deleteRope, 1e3, deleteRope, tn),
		ropeTarget("rope Clone + first Set in the middle (1e6) vs cowslice's: bytes allocated", "<= 4 KiB, O(log n) nodes", "B/op", func(v, _ float64) bool { return v <= 4096 },
			cloneSetCowsliceBench, tn, cloneSetRopeBench, tn),
		ropeTarget("rope At at random positions vs immutable.List Get (1e6)", "<= 1.00x", "ns/item", ratioAtMost(1),
			atListBench(randomPositions), tn, atRopeBench(randomPositions), tn),
		ropeTarget("rope At at strided positions vs immutable.List Get (1e6)", "<= 1.00x", "ns/item", ratioAtMost(1),
			atListBench(stridedPositions), tn, atRopeBench(stridedPositions), tn),
		ropeTarget("rope Values loop vs a []int range loop (1e6)", "<= 1.5x", "ns/item", ratioAtMost(1.5),
			valuesPlainBench, tn, valuesRopeBench, tn),
		ropeTarget("rope Append one at a time to 1e6 vs immutable.List Append", "<= 1.00x", "ns/item", ratioAtMost(1),
			appendListBench, tn, appendRopeBench, tn),
		ropeTarget("rope Append one at a time: time per element at 1e6 vs at 1e3", "amortized O(1): <= 1.5x", "ns/item", ratioAtMost(1.5),
			appendRopeBench, 1e3, appendRopeBench, tn),
		ropeTarget("rope Collect of 1e6 ints: heap per element vs a []int built by append", "<= 1.25x", "B/item", ratioAtMost(1.25),
			RopeHeaps[0].Setup, tn, RopeHeaps[1].Setup, tn),
		ropeTarget("rope of 1e6 ints built by Append one at a time: heap per element vs a []int built by append", "<= 1.25x", "B/item", ratioAtMost(1.25),
			RopeHeaps[0].Setup, tn, RopeHeaps[2].Setup, tn),
	)
}

// The sequences of the ints 0, 1, ..., n-1.

func plainOf(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func cowsliceOf(n int) *cowslice.Slice[int] { return cowslice.New(plainOf(n)...) }
func listOf(n int) *immutable.List[int]     { return immutable.NewList(plainOf(n)...) }
func ropeOf(n int) *rope.Rope[int]          { return rope.New(plainOf(n)...) }

// upTo yields 0, 1, ..., n-1.
func upTo(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}

// Insert and Delete of one element in the middle.

// maxCycle bounds the ops middleBench runs before it undoes them.
const maxCycle = 1000

// middleBench measures op, the Insert or Delete of one element at Len/2 of
// s, which holds n ints. After every cycle ops (n/10, at most maxCycle)
// it stops the timer and undo puts back, in one call, what they did, so
// that s stays within 10% of n long.
func middleBench[S any](s S, n int, op func(S) S, undo func(s S, k int) S) func(b *testing.B) {
	cycle := max(min(n/10, maxCycle), 1)
	return func(b *testing.B) {
		b.ReportAllocs()
		k := 0
		for b.Loop() {
			if k == cycle {
				b.StopTimer()
				s, k = undo(s, k), 0
				b.StartTimer()
			}
			s = op(s)
			k++
		}
		s = undo(s, k) // the timer is stopped: leave s as it was for the next run
	}
}

// pad is what the Delete benchmarks insert back.
var pad = make([]int, maxCycle)

// k Inserts at Len/2 of a sequence of n elements leave them at [n/2, n/2+k):
// each lands inside or at the end of the run of those before it.

//go:noinline
func insertMidPlain(s []int) []int { return slices.Insert(s, len(s)/2, -1) }

//go:noinline
func insertMidCowslice(s *cowslice.Slice[int]) *cowslice.Slice[int] {
	s.Insert(s.Len()/2, -1)
	return s
}

//go:noinline
func insertMidRope(r *rope.Rope[int]) *rope.Rope[int] {
	r.Insert(r.Len()/2, -1)
	return r
}

//go:noinline
func deleteMidPlain(s []int) []int { return slices.Delete(s, len(s)/2, len(s)/2+1) }

//go:noinline
func deleteMidCowslice(s *cowslice.Slice[int]) *cowslice.Slice[int] {
	s.Delete(s.Len()/2, s.Len()/2+1)
	return s
}

//go:noinline
func deleteMidRope(r *rope.Rope[int]) *rope.Rope[int] {
	r.Delete(r.Len()/2, r.Len()/2+1)
	return r
}

// plainWithRoom returns plainOf(n) with room for a cycle of Inserts, so
// that the baseline never grows its array while it is timed.
func plainWithRoom(n int) []int { return slices.Grow(plainOf(n), maxCycle) }

// cowsliceWithRoom is plainWithRoom for a cowslice: Delete keeps the
// capacity that Append made.
func cowsliceWithRoom(n int) *cowslice.Slice[int] {
	s := cowsliceOf(n)
	s.Append(pad...)
	s.Delete(n, n+maxCycle)
	return s
}

func insertPlain(n int) func(b *testing.B) {
	return middleBench(plainWithRoom(n), n, insertMidPlain, func(s []int, k int) []int {
		m := (len(s) - k) / 2
		return slices.Delete(s, m, m+k)
	})
}

func insertCowslice(n int) func(b *testing.B) {
	return middleBench(cowsliceWithRoom(n), n, insertMidCowslice, func(s *cowslice.Slice[int], k int) *cowslice.Slice[int] {
		m := (s.Len() - k) / 2
		s.Delete(m, m+k)
		return s
	})
}

func insertRope(n int) func(b *testing.B) {
	return middleBench(ropeOf(n), n, insertMidRope, func(r *rope.Rope[int], k int) *rope.Rope[int] {
		m := (r.Len() - k) / 2
		r.Delete(m, m+k)
		return r
	})
}

func deletePlain(n int) func(b *testing.B) {
	return middleBench(plainWithRoom(n), n, deleteMidPlain, func(s []int, k int) []int {
		return slices.Insert(s, len(s)/2, pad[:k]...)
	})
}

func deleteCowslice(n int) func(b *testing.B) {
	return middleBench(cowsliceWithRoom(n), n, deleteMidCowslice, func(s *cowslice.Slice[int], k int) *cowslice.Slice[int] {
		s.Insert(s.Len()/2, pad[:k]...)
		return s
	})
}

func deleteRope(n int) func(b *testing.B) {
	return middleBench(ropeOf(n), n, deleteMidRope, func(r *rope.Rope[int], k int) *rope.Rope[int] {
		r.Insert(r.Len()/2, pad[:k]...)
		return r
	})
}

// A clone and its first write, a Set at Len/2: the bytes it allocates. The
// clone is released after, as the clone chart's kinds are; immutable.List
// is persistent, so its Set is the clone and the write at once.

// opBench measures op on s.
func opBench[S any](s S, op func(S)) func(b *testing.B) {
	return func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			op(s)
		}
	}
}

//go:noinline
func cloneSetPlain(s []int) {
	c := slices.Clone(s)
	c[len(c)/2] = -1
	SinkInts = c
}

//go:noinline
func cloneSetCowslice(s *cowslice.Slice[int]) {
	c := s.Clone()
	SinkAny = c // a user's clone outlives the call: its handle is allocated, as the peers' results are
	c.Set(c.Len()/2, -1)
	c.Release()
}

//go:noinline
func cloneSetList(l *immutable.List[int]) { SinkAny = l.Set(l.Len()/2, -1) }

//go:noinline
func cloneSetRope(r *rope.Rope[int]) {
	c := r.Clone()
	SinkAny = c // as in cloneSetCowslice
	c.Set(c.Len()/2, -1)
	c.Release()
}

func cloneSetPlainBench(n int) func(b *testing.B)    { return opBench(plainOf(n), cloneSetPlain) }
func cloneSetCowsliceBench(n int) func(b *testing.B) { return opBench(cowsliceOf(n), cloneSetCowslice) }
func cloneSetListBench(n int) func(b *testing.B)     { return opBench(listOf(n), cloneSetList) }
func cloneSetRopeBench(n int) func(b *testing.B)     { return opBench(ropeOf(n), cloneSetRope) }

// At: atBatch reads per op, from a pool of positions that the op walks
// through, atBatch at a time, reported per read.

const (
	atBatch = 1024
	atPool  = 64 * atBatch
	stride  = 7919 // a prime: every stride-th position visits them all
)

// randomPositions returns atPool random positions in [0, n), the same for
// every call with the same n.
func randomPositions(n int) []int {
	r := rand.New(rand.NewPCG(9, 10))
	p := make([]int, atPool)
	for i := range p {
		p[i] = r.IntN(n)
	}
	return p
}

// stridedPositions returns atPool positions in [0, n), each stride after
// the one before it, wrapping around.
func stridedPositions(n int) []int {
	p := make([]int, atPool)
	for i := range p {
		p[i] = i * stride % n
	}
	return p
}

//go:noinline
func atPlain(s []int, idx []int) (t int) {
	for _, i := range idx {
		t += s[i]
	}
	return t
}

//go:noinline
func atCowslice(s *cowslice.Slice[int], idx []int) (t int) {
	for _, i := range idx {
		t += s.At(i)
	}
	return t
}

//go:noinline
func atList(l *immutable.List[int], idx []int) (t int) {
	for _, i := range idx {
		t += l.Get(i)
	}
	return t
}

//go:noinline
func atRope(r *rope.Rope[int], idx []int) (t int) {
	for _, i := range idx {
		t += r.At(i)
	}
	return t
}

// atBench measures at, the sum of s's elements at atBatch positions.
func atBench[S any](s S, pool []int, at func(S, []int) int) func(b *testing.B) {
	return func(b *testing.B) {
		b.ReportAllocs()
		off := 0
		for b.Loop() {
			Sink += at(s, pool[off:off+atBatch])
			if off += atBatch; off == len(pool) {
				off = 0
			}
		}
		perItem(b, atBatch)
	}
}

func atPlainBench(pos func(int) []int) func(int) func(b *testing.B) {
	return func(n int) func(b *testing.B) { return atBench(plainOf(n), pos(n), atPlain) }
}

func atCowsliceBench(pos func(int) []int) func(int) func(b *testing.B) {
	return func(n int) func(b *testing.B) { return atBench(cowsliceOf(n), pos(n), atCowslice) }
}

func atListBench(pos func(int) []int) func(int) func(b *testing.B) {
	return func(n int) func(b *testing.B) { return atBench(listOf(n), pos(n), atList) }
}

func atRopeBench(pos func(int) []int) func(int) func(b *testing.B) {
	return func(n int) func(b *testing.B) { return atBench(ropeOf(n), pos(n), atRope) }
}

// perItem reports the time per op over items, as ns/item.
func perItem(b *testing.B, items int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(items), "ns/item")
}

// Values: a loop over every element, per element. cowslice's loop is
// flat.go's sumValues.

//go:noinline
func valuesPlain(s []int) (t int) {
	for _, v := range s {
		t += v
	}
	return t
}

//go:noinline
func valuesList(l *immutable.List[int]) (t int) {
	for it := l.Iterator(); !it.Done(); {
		_, v := it.Next()
		t += v
	}
	return t
}

//go:noinline
func valuesRope(r *rope.Rope[int]) (t int) {
	for v := range r.Values() {
		t += v
	}
	return t
}

// loopBench measures loop, a loop over the n elements of s.
func loopBench[S any](s S, n int, loop func(S) int) func(b *testing.B) {
	return func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Sink += loop(s)
		}
		perItem(b, n)
	}
}

func valuesPlainBench(n int) func(b *testing.B)    { return loopBench(plainOf(n), n, valuesPlain) }
func valuesCowsliceBench(n int) func(b *testing.B) { return loopBench(cowsliceOf(n), n, sumValues) }
func valuesListBench(n int) func(b *testing.B)     { return loopBench(listOf(n), n, valuesList) }
func valuesRopeBench(n int) func(b *testing.B)     { return loopBench(ropeOf(n), n, valuesRope) }

// Append: a sequence of n built one element at a time from empty, per
// element.

//go:noinline
func appendPlainN(n int) []int {
	var s []int
	for i := range n {
		s = append(s, i)
	}
	return s
}

//go:noinline
func appendCowsliceN(n int) *cowslice.Slice[int] {
	s := cowslice.New[int]()
	for i := range n {
		s.Append(i)
	}
	return s
}

//go:noinline
func appendListN(n int) *immutable.List[int] {
	l := immutable.NewList[int]()
	for i := range n {
		l = l.Append(i)
	}
	return l
}

//go:noinline
func appendRopeN(n int) *rope.Rope[int] {
	r := new(rope.Rope[int])
	for i := range n {
		r.Append(i)
	}
	return r
}

//go:noinline
func collectRopeN(n int) *rope.Rope[int] { return rope.Collect(upTo(n)) }

// buildBench measures build, which builds a sequence of n elements.
func buildBench[S any](n int, build func(int) S) func(b *testing.B) {
	return func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			SinkAny = build(n)
		}
		SinkAny = nil
		perItem(b, n)
	}
}

func appendPlainBench(n int) func(b *testing.B)    { return buildBench(n, appendPlainN) }
func appendCowsliceBench(n int) func(b *testing.B) { return buildBench(n, appendCowsliceN) }
func appendListBench(n int) func(b *testing.B)     { return buildBench(n, appendListN) }
func appendRopeBench(n int) func(b *testing.B)     { return buildBench(n, appendRopeN) }

// heapBench reports the heap that a sequence of n elements made by build
// holds once built, per element.
func heapBench[S any](n int, build func(int) S) func(b *testing.B) {
	return func(b *testing.B) {
		for b.Loop() {
			before := HeapInUse()
			s := build(n)
			after := HeapInUse()
			runtime.KeepAlive(s)
			b.ReportMetric((float64(after)-float64(before))/float64(n), "B/item")
		}
	}
}
