//go:build !rope_smallnodes

package rope

// Node sizes. A leaf holds up to leafBytes of elements (at least minLeafCap
// and at most maxLeafCap of them); an inner node up to innerCap children.
// Every inner node but the root is at least half full and every leaf but
// the root at least an eighth (see node.go): a rope of a million ints (128
// to a leaf) built by New, Collect or Append is four levels deep, and five
// if built by prepending, which leaves split leaves half full. See size_small.go for the tiny
// nodes the tests also run with.
const (
	leafBytes  = 1024
	minLeafCap = 8
	maxLeafCap = 1024
	innerCap   = 32
)

// smallNodes tells tests that measure sizes which build this is.
const smallNodes = false

// maxHeight bounds a tree's height, for the iterators' fixed stacks: a
// taller tree would hold more elements than memory has bytes.
const maxHeight = 24
