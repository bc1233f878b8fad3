//go:build rope_smallnodes

package rope

// Tiny nodes, so that tests reach deep trees, splits, merges and joins of
// trees of different heights within a few dozen operations. See size.go.
const (
	leafBytes  = 1
	minLeafCap = 4
	maxLeafCap = 4
	innerCap   = 4
)

// smallNodes tells tests that measure sizes which build this is.
const smallNodes = true

// maxHeight bounds a tree's height, for the iterators' fixed stacks: a
// taller tree would hold more elements than memory has bytes.
const maxHeight = 64
