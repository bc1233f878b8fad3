package btree

// fastHeight is the tallest tree the write fast paths handle: on their way
// down they note the count slot of each inner node they pass in an array of
// this length, to add the new entry to (or take the removed one from) once
// they know there is one. A taller tree takes the slow paths, which record
// the whole walk. With the default node sizes a tree that tall holds more
// than a billion entries; with -tags btree_smallnodes tests reach it with a
// few thousand.
const fastHeight = 12

// Set stores k and v. If m already has a key that compares equal to k, both
// the key and the value are replaced, as a Go map and google/btree's
// ReplaceOrInsert do: m[-0.0] = 1 after m[+0.0] = 0 leaves the key -0.0, and
// with NewFunc orderings that equate distinct values the key given last is
// the one stored. (An inner node may still hold a copy of an older equal key,
// or of a deleted one, as a separator: a key object, such as an item's
// pointer, can stay reachable after it was replaced or deleted, until that
// part of the tree is rebuilt.)
//
// Set walks from the root to the leaf where k belongs. A node on that path
// that m shares with another handle is copied first (one node per level);
// a node m holds alone is written in place. So on an unshared map,
// overwriting an existing key allocates nothing, and inserting allocates
// only when a node splits: for int keys, about once every 45 random
// inserts, and once every 55 ascending ones.
//
// Set panics if m was not made by [New] or [NewFunc].
func (m *Map[K, V]) Set(k K, v V) { m.Swap(k, v) }

// Swap stores k and v, as [Map.Set] does, and returns the value that was
// stored under an equal key before, with loaded true; or the zero V and
// false if there was none. It costs what Set costs.
func (m *Map[K, V]) Swap(k K, v V) (old V, loaded bool) {
	m.snap.Forget()
	if m.root == nil {
		m.mustOrder("Set")
		m.settle()
		lf := new(leaf[K, V])
		lf.keys[0], lf.vals[0], lf.n = k, v, 1
		m.root, m.length = &lf.header, 1
		return old, false
	}
	m.settle()
	if m.height > fastHeight {
		return m.setSlow(k, v, false)
	}
	var cnt [fastHeight]*int
	slot := &m.root
	for level := m.height; level > 0; level-- {
		in := innerOf[K, V](writable[K, V](slot, level))
		i, found := m.search(in.keys[:in.n], k)
		if found {
			i++
		}
		cnt[level-1] = &in.cnt[i]
		slot = &in.kids[i]
	}
	lf := leafOf[K, V](writable[K, V](slot, 0))
	i, found := m.search(lf.keys[:lf.n], k)
	if found {
		old = lf.vals[i]
		lf.keys[i], lf.vals[i] = k, v
		return old, true
	}
	if lf.n == maxLeaf {
		return m.setSlow(k, v, false)
	}
	insertEntry(lf, i, k, v)
	for _, c := range cnt[:m.height] {
		*c++
	}
	m.length++
	return old, false
}

// insertEntry inserts k and v at index i of lf, which has room.
func insertEntry[K, V any](lf *leaf[K, V], i int, k K, v V) {
	n := int(lf.n)
	copy(lf.keys[i+1:n+1], lf.keys[i:n])
	copy(lf.vals[i+1:n+1], lf.vals[i:n])
	lf.keys[i], lf.vals[i] = k, v
	lf.n++
}

// path records a root-to-leaf walk that made every node on it private to
// the map: at depth d (the root is at depth 0) the walk went through
// node[d] into its child idx[d].
type path[K, V any] struct {
	node [maxHeight]*inner[K, V]
	idx  [maxHeight]int
	// edge[d]: the walk's node at depth d is the first or the last of its
	// level; first and last: the leaf it reached is the first / the last.
	edge        [maxHeight + 1]bool
	first, last bool
}

// add adds d to the count of every subtree the walk went into, for a map
// of the given height.
func (p *path[K, V]) add(height, d int) {
	for i := range height {
		p.node[i].cnt[p.idx[i]] += d
	}
}

