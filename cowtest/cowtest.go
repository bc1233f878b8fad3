// Package cowtest property-tests the sharing semantics of copy-on-write
// handle types with rapid (pgregory.net/rapid).
//
// You describe a handle type H and a plain Go model M of what one handle
// holds, in a [Spec]: how to make an empty handle, Clone it, Release it and
// observe it as a model, plus the operations to try, each applied to a handle
// and to that handle's own model. [Spec.Property] then runs random sequences
// of Clone, Release and operations over many live handles, and after every
// step compares every live handle, old clones included, with its model. It
// catches, among others:
//
//   - a write that leaks into a clone, or from a clone into its source;
//   - a Release that disturbs a handle that survives it;
//   - a released handle that is not empty, or not usable;
//   - with [Spec.CheckAllocs], a Clone that allocates more than once, or an
//     operation declared [Op.AllocFree] that allocates on an unshared handle.
//
// Failures shrink, as rapid's always do, to a short sequence of steps, which
// the harness logs one per line ("h1 := h0.Clone()", "h0.Set(...)").
//
// # Use
//
//	func TestSharing(t *testing.T) { cowtest.Check(t, spec) }
//	func FuzzSharing(f *testing.F) { f.Fuzz(rapid.MakeFuzz(spec.Property)) }
//
// cowkit's own types (cowslice, cowmap, cowstring, btree, pagearena) are
// tested this way, and so can be any type that promises implicit sharing.
package cowtest

import (
	"fmt"
	"reflect"
	"runtime"
	"testing"

	"pgregory.net/rapid"
)

// Spec describes a copy-on-write handle type H, whose values are handles
// (usually pointers), and its model M, a plain Go value that one handle should
// be equal to.
//
// New, Clone, Release, Model, CloneModel and at least one Op are required.
type Spec[H, M any] struct {
	// New returns a new, empty handle.
	New func() H
	// Clone returns a second handle that shares h's contents.
	Clone func(h H) H
	// Release drops h's share; h must then be empty and usable.
	Release func(h H)
	// Model observes h as a model. It must not change h.
	Model func(h H) M
	// CloneModel returns an independent deep copy of m. Ops change models in
	// place, so it must not share anything an Op writes.
	CloneModel func(m M) M
	// Empty returns the model of a released handle, for types where that
	// differs from a new handle (a released pagearena.Arena has size 0, a
	// new one its size). If nil, it is the model of a handle made by New.
	Empty func() M
	// Diff returns a description of how got differs from want, or "" when
	// they are equal. If nil, reflect.DeepEqual decides and both are printed
	// with %v. A wrapper around go-cmp's cmp.Diff fits here.
	Diff func(want, got M) string
	// Invariant, if not nil, checks the internal invariants of all the live
	// handles together (refcounts equal to the number of sharers, ordering,
	// fill). It runs after every step.
	Invariant func(live []H) error
	// Ops are the operations to try.
	Ops []Op[H, M]

	// MaxHandles bounds the number of live handles (default 8). A Clone
	// step at the limit clones nothing; the check after it still runs.
	MaxHandles int

	// CheckAllocs turns on the allocation checks: every Clone must allocate
	// at most once, and every Op marked AllocFree must allocate nothing when
	// applied to a handle that Shared reports as unshared. Allocations are
	// the difference in runtime.MemStats.Mallocs across one call, with no
	// warm-up run first, while GOMAXPROCS is 1 (for the whole property).
	// testing.AllocsPerRun differs: it makes a warm-up call first and
	// averages over many, so an allocation made only on a first call (a
	// lazily built cache, say) fails here but not there.
	CheckAllocs bool
	// Shared reports whether h shares storage with another handle. It is
	// required when CheckAllocs is set.
	Shared func(h H) bool
}

