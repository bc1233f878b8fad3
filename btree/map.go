package btree

import (
	"cmp"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"unsafe"

	"github.com/cowkit/cowkit/internal/refcount"
	"github.com/cowkit/cowkit/internal/stream"
)

// Map is an ordered map from K to V, stored in a copy-on-write B+tree.
//
// Make one with [New] (for cmp.Ordered keys) or [NewFunc] (for any key type
// and a comparison function). The zero Map is empty and can be read, cloned
// and released, but it has no ordering: Set on it panics.
//
// b := a aliases one handle; a.Clone() makes an independent handle that
// shares every node with a until one of them writes, and then only the nodes
// on the written path are copied. Distinct handles that share nodes may be
// used on different goroutines without locking. One handle is not safe for
// concurrent mutation, like a Go map; concurrent reads of one handle,
// iteration and Clone included, are safe.
//
// Hold a Map by pointer, as every method expects: fmt and encoding/json
// find the methods of a Map held by value in a struct only when they can
// take its address (go vet reports copying such a struct). A value that
// reaches itself through a Map makes MarshalJSON recurse until the stack
// overflows, as gob does for such values: encoding/json's cycle check does
// not see through MarshalJSON methods.
type Map[K, V any] struct {
	_      refcount.NoCopy
	root   *header // nil when empty
	height int     // inner levels above the leaves
	length int
	search func(keys []K, k K) (int, bool)
	cmp    func(a, b K) int

	// holds packs into one word, so that a cursor released on another
	// goroutine while m is written sees both at once: in its low holdBits,
	// the loops and cursors that hold m's root without a share of it (see
	// hold); above them, an epoch that settle advances each time it turns
	// those holds into shares.
	holds atomic.Uint64

	// snap names the snapshot m holds, once m has been sent or received
	// as a stream (see stream.go); Clone copies it and every write clears
	// it. It is atomic because Send, a read, may record it on a handle
	// that other goroutines read too.
	snap stream.Name
}

// holdBits is the width of the count in Map.holds: up to 2^24-1 holds at
// once, and then hold takes real shares; the epoch, in the other 40 bits,
// wraps after 2^40 settles.
const (
	holdBits = 24
	holdMask = 1<<holdBits - 1
)

// held reports whether a loop or cursor holds m's root through m.holds.
func (m *Map[K, V]) held() bool { return m.holds.Load()&holdMask != 0 }

// New returns an empty map ordered by cmp.Compare, so NaN keys sort first,
// and all NaNs are one key. Comparisons are direct, not calls through a
// function value.
func New[K cmp.Ordered, V any]() *Map[K, V] {
	if reflect.TypeFor[K]().Kind() == reflect.String {
		return &Map[K, V]{search: searchStrings[K], cmp: cmp.Compare[K]}
	}
	return &Map[K, V]{search: searchOrdered[K], cmp: cmp.Compare[K]}
}

// NewFunc returns an empty map ordered by cmp, which must be a strict weak
// ordering: cmp(a, b) is negative when a < b, positive when a > b, and zero
// when a and b are the same key. NewFunc panics if cmp is nil.
//
// A cmp that breaks this rule (one that changes its mind, or orders keys
// inconsistently) leaves the map written with it in an order it cannot
// search: later calls may miss keys, find the wrong one or see one twice.
// It never reaches further: a write changes only the nodes on its own walk,
// which it makes private as it goes, and siblings it holds alone or makes
// private first, so no other handle sharing nodes with the map ever
// changes, and the tree keeps its shape and counts.
func NewFunc[K, V any](cmp func(a, b K) int) *Map[K, V] {
	if cmp == nil {
		panic("btree: NewFunc with a nil comparison function")
	}
	search := func(keys []K, k K) (int, bool) { // as searchOrdered
		n := len(keys)
		lo, hi := 0, n
		if p := cap(keys) >> 1; p < n {
			if cmp(keys[:p+1][p], k) < 0 {
				lo = p + 1
			} else {
				hi = p
			}
		}
		for lo < hi {
			h := int(uint(lo+hi) >> 1)
			if cmp(keys[h], k) < 0 {
				lo = h + 1
			} else {
				hi = h
			}
		}
		return lo, lo < n && cmp(keys[lo], k) == 0
	}
	return &Map[K, V]{search: search, cmp: cmp}
}

