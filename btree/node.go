package btree

import (
	"unsafe"

	"github.com/cowkit/cowkit/internal/refcount"
)

// maxHeight bounds the number of inner levels. Every inner node but those
// on the tree's edges has at least minInner+1 children, so a tree of height
// 32 would hold more entries than a computer has bytes.
const maxHeight = 32

// header starts every node. Its address is the node's identity: inner nodes
// point to their children's headers, and the map to its root's.
type header struct {
	// shares counts the node's holders (parents, handles, loops) minus
	// one, in the vocabulary of refcount.Shares: a new node needs no
	// atomic initialisation, and a node with no other holder is written in
	// place.
	shares refcount.Shares
	n      int32 // entries in a leaf, separator keys in an inner node
	// level is 0 for a leaf and one more than its children's for an inner
	// node. The code never reads it (the map tracks levels as it walks);
	// it lives in what would be padding, so that the invariant checker can
	// prove every node sits at the level its type assumes.
	level uint8
	// dirty marks the nodes DeleteRange cut, from trim until its repairs
	// are done; it is false at every other time.
	dirty bool
}

// leaf is a node at level 0. Keys and values are in separate arrays, so a
// binary search over the keys touches half the cache lines it would if
// they were interleaved.
type leaf[K, V any] struct {
	header
	keys [maxLeaf]K
	vals [maxLeaf]V
}

// inner is a node at a level above 0. Every key in kids[i] is at least
// keys[i-1] and less than keys[i], and cnt[i] is the number of entries in
// the subtree kids[i]: the counts At and Rank add up on their way down, so
// that finding the entry of rank i opens one node per level.
type inner[K, V any] struct {
	header
	keys [maxInner]K
	kids [maxInner + 1]*header
	cnt  [maxInner + 1]int
}

// The map knows the level of every node it reaches (leaves are at level 0,
// all at the same depth), so a header is converted to its node type without
// a tag. These conversions go from a smaller type to a larger one, which
// unsafe.Pointer's rules allow only because every *header in the tree was
// made as &leaf.header or &inner.header, the first field of a node of
// exactly the type that its level says; the checkptr instrumentation of
// -race checks each conversion against the allocation.

func leafOf[K, V any](h *header) *leaf[K, V] {
	return (*leaf[K, V])(unsafe.Pointer(h))
}

func innerOf[K, V any](h *header) *inner[K, V] {
	return (*inner[K, V])(unsafe.Pointer(h))
}

// cloneNode returns a private copy of the node h at the given level (the
// "shadow" of Rodeh's paper). The copy holds its own reference to every child,
// so each child's count goes up by one; the caller then drops its reference
// to h. Only the n live entries are copied.
func cloneNode[K, V any](h *header, level int) *header {
	n := h.n
	if level == 0 {
		src, dst := leafOf[K, V](h), new(leaf[K, V])
		dst.n = n
		copy(dst.keys[:n], src.keys[:n])
		copy(dst.vals[:n], src.vals[:n])
		return &dst.header
	}
	src, dst := innerOf[K, V](h), new(inner[K, V])
	dst.n, dst.level = n, h.level
	copy(dst.keys[:n], src.keys[:n])
	copy(dst.kids[:n+1], src.kids[:n+1])
	copy(dst.cnt[:n+1], src.cnt[:n+1])
	for _, kid := range dst.kids[:n+1] {
		kid.shares.Acquire()
	}
	return &dst.header
}

// drop gives up one reference to the node h at the given level. If it was
// the last one, the node is dead and its references to its children are
// dropped in turn: Release recurses only where a count reaches zero.
func drop[K, V any](h *header, level int) {
	if !h.shares.Release() || level == 0 {
		return
	}
	in := innerOf[K, V](h)
	for _, kid := range in.kids[:in.n+1] {
		drop[K, V](kid, level-1)
	}
}

// writable returns the node that *slot points to, made private: if it is
// shared, it is shadowed first and *slot is pointed at the copy. The node
// holding slot (or the handle, for the root) must itself be private.
func writable[K, V any](slot **header, level int) *header {
	h := *slot
	if h.shares.Shared() {
		h = shadow[K, V](slot, level)
	}
	return h
}

// shadow is writable's slow path, kept out of line so that writable inlines.
// Copy first, then drop: the other holders keep a valid node throughout.
//
//go:noinline
func shadow[K, V any](slot **header, level int) *header {
	old := *slot
	c := cloneNode[K, V](old, level)
	*slot = c
	drop[K, V](old, level)
	return c
}