// Op is one operation the harness may apply to a handle.
type Op[H, M any] struct {
	// Name names the operation in rapid's action log.
	Name string
	// Draw draws the operation's arguments with t for a handle whose model is
	// m, and returns the step that applies them. Draw must not change m.
	Draw func(t *rapid.T, m M) Step[H, M]
	// AllocFree declares that Step.Apply allocates nothing when the handle
	// does not share its storage: an in-place write or a read. It is
	// checked when Spec.CheckAllocs is set.
	AllocFree bool
}

// Step is one drawn application of an Op.
type Step[H, M any] struct {
	// Apply applies the operation to the handle, and fails t if a result the
	// operation returns differs from what the model predicts.
	Apply func(t *rapid.T, h H)
	// Model applies the operation to the handle's model and returns the new
	// model. It may change m in place.
	Model func(m M) M
	// Label describes the step in the log, as "Set(3, 7)". If empty, the Op's
	// name is used.
	Label string
}

// Check runs spec.Property as a rapid property test of t.
// An invalid spec (a required field left nil) panics before anything runs.
func Check[H, M any](t *testing.T, spec Spec[H, M]) {
	t.Helper()
	spec.validate()
	rapid.Check(t, spec.Property)
}

type handle[H, M any] struct {
	id    int
	h     H
	model M
}

type machine[H, M any] struct {
	spec   *Spec[H, M]
	live   []*handle[H, M]
	nextID int
	// empty is the model of a released handle.
	empty M
}

// Property is one rapid test case: it starts with one empty handle, then runs
// a random sequence of Clone, Release and the spec's operations, checking
// every live handle against its model after every step. Pass it to
// rapid.Check, or to rapid.MakeFuzz for a fuzz target.
func (spec Spec[H, M]) Property(t *rapid.T) {
	spec.validate()
	if spec.MaxHandles <= 0 {
		spec.MaxHandles = 8
	}
	if spec.CheckAllocs {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	}
	m := &machine[H, M]{spec: &spec}
	probe := spec.New()
	initial := spec.Model(probe)
	spec.Release(probe)
	m.empty = initial
	if spec.Empty != nil {
		m.empty = spec.Empty()
	}
	m.add(spec.New(), spec.CloneModel(initial))
	t.Logf("h0 := New()")

	actions := map[string]func(*rapid.T){
		"":        m.check,
		"Clone":   m.clone,
		"Release": m.release,
	}
	for i := range spec.Ops {
		op := &spec.Ops[i]
		actions["op:"+op.Name] = func(t *rapid.T) { m.apply(t, op) }
	}
	t.Repeat(actions)
}

func (spec *Spec[H, M]) validate() {
	switch {
	case spec.New == nil, spec.Clone == nil, spec.Release == nil, spec.Model == nil, spec.CloneModel == nil:
		panic("cowtest: Spec needs New, Clone, Release, Model and CloneModel")
	case len(spec.Ops) == 0:
		panic("cowtest: Spec has no Ops")
	case spec.CheckAllocs && spec.Shared == nil:
		panic("cowtest: Spec.CheckAllocs needs Spec.Shared")
	}
	for _, op := range spec.Ops {
		if op.Name == "" || op.Draw == nil {
			panic("cowtest: every Op needs a Name and a Draw")
		}
	}
}

func (m *machine[H, M]) add(h H, model M) *handle[H, M] {
	x := &handle[H, M]{id: m.nextID, h: h, model: model}
	m.nextID++
	m.live = append(m.live, x)
	return x
}

func (m *machine[H, M]) pick(t *rapid.T) (int, *handle[H, M]) {
	i := rapid.IntRange(0, len(m.live)-1).Draw(t, "handle")
	return i, m.live[i]
}

