package cowtest_test

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"pgregory.net/rapid"

	"github.com/cowkit/cowkit/cowtest"
)

// racyBox is a copy-on-write slice whose clones share a count that is a
// plain int: correct on one goroutine, a data race on two.
type racyBox struct{ d *racyData }

type racyData struct {
	n    int // the number of boxes sharing vals, not atomic
	vals []int
}

func newRacyBox() *racyBox         { return &racyBox{&racyData{n: 1}} }
func (b *racyBox) Clone() *racyBox { b.d.n++; return &racyBox{b.d} }
func (b *racyBox) Release()        { b.d.n--; b.d = &racyData{n: 1} }
func (b *racyBox) Shared() bool    { return b.d.n > 1 }
func (b *racyBox) Values() []int   { return slices.Clone(b.d.vals) }
func (b *racyBox) Set(i, v int)    { b.own(); b.d.vals[i] = v }
func (b *racyBox) Append(v int)    { b.own(); b.d.vals = append(b.d.vals, v) }
func (b *racyBox) own() {
	if b.d.n > 1 {
		old := b.d
		b.d = &racyData{n: 1, vals: slices.Clone(old.vals)}
		old.n--
	}
}

func racySpec() cowtest.Spec[*racyBox, []int] {
	type step = cowtest.Step[*racyBox, []int]
	return cowtest.Spec[*racyBox, []int]{
		New:        newRacyBox,
		Clone:      (*racyBox).Clone,
		Release:    (*racyBox).Release,
		Model:      (*racyBox).Values,
		CloneModel: slices.Clone[[]int],
		Empty:      func() []int { return nil },
		Shared:     (*racyBox).Shared,
		Ops: []cowtest.Op[*racyBox, []int]{
			{Name: "Set", Draw: func(t *rapid.T, m []int) step {
				if len(m) == 0 {
					t.Skip("empty")
				}
				i := rapid.IntRange(0, len(m)-1).Draw(t, "i")
				v := rapid.IntRange(1, 9).Draw(t, "v")
				return step{
					Label: cowtest.Sprint("Set", i, v),
					Apply: func(_ *rapid.T, b *racyBox) { b.Set(i, v) },
					Model: func(m []int) []int { m[i] = v; return m },
				}
			}},
			{Name: "Append", Draw: func(t *rapid.T, m []int) step {
				v := rapid.IntRange(1, 9).Draw(t, "v")
				return step{
					Label: cowtest.Sprint("Append", v),
					Apply: func(_ *rapid.T, b *racyBox) { b.Append(v) },
					Model: func(m []int) []int { return append(m, v) },
				}
			}},
		},
	}
}

// TestRacyBoxSequential: on one goroutine racyBox is correct, so what the
// race detector finds in TestConcurrentRaceDetector is its count.
func TestRacyBoxSequential(t *testing.T) {
	cowtest.Check(t, racySpec())
}

var concurrentTests = []struct {
	name  string
	fault fault
	edit  func(*cowtest.Spec[*box, []int])
	racy  bool   // the fault is a data race: only without -race, in this process
	want  string // "" means the property must pass
}{
	{"correct", correct, nil, false, ""},
	{"correct, structural", correct, structural, false, ""},
	{"write leaks into clone", leakWrite, func(s *cowtest.Spec[*box, []int]) { s.Sharing = cowtest.Unchecked }, true, "differs from its model|Get(|changed while its clones|flaky test"},
	{"clone does not count", cloneNoCount, noInvariant, true, ""}, // want set below: either check may see it first
	{"release leaks a share", forgetRelease, noInvariant, false, "Shared() = true, but no live handle shares its storage"},
	{"release leaks a share, invariant", forgetRelease, nil, false, "invariant broken"},
	{"release disturbs survivor", clearOnRelease, nil, true, "differs from its model|Get("},
	{"read returns a wrong value", getWrong, nil, false, "Get("},
	{"read panics", getPanics, nil, false, "box: Get on a written box"},
}

// TestConcurrentCatchesFaults runs the concurrent property over boxes with
// each fault, in this process. Faults that are data races run only
// without -race (the race detector would fail this test itself); with
// -race, TestConcurrentRaceDetector shows the detector catching them.
func TestConcurrentCatchesFaults(t *testing.T) {
	for _, tt := range concurrentTests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.racy && raceEnabled {
				t.Skip("a data race: TestConcurrentRaceDetector checks it under -race")
			}
			spec := boxSpec(tt.fault, false)
			if tt.edit != nil {
				tt.edit(&spec)
			}
			r := runProp(t, "concurrent_"+fmt.Sprint(tt.fault), spec.Concurrent)
			msg := strings.Join(r.errors, "\n")
			switch {
			case tt.fault == cloneNoCount:
				// Uncounted clones write the source's storage in place: a
				// worker's write shows in h0 or in another worker's clone,
				// or Shared is wrong, or a Release drops the one count
				// below zero, whichever the run meets first.
				if !r.Failed() || !(strings.Contains(msg, "differs from its model") || strings.Contains(msg, "changed while its clones") ||
					strings.Contains(msg, "Shared() = false") || strings.Contains(msg, "count released below zero")) {
					t.Fatalf("the harness missed uncounted clones: failed %v, %q", r.Failed(), msg)
				}
			case tt.want == "":
				if r.Failed() {
					t.Fatalf("a correct type failed:\n%s\n%s", msg, strings.Join(r.logs, "\n"))
				}
			case !r.Failed():
				t.Fatalf("the harness missed the fault %q", tt.name)
			case !containsAny(msg, tt.want):
				t.Errorf("failure message = %q, want it to contain %q", msg, tt.want)
			}
			if r.Failed() && !tt.racy {
				// The plan is drawn by rapid, so the failure shrinks too,
				// unless it is a race: then what fails, and so the
				// message rapid needs to see again, varies from run to run.
				checkShrunk(t, r, 3*maxShrunkSteps)
			}
		})
	}
}

