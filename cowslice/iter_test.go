package cowslice

import (
	"iter"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// iterators are the ways to range over a slice, each turned into one shape.
var iterators = []struct {
	name string
	seq  func(s *Slice[int]) iter.Seq2[int, int]
}{
	{"All", (*Slice[int]).All},
	{"Values", func(s *Slice[int]) iter.Seq2[int, int] {
		return func(yield func(int, int) bool) {
			i := 0
			for v := range s.Values() {
				if !yield(i, v) {
					return
				}
				i++
			}
		}
	}},
}

// TestIterationIsASnapshot: whatever the loop body does to the handle it
// ranges over, the loop goes on over the elements the handle had, and a
// clone that becomes the array's only other holder must copy before it
// writes, not write under the running loop.
func TestIterationIsASnapshot(t *testing.T) {
	const n = 64
	bodies := []struct {
		name string
		own  func(s *Slice[int]) // what the loop body does to s first
		want []int               // s afterwards
	}{
		{"Set", func(s *Slice[int]) { s.Set(0, -1) }, append([]int{-1}, seq(1, n)...)},
		{"Append", func(s *Slice[int]) { s.Append(-1) }, append(seq(0, n), -1)},
		{"Delete", func(s *Slice[int]) { s.Delete(0, 1) }, seq(1, n)},
		{"Mutable", func(s *Slice[int]) { s.Mutable()[0] = -1 }, append([]int{-1}, seq(1, n)...)},
		{"Release", func(s *Slice[int]) { s.Release() }, nil},
	}
	for _, it := range iterators {
		for _, body := range bodies {
			t.Run(it.name+"/"+body.name, func(t *testing.T) {
				s := New(seq(0, n)...)
				c := s.Clone()
				var saw []int
				for i, v := range it.seq(s) {
					if i == 0 {
						body.own(s)
						// s holds a copy now, or nothing: before iterators
						// held a share, c was the array's only holder here
						// and wrote it in place.
						for j := range n {
							c.Set(j, 1000+j)
						}
					}
					saw = append(saw, v)
				}
				if !slices.Equal(saw, seq(0, n)) {
					t.Errorf("the loop saw %v, want the snapshot %v", saw, seq(0, n))
				}
				if got := slices.Collect(s.Values()); !slices.Equal(got, body.want) {
					t.Errorf("s = %v, want %v", got, body.want)
				}
				if got, want := slices.Collect(c.Values()), seq(1000, 1000+n); !slices.Equal(got, want) {
					t.Errorf("c = %v, want %v", got, want)
				}
				if err := checkInvariants([]*Slice[int]{s, c}); err != nil {
					t.Error(err)
				}
				if s.Shared() || c.Shared() {
					t.Error("the loop is over, but its share was not dropped")
				}
			})
		}
	}
}

// TestIterationWhileCloneWritesConcurrently is the reproducer of the bug
// the snapshot fixes: the loop's own handle copies on its first write, and
// a clone on another goroutine, writing all the while, must not write the
// array the loop still reads. Run with -race: before the fix the loop saw
// most of the clone's writes and the detector reported the race.
func TestIterationWhileCloneWritesConcurrently(t *testing.T) {
	const n = 1 << 14
	for _, it := range iterators {
		t.Run(it.name, func(t *testing.T) {
			s := New(seq(0, n)...)
			c := s.Clone()
			start := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for i := range 4 * n {
					c.Set(i%n, -i)
				}
			}()
			bad := 0
			for i, v := range it.seq(s) {
				if i == 0 {
					s.Set(0, 0)
					close(start)
				}
				if v != i {
					bad++
				}
			}
			wg.Wait()
			if bad != 0 {
				t.Errorf("the loop saw %d elements written by the clone", bad)
			}
		})
	}
}

