package rope

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"

	"github.com/cowkit/cowkit/cowtest"
)

type rstep = cowtest.Step[*Rope[int], []int]

// maxModel bounds the models, so that the inserts of long runs that make
// trees several levels deep with the default node size stop there.
const maxModel = 3000

// run draws the elements of an insert: mostly a few, now and then a run
// longer than a leaf, so that Insert takes its join path and trees grow
// levels with the default node size too.
func run(t *rapid.T, m []int, label string) []int {
	n := rapid.IntRange(1, 3).Draw(t, label+" len")
	if len(m) < maxModel && rapid.IntRange(0, 5).Draw(t, label+" long") == 0 {
		n = rapid.IntRange(4, 400).Draw(t, label+" len")
	}
	first := rapid.IntRange(0, 1000).Draw(t, label+" first")
	vs := make([]int, n)
	for k := range vs {
		vs[k] = first + k
	}
	return vs
}

func span(t *rapid.T, m []int) (int, int) {
	i := rapid.IntRange(0, len(m)).Draw(t, "i")
	j := rapid.IntRange(i, len(m)).Draw(t, "j")
	if len(m) > 20 && rapid.Bool().Draw(t, "short") {
		j = min(j, i+rapid.IntRange(0, 4).Draw(t, "n"))
	}
	return i, j
}

