package btree

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"

	"github.com/cowkit/cowkit/cowtest"
)

type mstep = cowtest.Step[*Map[int, int], map[int]int]

// shared reports whether any node of m is shared with another holder, that
// is, whether a write to m may have to copy.
func shared[K, V any](m *Map[K, V]) bool {
	var walk func(h *header, level int) bool
	walk = func(h *header, level int) bool {
		if h.shares.Load() != 0 {
			return true
		}
		if level > 0 {
			in := innerOf[K, V](h)
			for _, kid := range in.kids[:in.n+1] {
				if walk(kid, level-1) {
					return true
				}
			}
		}
		return false
	}
	return m.root != nil && walk(m.root, m.height)
}

// checkWithDiffs runs checkMaps, then checks Diff, both ways, between each
// live map and the next one (the handles are in creation order, so clones
// and their sources are often neighbours) against a plain merge of their
// entries.
func checkWithDiffs(live []*Map[int, int]) error {
	if err := checkMaps(live); err != nil {
		return err
	}
	for i := 1; i < len(live); i++ {
		for _, p := range [][2]int{{i - 1, i}, {i, i - 1}} {
			a, b := live[p[0]], live[p[1]]
			want := naiveDiff(maps.Collect(b.All()), maps.Collect(a.All()))
			got := slices.Collect(a.Diff(b, func(x, y int) bool { return x == y }))
			if !slices.Equal(want, got) { // go-cmp only to explain: it is slow
				return fmt.Errorf("handle %d .Diff(handle %d) (-want +got):\n%s", p[0], p[1], cmp.Diff(want, got, cmpopts.EquateEmpty()))
			}
		}
	}
	return nil
}

// naiveDiff lists the changes from base to m by merging their sorted keys.
func naiveDiff(base, m map[int]int) []Change[int, int] {
	var out []Change[int, int]
	keys := slices.Sorted(maps.Keys(base))
	for k := range m {
		if _, ok := base[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		old, inBase := base[k]
		nw, inM := m[k]
		switch {
		case !inBase:
			out = append(out, Change[int, int]{Op: Added, Key: k, New: nw})
		case !inM:
			out = append(out, Change[int, int]{Op: Removed, Key: k, Old: old})
		case old != nw:
			out = append(out, Change[int, int]{Op: Updated, Key: k, Old: old, New: nw})
		}
	}
	return out
}

// sortedEntries returns m's entries as a sorted slice of [2]int.
func sortedEntries(m map[int]int) [][2]int {
	out := make([][2]int, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, [2]int{k, m[k]})
	}
	return out
}

func collect(seq func(func(int, int) bool)) [][2]int {
	out := [][2]int{}
	for k, v := range seq {
		out = append(out, [2]int{k, v})
	}
	return out
}

func readOnly(m map[int]int) map[int]int { return m }

