package cowtest_test

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"pgregory.net/rapid"

	"github.com/cowkit/cowkit/cowtest"
	"github.com/cowkit/cowkit/internal/refcount"
)

// box is a small copy-on-write slice of ints with switchable faults, so that
// the tests can show the harness catching each kind of broken sharing.
type box struct {
	r     refcount.Ref[[]int]
	fault fault
	pad   *[4]int
}

type fault int

const (
	correct        fault = iota
	leakWrite            // Set writes in place even when shared
	clearOnRelease       // Release zeroes the shared elements
	forgetRelease        // Release does not drop its share (a leaked count)
	cloneAllocs2         // Clone allocates twice
	copyAlways           // Set copies even when unshared
)

func (b *box) Clone() *box {
	c := &box{r: b.r.Share(), fault: b.fault}
	if b.fault == cloneAllocs2 {
		c.pad = new([4]int)
	}
	return c
}

func (b *box) Release() {
	switch b.fault {
	case clearOnRelease:
		clear(b.r.Data)
	case forgetRelease:
		b.r = refcount.Ref[[]int]{}
		return
	}
	b.r.Drop()
}

func (b *box) Set(i, v int) {
	if b.fault == copyAlways || (b.fault != leakWrite && !b.r.Unique()) {
		b.r.Replace(slices.Clone(b.r.Data))
	}
	b.r.Data[i] = v
}

func (b *box) Append(v int) {
	if b.r.Unique() {
		b.r.Data = append(b.r.Data, v)
		return
	}
	d := b.r.Data
	b.r.Replace(append(d[:len(d):len(d)], v))
}

// holders checks that every count equals the number of live boxes holding it.
func holders(live []*box) error {
	n := map[*refcount.Count]int{}
	for _, b := range live {
		if c := b.r.Count(); c != nil {
			n[c]++
		}
	}
	for c, k := range n {
		if c.Load() != k {
			return fmt.Errorf("count %d, held by %d live boxes", c.Load(), k)
		}
	}
	return nil
}

func boxSpec(f fault, checkAllocs bool) cowtest.Spec[*box, []int] {
	type step = cowtest.Step[*box, []int]
	return cowtest.Spec[*box, []int]{
		New:         func() *box { return &box{fault: f} },
		Clone:       (*box).Clone,
		Release:     (*box).Release,
		Model:       func(b *box) []int { return slices.Clone(b.r.Data) },
		CloneModel:  slices.Clone[[]int],
		Empty:       func() []int { return nil },
		Invariant:   holders,
		CheckAllocs: checkAllocs,
		Shared:      func(b *box) bool { return b.r.Shared() },
		Ops: []cowtest.Op[*box, []int]{
			{Name: "Set", AllocFree: true, Draw: func(t *rapid.T, m []int) step {
				if len(m) == 0 {
					t.Skip("empty")
				}
				i := rapid.IntRange(0, len(m)-1).Draw(t, "i")
				v := rapid.IntRange(1, 9).Draw(t, "v")
				return step{
					Label: cowtest.Sprint("Set", i, v),
					Apply: func(_ *rapid.T, b *box) { b.Set(i, v) },
					Model: func(m []int) []int { m[i] = v; return m },
				}
			}},
			{Name: "Append", Draw: func(t *rapid.T, m []int) step {
				v := rapid.IntRange(1, 9).Draw(t, "v")
				return step{
					Label: cowtest.Sprint("Append", v),
					Apply: func(_ *rapid.T, b *box) { b.Append(v) },
					Model: func(m []int) []int { return append(m, v) },
				}
			}},
		},
	}
}

// recorder is a rapid.TB that keeps what a failing property reports instead
// of failing the real test.
type recorder struct {
	name   string
	mu     sync.Mutex
	failed bool
	errors []string
	logs   []string
}

func (r *recorder) Helper()                    {}
func (r *recorder) Name() string               { return r.name }
func (r *recorder) Logf(f string, args ...any) { r.Log(fmt.Sprintf(f, args...)) }
func (r *recorder) Log(args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logs = append(r.logs, fmt.Sprint(args...))
}
func (r *recorder) Skipf(string, ...any) {}
func (r *recorder) Skip(...any)          {}
func (r *recorder) SkipNow()             {}
func (r *recorder) Errorf(f string, args ...any) {
	r.Error(fmt.Sprintf(f, args...))
}
func (r *recorder) Error(args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = true
	r.errors = append(r.errors, fmt.Sprint(args...))
}
func (r *recorder) Fatalf(f string, args ...any) { r.Errorf(f, args...) }
func (r *recorder) Fatal(args ...any)            { r.Error(args...) }
func (r *recorder) FailNow()                     { r.Fail() }
func (r *recorder) Fail()                        { r.mu.Lock(); r.failed = true; r.mu.Unlock() }
func (r *recorder) Failed() bool                 { r.mu.Lock(); defer r.mu.Unlock(); return r.failed }

// steps returns the harness's step lines from the replay of the shrunk
// failure: every line but the initial "h0 := New()".
func (r *recorder) steps() []string {
	re := regexp.MustCompile(`^h\d+( := h\d+\.Clone\(\)|\.\w+\(.*\)(; forget h\d+)?)$`)
	var out []string
	for _, l := range r.logs {
		if re.MatchString(l) {
			out = append(out, l)
		}
	}
	return out
}

// run checks spec with a recorder in place of t, and removes the fail file
// rapid saves for the expected failure.
func run(t *testing.T, name string, spec cowtest.Spec[*box, []int]) *recorder {
	t.Helper()
	t.Cleanup(func() { os.RemoveAll("testdata") })
	r := &recorder{name: "cowtest_selftest_" + name}
	rapid.Check(r, spec.Property)
	return r
}

