package rope

import (
	"unsafe"

	"github.com/cowkit/cowkit/internal/refcount"
)

// node is a leaf (level 0, elems) or an inner node (level > 0, kids). A
// rope is a B+tree keyed implicitly by position: an inner node keeps the
// number of elements under each child, and finding position i subtracts
// them on the way down, one node per level.
//
// Every leaf is at the same depth. Every node but the root keeps a
// minimum fill: a leaf holds between leafCap/8 and leafCap elements, an
// inner node between innerCap/2 and innerCap children; a root leaf holds at
// least one element and a root inner node at least two children. An empty
// rope has no root. A leaf's low minimum lets an append to a full last leaf
// leave it seven-eighths full (see splitLeaf), so a rope built by appends
// keeps its leaves nearly full; splits and joins elsewhere leave nodes at
// least half full.
type node[T any] struct {
	// shares counts the node's holders (parents, handles, loops) minus
	// one, as btree's nodes do (see refcount.Shares): a node with no other
	// holder is written in place, a shared one is shadowed first.
	shares refcount.Shares
	level  int
	elems  []T        // a leaf's elements; capacity leafCap
	kids   []child[T] // an inner node's children; capacity innerCap+1
}

// child is one of an inner node's children and the number of elements
// under it, side by side so that a search reads one array. For a leaf it
// also keeps the address of the leaf's elements, so that At reads an
// element without first loading the leaf's header: one cache miss less at
// the bottom of the tree, where the misses are. A leaf's elements never
// move (its array is allocated at full capacity and only ever written in
// place), so the address changes only when the child is replaced, which
// set does.
type child[T any] struct {
	n    *node[T]
	size int
	data *T // n.elems' array when n is a leaf, else nil
}

// set makes n the child, keeping data in step.
func (c *child[T]) set(n *node[T]) {
	c.n, c.data = n, nil
	if n.level == 0 {
		c.data = unsafe.SliceData(n.elems)
	}
}

// leafCap is the most elements a leaf of T holds: leafBytes of them,
// within [minLeafCap, maxLeafCap].
func leafCap[T any]() int {
	s := int(unsafe.Sizeof(*new(T)))
	if s == 0 || leafBytes/s > maxLeafCap {
		return maxLeafCap
	}
	return max(leafBytes/s, minLeafCap)
}

// width is the number of elements of a leaf or of children of an inner
// node: what the fill bounds bound.
func (n *node[T]) width() int {
	if n.level == 0 {
		return len(n.elems)
	}
	return len(n.kids)
}

// minWidth is the narrowest a node other than the root may be.
func (n *node[T]) minWidth() int {
	if n.level == 0 {
		return max(leafCap[T]()/8, 1)
	}
	return innerCap / 2
}

// capacity is the widest the node may be.
func (n *node[T]) capacity() int {
	if n.level == 0 {
		return leafCap[T]()
	}
	return innerCap
}

// size is the number of elements under n.
func (n *node[T]) size() int {
	if n.level == 0 {
		return len(n.elems)
	}
	s := 0
	for _, c := range n.kids {
		s += c.size
	}
	return s
}

func newLeaf[T any](elems []T) *node[T] {
	l := &node[T]{elems: make([]T, len(elems), leafCap[T]())}
	copy(l.elems, elems)
	return l
}

// inner is an inner node with its children in the same allocation: kids
// is a slice of kidArr, which keeps the node's children next to its header
// in memory, so a search down the tree misses the cache once less per
// level, and makes an inner node one allocation. Code reaches an inner
// node through its *node (the first field), and appends to kids only
// within its capacity, so kids never leaves kidArr.
type inner[T any] struct {
	node[T]
	kidArr [innerCap + 1]child[T]
}

func newInner[T any](level int, kids ...child[T]) *node[T] {
	in := new(inner[T])
	in.level = level
	in.kids = in.kidArr[:len(kids):len(in.kidArr)]
	copy(in.kids, kids)
	return &in.node
}

func childOf[T any](n *node[T]) child[T] {
	c := child[T]{size: n.size()}
	c.set(n)
	return c
}

// own returns n made private: if another holder shares it, a copy (its
// shadow) that holds each of n's children once more, after which this
// holder's share of n is let go. The caller holds one share of n and, on
// return, the one share of the result.
func own[T any](n *node[T]) *node[T] {
	if !n.shares.Shared() {
		return n
	}
	return shadow(n)
}

// shadow is own's slow path, kept out of line so that own inlines. Copy
// first, then drop: the other holders keep a valid node throughout.
//
//go:noinline
func shadow[T any](n *node[T]) *node[T] {
	var c *node[T]
	if n.level == 0 {
		c = newLeaf(n.elems)
	} else {
		c = newInner(n.level, n.kids...)
		for _, k := range c.kids {
			k.n.shares.Acquire()
		}
	}
	drop(n)
	return c
}

// drop lets one holder of n go. If it was the last one, n is dead and its
// holds on its children are let go in turn: drop recurses only where a
// count runs out (Rodeh's lazy reference counts).
func drop[T any](n *node[T]) {
	if !n.shares.Release() || n.level == 0 {
		return
	}
	for _, c := range n.kids {
		drop(c.n)
	}
}

// hold takes one more share of n, if there is one, and returns it.
func hold[T any](n *node[T]) *node[T] {
	if n != nil {
		n.shares.Acquire()
	}
	return n
}

// locate returns the child of the inner node n that holds position i
// (0 <= i < n.size()) and i's position within it.
func (n *node[T]) locate(i int) (int, int) {
	for k, c := range n.kids {
		if i < c.size {
			return k, i
		}
		i -= c.size
	}
	panic("rope: internal error: position beyond the node")
}