// privatePath walks from the root to the leaf where k belongs, making each
// node private before it reads it (shadowing the shared ones), records the
// walk in p and returns the leaf.
//
// Every write that changes the tree's shape (a split, a shift, a merge)
// starts with a walk of its own, and touches only nodes on that walk and
// siblings it holds alone or makes private first. It never relies on an
// earlier walk having made a node private: with a comparison function that
// breaks NewFunc's rule, a second walk can end somewhere else, where nodes
// may be shared with other handles. So such a function can disorder the
// map written with it, but never reach a node another handle holds.
func (m *Map[K, V]) privatePath(k K, p *path[K, V]) *leaf[K, V] {
	first, last := true, true
	p.edge[0] = true
	slot := &m.root
	for d := range m.height {
		in := innerOf[K, V](writable[K, V](slot, m.height-d))
		i, found := m.search(in.keys[:in.n], k)
		if found {
			i++
		}
		p.node[d], p.idx[d] = in, i
		first, last = first && i == 0, last && i == int(in.n)
		p.edge[d+1] = first || last
		slot = &in.kids[i]
	}
	p.first, p.last = first, last
	return leafOf[K, V](writable[K, V](slot, 0))
}

// setSlow is Swap's path for a full leaf or a tall tree. It walks from the
// root with privatePath, so the leaf it ends at is normally the one Swap
// found (and only a comparison function that broke its rule can make it
// find k after all, or room). If a neighbouring leaf that m holds alone has
// room, entries move over to it, as in a B*-tree; otherwise the leaf
// splits, and then every full node above it. Moving entries keeps leaves
// about 80% full after random inserts, where splitting alone leaves them
// 69% full. With bulk set (Insert's appends) a full last leaf stays full
// and the new entry starts the next one.
func (m *Map[K, V]) setSlow(k K, v V, bulk bool) (old V, loaded bool) {
	var p path[K, V]
	lf := m.privatePath(k, &p)
	i, found := m.search(lf.keys[:lf.n], k)
	if found {
		old = lf.vals[i]
		lf.keys[i], lf.vals[i] = k, v
		return old, true
	}
	p.add(m.height, 1)
	m.length++
	if lf.n < maxLeaf {
		insertEntry(lf, i, k, v)
		return old, false
	}
	first, last := p.first, p.last
	edge := last && i == maxLeaf || first && i == 0
	if m.height > 0 && !edge && shiftInsert(p.node[m.height-1], p.idx[m.height-1], lf, i, k, v) {
		return old, false
	}

	// Of the maxLeaf+1 entries, keep stay in lf and the rest move to a new
	// right sibling. Inserting past the end of the last leaf (ascending
	// keys) or before the start of the first (descending keys) leaves the
	// old leaf all but full, so that sequential loads fill leaves. The new
	// edge leaf gets two entries, not one: edge nodes are rebalanced only
	// once empty (see deleteSlow), so deleting the key just added does not
	// merge the leaves back, and a Set/Delete pair at the edge does not
	// split and merge every time. Insert's appends (bulk) leave the old
	// leaf full.
	keep := (maxLeaf + 1) / 2
	switch {
	case last && i == maxLeaf && bulk:
		keep = maxLeaf
	case last && i == maxLeaf:
		keep = maxLeaf - 1
	case first && i == 0:
		keep = 2
	}
	r := new(leaf[K, V])
	r.n = int32(maxLeaf + 1 - keep)
	if i < keep {
		copy(r.keys[:], lf.keys[keep-1:])
		copy(r.vals[:], lf.vals[keep-1:])
		copy(lf.keys[i+1:keep], lf.keys[i:])
		copy(lf.vals[i+1:keep], lf.vals[i:])
		lf.keys[i], lf.vals[i] = k, v
	} else {
		j := copy(r.keys[:], lf.keys[keep:i])
		copy(r.vals[:], lf.vals[keep:i])
		r.keys[j], r.vals[j] = k, v
		copy(r.keys[j+1:], lf.keys[i:])
		copy(r.vals[j+1:], lf.vals[i:])
	}
	clear(lf.keys[keep:])
	clear(lf.vals[keep:])
	lf.n = int32(keep)

	// Each level up, the node the walk went through (kid, whose count
	// already includes the new entry) gives the entries of its new right
	// sibling to that sibling's slot, just after it.
	sep, kid, kc := r.keys[0], &r.header, int(r.n)
	for d := m.height - 1; d >= 0; d-- {
		in, i := p.node[d], p.idx[d]
		in.cnt[i] -= kc
		n := int(in.n)
		if n < maxInner {
			copy(in.keys[i+1:n+1], in.keys[i:n])
			copy(in.kids[i+2:n+2], in.kids[i+1:n+1])
			copy(in.cnt[i+2:n+2], in.cnt[i+1:n+1])
			in.keys[i], in.kids[i+1], in.cnt[i+1] = sep, kid, kc
			in.n++
			return old, false
		}
		var rn *inner[K, V]
		sep, rn = splitInner(in, i, sep, kid, kc, first, last)
		kid, kc = &rn.header, sum(rn.cnt[:rn.n+1])
	}
	if m.height == maxHeight {
		panic("btree: tree height limit reached") // unreachable: see maxHeight
	}
	root := new(inner[K, V])
	root.n, root.level = 1, uint8(m.height+1)
	root.keys[0], root.kids[0], root.kids[1] = sep, m.root, kid
	root.cnt[0], root.cnt[1] = m.length-kc, kc
	m.root = &root.header
	m.height++
	return old, false
}