// intSpec is the model test of Map[int, int]. Keys come from a small space,
// so that writes hit existing keys; bulk steps insert and delete runs of
// keys, so that the default node sizes also reach trees of two and three
// levels (with -tags btree_smallnodes, single steps do).
func intSpec(maxKey int) cowtest.Spec[*Map[int, int], map[int]int] {
	key := rapid.IntRange(0, maxKey)
	return cowtest.Spec[*Map[int, int], map[int]int]{
		New:     New[int, int],
		Clone:   (*Map[int, int]).Clone,
		Release: (*Map[int, int]).Release,
		Model: func(m *Map[int, int]) map[int]int {
			got := maps.Collect(m.All())
			if len(got) != m.Len() {
				panic(fmt.Sprintf("All yielded %d entries, Len is %d", len(got), m.Len()))
			}
			return got
		},
		CloneModel: maps.Clone[map[int]int],
		Diff: func(want, got map[int]int) string {
			if maps.Equal(want, got) {
				return ""
			}
			return cmp.Diff(want, got, cmpopts.EquateEmpty())
		},
		Invariant:   checkWithDiffs,
		CheckAllocs: true,
		Shared:      shared[int, int],
		Ops: []cowtest.Op[*Map[int, int], map[int]int]{
			{Name: "Set", Draw: func(t *rapid.T, _ map[int]int) mstep {
				k, v := key.Draw(t, "k"), rapid.IntRange(0, 99).Draw(t, "v")
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
				k := rapid.SampledFrom(slices.Sorted(maps.Keys(m))).Draw(t, "k")
				v := rapid.IntRange(0, 99).Draw(t, "v")
				return mstep{
					Label: cowtest.Sprint("Set", k, v),
					Apply: func(_ *rapid.T, m *Map[int, int]) { m.Set(k, v) },
					Model: func(m map[int]int) map[int]int { m[k] = v; return m },
				}
			}},
			{Name: "SetRun", Draw: func(t *rapid.T, _ map[int]int) mstep {
				lo := key.Draw(t, "lo")
				n := rapid.IntRange(1, 300).Draw(t, "n")
				step := rapid.SampledFrom([]int{1, -1, 7}).Draw(t, "step")
				v := rapid.IntRange(0, 99).Draw(t, "v")
				return mstep{
					Label: fmt.Sprintf("for i := range %d { Set(%d+i*%d, %d) }", n, lo, step, v),
					Apply: func(_ *rapid.T, m *Map[int, int]) {
						for i := range n {
							m.Set(lo+i*step, v)
						}
					},
					Model: func(m map[int]int) map[int]int {
						for i := range n {
							m[lo+i*step] = v
						}
						return m
					},
				}
			}},
			{Name: "Delete", AllocFree: true, Draw: func(t *rapid.T, m map[int]int) mstep {
				k := key.Draw(t, "k")
				_, want := m[k]
				return mstep{
					Label: cowtest.Sprint("Delete", k),
					Apply: func(t *rapid.T, m *Map[int, int]) {
						if got := m.Delete(k); got != want {
							t.Fatalf("Delete(%d) = %v, want %v", k, got, want)
						}
					},
					Model: func(m map[int]int) map[int]int { delete(m, k); return m },
				}
			}},
			{Name: "DeleteRun", AllocFree: true, Draw: func(t *rapid.T, m map[int]int) mstep {
				lo := key.Draw(t, "lo")
				n := rapid.IntRange(1, 300).Draw(t, "n")
				step := rapid.SampledFrom([]int{1, -1, 3}).Draw(t, "step")
				return mstep{
					Label: fmt.Sprintf("for i := range %d { Delete(%d+i*%d) }", n, lo, step),
					Apply: func(t *rapid.T, m *Map[int, int]) {
						for i := range n {
							m.Delete(lo + i*step)
						}
					},
					Model: func(m map[int]int) map[int]int {
						for i := range n {
							delete(m, lo+i*step)
						}
						return m
					},
				}
			}},
			{Name: "Get", AllocFree: true, Draw: func(t *rapid.T, m map[int]int) mstep {
				k := key.Draw(t, "k")
				want, wantOK := m[k]
				return mstep{
					Label: cowtest.Sprint("Get", k),
					Apply: func(t *rapid.T, m *Map[int, int]) {
						if got, ok := m.Get(k); got != want || ok != wantOK {
							t.Fatalf("Get(%d) = %d, %v, want %d, %v", k, got, ok, want, wantOK)
						}
					},
					Model: readOnly,
				}
			}},
			{Name: "Min+Max", AllocFree: true, Draw: func(t *rapid.T, m map[int]int) mstep {
				want := sortedEntries(m)
				return mstep{
					Apply: func(t *rapid.T, m *Map[int, int]) {
						k0, v0, ok0 := m.Min()
						k1, v1, ok1 := m.Max()
						if len(want) == 0 {
							if ok0 || ok1 || k0 != 0 || v0 != 0 || k1 != 0 || v1 != 0 {
								t.Fatalf("empty map: Min = %d, %d, %v; Max = %d, %d, %v", k0, v0, ok0, k1, v1, ok1)
							}
							return
						}
						lo, hi := want[0], want[len(want)-1]
						if !ok0 || !ok1 || [2]int{k0, v0} != lo || [2]int{k1, v1} != hi {
							t.Fatalf("Min = %d, %d, %v, Max = %d, %d, %v; want %v and %v", k0, v0, ok0, k1, v1, ok1, lo, hi)
						}
					},
					Model: readOnly,
				}
			}},
			{Name: "Backward", Draw: func(t *rapid.T, m map[int]int) mstep {
				want := sortedEntries(m)
				slices.Reverse(want)
				stop := rapid.IntRange(0, len(want)+1).Draw(t, "stop after")
				return mstep{
					Label: fmt.Sprintf("Backward() stopping after %d", stop),
					Apply: func(t *rapid.T, m *Map[int, int]) {
						got := [][2]int{}
						for k, v := range m.Backward() {
							if len(got) == stop {
								break
							}
							got = append(got, [2]int{k, v})
						}
						if w := want[:min(stop, len(want))]; !slices.Equal(got, w) {
							t.Fatalf("Backward() = %v, want %v", got, w)
						}
					},
					Model: readOnly,
				}
			}},
			{Name: "Scan", Draw: func(t *rapid.T, m map[int]int) mstep {
				lo, hi := key.Draw(t, "lo")-2, key.Draw(t, "hi")+2
				want := [][2]int{}
				for _, e := range sortedEntries(m) {
					if lo <= e[0] && e[0] < hi {
						want = append(want, e)
					}
				}
				return mstep{
					Label: cowtest.Sprint("Scan", lo, hi),
					Apply: func(t *rapid.T, m *Map[int, int]) {
						if got := collect(m.Scan(lo, hi)); !slices.Equal(got, want) {
							t.Fatalf("Scan(%d, %d) = %v, want %v", lo, hi, got, want)
						}
					},
					Model: readOnly,
				}
			}},
			{Name: "WriteWhileIterating", Draw: func(t *rapid.T, m map[int]int) mstep {
				want := sortedEntries(m)
				d := rapid.IntRange(1, 3).Draw(t, "d")
				return mstep{
					Label: fmt.Sprintf("for k, v := range All() { Delete(k); Set(k+%d, v) }", d),
					Apply: func(t *rapid.T, m *Map[int, int]) {
						got := [][2]int{}
						for k, v := range m.All() {
							got = append(got, [2]int{k, v})
							m.Delete(k)
							m.Set(k+d, v)
						}
						if !slices.Equal(got, want) {
							t.Fatalf("the loop saw %v, want the snapshot %v", got, want)
						}
					},
					Model: func(m map[int]int) map[int]int {
						for _, e := range sortedEntries(m) {
							delete(m, e[0])
							m[e[0]+d] = e[1]
						}
						return m
					},
				}
			}},
		},
	}
}

func TestMapModel(t *testing.T) { cowtest.Check(t, intSpec(200)) }

func FuzzMapModel(f *testing.F) { f.Fuzz(rapid.MakeFuzz(intSpec(200).Property)) }
