package rope

import "iter"

// The structural operations (Slice, Concat, and the Insert and Delete that
// do not fit one leaf) are built from three: prefix and suffix cut a tree
// at a position, join puts two trees side by side. Each consumes one share
// of every tree it is given and returns one share of its result, so a
// caller that wants to keep a tree takes a share of it first, and then the
// nodes it reaches are shared and are shadowed, never written. Each touches
// O(log n) nodes: the cut path, and the spine of the taller tree down to
// the height of the shorter one (the joins along one cut telescope, as in
// the join-based balanced trees of Blelloch, Ferizovic and Sun).
//
// A tree is its root (nil when empty); its height is the root's level.
// Every tree these functions return keeps the fill bounds of node.go.

// prefix returns the tree of the first i elements of n (0 <= i <= size).
func prefix[T any](n *node[T], i int) *node[T] {
	if i == 0 {
		drop(n)
		return nil
	}
	if i == n.size() {
		return n
	}
	n = own(n)
	if n.level == 0 {
		clear(n.elems[i:])
		n.elems = n.elems[:i]
		return n
	}
	k, j := n.locate(i - 1)
	sub := prefix(n.kids[k].n, j+1)
	for _, c := range n.kids[k+1:] {
		drop(c.n)
	}
	clear(n.kids[k:])
	n.kids = n.kids[:k]
	return join(collapse(n), sub)
}

// suffix returns the tree of n's elements from position i on
// (0 <= i <= size).
func suffix[T any](n *node[T], i int) *node[T] {
	if i == 0 {
		return n
	}
	if i == n.size() {
		drop(n)
		return nil
	}
	n = own(n)
	if n.level == 0 {
		m := copy(n.elems, n.elems[i:])
		clear(n.elems[m:])
		n.elems = n.elems[:m]
		return n
	}
	k, j := n.locate(i)
	for _, c := range n.kids[:k] {
		drop(c.n)
	}
	sub := suffix(n.kids[k].n, j)
	m := copy(n.kids, n.kids[k+1:])
	clear(n.kids[m:])
	n.kids = n.kids[:m]
	return join(sub, collapse(n))
}

// collapse returns the tree an inner node n that has just lost children
// stands for: nothing if it has none, its one child if it has one (n,
// private, is left to the collector: its hold on the child is the
// result's), else n.
func collapse[T any](n *node[T]) *node[T] {
	switch len(n.kids) {
	case 0:
		return nil
	case 1:
		return n.kids[0].n
	}
	return n
}

// join returns the tree of a's elements followed by b's.
func join[T any](a, b *node[T]) *node[T] {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	var x, y *node[T]
	switch {
	case a.level == b.level:
		x, y = joinLevel(a, b)
	case a.level > b.level:
		x, y = joinRight(a, b)
	default:
		x, y = joinLeft(a, b)
	}
	if y == nil {
		return x
	}
	return newInner(x.level+1, childOf(x), childOf(y))
}

// joinLevel joins two nodes of one level: into one node if their contents
// fit, else into two that each keep the minimum fill (either of a and b
// may be a root, so below it; then the two are balanced to half each).
func joinLevel[T any](a, b *node[T]) (*node[T], *node[T]) {
	wa, wb, c := a.width(), b.width(), a.capacity()
	if wa+wb <= c {
		a, b = own(a), own(b)
		if a.level == 0 {
			a.elems = append(a.elems, b.elems...)
		} else {
			a.kids = append(a.kids, b.kids...) // b is private: its holds move to a
		}
		return a, nil
	}
	if m := a.minWidth(); wa >= m && wb >= m {
		return a, b
	}
	a, b = own(a), own(b)
	balance(a, b)
	return a, b
}

// balance moves elements or children between the private neighbours a and
// b, whose widths add up to more than one node holds, so that a holds half
// of them (rounded up) and b the rest.
func balance[T any](a, b *node[T]) {
	if a.level == 0 {
		a.elems, b.elems = balanced(a.elems, b.elems)
	} else {
		a.kids, b.kids = balanced(a.kids, b.kids)
	}
}

