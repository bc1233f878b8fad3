package pagearena

import (
	"sync/atomic"
	"unsafe"
)

// The page table is a radix tree: every node has fanout slots, indexed by
// 6 bits of the page number. A node at level 0 (a leaf) points to frames,
// a node above points to nodes. A nil slot is the zero page, or a whole
// subtree of zero pages: the zero page is a sentinel, never written and
// never counted.
const (
	fanBits = 6
	fanout  = 1 << fanBits
)

// node is a page-table node. Like btree's nodes it counts its holders
// (parent nodes and arenas) minus one, so a new node needs no atomic
// initialisation; a node is shared while shares > 0.
type node struct {
	shares atomic.Int64
	slot   [fanout]unsafe.Pointer // *node above level 0, *frame at level 0
}

// frame is one page of memory. refs is its holders (slots of leaf nodes)
// minus one.
type frame struct {
	refs atomic.Int64
	data []byte
}

func (n *node) kid(i int) *node    { return (*node)(n.slot[i]) }
func (n *node) frame(i int) *frame { return (*frame)(n.slot[i]) }
func (f *frame) acquire()          { f.refs.Add(1) }

// heightFor returns the levels of page table above the leaves that map
// pages pages.
func heightFor(pages int64) (h int) {
	for span := int64(fanout); span < pages; span <<= fanBits {
		h++
	}
	return h
}

// index returns the slot index of page p in a node at level.
func index(p int64, level int) int { return int(p>>(fanBits*level)) & (fanout - 1) }

// tryAcquire counts one more holder of f unless f is already dead.
func (f *frame) tryAcquire() bool {
	for {
		r := f.refs.Load()
		if r < 0 {
			return false
		}
		if f.refs.CompareAndSwap(r, r+1) {
			return true
		}
	}
}

// dropFrame gives up one reference to f and reports whether it was the
// last, in which case the frame leaves the pool.
func (p *pool) dropFrame(f *frame) bool {
	if f.refs.Add(-1) < 0 {
		p.frames.Add(-1)
		return true
	}
	return false
}

// drop gives up one reference to the node n at level, recursing into its
// children only if it was the last.
func (p *pool) drop(n *node, level int) {
	if n.shares.Add(-1) >= 0 {
		return
	}
	for i := range n.slot {
		if n.slot[i] == nil {
			continue
		}
		if level == 0 {
			p.dropFrame(n.frame(i))
		} else {
			p.drop(n.kid(i), level-1)
		}
	}
}

// cloneNode returns a private copy of n that holds its own reference to
// each child: copy first, then the caller drops n.
func cloneNode(n *node, level int) *node {
	c := new(node)
	c.slot = n.slot
	for _, s := range c.slot {
		if s == nil {
			continue
		}
		if level == 0 {
			(*frame)(s).acquire()
		} else {
			(*node)(s).shares.Add(1)
		}
	}
	return c
}

// writable returns the node *slot points to, made private to the caller,
// who holds the node that holds slot privately: a nil slot gets a new
// empty node, and a shared node is shadowed.
func (p *pool) writable(slot *unsafe.Pointer, level int) *node {
	n := (*node)(*slot)
	switch {
	case n == nil:
		n = new(node)
		*slot = unsafe.Pointer(n)
	case n.shares.Load() != 0:
		c := cloneNode(n, level)
		*slot = unsafe.Pointer(c)
		p.drop(n, level)
		n = c
	}
	return n
}
