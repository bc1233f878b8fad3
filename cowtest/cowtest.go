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
//   - with [Spec.Shared], a leaked share: a Release that does not drop its
//     count, a Clone that does not count, a write that copies without
//     dropping its old share (see "Sharing checks" below);
//   - with [Spec.CheckAllocs], a Clone that allocates more than once, or an
//     operation declared [Op.AllocFree] that allocates on an unshared handle.
//
// [Spec.Concurrent] tests the concurrency promise instead: clones of one
// handle written on different goroutines at once, with no locks (see
// "Concurrency" below).
//
// Failures shrink, as rapid's always do, to a short sequence of steps, which
// the harness logs one per line ("h1 := h0.Clone()", "h0.Set(...)"), and a
// handle that differs from its model is shown as a go-cmp diff.
//
// # Use
//
//	func TestSharing(t *testing.T)    { cowtest.Check(t, spec) }
//	func TestConcurrent(t *testing.T) { cowtest.CheckConcurrent(t, spec) } // run with -race
//	func FuzzSharing(f *testing.F)    { f.Fuzz(rapid.MakeFuzz(spec.Property)) }
//
// cowkit's own types (cowslice, cowmap, cowstring, btree, pagearena) are
// tested this way, and so can be any type that promises implicit sharing.
//
// # Sharing checks
//
// The harness knows every handle's lineage: which handle was cloned from
// which, and what each has done since. When the Spec gives Shared, it checks
// Shared against that lineage for every live handle after every step. Two
// checks exist, chosen with [Spec.Sharing]:
//
//   - [WholeBuffer] (the default) is exact, for types that share all of
//     their storage or none of it (cowslice, cowmap, cowstring, a refcounted
//     buffer). The handles that share one buffer form a group: a Clone joins
//     its source's group, and a write (any step not marked Read) or a Release
//     leaves it. Shared(h) must be true exactly when h's group has another
//     live member. A handle that holds nothing (its model equal to the model
//     of a new handle or of a released one, see [Spec.Empty]) may have no
//     storage to share, so for it only the second half is checked: alone,
//     it must report unshared. A type that shares nothing for some contents
//     that are not empty (a small string kept inline in the handle) is not
//     whole-buffer: give it Structural.
//   - [Structural] is for types that share part of their storage after a
//     write (a B-tree shares the subtrees a write did not copy, an arena the
//     pages it did not write). A handle's relatives are the live handles
//     connected to it by Clones since its last Release; writes do not part
//     them. A handle with no live relative must report unshared. It catches
//     a Release that does not drop its share and a Clone that counts on the
//     wrong storage, but not a write that copies without dropping its old
//     share until the handles part by a Release.
//
// [Unchecked] turns the check off (Shared then only guards the allocation
// checks). Reads must be marked [Op.Read] or [Step.Read] for the exact
// check: a read, or a write that changes nothing and that the type promises
// not to copy (deleting an absent key), keeps the handle in its group, and
// so does a write marked [Step.KeepsShare] (one that narrows the handle's
// view of storage it still shares).
//
// # Concurrency
//
// [Spec.Concurrent] (and [CheckConcurrent]) is a separate property. It
// fills one source handle with random operations, makes [Spec.Workers]
// clones of it (at least 4) and draws, ahead of time on the test's
// goroutine, a random plan for each: operations, Clones and Releases of
// sub-clones, and checkpoints at which the worker compares each of its
// handles with its model. Then every worker runs its plan on its own
// goroutine, all at once, while the test's goroutine keeps reading the
// source, cloning it and releasing the clone. At the end every handle is
// compared with its model, the source with its unchanged one, and the
// sharing check and [Spec.Invariant] run over all of them.
//
// Run it with -race: the race detector is what catches a count that is not
// atomic, or a write to storage that another goroutine's clone still
// reads; the models catch a write that shows through in another handle.
// Because the plans are drawn before the workers start, an Op's Draw may
// call rapid as usual, but the Step it returns must keep what Apply needs
// in variables of its own: Apply runs later, on a worker, and must not
// read the model m; and Step.Model, which runs when the plan is drawn, must
// not depend on what Apply did. An outcome that depends on the other
// goroutines (a limit shared by all clones) cannot be modelled this way.
// Allocation checks do not run in this mode.
//
// # Allocation checks
//
// With [Spec.CheckAllocs], allocations are counted as the difference in
// runtime.MemStats.Mallocs across a call, while GOMAXPROCS is 1 (for the
// whole property), so that other goroutines rarely run during the call:
//
//   - a Clone must allocate at most once. A Clone that allocated more is
//     measured again, up to five calls in all (each extra clone is released
//     before the next call), and the fewest allocations count, so a stray
//     allocation of the runtime or a first-call cache does not fail it;
//   - a step of an Op marked AllocFree, on a handle that Shared reports as
//     unshared, must allocate nothing. A read (Read set) is repeated in the
//     same way, up to five calls, and the fewest count. A write cannot be
//     repeated: it is measured once, and the first measured write of each
//     Op in a test case is a warm-up that is not checked. A read
//     marked AllocFree is checked on a shared handle too: reading never
//     copies.
//
// testing.AllocsPerRun, for comparison, makes one warm-up call and then
// averages over many calls of the same function.
//
// GOMAXPROCS is a setting of the whole process: do not run a property
// with CheckAllocs beside tests that call t.Parallel, which would run at
// GOMAXPROCS 1 meanwhile, or could leave it there.
//
// # Failures and testdata/rapid
//
// On a failure rapid saves the failing input under testdata/rapid/<test
// name>/ in the package directory of the test, and prints the -rapid.failfile
// flag that replays it. Every later run of the test replays each file
// saved there before its random cases, so committed files are regression
// cases. Add testdata/rapid/ to .gitignore if they are not wanted, or pass
// -rapid.nofailfile (or set RAPID_NOFAILFILE=1) not to write the file.
//
// An Op's Apply may fail t (Fatalf and the like) but must not Skip: a
// skip is rapid's way to drop a test case, which the concurrent mode
// reports as a failure.
// -rapid.checks sets the number of test cases (100 by default) and
// -rapid.steps the average number of steps in each.
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
	// they are equal. If nil, reflect.DeepEqual decides, and a difference
	// is shown as go-cmp's cmp.Diff shows it (or both models printed with
	// %v, for a model go-cmp cannot compare, one with unexported fields).
	Diff func(want, got M) string
	// Invariant, if not nil, checks the internal invariants of all the live
	// handles together (refcounts equal to the number of sharers, ordering,
	// fill). It runs after every step.
	Invariant func(live []H) error
	// Ops are the operations to try.
	Ops []Op[H, M]

	// MaxHandles bounds the number of live handles (default 8). A Clone
	// step at the limit clones nothing; the check after it still runs. In
	// Concurrent it bounds each worker's handles.
	MaxHandles int

	// Shared reports whether h shares storage with another handle. If it
	// is set, the harness checks it against the handles' lineage after
	// every step, as Sharing says (see "Sharing checks" in the package
	// doc). It is required when CheckAllocs is set.
	Shared func(h H) bool
	// Sharing selects the check of Shared: WholeBuffer (the zero value,
	// exact), Structural or Unchecked.
	Sharing Sharing

	// CheckAllocs turns on the allocation checks: every Clone must allocate
	// at most once, and every Op marked AllocFree must allocate nothing when
	// applied to a handle that Shared reports as unshared. The package doc
	// ("Allocation checks") says exactly what is measured.
	CheckAllocs bool

	// Workers is the number of goroutines [Spec.Concurrent] runs, each
	// with its own clone of the source. The default, and the least it
	// runs, is 4.
	Workers int
}