// balanced moves items across the boundary between a and b, within their
// capacities, so that a has half of them, rounded up.
func balanced[E any](a, b []E) ([]E, []E) {
	half := (len(a) + len(b) + 1) / 2
	switch {
	case len(a) > half: // move a's tail to the front of b
		m := len(a) - half
		b = b[:len(b)+m]
		copy(b[m:], b)
		copy(b, a[half:])
		clear(a[half:])
		a = a[:half]
	case len(a) < half: // move b's head to the end of a
		m := half - len(a)
		a = append(a, b[:m]...)
		k := copy(b, b[m:])
		clear(b[k:])
		b = b[:k]
	}
	return a, b
}

// joinRight joins b to the right of a, which is taller: b goes under the
// node of a's right spine one level above it, and splits propagate up the
// spine. It returns a's new root and, if that split, its new right
// neighbour.
func joinRight[T any](a, b *node[T]) (*node[T], *node[T]) {
	a = own(a)
	last := &a.kids[len(a.kids)-1]
	var x, y *node[T]
	if a.level-1 == b.level {
		x, y = joinLevel(last.n, b)
	} else {
		x, y = joinRight(last.n, b)
	}
	*last = childOf(x)
	if y != nil {
		a.kids = append(a.kids, childOf(y))
	}
	return a, splitFull(a)
}

// joinLeft joins a to the left of b, which is taller: joinRight's mirror.
func joinLeft[T any](a, b *node[T]) (*node[T], *node[T]) {
	b = own(b)
	first := &b.kids[0]
	var x, y *node[T]
	if b.level-1 == a.level {
		x, y = joinLevel(a, first.n)
	} else {
		x, y = joinLeft(a, first.n)
	}
	*first = childOf(x)
	if y != nil {
		b.kids = append(b.kids, child[T]{})
		copy(b.kids[2:], b.kids[1:])
		b.kids[1] = childOf(y)
	}
	return b, splitFull(b)
}

// splitFull splits the private inner node n if it has one child more than
// it may: n keeps the first half and the returned node the rest.
func splitFull[T any](n *node[T]) *node[T] {
	if len(n.kids) <= innerCap {
		return nil
	}
	half := (len(n.kids) + 1) / 2
	r := newInner(n.level, n.kids[half:]...)
	clear(n.kids[half:])
	n.kids = n.kids[:half]
	return r
}

// build returns a tree of vs, with full leaves and inner nodes but the
// last two of each level, which share what is left evenly (so that each
// keeps at least half).
func build[T any](vs []T) *node[T] {
	if len(vs) == 0 {
		return nil
	}
	lc := leafCap[T]()
	level := make([]child[T], 0, (len(vs)+lc-1)/lc)
	for lo, hi := range fill(len(vs), lc) {
		level = append(level, childOf(newLeaf(vs[lo:hi])))
	}
	for h := 1; len(level) > 1; h++ {
		up := make([]child[T], 0, (len(level)+innerCap-1)/innerCap)
		for lo, hi := range fill(len(level), innerCap) {
			up = append(up, childOf(newInner(h, level[lo:hi]...)))
		}
		level = up
	}
	return level[0].n
}

// fill yields the bounds [lo, hi) of the nodes that n items fill, at most
// c to a node: full nodes, then, if the items do not divide evenly, the
// last two nodes share what is left (more than c), half each.
func fill(n, c int) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		full := n / c
		if n%c != 0 && full > 0 {
			full-- // the last full node shares with the rest
		}
		lo := 0
		for range full {
			if !yield(lo, lo+c) {
				return
			}
			lo += c
		}
		if rest := n - lo; rest > c {
			if !yield(lo, lo+(rest+1)/2) {
				return
			}
			lo += (rest + 1) / 2
		}
		if lo < n {
			yield(lo, n)
		}
	}
}
