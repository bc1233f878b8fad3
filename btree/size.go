//go:build !btree_smallnodes

package btree

// Node capacities, chosen by benchmark (see bench_test.go). The tree is a
// B+tree: leaves hold the entries, inner nodes hold separator keys and
// children. For int keys and values a leaf is exactly 1024 bytes and an
// inner node 256, both Go size classes, so nothing is lost to rounding.
// Inner nodes are small because shadowing one (copying it for a write)
// counts one more holder of each of its children: with 15 children instead
// of 63, the first write after a Clone of a million-entry map costs 1.2 us
// instead of 1.8 us, for one more level (six) on the way to a leaf, whose
// upper levels stay in the cache.
//
// Tests also run with -tags btree_smallnodes (size_small.go), where nodes
// hold a handful of keys, so that a few dozen random operations split,
// merge and rebalance nodes at several levels.
const (
	maxLeaf  = 63
	minLeaf  = maxLeaf / 2
	maxInner = 14 // separator keys; an inner node has one child more
	minInner = maxInner / 2
)