// shiftInsert tries to make room in the full leaf lf, parent's child j, by
// moving entries to its left or right sibling, then inserts k and v, which
// belong at index i of lf. It moves entries only to a sibling that the map
// holds alone and that has room for at least three more, and reports
// whether it did. parent's count for lf already includes the new entry.
func shiftInsert[K, V any](parent *inner[K, V], j int, lf *leaf[K, V], i int, k K, v V) bool {
	if j > 0 {
		if left := leafOf[K, V](parent.kids[j-1]); left.n <= maxLeaf-3 && !left.shares.Shared() {
			ln := int(left.n)
			c := (maxLeaf + 1 - ln) / 2 // lf's first c entries move
			copy(left.keys[ln:], lf.keys[:c])
			copy(left.vals[ln:], lf.vals[:c])
			copy(lf.keys[:], lf.keys[c:])
			copy(lf.vals[:], lf.vals[c:])
			clear(lf.keys[maxLeaf-c:])
			clear(lf.vals[maxLeaf-c:])
			left.n, lf.n = int32(ln+c), int32(maxLeaf-c)
			if i < c {
				insertEntry(left, ln+i, k, v)
			} else {
				insertEntry(lf, i-c, k, v)
			}
			parent.keys[j-1] = lf.keys[0]
			parent.cnt[j-1], parent.cnt[j] = int(left.n), int(lf.n)
			return true
		}
	}
	if j < int(parent.n) {
		if right := leafOf[K, V](parent.kids[j+1]); right.n <= maxLeaf-3 && !right.shares.Shared() {
			rn := int(right.n)
			c := (maxLeaf + 1 - rn) / 2 // lf's last c entries move
			keep := maxLeaf - c
			copy(right.keys[c:], right.keys[:rn])
			copy(right.vals[c:], right.vals[:rn])
			copy(right.keys[:c], lf.keys[keep:])
			copy(right.vals[:c], lf.vals[keep:])
			clear(lf.keys[keep:])
			clear(lf.vals[keep:])
			right.n, lf.n = int32(rn+c), int32(keep)
			if i > keep {
				insertEntry(right, i-keep, k, v)
			} else {
				insertEntry(lf, i, k, v)
			}
			parent.keys[j] = right.keys[0]
			parent.cnt[j], parent.cnt[j+1] = int(lf.n), int(right.n)
			return true
		}
	}
	return false
}