var faultTests = []struct {
	name        string
	fault       fault
	checkAllocs bool
	want        string // "" means the property must pass
}{
	{"correct", correct, false, ""},
	{"correct with alloc checks", correct, true, ""},
	{"write leaks into clone", leakWrite, false, "differs from its model"},
	{"release disturbs survivor", clearOnRelease, false, "differs from its model"},
	{"release leaks a share", forgetRelease, false, "invariant broken: count 2, held by 1 live boxes"},
	{"clone allocates twice", cloneAllocs2, true, "Clone(): 2 allocs, want at most 1"},
	{"clone allocs unchecked", cloneAllocs2, false, ""},
	{"unshared write copies", copyAlways, true, "on an unshared handle: 1 allocs, want 0"},
}

// maxShrunkSteps is the longest shrunk failure the self-tests accept. The
// shortest failures are 1 to 3 steps; the unshrunk ones run to dozens.
const maxShrunkSteps = 8

func TestHarnessCatchesFaults(t *testing.T) {
	for _, tt := range faultTests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, fmt.Sprint(tt.fault, tt.checkAllocs), boxSpec(tt.fault, tt.checkAllocs))
			if tt.want == "" {
				if r.Failed() {
					t.Fatalf("a correct type failed:\n%s\n%s", strings.Join(r.errors, "\n"), strings.Join(r.logs, "\n"))
				}
				return
			}
			if !r.Failed() {
				t.Fatalf("the harness missed the fault %q", tt.name)
			}
			if msg := strings.Join(r.errors, "\n"); !strings.Contains(msg, tt.want) {
				t.Errorf("failure message = %q, want it to contain %q", msg, tt.want)
			}
			// rapid shrinks the failure to the few steps that show it.
			if steps := r.steps(); len(steps) == 0 || len(steps) > maxShrunkSteps {
				t.Errorf("shrunk failure has %d steps, want 1 to %d:\n%s", len(steps), maxShrunkSteps, strings.Join(steps, "\n"))
			}
		})
	}
}

// The shrunk failure of a leaking write reads as the textbook case: a clone,
// then a write that shows through it. Most runs shrink to exactly
// "h0.Append(1); h1 := h0.Clone(); h0.Set(0, 2)"; rapid's shrinker is a
// heuristic and now and then stops at a few more steps, so the bound is loose.
func TestShrinksToMinimalLeak(t *testing.T) {
	r := run(t, "minimal", boxSpec(leakWrite, false))
	steps := r.steps()
	if len(steps) < 3 || len(steps) > maxShrunkSteps {
		t.Fatalf("shrunk failure has %d steps, want 3 to %d: %q", len(steps), maxShrunkSteps, steps)
	}
	clone := slices.IndexFunc(steps, func(s string) bool { return strings.HasSuffix(s, ".Clone()") })
	if last := steps[len(steps)-1]; clone < 0 || !regexp.MustCompile(`^h\d+\.Set\(0, [2-9]\)$`).MatchString(last) {
		t.Errorf("shrunk steps = %q, want a Clone and then a Set that leaks", steps)
	}
}

func TestSpecValidation(t *testing.T) {
	broken := []struct {
		name string
		edit func(*cowtest.Spec[*box, []int])
		want string
	}{
		{"no New", func(s *cowtest.Spec[*box, []int]) { s.New = nil }, "cowtest: Spec needs New, Clone, Release, Model and CloneModel"},
		{"no Ops", func(s *cowtest.Spec[*box, []int]) { s.Ops = nil }, "cowtest: Spec has no Ops"},
		{"no Shared", func(s *cowtest.Spec[*box, []int]) { s.Shared = nil }, "cowtest: Spec.CheckAllocs needs Spec.Shared"},
		{"unnamed Op", func(s *cowtest.Spec[*box, []int]) { s.Ops[0].Name = "" }, "cowtest: every Op needs a Name and a Draw"},
	}
	for _, tt := range broken {
		t.Run(tt.name, func(t *testing.T) {
			spec := boxSpec(correct, true)
			tt.edit(&spec)
			defer func() {
				if r := recover(); r != tt.want {
					t.Errorf("panic = %v, want %q", r, tt.want)
				}
			}()
			cowtest.Check(t, spec)
		})
	}
}

func FuzzHarness(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	f.Fuzz(rapid.MakeFuzz(boxSpec(correct, false).Property))
}

// TestConstantFuzzInputs: inputs that repeat one byte make rapid draw the
// same choice again and again, which a fuzzer finds in seconds. When a
// Clone at MaxHandles skipped, many of them (0x02, 0x04, ...) chose Clone
// forever, and rapid failed the test with "can't find a valid
// (non-skipped) action" though nothing was wrong. An input that rapid
// finds invalid is skipped, never failed.
func TestConstantFuzzInputs(t *testing.T) {
	prop := rapid.MakeFuzz(boxSpec(correct, false).Property)
	for b := range 256 {
		t.Run(fmt.Sprintf("x+%#02x", b), func(t *testing.T) {
			prop(t, append([]byte("x"), bytes.Repeat([]byte{byte(b)}, 2000)...))
		})
	}
}

// TestMaxHandlesOne: with a limit of one handle every Clone step clones
// nothing, and the test still runs (a Clone that forgot a handle to make
// room once picked from none and panicked here).
func TestMaxHandlesOne(t *testing.T) {
	spec := boxSpec(correct, false)
	spec.MaxHandles = 1
	cowtest.Check(t, spec)
}