// Sharing selects how the harness checks Spec.Shared against the handles'
// lineage. The package doc ("Sharing checks") says which to use when.
type Sharing int

const (
	// WholeBuffer is the exact check, for types that share all of their
	// storage or none of it: Shared(h) must be true exactly when a live
	// handle shares h's storage by the lineage (for a handle that holds
	// nothing, only the "false when alone" half is checked).
	WholeBuffer Sharing = iota
	// Structural is the weaker check, for types that still share part of
	// their storage after a write: a handle with no live relative since its
	// last Release must report unshared.
	Structural
	// Unchecked checks nothing: Shared only guards the allocation checks.
	Unchecked
)

// Op is one operation the harness may apply to a handle.
type Op[H, M any] struct {
	// Name names the operation in rapid's action log.
	Name string
	// Draw draws the operation's arguments with t for a handle whose model is
	// m, and returns the step that applies them. Draw must not change m.
	Draw func(t *rapid.T, m M) Step[H, M]
	// AllocFree declares that Step.Apply allocates nothing when the handle
	// does not share its storage: an in-place write or a read (a read,
	// shared or not). It is checked when Spec.CheckAllocs is set.
	AllocFree bool
	// Read declares that every step of the Op leaves the handle's contents
	// and its sharing as they were: a read, which copies nothing and keeps
	// the handle's share. The exact sharing check relies on it: a step not
	// marked Read is taken to be a write, after which the handle shares
	// nothing with its old group. A read's model function still runs.
	Read bool
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
	// Read marks this step as a read, as Op.Read marks all of an Op's
	// steps: for a write that changes nothing and that the type promises
	// not to copy, such as Delete of an absent key. A read may be applied
	// more than once (see "Allocation checks" in the package doc).
	Read bool
	// KeepsShare marks a write that keeps the handle's share of its
	// storage: one that only narrows the handle's own view of it, as
	// cowstring's Delete of a prefix moves the handle's start. The exact
	// sharing check keeps the handle in its group, as after a read.
	KeepsShare bool
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
	// grp is the set of live handles that share storage with this one by
	// the lineage: its group (WholeBuffer) or its relatives (Structural).
	grp *group[H, M]
}