// TestIterationAllocs: a loop that only reads allocates nothing, and one
// that writes the unshared handle it ranges over copies it once (the array
// and a new count), not once per write. The loops are written out, not
// taken from the iterators table: a call through a function value would
// make the loop body escape and allocate.
func TestIterationAllocs(t *testing.T) {
	s := New(seq(0, 1000)...)
	tests := []struct {
		name string
		want float64
		f    func()
	}{
		{"All, reading", 0, func() {
			for i, v := range s.All() {
				_, _ = i, v
			}
		}},
		{"Values, reading", 0, func() {
			for v := range s.Values() {
				_ = v
			}
		}},
		{"All, writing every element", 2, func() {
			for i := range s.All() {
				s.Set(i, i)
			}
		}},
		{"Values, writing every element", 2, func() {
			i := 0
			for range s.Values() {
				s.Set(i, i)
				i++
			}
		}},
	}
	for _, tt := range tests {
		if got := testing.AllocsPerRun(100, tt.f); got != tt.want {
			t.Errorf("%s: AllocsPerRun = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// seq returns [lo, lo+1, ..., hi-1].
func seq(lo, hi int) []int {
	out := make([]int, 0, hi-lo)
	for i := lo; i < hi; i++ {
		out = append(out, i)
	}
	return out
}

func TestCollect(t *testing.T) {
	for _, n := range []int{0, 1, 5, 1000} {
		s := Collect(slices.Values(seq(0, n)))
		if d := cmp.Diff(seq(0, n), elems(s), cmpopts.EquateEmpty()); d != "" {
			t.Errorf("Collect of %d values (-want +got):\n%s", n, d)
		}
		if s.Shared() {
			t.Errorf("Collect of %d values: Shared() = true", n)
		}
		if err := checkInvariants([]*Slice[int]{s}); err != nil {
			t.Error(err)
		}
	}
	// Collecting a Slice's own values makes an independent copy.
	src := New(1, 2, 3)
	c := Collect(src.Values())
	c.Set(0, 9)
	if d := cmp.Diff([]int{1, 2, 3}, elems(src)); d != "" || src.Shared() {
		t.Errorf("Collect(src.Values()) then a write (-want +got):\n%s", d)
	}
}

// withRoom returns a Slice holding vs alone, with room for extra more
// elements in its array.
func withRoom(extra int, vs ...int) *Slice[int] {
	s := New(append(slices.Clone(vs), make([]int, extra)...)...)
	s.Delete(len(vs), len(vs)+extra)
	return s
}

func TestAppendSeq(t *testing.T) {
	t.Run("unshared, in place", func(t *testing.T) {
		s := withRoom(4, 1, 2)
		array := &s.r.Data[:cap(s.r.Data)][0]
		s.AppendSeq(slices.Values([]int{3, 4}))
		if d := cmp.Diff([]int{1, 2, 3, 4}, elems(s)); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
		if &s.r.Data[0] != array {
			t.Error("AppendSeq within capacity moved the array")
		}
	})
	t.Run("unshared, growing", func(t *testing.T) {
		s := New(1)
		s.AppendSeq(slices.Values(seq(2, 100)))
		if d := cmp.Diff(seq(1, 100), elems(s)); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
		if err := checkInvariants([]*Slice[int]{s}); err != nil {
			t.Error(err)
		}
	})
	t.Run("shared", func(t *testing.T) {
		for _, extra := range []int{0, 4} {
			s := withRoom(extra, 1, 2)
			c := s.Clone()
			s.AppendSeq(slices.Values([]int{3, 4}))
			c.Append(-1) // into the spare capacity, if AppendSeq wrongly used it
			if d := cmp.Diff([]int{1, 2, 3, 4}, elems(s)); d != "" {
				t.Errorf("room %d: s (-want +got):\n%s", extra, d)
			}
			if d := cmp.Diff([]int{1, 2, -1}, elems(c)); d != "" {
				t.Errorf("room %d: the clone (-want +got):\n%s", extra, d)
			}
			if s.Shared() || c.Shared() {
				t.Errorf("room %d: Shared() = %v, %v, want false, false", extra, s.Shared(), c.Shared())
			}
		}
	})
	t.Run("nothing yielded", func(t *testing.T) {
		s := New(1, 2)
		c := s.Clone()
		s.AppendSeq(slices.Values([]int(nil)))
		if !s.Shared() || !c.Shared() {
			t.Error("an AppendSeq of nothing detached a shared slice")
		}
		z := new(Slice[int])
		z.AppendSeq(slices.Values([]int(nil)))
		if err := checkInvariants([]*Slice[int]{s, c, z}); err != nil {
			t.Error(err)
		}
	})
	t.Run("of itself", func(t *testing.T) {
		for _, extra := range []int{0, 3, 100} {
			for _, shared := range []bool{false, true} {
				s := withRoom(extra, 1, 2, 3)
				var c *Slice[int]
				if shared {
					c = s.Clone()
				}
				s.AppendSeq(s.Values())
				if d := cmp.Diff([]int{1, 2, 3, 1, 2, 3}, elems(s)); d != "" {
					t.Errorf("room %d, shared %v: s.AppendSeq(s.Values()) (-want +got):\n%s", extra, shared, d)
				}
				// A seq that reads s by index sees s as it was.
				s.AppendSeq(func(yield func(int) bool) {
					for i := 0; i < s.Len(); i++ {
						if !yield(s.At(i)) {
							return
						}
					}
				})
				if got := s.Len(); got != 12 {
					t.Errorf("room %d, shared %v: an AppendSeq over s by index: Len() = %d, want 12", extra, shared, got)
				}
				if c != nil {
					if d := cmp.Diff([]int{1, 2, 3}, elems(c)); d != "" {
						t.Errorf("room %d: the clone (-want +got):\n%s", extra, d)
					}
				}
				if s.Shared() {
					t.Errorf("room %d, shared %v: s is still shared", extra, shared)
				}
			}
		}
	})
	t.Run("seq writes s", func(t *testing.T) {
		s := withRoom(4, 1, 2, 3)
		s.AppendSeq(func(yield func(int) bool) {
			_ = yield(10) && func() bool { s.Set(0, 9); return true }() && yield(11)
		})
		if d := cmp.Diff([]int{9, 2, 3, 10, 11}, elems(s)); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})
	t.Run("seq clones s", func(t *testing.T) {
		for _, extra := range []int{1, 4} {
			s := withRoom(extra, 1, 2)
			var c *Slice[int]
			s.AppendSeq(func(yield func(int) bool) {
				if !yield(10) {
					return
				}
				c = s.Clone()
				yield(11)
			})
			c.Append(-1)
			s.Set(0, 100)
			if d := cmp.Diff([]int{100, 2, 10, 11}, elems(s)); d != "" {
				t.Errorf("room %d: s (-want +got):\n%s", extra, d)
			}
			if d := cmp.Diff([]int{1, 2, -1}, elems(c)); d != "" {
				t.Errorf("room %d: the clone made inside seq (-want +got):\n%s", extra, d)
			}
			if err := checkInvariants([]*Slice[int]{s, c}); err != nil {
				t.Error(err)
			}
		}
	})
	t.Run("seq clones and releases s", func(t *testing.T) {
		// The clone becomes the array's only handle while AppendSeq still
		// writes the array's spare capacity: it must copy before it
		// appends, not append in place over AppendSeq's values.
		s := withRoom(4, 1, 2)
		var c *Slice[int]
		s.AppendSeq(func(yield func(int) bool) {
			if !yield(10) {
				return
			}
			c = s.Clone()
			s.Release()
			c.Append(7, 8)
			yield(11)
		})
		if d := cmp.Diff([]int{1, 2, 7, 8}, elems(c)); d != "" {
			t.Errorf("the clone (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]int{10, 11}, elems(s)); d != "" {
			t.Errorf("s, released inside seq, gets the values (-want +got):\n%s", d)
		}
		if err := checkInvariants([]*Slice[int]{s, c}); err != nil {
			t.Error(err)
		}
	})
	t.Run("a clone's AppendSeq inside seq", func(t *testing.T) {
		// Two AppendSeqs on handles that share an array with spare
		// capacity, the clone's running inside s's: neither may append
		// into that capacity, or the clone's values would land on s's.
		s := withRoom(8, 1, 2)
		c := s.Clone()
		s.AppendSeq(func(yield func(int) bool) {
			if !yield(10) {
				return
			}
			c.AppendSeq(slices.Values([]int{-1, -2}))
			yield(11)
		})
		if d := cmp.Diff([]int{1, 2, 10, 11}, elems(s)); d != "" {
			t.Errorf("s (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]int{1, 2, -1, -2}, elems(c)); d != "" {
			t.Errorf("the clone (-want +got):\n%s", d)
		}
		if err := checkInvariants([]*Slice[int]{s, c}); err != nil {
			t.Error(err)
		}
	})
	t.Run("seq panics", func(t *testing.T) {
		s := withRoom(4, 1, 2)
		func() {
			defer func() { _ = recover() }()
			s.AppendSeq(func(yield func(int) bool) {
				yield(10)
				panic("seq failed")
			})
		}()
		if d := cmp.Diff([]int{1, 2}, elems(s)); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
		if s.Shared() {
			t.Error("a panic in seq left s shared")
		}
	})
}

//go:noinline
func appendSeqPlain(x []int, seq iter.Seq[int]) []int { return slices.AppendSeq(x, seq) }

// TestAppendSeqAllocs: within capacity on an unshared slice AppendSeq
// allocates only what the loop over an unknown seq costs, as
// slices.AppendSeq does when it is not inlined, and nothing per value.
func TestAppendSeqAllocs(t *testing.T) {
	vs := seq(0, 100)
	values := slices.Values(vs)
	s := withRoom(len(vs), 1)
	x := make([]int, 1, 1+len(vs))
	plainAllocs := testing.AllocsPerRun(50, func() { x = appendSeqPlain(x, values)[:1] })
	got := testing.AllocsPerRun(50, func() { s.AppendSeq(values); s.Delete(1, s.Len()) })
	if got > plainAllocs {
		t.Errorf("AppendSeq of %d values within capacity: %v allocations, slices.AppendSeq (not inlined): %v", len(vs), got, plainAllocs)
	}
}

// TestAppendSeqWhileCloneWrites: distinct handles sharing an array with
// spare capacity, one in AppendSeq, the other writing on another goroutine,
// by Append and Set or by an AppendSeq of its own. Neither may write the
// spare capacity they share. Run with -race.
func TestAppendSeqWhileCloneWrites(t *testing.T) {
	writers := []struct {
		name  string
		write func(c *Slice[int])
	}{
		{"Append and Set", func(c *Slice[int]) {
			for i := range 64 {
				c.Append(-i)
				c.Set(0, 1)
			}
		}},
		{"AppendSeq", func(c *Slice[int]) {
			c.AppendSeq(func(yield func(int) bool) {
				for i := range 64 {
					if !yield(-i) {
						return
					}
				}
			})
		}},
	}
	for _, w := range writers {
		for range 20 {
			s := withRoom(128, 1, 2, 3)
			c := s.Clone()
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				w.write(c)
			}()
			s.AppendSeq(slices.Values(seq(4, 68)))
			wg.Wait()
			if d := cmp.Diff(seq(1, 68), elems(s)); d != "" {
				t.Fatalf("%s: s (-want +got):\n%s", w.name, d)
			}
			if c.Len() != 67 || c.At(1) != 2 || c.At(3) != 0 || c.At(66) != -63 {
				t.Fatalf("%s: the clone: Len() = %d, At(1) = %d, At(3) = %d, At(66) = %d; want 67, 2, 0, -63", w.name, c.Len(), c.At(1), c.At(3), c.At(66))
			}
		}
	}
}

// A loop body that panics keeps the loop's share (the iterators hold no
// defer, so that they inline): the elements stay counted as shared, and
// the next write copies them instead of writing under anybody.
func TestLoopPanicKeepsShare(t *testing.T) {
	for name, loop := range map[string]func(s *Slice[int]){
		"Values": func(s *Slice[int]) {
			for range s.Values() {
				panic("body")
			}
		},
		"All": func(s *Slice[int]) {
			for range s.All() {
				panic("body")
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			s := New(1, 2, 3)
			func() {
				defer func() { _ = recover() }()
				loop(s)
			}()
			if !s.Shared() {
				t.Fatal("the panicking loop's share was dropped; this test expects it kept")
			}
			old := s.r.Data
			s.Set(0, 9)
			if &old[0] == &s.r.Data[0] || old[0] != 1 {
				t.Fatalf("Set wrote in place under the kept share: old array %v", old)
			}
			if got := slices.Collect(s.Values()); !slices.Equal(got, []int{9, 2, 3}) {
				t.Fatalf("s = %v, want [9 2 3]", got)
			}
		})
	}
}
