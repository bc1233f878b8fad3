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
// refilled from their neighbours (copying a shared neighbour first), as
// Delete does; each fix walks from the root again, O(log² n) steps in all.
// So removing most of a shared map copies O(log n) nodes, and the other
// handles keep all of it. On a map that holds its nodes alone, the dropped
// subtrees are freed, which visits each of their inner nodes once (their
// leaves are not opened).
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
	m.snap.Forget()
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
	for m.repair() {
	}
	clearDirty[K, V](m.root, m.height)
	m.collapse()
	return removed
}

// trim removes the entries in the range from the subtree *slot at level,
// making it private first, and returns how many it removed and whether the
// subtree is now empty. hasLo and hasHi say whether the subtree reaches
// past lo and hi; a bound it lies inside of is not searched.
func (m *Map[K, V]) trim(slot **header, level int, lo, hi K, hasLo, hasHi bool) (int, bool) {
	if level == 0 {
		// Search first: a boundary leaf with nothing in the range is left
		// as it is, shared or not.
		lf := leafOf[K, V](*slot)
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
		lf = leafOf[K, V](writable[K, V](slot, 0))
		lf.dirty = true
		copy(lf.keys[a:], lf.keys[b:n])
		copy(lf.vals[a:], lf.vals[b:n])
		k := b - a
		clear(lf.keys[n-k : n])
		clear(lf.vals[n-k : n])
		lf.n -= int32(k)
		return k, lf.n == 0
	}
	h := writable[K, V](slot, level)
	h.dirty = true
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

// repair fixes one underfull node that DeleteRange left behind, and reports
// whether it found one; DeleteRange calls it until it finds none. A root
// with a single child goes; any other node is merged with or refilled from
// a sibling (see rebalance). The nodes trim cut are marked dirty, and every
// node left underfull is one of them (or a parent that lost a key to a
// merge, dirty too), so repair opens only the dirty nodes: O(log n) of
// them. Each fix either merges two nodes or leaves both at least at their
// minimum, so the repairs end after O(log n) fixes. Repair follows the
// marks, never the keys, so even a comparison function that broke its rule
// leaves no node without a sibling to refill it.
func (m *Map[K, V]) repair() bool {
	if m.root == nil {
		return false
	}
	if m.height > 0 && m.root.n == 0 {
		m.collapse()
		return true
	}
	return m.repairKids(m.root, m.height, true, true)
}

// repairKids repairs the dirty subtrees of the dirty node h at level, the
// deepest first, and then h's own underfull children; first and last say
// whether h is the first or last node of its level.
func (m *Map[K, V]) repairKids(h *header, level int, first, last bool) bool {
	if level == 0 {
		return false
	}
	in := innerOf[K, V](h)
	min := minInner
	if level == 1 {
		min = minLeaf
	}
	for i := 0; i <= int(in.n); i++ {
		kid := in.kids[i]
		if !kid.dirty {
			continue
		}
		kf, kl := first && i == 0, last && i == int(in.n)
		if m.repairKids(kid, level-1, kf, kl) {
			return true
		}
		if underfull(int(kid.n), min, kf || kl) && m.rebalance(in, i, level-1) {
			// The pair rebalanced may have traded children: both stay
			// marked, so that their dirty children stay reachable.
			for _, j := range [...]int{i - 1, i, i + 1} {
				if j >= 0 && j <= int(in.n) && !in.kids[j].shares.Shared() {
					in.kids[j].dirty = true // private, as in is: never mark a shared node
				}
			}
			return true
		}
	}
	return false
}

// clearDirty clears the marks of the dirty subtree h at level.
func clearDirty[K, V any](h *header, level int) {
	if h == nil || !h.dirty {
		return
	}
	h.dirty = false
	if level > 0 {
		in := innerOf[K, V](h)
		for _, kid := range in.kids[:in.n+1] {
			clearDirty[K, V](kid, level-1)
		}
	}
}