// group is a set of live handles in the lineage. Every tracked handle is
// in exactly one group.
type group[H, M any] struct {
	members []*handle[H, M]
}

// join puts x into g.
func (g *group[H, M]) join(x *handle[H, M]) {
	x.grp = g
	g.members = append(g.members, x)
}

// part takes x out of its group. If alone, x goes into a new group of its own.
func (x *handle[H, M]) part(alone bool) {
	g := x.grp
	for i, y := range g.members {
		if y == x {
			g.members = append(g.members[:i:i], g.members[i+1:]...)
			break
		}
	}
	x.grp = nil
	if alone {
		(&group[H, M]{}).join(x)
	}
}

// others returns the ids of the other live handles in x's group.
func (x *handle[H, M]) others() []int {
	var ids []int
	for _, y := range x.grp.members {
		if y != x {
			ids = append(ids, y.id)
		}
	}
	return ids
}

type machine[H, M any] struct {
	spec   *Spec[H, M]
	live   []*handle[H, M]
	nextID int
	// initial is the model of a new handle, empty that of a released one.
	initial, empty M
	// warmed holds the Ops whose first write has been measured.
	warmed map[*Op[H, M]]bool
}

// Property is one rapid test case: it starts with one empty handle, then runs
// a random sequence of Clone, Release and the spec's operations, checking
// every live handle against its model after every step. Pass it to
// rapid.Check, or to rapid.MakeFuzz for a fuzz target.
func (spec Spec[H, M]) Property(t *rapid.T) {
	m := newMachine(&spec)
	if spec.CheckAllocs {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	}
	m.add(spec.New(), spec.CloneModel(m.initial), nil)
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

// newMachine validates spec, fills in its defaults and returns a machine
// with no handles.
func newMachine[H, M any](spec *Spec[H, M]) *machine[H, M] {
	spec.validate()
	if spec.MaxHandles <= 0 {
		spec.MaxHandles = 8
	}
	if spec.Workers < minWorkers {
		spec.Workers = minWorkers
	}
	m := &machine[H, M]{spec: spec, warmed: map[*Op[H, M]]bool{}}
	probe := spec.New()
	m.initial = spec.Model(probe)
	spec.Release(probe)
	m.empty = m.initial
	if spec.Empty != nil {
		m.empty = spec.Empty()
	}
	return m
}

func (spec *Spec[H, M]) validate() {
	switch {
	case spec.New == nil, spec.Clone == nil, spec.Release == nil, spec.Model == nil, spec.CloneModel == nil:
		panic("cowtest: Spec needs New, Clone, Release, Model and CloneModel")
	case len(spec.Ops) == 0:
		panic("cowtest: Spec has no Ops")
	case spec.CheckAllocs && spec.Shared == nil:
		panic("cowtest: Spec.CheckAllocs needs Spec.Shared")
	case spec.Sharing < WholeBuffer || spec.Sharing > Unchecked:
		panic(fmt.Sprintf("cowtest: Spec.Sharing is %d, not WholeBuffer, Structural or Unchecked", spec.Sharing))
	}
	for _, op := range spec.Ops {
		if op.Name == "" || op.Draw == nil {
			panic("cowtest: every Op needs a Name and a Draw")
		}
	}
}

// add makes h, with its model, a live handle: in src's group if src is
// not nil (a clone), else in a group of its own.
func (m *machine[H, M]) add(h H, model M, src *handle[H, M]) *handle[H, M] {
	x := &handle[H, M]{id: m.nextID, h: h, model: model}
	m.nextID++
	m.live = append(m.live, x)
	if src != nil {
		src.grp.join(x)
	} else {
		(&group[H, M]{}).join(x)
	}
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
		n := fewestAllocs(cloneRuns, 1, func() { c = m.spec.Clone(src.h) }, func() { m.spec.Release(c) })
		if n > 1 {
			t.Fatalf("h%d.Clone(): %d allocs, want at most 1 (the fewest of %d calls)", src.id, n, cloneRuns)
		}
	} else {
		c = m.spec.Clone(src.h)
	}
	m.add(c, m.spec.CloneModel(src.model), src)
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
	x.part(true)
}

