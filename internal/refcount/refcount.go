// Package refcount holds the reference counts that cowkit's types share:
// [Ref] and [Count] for the flat copy-on-write types (cowslice, cowmap,
// cowstring), and [Shares] for the nodes of its trees (btree, pagearena).
//
// A handle keeps its data in a [Ref]. Cloning a handle is [Ref.Share]: one
// atomic increment. Before a handle writes, it asks [Ref.Unique]; if the answer
// is no, it builds a private copy of the data, already modified if it likes,
// and installs it with [Ref.Replace], which drops the share of the old data
// only after the copy exists. That order is the rule this package exists for:
//
//	copy first, then drop the old reference
//
// Dropping first would let the other holder see a count of one and write in
// place while this handle is still reading the old data (Qt's detach_helper
// learned this the hard way).
//
// "Unique, so write in place" is sound only because the caller owns its handle:
// nobody else can clone it while it writes. Distinct handles that share data
// may run on different goroutines without locks.
package refcount

import (
	"fmt"
	"sync/atomic"
)

// Count is the number of handles that share one piece of data.
// Use it through [Ref]; its methods are for invariant checkers. (Tree nodes
// and page frames count their holders with [Shares] instead.)
//
// A Count must not be copied after first use.
type Count struct {
	// 64 bits, because a clone that is dropped without Release is never
	// uncounted: a 32-bit count could wrap after 2^31 clones (about a minute
	// of cloning in a loop) and make shared data look unique.
	n atomic.Int64
	// pin is cowstring's frozen prefix: positions below it in the data are
	// viewed by values handed out (Go strings) and must never change again.
	pin atomic.Int64
}

// NewCount returns a count of one.
func NewCount() *Count {
	c := new(Count)
	c.n.Store(1)
	return c
}

// Load returns the number of holders.
func (c *Count) Load() int { return int(c.n.Load()) }

// Shared reports whether more than one holder shares the data.
func (c *Count) Shared() bool { return c.n.Load() > 1 }

// Acquire adds one holder.
func (c *Count) Acquire() { c.n.Add(1) }

// Release drops one holder and reports whether it was the last one.
// It panics if the count was already zero, which means some holder released twice.
func (c *Count) Release() (last bool) {
	n := c.n.Add(-1)
	if n < 0 {
		panic("refcount: count released below zero")
	}
	return n == 0
}

// Pin raises the pinned mark to at least n: the first n positions of the
// data are viewed by values handed out and must never be written again. It
// is safe to call from handles sharing the data on different goroutines.
func (c *Count) Pin(n int) {
	for {
		p := c.pin.Load()
		if int64(n) <= p || c.pin.CompareAndSwap(p, int64(n)) {
			return
		}
	}
}

// Pinned returns the pinned mark: positions below it must not be written.
func (c *Count) Pinned() int { return int(c.pin.Load()) }

// Ref is one handle's share of data D: the data itself and the count of the
// handles that share it. The zero Ref holds the zero D and no count; it is
// unshared, and so is a Ref whose data was just installed by [Ref.Replace].
//
// Invariant: a Ref with no count holds data that no other Ref can see (the
// zero D, as a nil slice or a nil map). Code that puts storage into a Ref
// goes through Replace, which gives it a count.
type Ref[D any] struct {
	// Data is the shared data. Read it freely; write through it only while
	// [Ref.Unique] reports true.
	Data  D
	count *Count
}

// Own returns a Ref that holds d alone. d must not be reachable from anywhere else.
func Own[D any](d D) Ref[D] {
	return Ref[D]{Data: d, count: NewCount()}
}

// Unique reports whether r may write its data in place: r holds a count and
// nobody else shares it. It is false for the zero Ref, whose data has no storage yet.
func (r *Ref[D]) Unique() bool {
	return r.count != nil && !r.count.Shared()
}

// Shared reports whether another Ref shares r's data.
func (r *Ref[D]) Shared() bool {
	return r.count != nil && r.count.Shared()
}

// Share returns a second Ref to r's data and counts it. This is a handle's
// Clone: O(1), no allocation, and it does not write to r itself, so two
// goroutines may Share the same Ref at once.
func (r *Ref[D]) Share() Ref[D] {
	if r.count != nil {
		r.count.Acquire()
	}
	return Ref[D]{Data: r.Data, count: r.count}
}

// Replace installs d, which the caller built and nobody else can see, as r's
// data. If r shared its old data, r drops that share after the swap, so a
// caller that built d by reading the old data (a copy-up) has already finished
// reading it: copy first, then drop. If r held its old data alone, the count
// is kept (its pinned mark reset, since d is new) and nothing is allocated.
func (r *Ref[D]) Replace(d D) {
	old := r.count
	r.Data = d
	if old != nil && !old.Shared() {
		old.pin.Store(0) // d is new: nothing in it is pinned
		return
	}
	r.count = NewCount()
	if old != nil {
		old.Release()
	}
}

// Drop releases r's share and leaves r as the zero Ref. Dropping a zero Ref
// does nothing.
func (r *Ref[D]) Drop() {
	if r.count != nil {
		r.count.Release()
	}
	*r = Ref[D]{}
}

// Pin pins the first n positions of r's data (see [Count.Pin]). Pinning
// the zero Ref, which has no data, does nothing.
func (r *Ref[D]) Pin(n int) {
	if r.count != nil {
		r.count.Pin(n)
	}
}

// Pinned returns the pinned mark of r's data; 0 for the zero Ref.
func (r *Ref[D]) Pinned() int {
	if r.count == nil {
		return 0
	}
	return r.count.Pinned()
}

// Count returns r's count, or nil for a Ref with no storage. It is for
// invariant checkers, which compare it with the number of live handles.
func (r *Ref[D]) Count() *Count { return r.count }

// NoCopy may be added to a handle struct as a field named _ so that
// go vet's copylocks check reports a copy of the handle (b := *a), which would
// make two handles that believe they hold one share.
type NoCopy struct{}

// Lock is a no-op used by go vet's copylocks check.
func (*NoCopy) Lock() {}

// Unlock is a no-op used by go vet's copylocks check.
func (*NoCopy) Unlock() {}

// CheckHolders is for invariant checkers: given the counts of all live
// handles (nil for a handle without storage), it reports an error unless
// every count equals the number of live handles that hold it.
func CheckHolders(counts []*Count) error {
	holders := map[*Count]int{}
	for _, c := range counts {
		if c != nil {
			holders[c]++
		}
	}
	for c, n := range holders {
		if got := c.Load(); got != n {
			return fmt.Errorf("a count says %d holders, but %d live handles hold it", got, n)
		}
	}
	return nil
}