// searchOrdered returns the index of the first key in keys that is not less
// than k, and whether that key equals k. keys is sorted by cmp.Compare.
//
// keys is a node's key array sliced to its length. The first probe is at
// the middle of the whole array, an index known before the node's length
// arrives from memory, so on a cold node the CPU loads both at once; the
// search then halves what is left. (A branch-free search measured faster on
// cached trees and a third slower on a million keys, where the branches'
// speculation overlaps the cache misses.)
func searchOrdered[K cmp.Ordered](keys []K, k K) (int, bool) {
	n := len(keys)
	lo, hi := 0, n
	if p := cap(keys) >> 1; p < n {
		if cmp.Less(keys[:p+1][p], k) {
			lo = p + 1
		} else {
			hi = p
		}
	}
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if cmp.Less(keys[h], k) {
			lo = h + 1
		} else {
			hi = h
		}
	}
	return lo, lo < n && !cmp.Less(k, keys[lo])
}

// searchStrings is searchOrdered for keys whose underlying type is string:
// one three-way comparison (strings.Compare) per step, which stops at an
// equal key, where cmp.Less would compare twice to tell equal from greater.
func searchStrings[K cmp.Ordered](keys []K, k K) (int, bool) {
	ss := unsafe.Slice((*string)(unsafe.Pointer(unsafe.SliceData(keys))), len(keys))
	s := *(*string)(unsafe.Pointer(&k))
	lo, hi := 0, len(ss)
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		switch c := strings.Compare(ss[h], s); {
		case c == 0:
			return h, true
		case c < 0:
			lo = h + 1
		default:
			hi = h
		}
	}
	return lo, false
}

// Len returns the number of entries. The complexity is O(1).
func (m *Map[K, V]) Len() int { return m.length }

// Get returns the value stored under k and whether there is one. It never
// copies and never allocates. The complexity is O(log n).
func (m *Map[K, V]) Get(k K) (V, bool) {
	if m.root != nil {
		lf := m.leafFor(k)
		if i, found := m.search(lf.keys[:lf.n], k); found {
			return lf.vals[i], true
		}
	}
	var zero V
	return zero, false
}

// Lookup returns the key stored that compares equal to k, its value and
// true; or zero values and false if there is none. For a map used as a set
// of items ordered by a field (Map[*Item, struct{}]), it finds the stored
// item from a probe that has only that field set. It never allocates. The
// complexity is O(log n).
func (m *Map[K, V]) Lookup(k K) (K, V, bool) {
	if m.root != nil {
		lf := m.leafFor(k)
		if i, found := m.search(lf.keys[:lf.n], k); found {
			return lf.keys[i], lf.vals[i], true
		}
	}
	var zk K
	var zv V
	return zk, zv, false
}

// At returns the entry of rank i: the i-th smallest key, counting from 0,
// and its value. It walks one root-to-leaf path, adding up the entry counts
// that inner nodes keep for their children, so the complexity is O(log n),
// like Get's. At panics if i is out of range [0, Len()).
func (m *Map[K, V]) At(i int) (K, V) {
	if uint(i) >= uint(m.length) {
		panic(fmt.Sprintf("btree: index %d out of range [0:%d]", i, m.length))
	}
	h := m.root
	for level := m.height; level > 0; level-- {
		in := innerOf[K, V](h)
		j := 0
		for i >= in.cnt[j] {
			i -= in.cnt[j]
			j++
		}
		h = in.kids[j]
	}
	lf := leafOf[K, V](h)
	return lf.keys[i], lf.vals[i]
}

// Rank returns the number of keys in m that are less than k: the index At
// would need to return k, if m holds it, or the one k would get once Set.
// The complexity is O(log n).
func (m *Map[K, V]) Rank(k K) int {
	h := m.root
	if h == nil {
		return 0
	}
	r := 0
	for level := m.height; level > 0; level-- {
		in := innerOf[K, V](h)
		i, found := m.search(in.keys[:in.n], k)
		if found {
			i++
		}
		for _, c := range in.cnt[:i] {
			r += c
		}
		h = in.kids[i]
	}
	lf := leafOf[K, V](h)
	i, _ := m.search(lf.keys[:lf.n], k)
	return r + i
}