// forget releases the live handle x, at index i, checks it once and takes
// it out of play.
func (m *machine[H, M]) forget(t *rapid.T, i int, x *handle[H, M]) {
	t.Logf("h%d.Release(); forget h%d", x.id, x.id)
	m.spec.Release(x.h)
	x.model = m.spec.CloneModel(m.empty)
	x.part(true)
	m.compare(t, x)
	m.checkShared(t, x)
	x.part(false)
	m.live = append(m.live[:i], m.live[i+1:]...)
}

func (m *machine[H, M]) apply(t *rapid.T, op *Op[H, M]) {
	_, x := m.pick(t)
	m.applyTo(t, op, x)
}

// applyTo draws a step of op for x, applies it to x and to x's model, and
// takes x out of its group if the step writes.
func (m *machine[H, M]) applyTo(t *rapid.T, op *Op[H, M], x *handle[H, M]) {
	step := op.Draw(t, x.model)
	label := step.Label
	if label == "" {
		label = op.Name
	}
	read := op.Read || step.Read
	t.Logf("h%d.%s", x.id, label)
	m.measure(t, op, step, read, x, label)
	x.model = step.Model(x.model)
	if !read && !step.KeepsShare && m.spec.Sharing == WholeBuffer {
		x.part(true) // a write copies the handle's storage, if it was shared
	}
}

// check compares every live handle with its model, runs the invariant
// checker over all of them, then checks Shared against the lineage.
func (m *machine[H, M]) check(t *rapid.T) {
	for _, x := range m.live {
		m.compare(t, x)
	}
	m.invariant(t, m.live)
	for _, x := range m.live {
		m.checkShared(t, x)
	}
}

func (m *machine[H, M]) invariant(t *rapid.T, live []*handle[H, M]) {
	if m.spec.Invariant == nil {
		return
	}
	hs := make([]H, len(live))
	for i, x := range live {
		hs[i] = x.h
	}
	if err := m.spec.Invariant(hs); err != nil {
		t.Fatalf("invariant broken: %v", err)
	}
}

func (m *machine[H, M]) compare(t *rapid.T, x *handle[H, M]) {
	if d := m.differs(x.model, m.spec.Model(x.h)); d != "" {
		t.Fatalf("h%d differs from its model (-want +got):\n%s", x.id, d)
	}
}

// checkShared fails t if x's Shared contradicts its lineage.
func (m *machine[H, M]) checkShared(t *rapid.T, x *handle[H, M]) {
	if msg := m.sharingError(x); msg != "" {
		t.Fatal(msg)
	}
}

// sharingError returns why Shared(x) contradicts x's lineage, or "" if it
// does not (see "Sharing checks" in the package doc).
func (m *machine[H, M]) sharingError(x *handle[H, M]) string {
	spec := m.spec
	if spec.Shared == nil || spec.Sharing == Unchecked {
		return ""
	}
	shared, others := spec.Shared(x.h), x.others()
	switch {
	case shared && len(others) == 0 && spec.Sharing == WholeBuffer:
		return fmt.Sprintf("h%d.Shared() = true, but no live handle shares its storage: "+
			"each one it shared with was released or written since (a Release that keeps its count, "+
			"or a write that copies without dropping its old share? a step that neither changes "+
			"nor copies the handle must be marked Read)", x.id)
	case shared && len(others) == 0:
		return fmt.Sprintf("h%d.Shared() = true, but it has no live relative: every handle "+
			"cloned from it or it from, since its last Release, was released (a Release "+
			"that keeps its count?)", x.id)
	case !shared && len(others) > 0 && spec.Sharing == WholeBuffer &&
		m.differs(m.empty, x.model) != "" && m.differs(m.initial, x.model) != "":
		return fmt.Sprintf("h%d.Shared() = false, but it shares its storage with h%v: "+
			"cloned, and neither written nor released since (a Clone that does not count "+
			"its share, or a step marked Read that copies?)", x.id, others[0])
	}
	return ""
}

// differs returns "" if got equals want, else a description of the
// difference.
func (m *machine[H, M]) differs(want, got M) string {
	if m.spec.Diff != nil {
		return m.spec.Diff(want, got)
	}
	if reflect.DeepEqual(want, got) {
		return ""
	}
	return describe(want, got)
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
