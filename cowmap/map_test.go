package cowmap

import (
	"fmt"
	"maps"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"

	"github.com/cowkit/cowkit/cowtest"
	"github.com/cowkit/cowkit/internal/refcount"
)

// checkInvariants checks the handles of one test together: a handle without
// a count holds no map, and every count equals the number of live handles
// that hold it.
func checkInvariants[K comparable, V any](live []*Map[K, V]) error {
	counts := make([]*refcount.Count, 0, len(live))
	for i, m := range live {
		c := m.r.Count()
		if c == nil {
			if m.r.Data != nil {
				return fmt.Errorf("handle %d holds a map of %d entries but no count", i, len(m.r.Data))
			}
			continue
		}
		counts = append(counts, c)
	}
	return refcount.CheckHolders(counts)
}

type mstep = cowtest.Step[*Map[int, int], map[int]int]

func intSpec() cowtest.Spec[*Map[int, int], map[int]int] {
	key := rapid.IntRange(0, 20) // a small key space, so that writes hit existing keys
	return cowtest.Spec[*Map[int, int], map[int]int]{
		New:        New[int, int],
		Clone:      (*Map[int, int]).Clone,
		Release:    (*Map[int, int]).Release,
		Model:      func(m *Map[int, int]) map[int]int { return maps.Collect(m.All()) },
		CloneModel: maps.Clone[map[int]int],
		Diff: func(want, got map[int]int) string {
			return cmp.Diff(want, got, cmpopts.EquateEmpty())
		},
		Invariant:   checkInvariants[int, int],
		CheckAllocs: true,
		Shared:      (*Map[int, int]).Shared,
		Ops: []cowtest.Op[*Map[int, int], map[int]int]{
			{Name: "Set", Draw: func(t *rapid.T, _ map[int]int) mstep {
				k, v := key.Draw(t, "k"), rapid.Int().Draw(t, "v")
				return mstep{
					Label: cowtest.Sprint("Set", k, v),
					Apply: func(_ *rapid.T, m *Map[int, int]) { m.Set(k, v) },
					Model: func(m map[int]int) map[int]int { m[k] = v; return m },
				}
			}},
			{Name: "Overwrite", AllocFree: true, Draw: func(t *rapid.T, m map[int]int) mstep {
				if len(m) == 0 {
					t.Skip("empty")
				}
				if len(m) == 8 {
					// Go's map holds up to 8 entries in one group and grows
					// into a table on the next write, even to a key it has.
					t.Skip("a Go map of 8 entries allocates on its next write")
				}
				k := rapid.SampledFrom(keys(m)).Draw(t, "k")
				v := rapid.Int().Draw(t, "v")
				return mstep{
					Label: cowtest.Sprint("Set", k, v),
					Apply: func(_ *rapid.T, m *Map[int, int]) { m.Set(k, v) },
					Model: func(m map[int]int) map[int]int { m[k] = v; return m },
				}
			}},
			{Name: "Get", AllocFree: true, Read: true, Draw: func(t *rapid.T, m map[int]int) mstep {
				k := key.Draw(t, "k")
				want, wantOK := m[k]
				return mstep{
					Label: cowtest.Sprint("Get", k),
					Apply: func(t *rapid.T, m *Map[int, int]) {
						if got, ok := m.Get(k); got != want || ok != wantOK {
							t.Fatalf("Get(%d) = %d, %v, want %d, %v", k, got, ok, want, wantOK)
						}
						if m.Len() != len(m.r.Data) {
							t.Fatalf("Len() = %d, want %d", m.Len(), len(m.r.Data))
						}
					},
					Model: func(m map[int]int) map[int]int { return m },
				}
			}},
			{Name: "Delete", AllocFree: true, Draw: func(t *rapid.T, m map[int]int) mstep {
				k := key.Draw(t, "k")
				_, want := m[k]
				return mstep{
					Label: cowtest.Sprint("Delete", k),
					Read:  !want, // deleting an absent key never copies
					Apply: func(t *rapid.T, m *Map[int, int]) {
						if got := m.Delete(k); got != want {
							t.Fatalf("Delete(%d) = %v, want %v", k, got, want)
						}
					},
					Model: func(m map[int]int) map[int]int { delete(m, k); return m },
				}
			}},
			{Name: "Keys+Values", AllocFree: true, Read: true, Draw: func(t *rapid.T, m map[int]int) mstep {
				wantKeys, sum := len(m), 0
				for _, v := range m {
					sum += v
				}
				return mstep{
					Apply: func(t *rapid.T, m *Map[int, int]) {
						n, s := 0, 0
						for range m.Keys() {
							n++
						}
						for v := range m.Values() {
							s += v
						}
						if n != wantKeys || s != sum {
							t.Fatalf("Keys yielded %d keys, Values summed to %d; want %d, %d", n, s, wantKeys, sum)
						}
					},
					Model: func(m map[int]int) map[int]int { return m },
				}
			}},
			{Name: "Insert", Draw: func(t *rapid.T, _ map[int]int) mstep {
				pairs := rapid.MapOfN(key, rapid.Int(), 0, 4).Draw(t, "pairs")
				return mstep{
					Label: cowtest.Sprint("Insert", pairs),
					Read:  len(pairs) == 0,
					Apply: func(_ *rapid.T, m *Map[int, int]) { m.Insert(maps.All(pairs)) },
					Model: func(m map[int]int) map[int]int { maps.Insert(m, maps.All(pairs)); return m },
				}
			}},
			{Name: "InsertOfItself", Draw: func(t *rapid.T, m map[int]int) mstep {
				return mstep{
					Label: "Insert(All()) with every value doubled",
					Read:  len(m) == 0,
					Apply: func(_ *rapid.T, m *Map[int, int]) {
						m.Insert(func(yield func(int, int) bool) {
							for k, v := range m.All() {
								if !yield(k, 2*v) {
									return
								}
							}
						})
					},
					Model: func(m map[int]int) map[int]int {
						for k, v := range m {
							m[k] = 2 * v
						}
						return m
					},
				}
			}},
			{Name: "WriteWhileIterating", Draw: func(t *rapid.T, m map[int]int) mstep {
				// The loop bumps every value it visits and adds one key below
				// all of the snapshot's, so the result does not depend on the
				// map's order, and the keys stay small however often it runs.
				want := maps.Clone(m)
				extra := 0
				for k := range m {
					extra = min(extra, k-1)
				}
				return mstep{
					Label: fmt.Sprintf("for k, v := range All() { Set(k, v+1); Set(%d, 0) }", extra),
					Read:  len(m) == 0, // the loop body never runs
					Apply: func(t *rapid.T, m *Map[int, int]) {
						saw := map[int]int{}
						for k, v := range m.All() {
							if _, dup := saw[k]; dup {
								t.Fatalf("the loop saw key %d twice", k)
							}
							saw[k] = v
							m.Set(k, v+1)
							m.Set(extra, 0) // a new key: the loop must not see it
						}
						if !maps.Equal(saw, want) {
							t.Fatalf("the loop saw %v, want the snapshot %v", saw, want)
						}
					},
					Model: func(m map[int]int) map[int]int {
						for k := range m {
							m[k]++
						}
						if len(m) > 0 {
							m[extra] = 0
						}
						return m
					},
				}
			}},
		},
	}
}

