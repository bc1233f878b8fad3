package cowmap

import (
	"iter"
	"maps"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// iterators are the ways to range over a map, each turned into one shape:
// Keys pairs a key with the value Get gives after the loop's first step, and
// Values pairs each value with the key it started as (keys equal values).
var iterators = []struct {
	name string
	seq  func(m *Map[int, int]) iter.Seq2[int, int]
}{
	{"All", (*Map[int, int]).All},
	{"Keys", func(m *Map[int, int]) iter.Seq2[int, int] {
		return func(yield func(int, int) bool) {
			for k := range m.Keys() {
				if !yield(k, k) {
					return
				}
			}
		}
	}},
	{"Values", func(m *Map[int, int]) iter.Seq2[int, int] {
		return func(yield func(int, int) bool) {
			for v := range m.Values() {
				if !yield(v, v) {
					return
				}
			}
		}
	}},
}

// identity returns a map of n entries k -> k.
func identity(n int) *Map[int, int] {
	m := New[int, int]()
	for i := range n {
		m.Set(i, i)
	}
	return m
}

// TestIterationIsASnapshot: whatever the loop body does to the handle it
// ranges over, the loop goes over the entries the handle had, each once, and
// a clone that becomes the map's only other holder must copy before it
// writes, not write the Go map under the running loop.
func TestIterationIsASnapshot(t *testing.T) {
	const n = 200
	bodies := []struct {
		name string
		own  func(m *Map[int, int]) // what the loop body does to m first
		len  int                    // m's length afterwards
	}{
		{"Set", func(m *Map[int, int]) { m.Set(-1, -1) }, n + 1},
		{"Delete", func(m *Map[int, int]) { m.Delete(0) }, n - 1},
		{"Release", func(m *Map[int, int]) { m.Release() }, 0},
	}
	for _, it := range iterators {
		for _, body := range bodies {
			t.Run(it.name+"/"+body.name, func(t *testing.T) {
				m := identity(n)
				c := m.Clone()
				saw := map[int]int{}
				first := true
				for k, v := range it.seq(m) {
					if first {
						first = false
						body.own(m)
						// m holds a copy now, or nothing: before iterators
						// held a share, c was the map's only holder here and
						// wrote it in place, under the loop.
						for j := range n {
							c.Set(j, -j)
							c.Set(n+j, j)
						}
					}
					if _, dup := saw[k]; dup {
						t.Fatalf("the loop saw key %d twice", k)
					}
					saw[k] = v
				}
				wrong := 0
				for k, v := range saw {
					if k != v || k < 0 || k >= n {
						wrong++
					}
				}
				if len(saw) != n || wrong != 0 {
					t.Errorf("the loop saw %d entries, %d of them not in the snapshot; want %d, 0", len(saw), wrong, n)
				}
				if m.Len() != body.len || c.Len() != 2*n {
					t.Errorf("m.Len() = %d, c.Len() = %d; want %d, %d", m.Len(), c.Len(), body.len, 2*n)
				}
				if v, _ := c.Get(n - 1); v != 1-n {
					t.Errorf("c.Get(%d) = %d, want %d", n-1, v, 1-n)
				}
				if err := checkInvariants([]*Map[int, int]{m, c}); err != nil {
					t.Error(err)
				}
				if m.Shared() || c.Shared() {
					t.Error("the loop is over, but its share was not dropped")
				}
			})
		}
	}
}

// TestIterationWhileCloneWritesConcurrently is the reproducer of the bug the
// snapshot fixes: the loop's own handle copies on its first write, and a
// clone on another goroutine, writing all the while, must not write the Go
// map the loop still ranges over. Before the fix the runtime stopped the
// whole process ("concurrent map iteration and map write") in most runs.
func TestIterationWhileCloneWritesConcurrently(t *testing.T) {
	const n = 20000
	for _, it := range iterators {
		for _, body := range []string{"Set", "Release"} {
			t.Run(it.name+"/"+body, func(t *testing.T) {
				m := identity(n)
				c := m.Clone()
				start := make(chan struct{})
				var wg sync.WaitGroup
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					for i := range 5 * n {
						c.Set(i%(2*n), -i)
					}
				}()
				seen, bad := 0, 0
				for k, v := range it.seq(m) {
					if seen == 0 {
						if body == "Set" {
							m.Set(k, k)
						} else {
							m.Release()
						}
						close(start)
					}
					seen++
					if k != v || k < 0 || k >= n {
						bad++
					}
				}
				wg.Wait()
				if seen != n || bad != 0 {
					t.Errorf("the loop saw %d entries, %d of them not in the snapshot; want %d, 0", seen, bad, n)
				}
			})
		}
	}
}