// splitInner inserts sep at in.keys[i], and kid, holding kc entries, at
// in.kids[i+1] into the full inner node in, splitting it: in keeps the
// first keys, a new right sibling gets the rest, and splitInner returns the
// key that separates them, for the parent, and the sibling. On the tree's
// edges the split is lopsided, as for leaves, but both halves keep at least
// one key.
func splitInner[K, V any](in *inner[K, V], i int, sep K, kid *header, kc int, first, last bool) (K, *inner[K, V]) {
	var keys [maxInner + 1]K
	var kids [maxInner + 2]*header
	var cnt [maxInner + 2]int
	copy(keys[:i], in.keys[:i])
	keys[i] = sep
	copy(keys[i+1:], in.keys[i:])
	copy(kids[:i+1], in.kids[:i+1])
	kids[i+1] = kid
	copy(kids[i+2:], in.kids[i+1:])
	copy(cnt[:i+1], in.cnt[:i+1])
	cnt[i+1] = kc
	copy(cnt[i+2:], in.cnt[i+1:])

	keep := (maxInner + 1) / 2
	switch {
	case last && i == maxInner:
		keep = maxInner - 1
	case first && i == 0:
		keep = 1
	}
	r := new(inner[K, V])
	r.level = in.level
	r.n = int32(copy(r.keys[:], keys[keep+1:]))
	copy(r.kids[:], kids[keep+1:])
	copy(r.cnt[:], cnt[keep+1:])
	copy(in.keys[:], keys[:keep])
	copy(in.kids[:], kids[:keep+1])
	copy(in.cnt[:], cnt[:keep+1])
	clear(in.keys[keep:])
	clear(in.kids[keep+1:])
	clear(in.cnt[keep+1:])
	in.n = int32(keep)
	return keys[keep], r
}

// Delete removes the entry for k and reports whether there was one.
//
// Deleting a key that is not there never copies or allocates. Otherwise the
// nodes on k's path that m shares are copied first, as for [Map.Set], and
// so is a shared neighbour that an underfull leaf borrows entries from;
// merging two nodes never copies. On an unshared map Delete allocates
// nothing.
func (m *Map[K, V]) Delete(k K) bool {
	_, _, ok := m.Pop(k)
	return ok
}

// Pop removes the entry for k, as [Map.Delete] does, and returns the key as
// it was stored, its value and true; or zero values and false if there was
// none. It costs what Delete costs.
func (m *Map[K, V]) Pop(k K) (K, V, bool) {
	m.snap.Forget()
	var zk K
	var zv V
	h := m.root
	if h == nil {
		return zk, zv, false
	}
	var cnt [fastHeight]*int
	private := !h.shares.Shared() && !m.held()
	first, last := true, true
	for level := m.height; level > 0; level-- {
		in := innerOf[K, V](h)
		i, found := m.search(in.keys[:in.n], k)
		if found {
			i++
		}
		first, last = first && i == 0, last && i == int(in.n)
		if level <= fastHeight {
			cnt[level-1] = &in.cnt[i]
		}
		h = in.kids[i]
		private = private && !h.shares.Shared()
	}
	lf := leafOf[K, V](h)
	i, found := m.search(lf.keys[:lf.n], k)
	if !found {
		return zk, zv, false
	}
	if !private || m.height > fastHeight || underfull(int(lf.n)-1, minLeaf, first || last) && m.height > 0 {
		return m.deleteSlow(k)
	}
	return m.removeAt(lf, i, cnt[:m.height])
}

// removeAt removes entry i of lf, which is private and does not become
// underfull, and takes it from the counts of the subtrees on its path.
func (m *Map[K, V]) removeAt(lf *leaf[K, V], i int, cnt []*int) (K, V, bool) {
	k, v := lf.keys[i], lf.vals[i]
	removeEntry(lf, i)
	for _, c := range cnt {
		*c--
	}
	m.length--
	if lf.n == 0 {
		m.root = nil // the root leaf, and m held it alone
	}
	return k, v, true
}