func keys(m map[int]int) []int {
	ks := make([]int, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func TestMapModel(t *testing.T) { cowtest.Check(t, intSpec()) }

func FuzzMapModel(f *testing.F) { f.Fuzz(rapid.MakeFuzz(intSpec().Property)) }

func TestZeroValue(t *testing.T) {
	var m Map[string, int]
	if m.Len() != 0 || m.Shared() || m.Delete("x") {
		t.Fatalf("zero Map: Len=%d Shared=%v", m.Len(), m.Shared())
	}
	if _, ok := m.Get("x"); ok {
		t.Fatal("zero Map: Get found a key")
	}
	c := m.Clone()
	m.Set("a", 1)
	if c.Len() != 0 {
		t.Errorf("a write to the zero Map reached its clone")
	}
	m.Release()
	m.Release()
	m.Set("b", 2)
	if v, _ := m.Get("b"); v != 2 || m.Len() != 1 {
		t.Errorf("released handle is not usable: Len=%d", m.Len())
	}
}

func TestFromCopies(t *testing.T) {
	src := map[string]int{"a": 1}
	m := From(src)
	src["a"] = 2
	if v, _ := m.Get("a"); v != 1 {
		t.Fatalf("From kept a reference to its argument")
	}
	if From[string, int](nil).Len() != 0 {
		t.Fatal("From(nil) is not empty")
	}
}

func TestDeleteAbsentNeverCopies(t *testing.T) {
	m := From(map[int]int{1: 1, 2: 2})
	c := m.Clone()
	if got := testing.AllocsPerRun(100, func() { c.Delete(3) }); got != 0 {
		t.Errorf("Delete of an absent key on a shared map: %v allocs, want 0", got)
	}
	if !c.Shared() || !m.Shared() {
		t.Errorf("Delete of an absent key detached the map")
	}
	if !c.Delete(1) || c.Shared() || m.Len() != 2 || c.Len() != 1 {
		t.Errorf("Delete of a present key on a shared map: m.Len=%d c.Len=%d", m.Len(), c.Len())
	}
}

// TestSharedDelete: deleting a present key from a shared map copies it,
// and the other handle keeps every entry, the deleted one included.
func TestSharedDelete(t *testing.T) {
	src := make(map[int]string, 100)
	for i := range 100 {
		src[i] = fmt.Sprint(i)
	}
	m := From(src)
	c := m.Clone()
	if !c.Delete(42) {
		t.Fatal("Delete(42) of a present key = false")
	}
	if d := cmp.Diff(src, maps.Collect(m.All())); d != "" {
		t.Errorf("the other handle changed (-want +got):\n%s", d)
	}
	want := maps.Clone(src)
	delete(want, 42)
	if d := cmp.Diff(want, maps.Collect(c.All())); d != "" {
		t.Errorf("the deleting handle (-want +got):\n%s", d)
	}
	if m.Shared() || c.Shared() {
		t.Errorf("after the shared Delete: Shared() = %v, %v, want false, false", m.Shared(), c.Shared())
	}
	// Each now writes its own map.
	m.Set(42, "m")
	c.Set(1, "c")
	if v, _ := c.Get(42); v != "" {
		t.Errorf("a write to m reached c: c.Get(42) = %q", v)
	}
	if v, _ := m.Get(1); v != "1" {
		t.Errorf("a write to c reached m: m.Get(1) = %q", v)
	}
	if err := checkInvariants([]*Map[int, string]{m, c}); err != nil {
		t.Error(err)
	}
	// The copy costs what maps.Clone costs, plus the new count.
	plainAllocs := testing.AllocsPerRun(20, func() { _ = maps.Clone(src) })
	got := testing.AllocsPerRun(20, func() {
		d := m.Clone()
		d.Delete(42)
	})
	if got > plainAllocs+2 {
		t.Errorf("Clone + shared Delete: %v allocations, maps.Clone: %v; want at most 2 more (the handle and the count)", got, plainAllocs)
	}
}

// TestSetAtEightEntries pins the exception Set's doc names: Go's map of
// exactly 8 entries keeps them in one group and grows into a table on its
// next write, even an overwrite. If a Go release stops doing so, this test
// fails, and Set's doc (and the Overwrite op's skip) should lose the
// exception.
func TestSetAtEightEntries(t *testing.T) {
	var handles [2]*Map[int, int]
	for i := range handles {
		handles[i] = New[int, int]()
		for k := range 8 {
			handles[i].Set(k, k)
		}
	}
	next := 0
	// AllocsPerRun calls f once to warm up, then once measured: each call
	// overwrites a key of a fresh 8-entry map.
	got := testing.AllocsPerRun(1, func() {
		handles[next].Set(3, -3)
		next++
	})
	if got == 0 {
		t.Errorf("overwriting a key of an 8-entry map allocated nothing: Go no longer grows it, and Set's doc is out of date")
	}
	if v, _ := handles[1].Get(3); v != -3 || handles[1].Len() != 8 {
		t.Errorf("after the overwrite: Get(3) = %d, Len() = %d; want -3, 8", v, handles[1].Len())
	}
}

func TestNewAllocs(t *testing.T) {
	var sink *Map[string, int]
	if got := testing.AllocsPerRun(100, func() { sink = New[string, int]() }); got != 1 {
		t.Errorf("New: AllocsPerRun = %v, want 1 (the handle)", got)
	}
	_ = sink
}

func TestAllocs(t *testing.T) {
	m := New[int, int]()
	for i := range 1000 {
		m.Set(i, i)
	}
	tests := []struct {
		name string
		max  float64
		f    func()
	}{
		{"Get", 0, func() { _, _ = m.Get(500) }},
		{"Set existing key, unshared", 0, func() { m.Set(500, 1) }},
		{"Delete and re-Set, unshared", 0, func() { m.Delete(7); m.Set(7, 7) }},
		{"All loop", 0, func() {
			for k, v := range m.All() {
				_, _ = k, v
			}
		}},
		{"Clone", 1, func() { _ = m.Clone() }},
	}
	for _, tt := range tests {
		if got := testing.AllocsPerRun(100, tt.f); got > tt.max {
			t.Errorf("%s: AllocsPerRun = %v, want <= %v", tt.name, got, tt.max)
		}
	}
	c := m.Clone()
	c.Release()
	if got := testing.AllocsPerRun(100, func() { m.Set(3, 4) }); got != 0 {
		t.Errorf("Set after a clone's Release: AllocsPerRun = %v, want 0", got)
	}
}

// TestConcurrentClones: clones of one map written, cloned and released on
// goroutines of their own, all at once, while the source is read and cloned
// (cowtest's concurrent mode). Run with -race.
func TestConcurrentClones(t *testing.T) { cowtest.CheckConcurrent(t, intSpec()) }
