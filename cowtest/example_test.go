package cowtest_test

import (
	"fmt"
	"maps"
	"sync/atomic"

	"pgregory.net/rapid"

	"github.com/cowkit/cowkit/cowtest"
)

// Tally is a user's own copy-on-write type: word counts that Clone shares
// until one side writes.
type Tally struct{ d *tallyData }

type tallyData struct {
	refs   atomic.Int32 // the number of handles sharing counts
	counts map[string]int
}

func newTallyData(counts map[string]int) *tallyData {
	d := &tallyData{counts: counts}
	d.refs.Store(1)
	return d
}

func NewTally() *Tally { return &Tally{d: newTallyData(map[string]int{})} }

func (t *Tally) Clone() *Tally { t.d.refs.Add(1); return &Tally{d: t.d} }

func (t *Tally) Release() { t.d.refs.Add(-1); t.d = newTallyData(map[string]int{}) }

func (t *Tally) Shared() bool { return t.d.refs.Load() > 1 }

func (t *Tally) Add(word string) {
	if t.Shared() {
		old := t.d
		t.d = newTallyData(maps.Clone(old.counts)) // copy first,
		old.refs.Add(-1)                           // then drop the old reference
	}
	t.d.counts[word]++
}

func (t *Tally) Count(word string) int { return t.d.counts[word] }

func tallySpec() cowtest.Spec[*Tally, map[string]int] {
	return cowtest.Spec[*Tally, map[string]int]{
		New:        NewTally,
		Clone:      (*Tally).Clone,
		Release:    (*Tally).Release,
		Model:      func(t *Tally) map[string]int { return maps.Clone(t.d.counts) },
		CloneModel: maps.Clone[map[string]int],
		// With Shared, the harness also checks every handle's sharing
		// against its lineage: a Release that forgot its Add(-1) fails.
		Shared: (*Tally).Shared,
		Ops: []cowtest.Op[*Tally, map[string]int]{{
			Name: "Add",
			Draw: func(t *rapid.T, _ map[string]int) cowtest.Step[*Tally, map[string]int] {
				w := rapid.SampledFrom([]string{"cow", "moo", "milk"}).Draw(t, "word")
				return cowtest.Step[*Tally, map[string]int]{
					Label: cowtest.Sprint("Add", w),
					Apply: func(_ *rapid.T, t *Tally) { t.Add(w) },
					Model: func(m map[string]int) map[string]int { m[w]++; return m },
				}
			}}, {
			Name:      "Count",
			AllocFree: true,
			Read:      true, // a read keeps the handle's share
			Draw: func(t *rapid.T, m map[string]int) cowtest.Step[*Tally, map[string]int] {
				w := rapid.SampledFrom([]string{"cow", "moo", "milk"}).Draw(t, "word")
				want := m[w]
				return cowtest.Step[*Tally, map[string]int]{
					Label: cowtest.Sprint("Count", w),
					Apply: func(t *rapid.T, h *Tally) {
						if got := h.Count(w); got != want {
							t.Fatalf("Count(%q) = %d, want %d", w, got, want)
						}
					},
					Model: func(m map[string]int) map[string]int { return m },
				}
			}},
		},
	}
}

// In a test file, this is all it takes:
//
//	func TestTally(t *testing.T)           { cowtest.Check(t, tallySpec()) }
//	func TestTallyConcurrent(t *testing.T) { cowtest.CheckConcurrent(t, tallySpec()) } // go test -race
//
// The example runs the same properties with a stand-in for *testing.T.
func Example() {
	var t exampleT
	rapid.Check(&t, tallySpec().Property)
	if t.failed {
		fmt.Println("broken:", t.msg)
		return
	}
	fmt.Println("Tally keeps its sharing semantics")
	rapid.Check(&t, tallySpec().Concurrent)
	if t.failed {
		fmt.Println("broken on goroutines:", t.msg)
		return
	}
	fmt.Println("and its clones can be used on different goroutines at once")
	// Output:
	// Tally keeps its sharing semantics
	// and its clones can be used on different goroutines at once
}

// exampleT is the part of *testing.T that rapid.Check needs.
type exampleT struct {
	failed bool
	msg    string
}

func (t *exampleT) Helper()                      {}
func (t *exampleT) Name() string                 { return "ExampleTally" }
func (t *exampleT) Logf(string, ...any)          {}
func (t *exampleT) Log(...any)                   {}
func (t *exampleT) Skipf(string, ...any)         {}
func (t *exampleT) Skip(...any)                  {}
func (t *exampleT) SkipNow()                     {}
func (t *exampleT) Errorf(f string, args ...any) { t.failed, t.msg = true, fmt.Sprintf(f, args...) }
func (t *exampleT) Error(args ...any)            { t.failed, t.msg = true, fmt.Sprint(args...) }
func (t *exampleT) Fatalf(f string, args ...any) { t.Errorf(f, args...) }
func (t *exampleT) Fatal(args ...any)            { t.Error(args...) }
func (t *exampleT) FailNow()                     { t.failed = true }
func (t *exampleT) Fail()                        { t.failed = true }
func (t *exampleT) Failed() bool                 { return t.failed }