// PopMin removes the entry with the smallest key and returns it, or zero
// values and false if m is empty. It costs what Delete costs; on an unshared
// map it allocates nothing.
func (m *Map[K, V]) PopMin() (K, V, bool) { return m.popEdge(false) }

// PopMax removes the entry with the largest key and returns it, or zero
// values and false if m is empty, as [Map.PopMin] does.
func (m *Map[K, V]) PopMax() (K, V, bool) { return m.popEdge(true) }

// popEdge removes the first or the last entry. Its walk follows the tree's
// edge, where a node may be as small as one entry before it is rebalanced,
// so most pops remove in place.
func (m *Map[K, V]) popEdge(max bool) (K, V, bool) {
	m.snap.Forget()
	h := m.root
	if h == nil {
		var zk K
		var zv V
		return zk, zv, false
	}
	var cnt [fastHeight]*int
	private := !h.shares.Shared() && !m.held()
	for level := m.height; level > 0; level-- {
		in := innerOf[K, V](h)
		i := 0
		if max {
			i = int(in.n)
		}
		if level <= fastHeight {
			cnt[level-1] = &in.cnt[i]
		}
		h = in.kids[i]
		private = private && !h.shares.Shared()
	}
	lf := leafOf[K, V](h)
	i := 0
	if max {
		i = int(lf.n) - 1
	}
	if !private || m.height > fastHeight || lf.n == 1 && m.height > 0 {
		return m.deleteSlow(lf.keys[i])
	}
	return m.removeAt(lf, i, cnt[:m.height])
}

// underfull reports whether a node with n entries (leaf) or keys (inner)
// must be rebalanced. The first and last node of each level may hold as
// little as one: sequential inserts leave them small, and rebalancing them
// before they are empty would merge what the next insert splits again.
func underfull(n, min int, edge bool) bool {
	if edge {
		return n < 1
	}
	return n < min
}

// deleteSlow removes k, which m was found to hold, making its path private
// first (with its own walk, see privatePath) and rebalancing underfull
// nodes on the way back up. It returns the entry it removed: only a
// comparison function that broke its rule can make this walk miss k.
func (m *Map[K, V]) deleteSlow(k K) (K, V, bool) {
	m.settle()
	var p path[K, V]
	lf := m.privatePath(k, &p)
	i, found := m.search(lf.keys[:lf.n], k)
	if !found {
		var zk K
		var zv V
		return zk, zv, false
	}
	key, val := lf.keys[i], lf.vals[i]
	removeEntry(lf, i)
	p.add(m.height, -1)
	m.length--

	n, min := int(lf.n), minLeaf
	for d := m.height - 1; d >= 0 && underfull(n, min, p.edge[d+1]); d-- {
		parent := p.node[d]
		m.rebalance(parent, p.idx[d], m.height-1-d)
		n, min = int(parent.n), minInner
	}
	m.collapse()
	return key, val, true
}

// collapse removes root nodes left with a single child, and the root leaf
// if it is empty.
func (m *Map[K, V]) collapse() {
	for m.height > 0 && m.root.n == 0 {
		m.root = innerOf[K, V](m.root).kids[0] // the old root was private: its reference passes on
		m.height--
	}
	if m.root != nil && m.root.n == 0 {
		m.root = nil
	}
}

// removeEntry removes the i-th entry of lf.
func removeEntry[K, V any](lf *leaf[K, V], i int) {
	n := int(lf.n)
	copy(lf.keys[i:n-1], lf.keys[i+1:n])
	copy(lf.vals[i:n-1], lf.vals[i+1:n])
	var zk K
	var zv V
	lf.keys[n-1], lf.vals[n-1] = zk, zv
	lf.n--
}