// leafFor returns the leaf where k is or would be. m must not be empty.
func (m *Map[K, V]) leafFor(k K) *leaf[K, V] {
	h := m.root
	for level := m.height; level > 0; level-- {
		in := innerOf[K, V](h)
		i, found := m.search(in.keys[:in.n], k)
		if found {
			i++
		}
		h = in.kids[i]
	}
	return leafOf[K, V](h)
}

// Min returns the smallest key and its value, or zero values and false if m
// is empty.
func (m *Map[K, V]) Min() (K, V, bool) {
	h := m.root
	if h == nil {
		var k K
		var v V
		return k, v, false
	}
	for level := m.height; level > 0; level-- {
		h = innerOf[K, V](h).kids[0]
	}
	lf := leafOf[K, V](h)
	return lf.keys[0], lf.vals[0], true
}

// Max returns the largest key and its value, or zero values and false if m
// is empty.
func (m *Map[K, V]) Max() (K, V, bool) {
	h := m.root
	if h == nil {
		var k K
		var v V
		return k, v, false
	}
	for level := m.height; level > 0; level-- {
		in := innerOf[K, V](h)
		h = in.kids[in.n]
	}
	lf := leafOf[K, V](h)
	return lf.keys[lf.n-1], lf.vals[lf.n-1], true
}

// Clone returns a new handle to the same entries. The complexity is O(1):
// it counts one more holder of the root node and allocates only the new
// handle; it writes nothing that another goroutine reading m could see.
//
// The copying is deferred and structural. The first write to either handle
// copies only the nodes on the path from the root to the entry it changes
// (for a million int entries, a 1 KiB leaf and five 248-byte inner nodes),
// and each later write copies only the nodes not yet copied. Releasing the
// clone (see [Map.Release]) lets m write in place again.
func (m *Map[K, V]) Clone() *Map[K, V] {
	c := &Map[K, V]{root: m.holdRoot(), height: m.height, length: m.length, search: m.search, cmp: m.cmp}
	if id := m.snap.Load(); id != nil {
		c.snap.Store(id)
	}
	return c
}

// holdRoot takes a share of m's root and returns it: a Clone holds it for
// the life of the new handle, and a loop whose count on m is full for the
// length of the loop.
func (m *Map[K, V]) holdRoot() *header {
	if m.root != nil {
		m.root.shares.Acquire()
	}
	return m.root
}

// Release drops m's share of its nodes and leaves m empty, with its ordering
// kept, and ready for use. Nodes that no other handle holds are released in
// turn, so a handle that still shares them writes in place again: after
// c := m.Clone(); c.Release(), m's next write copies nothing. Release
// visits only the nodes whose last holder it was. Releasing twice is
// harmless, and releasing is optional: an unreleased handle costs its peers
// one path copy per node they later write, never correctness.
func (m *Map[K, V]) Release() {
	m.snap.Forget()
	m.settle()
	if h := m.root; h != nil {
		level := m.height
		m.root, m.height, m.length = nil, 0, 0
		drop[K, V](h, level)
	}
}

// mustOrder panics if m was not made by New or NewFunc.
func (m *Map[K, V]) mustOrder(method string) {
	if m.search == nil {
		panicNoOrder(method)
	}
}

// settle turns the holds of running loops and cursors counted on m into
// real shares of the root. Every write calls it before it changes the tree
// or lets go of the root, so that a held snapshot stays whole: after it,
// the root counts its iterations as holders, exactly as if each had been a
// Clone, and a write shadows the root instead of writing in place.
func (m *Map[K, V]) settle() {
	if m.held() {
		m.settleHolds()
	}
}

// settleHolds counts the holds as shares of the root first, then advances
// the epoch and clears the count in one step: a hold released on another
// goroutine meanwhile either takes itself back from the count (and the
// step is retried) or finds the new epoch and drops a share that is
// already there.
//
//go:noinline
func (m *Map[K, V]) settleHolds() {
	for {
		v := m.holds.Load()
		n := int64(v & holdMask)
		if n == 0 {
			return
		}
		m.root.shares.AcquireN(n)
		if m.holds.CompareAndSwap(v, (v>>holdBits+1)<<holdBits) {
			return
		}
		m.root.shares.ReleaseN(n)
	}
}

//go:noinline
func panicNoOrder(method string) {
	panic("btree: " + method + " on a Map with no ordering; make it with New or NewFunc")
}
