package cowslice

import (
	"iter"
	"slices"
	"sync"
	"testing"
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
