package btree

import (
	stdcmp "cmp"
	"fmt"
	"maps"
	"slices"
	"testing"
	"unsafe"

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
		if h.shares.Shared() {
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
	for i, m := range live {
		if got, want := m.Stats(), naiveStats(m); got != want {
			return fmt.Errorf("handle %d: Stats() = %+v, want %+v", i, got, want)
		}
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

// naiveStats opens every node of m to count what Stats counts.
func naiveStats[K, V any](m *Map[K, V]) Stats {
	s := Stats{Height: m.height}
	var walk func(h *header, level int, shared bool)
	walk = func(h *header, level int, shared bool) {
		shared = shared || h.shares.Shared()
		size := int64(unsafe.Sizeof(leaf[K, V]{}))
		if level > 0 {
			size = int64(unsafe.Sizeof(inner[K, V]{}))
		}
		s.Nodes++
		s.Bytes += size
		if shared {
			s.SharedNodes++
			s.SharedBytes += size
		}
		if level > 0 {
			in := innerOf[K, V](h)
			for _, kid := range in.kids[:in.n+1] {
				walk(kid, level-1, shared)
			}
		}
	}
	if m.root != nil {
		walk(m.root, m.height, false)
	}
	return s
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
		// A write copies one path and keeps sharing the rest, so only the
		// weaker check holds: a map with no live relative shares no node.
		Sharing: cowtest.Structural,
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
			{Name: "Get", AllocFree: true, Read: true, Draw: func(t *rapid.T, m map[int]int) mstep {
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
			{Name: "Min+Max", AllocFree: true, Read: true, Draw: func(t *rapid.T, m map[int]int) mstep {
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
			{Name: "Backward", Read: true, Draw: func(t *rapid.T, m map[int]int) mstep {
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
			{Name: "Scan", Read: true, Draw: func(t *rapid.T, m map[int]int) mstep {
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
			{Name: "Swap", Draw: func(t *rapid.T, m map[int]int) mstep {
				k, v := key.Draw(t, "k"), rapid.IntRange(0, 99).Draw(t, "v")
				old, loaded := m[k]
				return mstep{
					Label: cowtest.Sprint("Swap", k, v),
					Apply: func(t *rapid.T, m *Map[int, int]) {
						if got, ok := m.Swap(k, v); got != old || ok != loaded {
							t.Fatalf("Swap(%d, %d) = %d, %v, want %d, %v", k, v, got, ok, old, loaded)
						}
					},
					Model: func(m map[int]int) map[int]int { m[k] = v; return m },
				}
			}},
			{Name: "Pop", AllocFree: true, Draw: func(t *rapid.T, m map[int]int) mstep {
				k := key.Draw(t, "k")
				v, ok := m[k]
				return mstep{
					Label: cowtest.Sprint("Pop", k),
					Apply: func(t *rapid.T, m *Map[int, int]) {
						gk, gv, gok := m.Pop(k)
						if gok != ok || ok && (gk != k || gv != v) || !ok && (gk != 0 || gv != 0) {
							t.Fatalf("Pop(%d) = %d, %d, %v, want %d, %d, %v", k, gk, gv, gok, k, v, ok)
						}
					},
					Model: func(m map[int]int) map[int]int { delete(m, k); return m },
				}
			}},
			{Name: "PopMin/PopMax", AllocFree: true, Draw: func(t *rapid.T, m map[int]int) mstep {
				max := rapid.Bool().Draw(t, "max")
				want := sortedEntries(m)
				var e [2]int
				if len(want) > 0 {
					e = want[0]
					if max {
						e = want[len(want)-1]
					}
				}
				name := "PopMin"
				if max {
					name = "PopMax"
				}
				return mstep{
					Label: name + "()",
					Apply: func(t *rapid.T, m *Map[int, int]) {
						pop := m.PopMin
						if max {
							pop = m.PopMax
						}
						k, v, ok := pop()
						if ok != (len(want) > 0) || [2]int{k, v} != e {
							t.Fatalf("%s() = %d, %d, %v, want %v, %v", name, k, v, ok, e, len(want) > 0)
						}
					},
					Model: func(m map[int]int) map[int]int { delete(m, e[0]); return m },
				}
			}},
			{Name: "DeleteRange", Draw: func(t *rapid.T, m map[int]int) mstep {
				lo := key.Draw(t, "lo") - 5
				hi := lo + rapid.IntRange(-3, maxKey+10).Draw(t, "len")
				want := 0
				for k := range m {
					if lo <= k && k < hi {
						want++
					}
				}
				return mstep{
					Label: cowtest.Sprint("DeleteRange", lo, hi),
					Apply: func(t *rapid.T, m *Map[int, int]) {
						if got := m.DeleteRange(lo, hi); got != want {
							t.Fatalf("DeleteRange(%d, %d) = %d, want %d", lo, hi, got, want)
						}
					},
					Model: func(m map[int]int) map[int]int {
						for k := range m {
							if lo <= k && k < hi {
								delete(m, k)
							}
						}
						return m
					},
				}
			}},
			{Name: "Insert", Draw: func(t *rapid.T, m map[int]int) mstep {
				// An ascending run, past the maximum or not, or a shuffled one.
				lo := key.Draw(t, "lo")
				if rapid.Bool().Draw(t, "past the max") {
					for k := range m {
						lo = max(lo, k+1)
					}
				}
				n := rapid.IntRange(1, 200).Draw(t, "n")
				step := rapid.SampledFrom([]int{1, 2, 3}).Draw(t, "step")
				ks := make([]int, n)
				for i := range ks {
					ks[i] = lo + i*step
				}
				if rapid.Bool().Draw(t, "shuffle") {
					ks = rapid.Permutation(ks).Draw(t, "order")
				}
				v := rapid.IntRange(0, 99).Draw(t, "v")
				return mstep{
					Label: fmt.Sprintf("Insert(%v with value %d)", ks, v),
					Apply: func(_ *rapid.T, m *Map[int, int]) {
						m.Insert(func(yield func(int, int) bool) {
							for _, k := range ks {
								if !yield(k, v) {
									return
								}
							}
						})
					},
					Model: func(m map[int]int) map[int]int {
						for _, k := range ks {
							m[k] = v
						}
						return m
					},
				}
			}},
			{Name: "At+Rank+Lookup", AllocFree: true, Read: true, Draw: func(t *rapid.T, m map[int]int) mstep {
				want := sortedEntries(m)
				k := key.Draw(t, "k") - 1
				rank := 0
				for _, e := range want {
					if e[0] < k {
						rank++
					}
				}
				v, ok := m[k]
				return mstep{
					Label: cowtest.Sprint("At+Rank+Lookup", k),
					Apply: func(t *rapid.T, m *Map[int, int]) {
						for i, e := range want {
							if gk, gv := m.At(i); gk != e[0] || gv != e[1] {
								t.Fatalf("At(%d) = %d, %d, want %v", i, gk, gv, e)
							}
						}
						if got := m.Rank(k); got != rank {
							t.Fatalf("Rank(%d) = %d, want %d", k, got, rank)
						}
						if gk, gv, gok := m.Lookup(k); gok != ok || ok && (gk != k || gv != v) {
							t.Fatalf("Lookup(%d) = %d, %d, %v, want %d, %d, %v", k, gk, gv, gok, k, v, ok)
						}
					},
					Model: readOnly,
				}
			}},
			{Name: "Ascend/Descend", Read: true, Draw: func(t *rapid.T, m map[int]int) mstep {
				from := key.Draw(t, "from") - 2
				desc := rapid.Bool().Draw(t, "descend")
				stop := rapid.IntRange(0, len(m)+1).Draw(t, "stop after")
				want := [][2]int{}
				all := sortedEntries(m)
				if desc {
					slices.Reverse(all)
				}
				for _, e := range all {
					if desc && e[0] <= from || !desc && e[0] >= from {
						want = append(want, e)
					}
				}
				want = want[:min(stop, len(want))]
				name := "Ascend"
				if desc {
					name = "Descend"
				}
				return mstep{
					Label: fmt.Sprintf("%s(%d) stopping after %d", name, from, stop),
					Apply: func(t *rapid.T, m *Map[int, int]) {
						seq := m.Ascend(from)
						if desc {
							seq = m.Descend(from)
						}
						got := [][2]int{}
						for k, v := range seq {
							if len(got) == stop {
								break
							}
							got = append(got, [2]int{k, v})
						}
						if !slices.Equal(got, want) {
							t.Fatalf("%s(%d) = %v, want %v", name, from, got, want)
						}
					},
					Model: readOnly,
				}
			}},
			{Name: "Cursor", Read: true, Draw: func(t *rapid.T, m map[int]int) mstep {
				all := sortedEntries(m)
				seek := rapid.Bool().Draw(t, "seek")
				k := key.Draw(t, "k")
				moves := rapid.SliceOfN(rapid.SampledFrom([]string{"Next", "Prev", "First", "Last"}), 0, 20).Draw(t, "moves")
				// pos is the model cursor: an index into all; -1 is before the
				// first entry, len(all) after the last, and -2 a new cursor.
				pos := -2
				if seek {
					pos = len(all)
					for i, e := range all {
						if e[0] >= k {
							pos = i
							break
						}
					}
				}
				return mstep{
					Label: fmt.Sprintf("Cursor(): Seek(%d) %v, then %v", k, seek, moves),
					Apply: func(t *rapid.T, m *Map[int, int]) {
						c := m.Cursor()
						defer c.Release()
						p := pos
						check := func(what string, ok bool) {
							if want := p >= 0 && p < len(all); ok != want {
								t.Fatalf("%s = %v, want %v", what, ok, want)
							}
							if ok && (c.Key() != all[p][0] || c.Value() != all[p][1]) {
								t.Fatalf("after %s the cursor is on %d, %d, want %v", what, c.Key(), c.Value(), all[p])
							}
						}
						if seek {
							check(cowtest.Sprint("Seek", k), c.Seek(k))
						}
						for _, mv := range moves {
							var ok bool
							switch mv {
							case "Next":
								ok = c.Next()
								switch {
								case p == -2 || p == -1:
									p = 0
								case p < len(all):
									p++
								}
							case "Prev":
								ok = c.Prev()
								switch {
								case p == -2 || p == len(all):
									p = len(all) - 1
								case p >= 0:
									p--
								}
							case "First":
								ok, p = c.First(), 0
							case "Last":
								ok, p = c.Last(), len(all)-1
							}
							check(mv+"()", ok)
						}
					},
					Model: readOnly,
				}
			}},
			{Name: "Apply", Draw: func(t *rapid.T, m map[int]int) mstep {
				n := rapid.IntRange(0, 10).Draw(t, "n")
				changes := make([]Change[int, int], n)
				for i := range changes {
					changes[i] = Change[int, int]{
						Op:  rapid.SampledFrom([]Op{Added, Updated, Removed}).Draw(t, "op"),
						Key: key.Draw(t, "k"),
						New: rapid.IntRange(0, 99).Draw(t, "v"),
					}
				}
				return mstep{
					Label: fmt.Sprintf("Apply(%v)", changes),
					Apply: func(_ *rapid.T, m *Map[int, int]) { m.Apply(slices.Values(changes)) },
					Model: func(m map[int]int) map[int]int {
						for _, c := range changes {
							if c.Op == Removed {
								delete(m, c.Key)
							} else {
								m[c.Key] = c.New
							}
						}
						return m
					},
				}
			}},
			{Name: "WriteWhileAscending", Draw: func(t *rapid.T, m map[int]int) mstep {
				from := key.Draw(t, "from")
				want := [][2]int{}
				for _, e := range sortedEntries(m) {
					if e[0] >= from {
						want = append(want, e)
					}
				}
				return mstep{
					Label: fmt.Sprintf("for k := range Ascend(%d) { DeleteRange(k, k+3); PopMin() }", from),
					Apply: func(t *rapid.T, m *Map[int, int]) {
						got := [][2]int{}
						for k, v := range m.Ascend(from) {
							got = append(got, [2]int{k, v})
							m.DeleteRange(k, k+3)
							m.PopMin()
						}
						if !slices.Equal(got, want) {
							t.Fatalf("the loop saw %v, want the snapshot %v", got, want)
						}
					},
					Model: func(m map[int]int) map[int]int {
						for _, e := range want {
							for k := range m {
								if e[0] <= k && k < e[0]+3 {
									delete(m, k)
								}
							}
							if len(m) > 0 {
								delete(m, slices.Min(slices.Collect(maps.Keys(m))))
							}
						}
						return m
					},
				}
			}},
		},
	}
}

func TestMapModel(t *testing.T) { cowtest.Check(t, intSpec(200)) }

// TestConcurrentClones: clones of one map written (single and bulk steps),
// iterated, cloned and released on goroutines of their own, all at once,
// while the source is read and cloned (cowtest's concurrent mode). With
// -tags btree_smallnodes the trees reach several levels, so that the
// goroutines shadow the same shared inner nodes at once. Run with -race.
func TestConcurrentClones(t *testing.T) { cowtest.CheckConcurrent(t, intSpec(200)) }

func FuzzMapModel(f *testing.F) { f.Fuzz(rapid.MakeFuzz(intSpec(200).Property)) }

// pairSpec is the model test of a map whose ordering equates distinct keys
// (k and k^1 are one key), so that it sees which key is stored: Set, Swap
// and Insert store the key given last, and Lookup, Pop and At return the
// key as stored. The model maps each class (k/2) to the stored key and its
// value.
func pairSpec() cowtest.Spec[*Map[int, int], map[int][2]int] {
	type pstep = cowtest.Step[*Map[int, int], map[int][2]int]
	key := rapid.IntRange(0, 120)
	byClass := func(a, b int) int { return stdcmp.Compare(a/2, b/2) }
	return cowtest.Spec[*Map[int, int], map[int][2]int]{
		New:     func() *Map[int, int] { return NewFunc[int, int](byClass) },
		Clone:   (*Map[int, int]).Clone,
		Release: (*Map[int, int]).Release,
		Model: func(m *Map[int, int]) map[int][2]int {
			got := map[int][2]int{}
			for k, v := range m.All() {
				got[k/2] = [2]int{k, v}
			}
			return got
		},
		CloneModel: maps.Clone[map[int][2]int],
		Diff: func(want, got map[int][2]int) string {
			if maps.Equal(want, got) {
				return ""
			}
			return cmp.Diff(want, got, cmpopts.EquateEmpty())
		},
		Invariant: checkMaps[int, int],
		Ops: []cowtest.Op[*Map[int, int], map[int][2]int]{
			{Name: "Set", Draw: func(t *rapid.T, _ map[int][2]int) pstep {
				k, v := key.Draw(t, "k"), rapid.IntRange(0, 99).Draw(t, "v")
				return pstep{
					Label: cowtest.Sprint("Set", k, v),
					Apply: func(_ *rapid.T, m *Map[int, int]) { m.Set(k, v) },
					Model: func(m map[int][2]int) map[int][2]int { m[k/2] = [2]int{k, v}; return m },
				}
			}},
			{Name: "Swap", Draw: func(t *rapid.T, m map[int][2]int) pstep {
				k, v := key.Draw(t, "k"), rapid.IntRange(0, 99).Draw(t, "v")
				old, loaded := m[k/2]
				return pstep{
					Label: cowtest.Sprint("Swap", k, v),
					Apply: func(t *rapid.T, m *Map[int, int]) {
						if got, ok := m.Swap(k, v); ok != loaded || got != old[1] {
							t.Fatalf("Swap(%d, %d) = %d, %v, want %d, %v", k, v, got, ok, old[1], loaded)
						}
					},
					Model: func(m map[int][2]int) map[int][2]int { m[k/2] = [2]int{k, v}; return m },
				}
			}},
			{Name: "Insert", Draw: func(t *rapid.T, _ map[int][2]int) pstep {
				ks := rapid.SliceOfN(key, 1, 30).Draw(t, "keys")
				if rapid.Bool().Draw(t, "sorted") {
					slices.Sort(ks)
				}
				return pstep{
					Label: fmt.Sprintf("Insert(%v, each with value its index)", ks),
					Apply: func(_ *rapid.T, m *Map[int, int]) {
						m.Insert(func(yield func(int, int) bool) {
							for i, k := range ks {
								if !yield(k, i) {
									return
								}
							}
						})
					},
					Model: func(m map[int][2]int) map[int][2]int {
						for i, k := range ks {
							m[k/2] = [2]int{k, i}
						}
						return m
					},
				}
			}},
			{Name: "Lookup+Pop", Draw: func(t *rapid.T, m map[int][2]int) pstep {
				k := key.Draw(t, "k")
				pop := rapid.Bool().Draw(t, "pop")
				want, ok := m[k/2]
				return pstep{
					Label: fmt.Sprintf("Lookup(%d), then Pop: %v", k, pop),
					Apply: func(t *rapid.T, m *Map[int, int]) {
						if gk, gv, gok := m.Lookup(k); gok != ok || [2]int{gk, gv} != want {
							t.Fatalf("Lookup(%d) = %d, %d, %v, want %v, %v", k, gk, gv, gok, want, ok)
						}
						if !pop {
							return
						}
						if gk, gv, gok := m.Pop(k); gok != ok || [2]int{gk, gv} != want {
							t.Fatalf("Pop(%d) = %d, %d, %v, want %v, %v", k, gk, gv, gok, want, ok)
						}
					},
					Model: func(m map[int][2]int) map[int][2]int {
						if pop {
							delete(m, k/2)
						}
						return m
					},
				}
			}},
			{Name: "At", Draw: func(t *rapid.T, m map[int][2]int) pstep {
				want := make([][2]int, 0, len(m))
				for _, c := range slices.Sorted(maps.Keys(m)) {
					want = append(want, m[c])
				}
				return pstep{
					Apply: func(t *rapid.T, m *Map[int, int]) {
						for i, e := range want {
							if k, v := m.At(i); [2]int{k, v} != e {
								t.Fatalf("At(%d) = %d, %d, want %v", i, k, v, e)
							}
						}
					},
					Model: func(m map[int][2]int) map[int][2]int { return m },
				}
			}},
		},
	}
}

func TestMapStoresTheKeyGiven(t *testing.T) { cowtest.Check(t, pairSpec()) }
