package btree

import (
	"cmp"
	"iter"
)

// Insert sets every key-value pair of seq in m, in order, as Set would
// (maps.Insert's name). Keys that arrive ascending and beyond m's current
// largest key are appended to the last leaf without a search, and fill it
// before the next leaf starts, so that loading sorted data costs a walk down
// the tree's right edge per entry (O(log n) steps that stay in the cache,
// and no search) and leaves every leaf but the last full: about 17 bytes of
// heap per int->int entry. Other keys are set as Set sets them: unsorted input is just as
// correct, at Set's cost.
func (m *Map[K, V]) Insert(seq iter.Seq2[K, V]) {
	for k, v := range seq {
		m.snap.Forget()
		if !m.appendMax(k, v) {
			m.Set(k, v)
		}
	}
}

// Collect returns a new map, ordered by cmp.Compare, holding the pairs of
// seq (maps.Collect's name). A later pair replaces an earlier one with an
// equal key. Sorted input loads without a search per entry; see
// [Map.Insert].
func Collect[K cmp.Ordered, V any](seq iter.Seq2[K, V]) *Map[K, V] {
	m := New[K, V]()
	m.Insert(seq)
	return m
}

// appendMax appends k and v to the last leaf if k is greater than every
// key in m, and reports whether it did. It walks down the right edge,
// noting the count slots; if every node there is private and the last
// leaf has room, it writes in place; otherwise setSlow inserts it,
// splitting a full last leaf so that the old one stays full.
func (m *Map[K, V]) appendMax(k K, v V) bool {
	h := m.root
	if h == nil || m.height > fastHeight {
		return false
	}
	var cnt [fastHeight]*int
	private := !h.shares.Shared() && !m.held()
	for level := m.height; level > 0; level-- {
		in := innerOf[K, V](h)
		cnt[level-1] = &in.cnt[in.n]
		h = in.kids[in.n]
		private = private && !h.shares.Shared()
	}
	lf := leafOf[K, V](h)
	if m.cmp(k, lf.keys[lf.n-1]) <= 0 {
		return false
	}
	if !private || lf.n == maxLeaf {
		m.settle()
		m.setSlow(k, v, true)
		return true
	}
	n := lf.n
	lf.keys[n], lf.vals[n] = k, v
	lf.n++
	for _, c := range cnt[:m.height] {
		*c++
	}
	m.length++
	return true
}