// ropeSpec is the model test of Rope[int]. With selfShare, it also
// concatenates a rope with itself and with its own slices, so that one
// tree holds a node twice (Concat shares the nodes it appends): such a
// rope reports shared with no other handle alive, which is right (a write
// must copy the node it reaches through one of its two parents) but is not
// what cowtest's Structural check expects, so that spec checks Shared only
// where the allocation checks use it.
func ropeSpec(selfShare bool) cowtest.Spec[*Rope[int], []int] {
	spec := cowtest.Spec[*Rope[int], []int]{
		New:     func() *Rope[int] { return new(Rope[int]) },
		Clone:   (*Rope[int]).Clone,
		Release: (*Rope[int]).Release,
		Model: func(r *Rope[int]) []int {
			got := []int{}
			for v := range r.Values() {
				got = append(got, v)
			}
			if len(got) != r.Len() {
				panic(fmt.Sprintf("Values yielded %d elements, Len is %d", len(got), r.Len()))
			}
			return got
		},
		CloneModel: slices.Clone[[]int],
		Diff: func(want, got []int) string {
			if slices.Equal(want, got) {
				return ""
			}
			return cmp.Diff(want, got, cmpopts.EquateEmpty())
		},
		Invariant:   checkRopes[int],
		CheckAllocs: true,
		Shared:      shared[int],
		// A write copies one path and keeps sharing the rest.
		Sharing: cowtest.Structural,
		Ops: []cowtest.Op[*Rope[int], []int]{
			{Name: "Set", AllocFree: true, Draw: func(t *rapid.T, m []int) rstep {
				if len(m) == 0 {
					t.Skip("empty")
				}
				i, v := rapid.IntRange(0, len(m)-1).Draw(t, "i"), rapid.IntRange(0, 99).Draw(t, "v")
				return rstep{
					Label: cowtest.Sprint("Set", i, v),
					Apply: func(_ *rapid.T, r *Rope[int]) { r.Set(i, v) },
					Model: func(m []int) []int { m[i] = v; return m },
				}
			}},
			{Name: "At", AllocFree: true, Read: true, Draw: func(t *rapid.T, m []int) rstep {
				if len(m) == 0 {
					t.Skip("empty")
				}
				i := rapid.IntRange(0, len(m)-1).Draw(t, "i")
				want := m[i]
				return rstep{
					Label: cowtest.Sprint("At", i),
					Apply: func(t *rapid.T, r *Rope[int]) {
						if got := r.At(i); got != want {
							t.Fatalf("At(%d) = %d, want %d", i, got, want)
						}
					},
					Model: func(m []int) []int { return m },
				}
			}},
			{Name: "Insert", Draw: func(t *rapid.T, m []int) rstep {
				i := rapid.IntRange(0, len(m)).Draw(t, "i")
				vs := run(t, m, "vs")
				return rstep{
					Label: fmt.Sprintf("Insert(%d, %d values from %d)", i, len(vs), vs[0]),
					Apply: func(_ *rapid.T, r *Rope[int]) { r.Insert(i, vs...) },
					Model: func(m []int) []int { return slices.Insert(m, i, vs...) },
				}
			}},
			{Name: "Append", Draw: func(t *rapid.T, m []int) rstep {
				vs := run(t, m, "vs")
				return rstep{
					Label: fmt.Sprintf("Append(%d values from %d)", len(vs), vs[0]),
					Apply: func(_ *rapid.T, r *Rope[int]) { r.Append(vs...) },
					Model: func(m []int) []int { return append(m, vs...) },
				}
			}},
			{Name: "Delete", Draw: func(t *rapid.T, m []int) rstep {
				i, j := span(t, m)
				return rstep{
					Label: cowtest.Sprint("Delete", i, j),
					Apply: func(_ *rapid.T, r *Rope[int]) { r.Delete(i, j) },
					Model: func(m []int) []int { return slices.Delete(m, i, j) },
				}
			}},
			{Name: "Slice", Read: true, Draw: func(t *rapid.T, m []int) rstep {
				// Take a slice, write to it, and drop it: neither side may
				// see the other's writes.
				i, j := span(t, m)
				want := slices.Clone(m[i:j])
				return rstep{
					Label: fmt.Sprintf("s := Slice(%d, %d); s.Set(0, -1); s.Append(-2); s.Release()", i, j),
					Apply: func(t *rapid.T, r *Rope[int]) {
						s := r.Slice(i, j)
						if got := slices.Collect(s.Values()); !slices.Equal(got, want) && len(got)+len(want) > 0 {
							t.Fatalf("Slice(%d, %d) = %v, want %v", i, j, got, want)
						}
						if err := checkShape(s); err != nil {
							t.Fatalf("after Slice(%d, %d): %v", i, j, err)
						}
						if s.Len() > 0 {
							s.Set(0, -1)
						}
						s.Append(-2)
						s.Release()
					},
					Model: func(m []int) []int { return m },
				}
			}},
			{Name: "BecomeSlice", Draw: func(t *rapid.T, m []int) rstep {
				i, j := span(t, m)
				return rstep{
					Label: fmt.Sprintf("s := Slice(%d, %d); Release(); Concat(s); s.Release()", i, j),
					Apply: func(_ *rapid.T, r *Rope[int]) {
						s := r.Slice(i, j)
						r.Release()
						r.Concat(s)
						s.Release()
					},
					Model: func(m []int) []int { return slices.Clone(m[i:j]) },
				}
			}},
			{Name: "ConcatNew", Draw: func(t *rapid.T, m []int) rstep {
				vs := run(t, m, "vs")
				front := rapid.Bool().Draw(t, "front")
				return rstep{
					Label: fmt.Sprintf("Concat(New(%d values from %d)), front %v", len(vs), vs[0], front),
					Apply: func(t *rapid.T, r *Rope[int]) {
						o := New(vs...)
						if front { // o.Concat(r), then r becomes o
							o.Concat(r)
							r.Release()
							r.Concat(o)
						} else {
							r.Concat(o)
						}
						o.Set(0, -7) // o's write must not show in r
						o.Release()
					},
					Model: func(m []int) []int {
						if front {
							return append(slices.Clone(vs), m...)
						}
						return append(m, vs...)
					},
				}
			}},
			{Name: "Iterate", Read: true, Draw: func(t *rapid.T, m []int) rstep {
				want := slices.Clone(m)
				return rstep{
					Label: "All, Backward, Chunks, String",
					Apply: func(t *rapid.T, r *Rope[int]) {
						for i, v := range r.All() {
							if v != want[i] {
								t.Fatalf("All: position %d = %d, want %d", i, v, want[i])
							}
						}
						var back []int
						for i, v := range r.Backward() {
							if i != len(want)-1-len(back) {
								t.Fatalf("Backward yielded position %d after %d elements of %d", i, len(back), len(want))
							}
							back = append(back, v)
						}
						slices.Reverse(back)
						var chunks []int
						for c := range r.Chunks() {
							if len(c) == 0 {
								t.Fatalf("Chunks yielded an empty chunk")
							}
							chunks = append(chunks, c...)
						}
						if !slices.Equal(back, want) || !slices.Equal(chunks, want) {
							t.Fatalf("Backward %v, Chunks %v, want %v", back, chunks, want)
						}
						if got, w := r.String(), fmt.Sprint(want); got != w && len(want) > 0 {
							t.Fatalf("String() = %s, want %s", got, w)
						}
					},
					Model: func(m []int) []int { return m },
				}
			}},
			{Name: "WriteWhileIterating", Draw: func(t *rapid.T, m []int) rstep {
				want := slices.Clone(m)
				return rstep{
					Label: "for i, v := range All() { Insert(0, v); Delete(len-1) every third }",
					Apply: func(t *rapid.T, r *Rope[int]) {
						var got []int
						for i, v := range r.All() {
							got = append(got, v)
							r.Insert(0, v)
							if i%3 == 2 {
								r.Delete(r.Len()-1, r.Len())
							}
						}
						if !slices.Equal(got, want) && len(got)+len(want) > 0 {
							t.Fatalf("the loop saw %v, want the snapshot %v", got, want)
						}
					},
					Model: func(m []int) []int {
						for i, v := range want {
							m = slices.Insert(m, 0, v)
							if i%3 == 2 {
								m = m[:len(m)-1]
							}
						}
						return m
					},
				}
			}},
			{Name: "JSON", Read: true, Draw: func(t *rapid.T, m []int) rstep {
				want, _ := json.Marshal(append([]int{}, m...))
				return rstep{
					Label: "MarshalJSON, and UnmarshalJSON into a new rope",
					Apply: func(t *rapid.T, r *Rope[int]) {
						got, err := json.Marshal(r)
						if err != nil || string(got) != string(want) {
							t.Fatalf("json.Marshal = %s, %v; want %s", got, err, want)
						}
						var back Rope[int]
						if err := json.Unmarshal(got, &back); err != nil || !slices.Equal(slices.Collect(back.Values()), slices.Collect(r.Values())) {
							t.Fatalf("json.Unmarshal(%s) = %v, %v", got, slices.Collect(back.Values()), err)
						}
						if err := checkShape(&back); err != nil {
							t.Fatalf("after UnmarshalJSON: %v", err)
						}
					},
					Model: func(m []int) []int { return m },
				}
			}},
		},
	}
	if selfShare {
		spec.Sharing = cowtest.Unchecked
		spec.Ops = append(spec.Ops,
			cowtest.Op[*Rope[int], []int]{Name: "ConcatSelf", Draw: func(t *rapid.T, m []int) rstep {
				if len(m) > maxModel/2 {
					t.Skip("long enough")
				}
				return rstep{
					Label: "Concat(self)",
					Apply: func(_ *rapid.T, r *Rope[int]) { r.Concat(r) },
					Model: func(m []int) []int { return append(m, m...) },
				}
			}},
			cowtest.Op[*Rope[int], []int]{Name: "ConcatOwnSlice", Draw: func(t *rapid.T, m []int) rstep {
				i, j := span(t, m)
				at := rapid.IntRange(0, len(m)).Draw(t, "at")
				return rstep{
					Label: fmt.Sprintf("s := Slice(%d, %d); t := Slice(%d, Len); Delete(%d, Len); Concat(s); Concat(t)", i, j, at, at),
					Apply: func(_ *rapid.T, r *Rope[int]) {
						s, tail := r.Slice(i, j), r.Slice(at, r.Len())
						r.Delete(at, r.Len())
						r.Concat(s)
						r.Concat(tail)
						s.Release()
						tail.Release()
					},
					Model: func(m []int) []int {
						return slices.Concat(m[:at], m[i:j], m[at:])
					},
				}
			}})
	}
	return spec
}

func TestRopeModel(t *testing.T) { cowtest.Check(t, ropeSpec(false)) }

// TestRopeSelfShare: one tree holding nodes twice (see ropeSpec).
func TestRopeSelfShare(t *testing.T) { cowtest.Check(t, ropeSpec(true)) }

// TestConcurrentClones: clones of one rope written, sliced, concatenated,
// iterated, cloned and released on goroutines of their own, all at once,
// while the source is read and cloned (cowtest's concurrent mode). With
// -tags rope_smallnodes the trees are several levels deep, so the
// goroutines shadow the same shared inner nodes at once. Run with -race.
func TestConcurrentClones(t *testing.T) { cowtest.CheckConcurrent(t, ropeSpec(true)) }

func FuzzRopeModel(f *testing.F) { f.Fuzz(rapid.MakeFuzz(ropeSpec(true).Property)) }
