package cowtest

import (
	"fmt"
	"runtime"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// cloneRuns and readRuns bound the calls of a Clone, or of a read, over
// which the fewest allocations are taken.
const cloneRuns, readRuns = 5, 5

// allocs returns the number of heap allocations made during one call of f:
// the difference in runtime.MemStats.Mallocs. The caller has set GOMAXPROCS
// to 1, so that other goroutines' allocations are seldom counted.
func allocs(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.Mallocs - before.Mallocs
}

// fewestAllocs calls f, and while its count is over bound calls undo and f
// again, up to runs calls in all. It returns the fewest allocations any call
// made.
func fewestAllocs(runs int, bound uint64, f, undo func()) uint64 {
	n := allocs(f)
	for i := 1; i < runs && n > bound; i++ {
		if undo != nil {
			undo()
		}
		n = min(n, allocs(f))
	}
	return n
}

// measure applies step to x, checking its allocations if the spec asks
// for it (see "Allocation checks" in the package doc).
func (m *machine[H, M]) measure(t *rapid.T, op *Op[H, M], step Step[H, M], read bool, x *handle[H, M], label string) {
	spec := m.spec
	apply := func() { step.Apply(t, x.h) }
	if !spec.CheckAllocs || !op.AllocFree || (!read && spec.Shared(x.h)) {
		apply()
		return
	}
	if read {
		// A read is repeated while the handle's sharing is as it was: a
		// read that copied a shared handle's storage is not given a second
		// call, which would find the handle unshared.
		shared := spec.Shared(x.h)
		n := allocs(apply)
		calls := 1
		for ; calls < readRuns && n > 0 && spec.Shared(x.h) == shared; calls++ {
			n = min(n, allocs(apply))
		}
		if n > 0 {
			t.Fatalf("h%d.%s, a read: %d allocs, want 0 (the fewest of %d calls)", x.id, label, n, calls)
		}
		return
	}
	n := allocs(apply)
	if !m.warmed[op] {
		// The first measured write of op in a test case is a warm-up. It
		// is once per test case, not once per process, so that every
		// replay of a failing case measures the same calls, as rapid
		// needs to shrink it.
		m.warmed[op] = true
		return
	}
	if n > 0 {
		t.Fatalf("h%d.%s on an unshared handle: %d allocs, want 0", x.id, label, n)
	}
}

// describe shows how got differs from want, which reflect.DeepEqual found
// unequal: as go-cmp's diff, or both printed with %v when go-cmp cannot
// compare them (unexported fields) or sees no difference (an Equal method).
func describe(want, got any) (d string) {
	defer func() {
		if recover() != nil || d == "" {
			d = fmt.Sprintf("want %v\ngot  %v", want, got)
		}
	}()
	return cmp.Diff(want, got)
}
