//go:build !btree_smallnodes

package btree

// Node capacities, chosen by benchmark (see bench_test.go). The tree is a
// B+tree: leaves hold the entries, inner nodes hold separator keys,
// children and the entry count of each child. For int keys and values a
// leaf is exactly 1024 bytes and an inner node 248, which rounds to 256
// (both Go size classes). Inner nodes are small because shadowing one
// (copying it for a write) counts one more holder of each of its children,
// and because the first write after a Clone copies one of them per level:
// with 10 children a million-entry map is still five inner levels deep,
// and the path a first write copies stays under half of tidwall/btree's.
//
// Tests also run with -tags btree_smallnodes (size_small.go), where nodes
// hold a handful of keys, so that a few dozen random operations split,
// merge and rebalance nodes at several levels.
const (
	maxLeaf  = 63
	minLeaf  = maxLeaf / 2
	maxInner = 9 // separator keys; an inner node has one child more
	minInner = maxInner / 2
)
