package btree

import "iter"

// Every iterator works on a snapshot: when the loop starts it counts itself
// as one more holder of the root, exactly as Clone does, and drops that share
// when the loop ends, however it ends. The loop body may therefore write to
// the map it ranges over: the loop goes on over the entries as they were,
// and the first write to each node pays the copy it would pay after a Clone.
//
// The snapshot is taken when the loop starts, not when All is called, and
// reading the handle then is a read like any other: to range over a map on
// another goroutine while its owner keeps writing, hand that goroutine a
// Clone, not the handle or an iterator over it.

// All returns an iterator over m's entries in ascending key order.
func (m *Map[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		root, height := m.pin()
		if root == nil {
			return
		}
		defer drop[K, V](root, height)
		ascend(root, height, yield)
	}
}

// Keys returns an iterator over m's keys in ascending order.
func (m *Map[K, V]) Keys() iter.Seq[K] {
	return func(yield func(K) bool) {
		for k := range m.All() {
			if !yield(k) {
				return
			}
		}
	}
}

// Values returns an iterator over m's values in ascending order of their keys.
func (m *Map[K, V]) Values() iter.Seq[V] {
	return func(yield func(V) bool) {
		for _, v := range m.All() {
			if !yield(v) {
				return
			}
		}
	}
}

// Backward returns an iterator over m's entries in descending key order.
func (m *Map[K, V]) Backward() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		root, height := m.pin()
		if root == nil {
			return
		}
		defer drop[K, V](root, height)
		descend(root, height, yield)
	}
}

// Scan returns an iterator over the entries with lo <= key < hi, in
// ascending key order. If lo >= hi it yields nothing. Finding lo costs
// O(log n); each entry after it costs O(1).
func (m *Map[K, V]) Scan(lo, hi K) iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		root, height := m.pin()
		if root == nil {
			return
		}
		defer drop[K, V](root, height)
		if m.cmp(lo, hi) >= 0 {
			return
		}
		m.scan(root, height, lo, hi, true, yield)
	}
}

// pin counts an iteration as a holder of m's root and returns the root.
func (m *Map[K, V]) pin() (*header, int) {
	root, height := m.root, m.height
	if root != nil {
		root.shares.Add(1)
	}
	return root, height
}

func ascend[K, V any](h *header, level int, yield func(K, V) bool) bool {
	if level == 0 {
		lf := leafOf[K, V](h)
		keys := lf.keys[:lf.n]
		vals := lf.vals[:len(keys)]
		for i, k := range keys {
			if !yield(k, vals[i]) {
				return false
			}
		}
		return true
	}
	in := innerOf[K, V](h)
	for _, kid := range in.kids[:in.n+1] {
		if !ascend(kid, level-1, yield) {
			return false
		}
	}
	return true
}

func descend[K, V any](h *header, level int, yield func(K, V) bool) bool {
	if level == 0 {
		lf := leafOf[K, V](h)
		keys := lf.keys[:lf.n]
		vals := lf.vals[:len(keys)]
		for i := len(keys) - 1; i >= 0; i-- {
			if !yield(keys[i], vals[i]) {
				return false
			}
		}
		return true
	}
	in := innerOf[K, V](h)
	kids := in.kids[:in.n+1]
	for i := len(kids) - 1; i >= 0; i-- {
		if !descend(kids[i], level-1, yield) {
			return false
		}
	}
	return true
}

// scan yields the entries of the subtree h with lo <= key < hi and reports
// whether the scan should go on past it. If seek is set, the subtree may
// hold keys below lo, so scan searches for lo; otherwise it starts at the
// subtree's first entry. Each leaf is cut at hi with one binary search, not
// one comparison per entry.
func (m *Map[K, V]) scan(h *header, level int, lo, hi K, seek bool, yield func(K, V) bool) bool {
	if level == 0 {
		lf := leafOf[K, V](h)
		keys := lf.keys[:lf.n]
		start := 0
		if seek {
			start, _ = m.search(keys, lo)
		}
		end, _ := m.search(keys, hi)
		for i := start; i < end; i++ {
			if !yield(keys[i], lf.vals[i]) {
				return false
			}
		}
		return end == len(keys)
	}
	in := innerOf[K, V](h)
	start := 0
	if seek {
		var found bool
		start, found = m.search(in.keys[:in.n], lo)
		if found {
			start++
		}
	}
	for i, kid := range in.kids[start : in.n+1] {
		if !m.scan(kid, level-1, lo, hi, seek && i == 0, yield) {
			return false
		}
	}
	return true
}
