package cowtest

import (
	"fmt"
	"reflect"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"testing"

	"pgregory.net/rapid"
)

// minWorkers is the least number of goroutines Concurrent runs, and
// sourceRounds the number of times the test's goroutine reads, clones and
// releases the source while they run.
const minWorkers, sourceRounds = 4, 8

// CheckConcurrent runs spec.Concurrent as a rapid property test of t. Run
// it with -race. An invalid spec panics before anything runs.
func CheckConcurrent[H, M any](t *testing.T, spec Spec[H, M]) {
	t.Helper()
	spec.validate()
	rapid.Check(t, spec.Concurrent)
}

type actKind int

const (
	actOp actKind = iota
	actClone
	actRelease
	actForget
	actCheck
)

// action is one planned step of a worker. slot is the index, in the
// worker's list of handles at that point, of the handle it acts on.
type action[H, M any] struct {
	kind  actKind
	slot  int
	step  Step[H, M]
	label string
	// want and ids are a checkpoint's models and handle ids, one for each
	// of the worker's handles, in slot order.
	want []M
	ids  []int
}

// worker is one goroutine's plan and handles: hs are its handles as
// planned, with their models at the end of the plan; first is the clone of
// the source it starts from.
type worker[H, M any] struct {
	n     int
	first H
	hs    []*handle[H, M]
	plan  []action[H, M]
}

// failure is what stopped a worker: a checkpoint that failed (msg) or a
// panic, such as rapid's when an Apply fails its *rapid.T.
type failure struct {
	at    string
	msg   string
	panic any
	stack []byte
}

// Concurrent is a rapid property for the concurrency promise: distinct
// handles may be used on different goroutines at once, with no locks, even
// while they share storage. It fills a source handle h0 with random
// operations, clones it once for each of Spec.Workers goroutines, draws a
// random plan for each (operations, Clones and Releases of sub-clones,
// checkpoints), runs the plans at once while this goroutine reads, clones
// and releases h0 eight times, and then checks every handle against its model, the
// sharing of each against the lineage, and Spec.Invariant. The package
// doc ("Concurrency") says what it catches; run it with -race. The
// allocation checks do not run in this mode.
func (spec Spec[H, M]) Concurrent(t *rapid.T) {
	spec.CheckAllocs = false
	m := newMachine(&spec)
	src := m.add(spec.New(), spec.CloneModel(m.initial), nil)
	t.Logf("h0 := New()")
	fill := map[string]func(*rapid.T){"": func(t *rapid.T) { m.compare(t, src) }}
	for i := range spec.Ops {
		op := &spec.Ops[i]
		fill["op:"+op.Name] = func(t *rapid.T) { m.applyTo(t, op, src) }
	}
	t.Repeat(fill)

	workers := make([]*worker[H, M], spec.Workers)
	for n := range workers {
		c := m.add(spec.Clone(src.h), spec.CloneModel(src.model), src)
		t.Logf("h%d := h0.Clone() for worker %d", c.id, n)
		workers[n] = &worker[H, M]{n: n, first: c.h, hs: []*handle[H, M]{c}}
	}
	for _, w := range workers {
		t.Repeat(m.planActions(w))
	}

	m.runAll(t, src, workers)

	for _, x := range m.live {
		m.compare(t, x)
	}
	m.invariant(t, m.live)
	for _, x := range m.live {
		m.checkShared(t, x)
	}
}

// planActions returns the rapid actions that draw w's plan, keeping the
// planned handles' models and lineage as the plan will leave them.
func (m *machine[H, M]) planActions(w *worker[H, M]) map[string]func(*rapid.T) {
	pick := func(t *rapid.T) (int, *handle[H, M]) {
		i := rapid.IntRange(0, len(w.hs)-1).Draw(t, "handle")
		return i, w.hs[i]
	}
	log := func(t *rapid.T, a action[H, M]) {
		t.Logf("w%d: %s", w.n, a.label)
		w.plan = append(w.plan, a)
	}
	actions := map[string]func(*rapid.T){
		"Clone": func(t *rapid.T) {
			if len(w.hs) >= m.spec.MaxHandles {
				t.Logf("(no Clone: worker %d has %d handles, the limit)", w.n, len(w.hs))
				return
			}
			i, x := pick(t)
			var zero H
			c := m.add(zero, m.spec.CloneModel(x.model), x) // the worker sets h
			w.hs = append(w.hs, c)
			log(t, action[H, M]{kind: actClone, slot: i, label: fmt.Sprintf("h%d := h%d.Clone()", c.id, x.id)})
		},
		"Release": func(t *rapid.T) {
			i, x := pick(t)
			x.model = m.spec.CloneModel(m.empty)
			x.part(true)
			if keep := rapid.Bool().Draw(t, "keep") || len(w.hs) == 1; keep {
				log(t, action[H, M]{kind: actRelease, slot: i, label: fmt.Sprintf("h%d.Release()", x.id)})
				return
			}
			x.part(false)
			m.live = slices.DeleteFunc(m.live, func(y *handle[H, M]) bool { return y == x })
			w.hs = slices.Delete(w.hs, i, i+1)
			log(t, action[H, M]{kind: actForget, slot: i, label: fmt.Sprintf("h%d.Release(); forget h%d", x.id, x.id)})
		},
		"Check": func(t *rapid.T) {
			a := action[H, M]{kind: actCheck, label: "checkpoint"}
			for _, x := range w.hs {
				a.want = append(a.want, m.spec.CloneModel(x.model))
				a.ids = append(a.ids, x.id)
			}
			log(t, a)
		},
	}
	for k := range m.spec.Ops {
		op := &m.spec.Ops[k]
		actions["op:"+op.Name] = func(t *rapid.T) {
			i, x := pick(t)
			step := op.Draw(t, x.model)
			label := step.Label
			if label == "" {
				label = op.Name
			}
			x.model = step.Model(x.model)
			if !op.Read && !step.Read && !step.KeepsShare && m.spec.Sharing == WholeBuffer {
				x.part(true)
			}
			log(t, action[H, M]{kind: actOp, slot: i, step: step, label: fmt.Sprintf("h%d.%s", x.id, label)})
		}
	}
	return actions
}