// TestIterationAllocs: a loop that only reads allocates nothing. The loops
// are written out, not taken from the iterators table: a call through a
// function value would make the loop body escape and allocate.
func TestIterationAllocs(t *testing.T) {
	m := identity(1000)
	tests := []struct {
		name string
		f    func()
	}{
		{"All", func() {
			for k, v := range m.All() {
				_, _ = k, v
			}
		}},
		{"Keys", func() {
			for k := range m.Keys() {
				_ = k
			}
		}},
		{"Values", func() {
			for v := range m.Values() {
				_ = v
			}
		}},
	}
	for _, tt := range tests {
		if got := testing.AllocsPerRun(100, tt.f); got != 0 {
			t.Errorf("%s loop that does not write: AllocsPerRun = %v, want 0", tt.name, got)
		}
	}
	// A loop that writes the unshared map it ranges over copies it once:
	// after the first write m is private again, and the rest are in place.
	m.Set(0, 0)
	for k := range m.All() {
		m.Set(k, -k)
		if m.Shared() {
			t.Fatal("after its first write in the loop, m still shares its entries")
		}
	}
}

func TestCollect(t *testing.T) {
	for _, n := range []int{0, 1, 5, 1000} {
		want := make(map[int]int, n)
		for i := range n {
			want[i] = -i
		}
		m := Collect(maps.All(want))
		if d := cmp.Diff(want, maps.Collect(m.All()), cmpopts.EquateEmpty()); d != "" {
			t.Errorf("Collect of %d pairs (-want +got):\n%s", n, d)
		}
		if m.Shared() {
			t.Errorf("Collect of %d pairs: Shared() = true", n)
		}
		if err := checkInvariants([]*Map[int, int]{m}); err != nil {
			t.Error(err)
		}
	}
	// A key that comes twice keeps its later value, as in maps.Collect.
	m := Collect(func(yield func(string, int) bool) {
		_ = yield("a", 1) && yield("a", 2)
	})
	if v, _ := m.Get("a"); v != 2 || m.Len() != 1 {
		t.Errorf("Collect of a twice: Get = %d, Len = %d; want 2, 1", v, m.Len())
	}
	// Collecting a Map's own entries makes an independent copy.
	src := identity(3)
	c := Collect(src.All())
	c.Set(0, 9)
	if v, _ := src.Get(0); v != 0 || src.Shared() {
		t.Errorf("Collect(src.All()) then a write reached src: Get(0) = %d", v)
	}
}

func TestInsert(t *testing.T) {
	t.Run("shared", func(t *testing.T) {
		m := identity(3)
		c := m.Clone()
		m.Insert(maps.All(map[int]int{1: -1, 10: 10}))
		if d := cmp.Diff(map[int]int{0: 0, 1: -1, 2: 2, 10: 10}, maps.Collect(m.All())); d != "" {
			t.Errorf("m (-want +got):\n%s", d)
		}
		if d := cmp.Diff(map[int]int{0: 0, 1: 1, 2: 2}, maps.Collect(c.All())); d != "" {
			t.Errorf("the clone (-want +got):\n%s", d)
		}
		if m.Shared() || c.Shared() {
			t.Errorf("Shared() = %v, %v, want false, false", m.Shared(), c.Shared())
		}
	})
	t.Run("nothing yielded", func(t *testing.T) {
		m := identity(3)
		c := m.Clone()
		m.Insert(maps.All(map[int]int(nil)))
		if !m.Shared() || !c.Shared() {
			t.Error("an Insert of nothing detached a shared map")
		}
	})
	t.Run("of itself", func(t *testing.T) {
		// The loop goes over the entries m had: the keys Insert adds
		// (k+100) are not seen again, however the Go map places them.
		m := identity(50)
		m.Insert(func(yield func(int, int) bool) {
			for k, v := range m.All() {
				if !yield(k+100, v) {
					return
				}
			}
		})
		if m.Len() != 100 {
			t.Errorf("Len() = %d, want 100", m.Len())
		}
		m.Insert(m.All())
		if m.Len() != 100 || m.Shared() {
			t.Errorf("m.Insert(m.All()): Len() = %d, Shared() = %v; want 100, false", m.Len(), m.Shared())
		}
	})
	t.Run("seq reads m", func(t *testing.T) {
		// Each pair is set as it comes: Get sees the pairs set so far.
		m := New[int, int]()
		m.Insert(func(yield func(int, int) bool) {
			for i := range 5 {
				prev, _ := m.Get(i - 1)
				if !yield(i, prev+1) {
					return
				}
			}
		})
		if d := cmp.Diff(map[int]int{0: 1, 1: 2, 2: 3, 3: 4, 4: 5}, maps.Collect(m.All())); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})
}

//go:noinline
func insertPlain(m map[int]int, seq iter.Seq2[int, int]) { maps.Insert(m, seq) }

// TestInsertAllocs: overwriting keys of an unshared map, Insert allocates
// only what the loop over an unknown seq costs, as maps.Insert does when it
// is not inlined, and nothing per pair.
func TestInsertAllocs(t *testing.T) {
	src := make(map[int]int, 100)
	for i := range 100 {
		src[i] = i
	}
	pairs := maps.All(src)
	m := From(src)
	gm := maps.Clone(src)
	plainAllocs := testing.AllocsPerRun(50, func() { insertPlain(gm, pairs) })
	got := testing.AllocsPerRun(50, func() { m.Insert(pairs) })
	if got > plainAllocs {
		t.Errorf("Insert of %d existing keys: %v allocations, maps.Insert (not inlined): %v", len(src), got, plainAllocs)
	}
}