func (m *machine[H, M]) clone(t *rapid.T) {
	if len(m.live) >= m.spec.MaxHandles {
		// At the limit the step clones nothing, and only the check that
		// follows every step runs. It must not skip: an action that skips
		// before drawing anything is one rapid retries, and gives up on
		// after 100 tries, so an input that keeps choosing Clone (a fuzzer
		// finds one in seconds) would fail with "can't find a valid
		// action". Nor does it draw, so that rapid shrinks across it freely.
		t.Logf("(no Clone: %d live handles, the limit)", len(m.live))
		return
	}
	_, src := m.pick(t)
	t.Logf("h%d := h%d.Clone()", m.nextID, src.id)
	var c H
	if m.spec.CheckAllocs {
		n := allocs(func() { c = m.spec.Clone(src.h) })
		if n > 1 {
			t.Fatalf("h%d.Clone(): %d allocs, want at most 1", src.id, n)
		}
	} else {
		c = m.spec.Clone(src.h)
	}
	m.add(c, m.spec.CloneModel(src.model))
}

func (m *machine[H, M]) release(t *rapid.T) {
	i, x := m.pick(t)
	// A released handle must stay usable; keep some of them in play.
	if keep := rapid.Bool().Draw(t, "keep") || len(m.live) == 1; !keep {
		m.forget(t, i, x)
		return
	}
	t.Logf("h%d.Release()", x.id)
	m.spec.Release(x.h)
	x.model = m.spec.CloneModel(m.empty)
}

// forget releases the live handle x, at index i, checks it once and takes
// it out of play.
func (m *machine[H, M]) forget(t *rapid.T, i int, x *handle[H, M]) {
	t.Logf("h%d.Release(); forget h%d", x.id, x.id)
	m.spec.Release(x.h)
	x.model = m.spec.CloneModel(m.empty)
	m.compare(t, x)
	m.live = append(m.live[:i], m.live[i+1:]...)
}

func (m *machine[H, M]) apply(t *rapid.T, op *Op[H, M]) {
	_, x := m.pick(t)
	step := op.Draw(t, x.model)
	label := step.Label
	if label == "" {
		label = op.Name
	}
	t.Logf("h%d.%s", x.id, label)
	if m.spec.CheckAllocs && op.AllocFree && !m.spec.Shared(x.h) {
		if n := allocs(func() { step.Apply(t, x.h) }); n > 0 {
			t.Fatalf("h%d.%s on an unshared handle: %d allocs, want 0", x.id, label, n)
		}
	} else {
		step.Apply(t, x.h)
	}
	x.model = step.Model(x.model)
}

// check compares every live handle with its model, then runs the invariant
// checker over all of them.
func (m *machine[H, M]) check(t *rapid.T) {
	for _, x := range m.live {
		m.compare(t, x)
	}
	if m.spec.Invariant != nil {
		hs := make([]H, len(m.live))
		for i, x := range m.live {
			hs[i] = x.h
		}
		if err := m.spec.Invariant(hs); err != nil {
			t.Fatalf("invariant broken: %v", err)
		}
	}
}

func (m *machine[H, M]) compare(t *rapid.T, x *handle[H, M]) {
	got := m.spec.Model(x.h)
	if m.spec.Diff != nil {
		if d := m.spec.Diff(x.model, got); d != "" {
			t.Fatalf("h%d differs from its model (-want +got):\n%s", x.id, d)
		}
		return
	}
	if !reflect.DeepEqual(x.model, got) {
		t.Fatalf("h%d differs from its model:\nwant %v\ngot  %v", x.id, x.model, got)
	}
}

// allocs returns the number of heap allocations made during one call of f:
// the difference in runtime.MemStats.Mallocs, with no warm-up call and no
// averaging (unlike testing.AllocsPerRun). The caller has set GOMAXPROCS to
// 1, so that other goroutines' allocations are less likely to be counted.
func allocs(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.Mallocs - before.Mallocs
}

// Sprint formats a step label from an operation name and its arguments:
// Sprint("Set", 3, 7) is "Set(3, 7)".
func Sprint(name string, args ...any) string {
	s := name + "("
	for i, a := range args {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprint(a)
	}
	return s + ")"
}