// rebalance fixes parent's child i at the given level, which is private and
// underfull. If it fits in one node with a sibling, the sibling's contents
// move into it and the sibling leaves the tree: that copies nothing, even
// when the sibling is shared, and removes a key from parent, which may
// leave it underfull in turn. Otherwise entries move over from the sibling,
// which is made private first, so that both have at least the minimum.
//
// Merging the child c with its right sibling s (a leaf here; inner nodes
// take the parent's key between them down with them):
//
//	parent [.. 40 70 ..]             parent [.. 70 ..]
//	        /    \                           |
//	   c [31]   s [40 52 60]    =>     c [31 40 52 60]     (s dropped)
//
// Redistributing, when the two do not fit in one node:
//
//	parent [.. 40 ..]                 parent [.. 52 ..]
//	        /    \                            /    \
//	   c [31]   s [40 44 52 60]  =>   c [31 40 44]   s [52 60]
//
// It reports whether it changed anything: a parent with a single child,
// which only a comparison function that broke its rule can leave behind
// (DeleteRange then misses nodes to repair), has no sibling to offer.
func (m *Map[K, V]) rebalance(parent *inner[K, V], i, level int) bool {
	if parent.n == 0 {
		return false
	}
	s := i + 1 // the sibling
	if i > 0 {
		s = i - 1
	}
	l := min(i, s) // the pair is kids[l] and kids[l+1], separated by keys[l]
	cur, sib := parent.kids[i], parent.kids[s]
	if level == 0 {
		if int(cur.n+sib.n) <= maxLeaf {
			mergeLeaf(leafOf[K, V](cur), leafOf[K, V](sib), s < i)
			parent.cnt[i] += parent.cnt[s]
			removeKid(parent, l, s)
			drop[K, V](sib, 0)
			return true
		}
	} else if int(cur.n+1+sib.n) <= maxInner {
		mergeInner(innerOf[K, V](cur), innerOf[K, V](sib), parent.keys[l], s < i)
		parent.cnt[i] += parent.cnt[s]
		removeKid(parent, l, s)
		if sib.shares.Shared() {
			// cur now holds sib's children too; sib keeps its own holders.
			in := innerOf[K, V](sib)
			for _, kid := range in.kids[:in.n+1] {
				kid.shares.Acquire()
			}
			drop[K, V](sib, level)
		} // else sib was private: its references pass to cur as they are
		return true
	}
	writable[K, V](&parent.kids[s], level)
	if level == 0 {
		redistributeLeaves(parent, l)
	} else {
		redistributeInner(parent, l)
	}
	return true
}

// mergeLeaf moves the entries of sib, the left or right neighbour of dst,
// into dst, which has room for them.
func mergeLeaf[K, V any](dst, sib *leaf[K, V], sibIsLeft bool) {
	dn, sn := int(dst.n), int(sib.n)
	if sibIsLeft {
		copy(dst.keys[sn:], dst.keys[:dn])
		copy(dst.vals[sn:], dst.vals[:dn])
		copy(dst.keys[:], sib.keys[:sn])
		copy(dst.vals[:], sib.vals[:sn])
	} else {
		copy(dst.keys[dn:], sib.keys[:sn])
		copy(dst.vals[dn:], sib.vals[:sn])
	}
	dst.n += int32(sn)
}

// mergeInner moves the keys, children and counts of sib, the left or right
// neighbour of dst, into dst, with sep, the parent's key between them.
func mergeInner[K, V any](dst, sib *inner[K, V], sep K, sibIsLeft bool) {
	dn, sn := int(dst.n), int(sib.n)
	if sibIsLeft {
		copy(dst.keys[sn+1:], dst.keys[:dn])
		copy(dst.kids[sn+1:], dst.kids[:dn+1])
		copy(dst.cnt[sn+1:], dst.cnt[:dn+1])
		copy(dst.keys[:], sib.keys[:sn])
		dst.keys[sn] = sep
		copy(dst.kids[:], sib.kids[:sn+1])
		copy(dst.cnt[:], sib.cnt[:sn+1])
	} else {
		dst.keys[dn] = sep
		copy(dst.keys[dn+1:], sib.keys[:sn])
		copy(dst.kids[dn+1:], sib.kids[:sn+1])
		copy(dst.cnt[dn+1:], sib.cnt[:sn+1])
	}
	dst.n += int32(1 + sn)
}