// TestConcurrentSourceClones: the source is cloned while the workers run,
// and each of those clones is compared with the source's model. A box
// whose clones go wrong after its sixth (the workers' four are made
// before they start) is caught there: the source itself and every
// worker's handle stay right.
func TestConcurrentSourceClones(t *testing.T) {
	spec := boxSpec(cloneWrongLate, false)
	spec.Invariant = nil // its clones own their data: the counts are right
	r := runProp(t, "concurrent_source", spec.Concurrent)
	const want = "a clone of h0 made while the workers ran differs from h0's model"
	if msg := strings.Join(r.errors, "\n"); !r.Failed() || !strings.Contains(msg, want) {
		t.Fatalf("failed %v, %q; want a failure %q", r.Failed(), msg, want)
	}
}

// TestConcurrentPlan: every test case has the source and at least four
// workers' clones, some make sub-clones, and the clones are made on five
// goroutines or more (the test's and the workers'), each worker's handles
// on its own.
func TestConcurrentPlan(t *testing.T) {
	spec := boxSpec(correct, false)
	spec.Workers = 2 // raised to 4
	var mu sync.Mutex
	cloners := map[string]bool{}
	clone := spec.Clone
	spec.Clone = func(b *box) *box {
		id := goroutine()
		mu.Lock()
		cloners[id] = true
		mu.Unlock()
		return clone(b)
	}
	// A worker's checkpoint reads its handles' models on the worker's
	// goroutine; the final checks run on the test's.
	main := goroutine()
	checkpoints := 0
	model := spec.Model
	spec.Model = func(b *box) []int {
		if goroutine() != main {
			mu.Lock()
			checkpoints++
			mu.Unlock()
		}
		return model(b)
	}
	most := 0
	invariant := spec.Invariant
	spec.Invariant = func(live []*box) error {
		if len(live) < 5 {
			return fmt.Errorf("%d live handles at the end, want the source and 4 workers' clones at least", len(live))
		}
		most = max(most, len(live))
		return invariant(live)
	}
	cowtest.CheckConcurrent(t, spec)
	if most <= 5 {
		t.Errorf("no test case ended with a sub-clone alive (at most %d live handles)", most)
	}
	if len(cloners) < 5 {
		t.Errorf("clones were made on %d goroutines, want 5 or more", len(cloners))
	}
	if checkpoints == 0 {
		t.Error("no worker checked its handles at a checkpoint")
	}
}

// goroutine returns the calling goroutine's number, as runtime.Stack
// prints it ("goroutine 7 [running]:").
func goroutine() string {
	buf := make([]byte, 64)
	return strings.Fields(string(buf[:runtime.Stack(buf, false)]))[1]
}

// childEnv names the spec a child process of TestConcurrentRaceDetector
// runs in TestRaceChild.
const childEnv = "COWTEST_RACE_CHILD"

// TestRaceChild is the child's side of TestConcurrentRaceDetector: with
// childEnv set, it runs the concurrent property on the spec it names.
// Otherwise it does nothing.
func TestRaceChild(t *testing.T) {
	switch os.Getenv(childEnv) {
	case "":
		t.Skip("run by TestConcurrentRaceDetector")
	case "racycount":
		cowtest.CheckConcurrent(t, racySpec())
	case "inplace":
		spec := boxSpec(leakWrite, false)
		spec.Sharing = cowtest.Unchecked // leave it to the race detector
		cowtest.CheckConcurrent(t, spec)
	case "correct":
		cowtest.CheckConcurrent(t, boxSpec(correct, false))
	}
}

// TestConcurrentRaceDetector: under -race, the concurrent property catches
// a count that is not atomic and a write in place to shared storage, as
// data races, and passes a correct type. Each runs in a child process (the
// race detector fails the whole process it runs in).
func TestConcurrentRaceDetector(t *testing.T) {
	if !raceEnabled {
		t.Skip("needs -race: go test -race ./cowtest")
	}
	for _, tt := range []struct{ child, want string }{
		{"racycount", "racyBox"},
		{"inplace", "(*box).Set"},
		{"correct", ""},
	} {
		t.Run(tt.child, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestRaceChild$", "-test.count=1", "-rapid.nofailfile", "-rapid.checks=20")
			cmd.Env = append(os.Environ(), childEnv+"="+tt.child, "GORACE=halt_on_error=1")
			out, err := cmd.CombinedOutput()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("a correct type failed under -race: %v\n%s", err, out)
				}
				return
			}
			if err == nil {
				t.Fatalf("the race detector saw nothing:\n%s", out)
			}
			if !strings.Contains(string(out), "WARNING: DATA RACE") || !strings.Contains(string(out), tt.want) {
				t.Fatalf("want a data race in %s:\n%s", tt.want, out)
			}
		})
	}
}