// runAll runs every worker's plan on its own goroutine, all released at
// once, while this goroutine reads, clones and releases the source, and
// fails t with the first failure found once all have stopped.
func (m *machine[H, M]) runAll(t *rapid.T, src *handle[H, M], workers []*worker[H, M]) {
	start := make(chan struct{})
	fails := make([]*failure, len(workers))
	var wg sync.WaitGroup
	for i, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fails[i] = m.run(t, w)
		}()
	}
	close(start)
	// The workers' plans are finite: wait for them even if this goroutine
	// panics (a Spec func failing on the source), so that none runs on
	// into the next test case.
	defer wg.Wait()
	// A fixed number of rounds, not "until the workers are done": a
	// failure must replay the same way for rapid to shrink it, and a
	// leaked count per round would make its message vary.
	var srcFail string
	for range sourceRounds {
		if d := m.differs(src.model, m.spec.Model(src.h)); d != "" {
			srcFail = fmt.Sprintf("h0, the source, changed while its clones were in use (-want +got):\n%s", d)
			break
		}
		c := m.spec.Clone(src.h)
		if d := m.differs(src.model, m.spec.Model(c)); d != "" {
			srcFail = fmt.Sprintf("a clone of h0 made while the workers ran differs from h0's model (-want +got):\n%s", d)
		}
		m.spec.Release(c)
		runtime.Gosched()
	}
	wg.Wait()
	for i, f := range fails {
		switch {
		case f == nil:
		case f.panic != nil && fromRapid(f.panic):
			// An Apply failed t (rapid stops a test with a panic of its
			// own), which rapid reports: say where, and stop this
			// goroutine as rapid's Fatalf would have.
			t.Logf("worker %d stopped at %s", i, f.at)
			panic(f.panic)
		case f.panic != nil:
			// The stack goes to the log: the message must be the same on
			// every replay (no goroutine numbers) for rapid to shrink it.
			t.Logf("worker %d: %s panicked: %v\n%s", i, f.at, f.panic, f.stack)
			t.Fatalf("worker %d: %s panicked: %v", i, f.at, f.panic)
		default:
			t.Fatalf("worker %d, %s: %s", i, f.at, f.msg)
		}
	}
	if srcFail != "" {
		t.Fatal(srcFail)
	}
}

// fromRapid reports whether p is a panic by which rapid stops a test (its
// Fatal, Skip or a failed assumption), not one of the type under test.
func fromRapid(p any) bool {
	t := reflect.TypeOf(p)
	return t != nil && t.PkgPath() == "pgregory.net/rapid"
}

// run carries out w's plan on the calling goroutine, and at its end sets
// the planned handles' h to the handles it made. It returns what stopped
// it, or nil.
func (m *machine[H, M]) run(t *rapid.T, w *worker[H, M]) (f *failure) {
	hs := []H{w.first}
	at := "the start"
	defer func() {
		if p := recover(); p != nil {
			f = &failure{at: at, panic: p, stack: debug.Stack()}
		}
	}()
	for _, a := range w.plan {
		at = a.label
		switch a.kind {
		case actOp:
			a.step.Apply(t, hs[a.slot])
		case actClone:
			hs = append(hs, m.spec.Clone(hs[a.slot]))
		case actRelease:
			m.spec.Release(hs[a.slot])
		case actForget:
			m.spec.Release(hs[a.slot])
			hs = slices.Delete(hs, a.slot, a.slot+1)
		case actCheck:
			for i, want := range a.want {
				if d := m.differs(want, m.spec.Model(hs[i])); d != "" {
					return &failure{at: a.label, msg: fmt.Sprintf("h%d differs from its model (-want +got):\n%s", a.ids[i], d)}
				}
			}
		}
	}
	for i, h := range hs {
		w.hs[i].h = h
	}
	return nil
}