// redistributeLeaves evens out the entries of parent's children l and l+1,
// both private, and updates the key between them and their counts.
func redistributeLeaves[K, V any](parent *inner[K, V], l int) {
	left, right := leafOf[K, V](parent.kids[l]), leafOf[K, V](parent.kids[l+1])
	ln, rn := int(left.n), int(right.n)
	if ln < rn { // move right's first entries to left's end
		k := (rn - ln) / 2
		copy(left.keys[ln:], right.keys[:k])
		copy(left.vals[ln:], right.vals[:k])
		copy(right.keys[:], right.keys[k:rn])
		copy(right.vals[:], right.vals[k:rn])
		clear(right.keys[rn-k : rn])
		clear(right.vals[rn-k : rn])
		left.n, right.n = int32(ln+k), int32(rn-k)
	} else { // move left's last entries to right's start
		k := (ln - rn) / 2
		copy(right.keys[k:], right.keys[:rn])
		copy(right.vals[k:], right.vals[:rn])
		copy(right.keys[:k], left.keys[ln-k:ln])
		copy(right.vals[:k], left.vals[ln-k:ln])
		clear(left.keys[ln-k : ln])
		clear(left.vals[ln-k : ln])
		left.n, right.n = int32(ln-k), int32(rn+k)
	}
	parent.keys[l] = right.keys[0]
	parent.cnt[l], parent.cnt[l+1] = int(left.n), int(right.n)
}

// redistributeInner evens out the keys and children of parent's children
// l and l+1, both private, through the key between them: it lays out
// left's keys, that key and right's keys in a row, and cuts the row in the
// middle.
func redistributeInner[K, V any](parent *inner[K, V], l int) {
	left, right := innerOf[K, V](parent.kids[l]), innerOf[K, V](parent.kids[l+1])
	ln, rn := int(left.n), int(right.n)
	var keys [2*maxInner + 1]K
	var kids [2*maxInner + 2]*header
	var cnt [2*maxInner + 2]int
	copy(keys[:], left.keys[:ln])
	keys[ln] = parent.keys[l]
	copy(keys[ln+1:], right.keys[:rn])
	copy(kids[:], left.kids[:ln+1])
	copy(kids[ln+1:], right.kids[:rn+1])
	copy(cnt[:], left.cnt[:ln+1])
	copy(cnt[ln+1:], right.cnt[:rn+1])
	total := ln + 1 + rn
	keep := (total - 1) / 2
	copy(left.keys[:], keys[:keep])
	copy(left.kids[:], kids[:keep+1])
	copy(left.cnt[:], cnt[:keep+1])
	clear(left.keys[keep:])
	clear(left.kids[keep+1:])
	clear(left.cnt[keep+1:])
	parent.keys[l] = keys[keep]
	clear(right.keys[:])
	clear(right.kids[:])
	clear(right.cnt[:])
	copy(right.keys[:], keys[keep+1:total])
	copy(right.kids[:], kids[keep+1:total+1])
	copy(right.cnt[:], cnt[keep+1:total+1])
	left.n, right.n = int32(keep), int32(total-1-keep)
	parent.cnt[l], parent.cnt[l+1] = sum(left.cnt[:keep+1]), sum(right.cnt[:right.n+1])
}

func sum(cs []int) (t int) {
	for _, c := range cs {
		t += c
	}
	return t
}

// removeKid removes parent's key at index key and child at index kid,
// with the child's count, after that child was merged into its neighbour.
func removeKid[K, V any](parent *inner[K, V], key, kid int) {
	n := int(parent.n)
	copy(parent.keys[key:n-1], parent.keys[key+1:n])
	copy(parent.kids[kid:n], parent.kids[kid+1:n+1])
	copy(parent.cnt[kid:n], parent.cnt[kid+1:n+1])
	var zk K
	parent.keys[n-1], parent.kids[n], parent.cnt[n] = zk, nil, 0
	parent.n--
}
