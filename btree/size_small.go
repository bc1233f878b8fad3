//go:build btree_smallnodes

package btree

// Tiny nodes, so that tests reach deep trees, splits and merges within a few
// dozen operations. See size.go.
const (
	maxLeaf  = 4
	minLeaf  = maxLeaf / 2
	maxInner = 3
	minInner = maxInner / 2
)
