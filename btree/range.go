package btree

// DeleteRange removes every entry with lo <= key < hi and returns how many
// it removed. If lo >= hi, or no key is in the range, it removes nothing and
// copies nothing.
//
// It cuts the tree along the two root-to-leaf paths of lo and hi, and only
// nodes on those paths are opened, made private and written: every subtree
// between the two paths lies wholly inside the range and leaves the tree
// with one count decrement, never opened, its size known from its parent's
// count. Then the nodes left underfull on the two paths are merged with or
// refilled from their neighbours, as Delete does. So removing most of a
// shared map copies O(log n) nodes, and the other handles keep all of it.
// On a map that holds its nodes alone, the dropped subtrees are freed, which
// visits each of their inner nodes once (their leaves are not opened).
//
//	DeleteRange(25, 75) on      [20 | 40 | 60 | 80]
//	                           /    |    |    |    \
//	                        [..]  [21 27] [..] [61 78] [..]
//	                                  ^   ^dropped^  ^
//	cuts the lo path and the hi path, drops what lies between, and leaves
//
//	                            [20 | 60 | 80]
//	                           /    |    |    \
//	                        [..]  [21]  [78]  [..]   (then rebalanced)
func (m *Map[K, V]) DeleteRange(lo, hi K) int {
	if m.root == nil || m.cmp(lo, hi) >= 0 || m.Rank(hi) <= m.Rank(lo) {
		return 0
	}
	m.settle()
	removed, empty := m.trim(&m.root, m.height, lo, hi, true, true)
	m.length -= removed
	if empty {
		m.root, m.height, m.length = nil, 0, 0
		return removed
	}
	for m.repair(lo) || m.repair(hi) {
	}
	m.collapse()
	return removed
}

// trim removes the entries in the range from the subtree *slot at level,
// making it private first, and returns how many it removed and whether the
// subtree is now empty. hasLo and hasHi say whether the subtree reaches
// past lo and hi; a bound it lies inside of is not searched.
func (m *Map[K, V]) trim(slot **header, level int, lo, hi K, hasLo, hasHi bool) (int, bool) {
	h := writable[K, V](slot, level)
	if level == 0 {
		lf := leafOf[K, V](h)
		n := int(lf.n)
		a, b := 0, n
		if hasLo {
			a, _ = m.search(lf.keys[:n], lo)
		}
		if hasHi {
			b, _ = m.search(lf.keys[:n], hi)
		}
		if a >= b {
			return 0, false
		}
		copy(lf.keys[a:], lf.keys[b:n])
		copy(lf.vals[a:], lf.vals[b:n])
		k := b - a
		clear(lf.keys[n-k : n])
		clear(lf.vals[n-k : n])
		lf.n -= int32(k)
		return k, lf.n == 0
	}
	// a and b are the children lo and hi fall in; -1 and n+1 mean that
	// the bound lies outside this subtree, so that every child before b
	// (or after a) lies inside the range.
	in := innerOf[K, V](h)
	a, b := -1, int(in.n)+1
	if hasLo {
		a = m.child(in, lo)
	}
	if hasHi {
		b = m.child(in, hi)
	}
	if a > b { // only a comparison function that broke its rule gets here
		return 0, false
	}
	if a == b {
		r, empty := m.trim(&in.kids[a], level-1, lo, hi, hasLo, hasHi)
		in.cnt[a] -= r
		if empty {
			return r, removeKids(in, a, a+1)
		}
		return r, false
	}
	removed := 0
	from, to := a+1, b // the children to remove: [from, to)
	if a >= 0 {
		r, empty := m.trim(&in.kids[a], level-1, lo, hi, true, false)
		in.cnt[a] -= r
		removed += r
		if empty {
			from = a // a trimmed child that is empty is private: nothing to drop
		}
	}
	if b <= int(in.n) {
		r, empty := m.trim(&in.kids[b], level-1, lo, hi, false, true)
		in.cnt[b] -= r
		removed += r
		if empty {
			to = b + 1
		}
	}
	for j := a + 1; j < b; j++ {
		removed += in.cnt[j]
		drop[K, V](in.kids[j], level-1)
	}
	return removed, removeKids(in, from, to)
}

// child returns the index of in's child where k belongs.
func (m *Map[K, V]) child(in *inner[K, V], k K) int {
	i, found := m.search(in.keys[:in.n], k)
	if found {
		i++
	}
	return i
}

// removeKids removes the children [from, to) of in, with their counts and
// the keys between them, and reports whether in is left with none. The
// caller has dropped them, or they are private and empty.
func removeKids[K, V any](in *inner[K, V], from, to int) bool {
	n := int(in.n)
	k := to - from
	if k <= 0 {
		return false
	}
	if k == n+1 {
		return true
	}
	// The key left of each removed child goes with it; removing the first
	// children takes the key right of the last one instead, since the new
	// first child needs none on its left.
	kf, kt := from-1, to-1
	if from == 0 {
		kf, kt = 0, to
	}
	copy(in.keys[kf:], in.keys[kt:n])
	clear(in.keys[n-k : n])
	copy(in.kids[from:], in.kids[to:n+1])
	clear(in.kids[n+1-k : n+1])
	copy(in.cnt[from:], in.cnt[to:n+1])
	clear(in.cnt[n+1-k : n+1])
	in.n -= int32(k)
	return false
}

// repair walks from the root along k's path, which DeleteRange cut, and
// fixes the first underfull node it meets: a root with a single child goes,
// and any other node is merged with or refilled from a sibling (see
// rebalance). It reports whether it changed anything; DeleteRange calls it
// for lo and for hi until neither does. The nodes left underfull by trim
// are all on the two cut paths, and so are the nodes each fix leaves
// underfull (a parent that lost a key to a merge), so the walks find them
// all; every fix either merges two nodes or leaves both at their minimum,
// so the loop ends after O(log n) fixes.
func (m *Map[K, V]) repair(k K) bool {
	if m.root == nil {
		return false
	}
	if m.height > 0 && m.root.n == 0 {
		m.collapse()
		return true
	}
	h := m.root
	private := h.shares.Load() == 0
	first, last := true, true
	for level := m.height; level > 0; level-- {
		in := innerOf[K, V](h)
		i := m.child(in, k)
		first, last = first && i == 0, last && i == int(in.n)
		kid := in.kids[i]
		private = private && kid.shares.Load() == 0
		min := minInner
		if level == 1 {
			min = minLeaf
		}
		if underfull(int(kid.n), min, first || last) {
			if !private {
				panic("btree: internal error: DeleteRange left a shared node underfull")
			}
			m.rebalance(in, i, level-1)
			return true
		}
		h = kid
	}
	return false
}
