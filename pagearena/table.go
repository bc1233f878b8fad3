package pagearena

import (
	"sync/atomic"

	"github.com/cowkit/cowkit/internal/refcount"
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

// node is a page-table node. Its holders are parent nodes, the tables of
// arenas whose root it is, and loops that hold such a root (Diff, Dedupe),
// counted as refcount.Shares does; a node is written in place only while
// it has no other holder.
type node struct {
	shares refcount.Shares
	// written is the last Dedupe epoch in which a write went through the
	// node to a frame below it, and seen the last one in which Dedupe's
	// indexing visited it: Dedupe opens only nodes written since it last
	// looked (see dedupe.go). A node's written is never below its
	// children's.
	written, seen uint64
	kids          [fanout]*node  // at levels above 0
	frames        [fanout]*frame // at level 0
}

// frame is one page of memory. Its holders are the slots of leaf nodes
// that point to it. It is kept to 48 bytes, the fields that a write in
// place touches: a write to a page after the page before it then often
// finds its frame in a cache line already loaded (an 80-byte frame made
// such writes 40% slower).
type frame struct {
	shares refcount.Shares
	data   []byte
	// written is the Dedupe epoch of the last write to data.
	written uint64
	m       *frameMeta // nil until Dedupe first hashes the frame
}

// frameMeta is what Dedupe's index knows of a frame; guarded by
// pool.ixMu.
type frameMeta struct {
	hashed     uint64 // the epoch in which sum was computed: current unless the frame was written since
	sum        uint64
	zero       bool   // data was all zeros when hashed; such frames are not indexed
	indexed    bool   // the frame is in its bucket of pool.ix
	prev, next *frame // the bucket's list, oldest first (see frameIndex)
}

// stale reports whether f was written since Dedupe last hashed it.
func (f *frame) stale() bool { return f.m == nil || f.written > f.m.hashed }

// table is an arena's page table: what the garbage collector's cleanup of
// an arena needs, and all that the pool's list of arenas refers to, so
// that nothing the pool keeps makes an arena reachable.
type table struct {
	pool *pool
	// root is atomic only so that a cleanup, which runs on a goroutine of
	// its own, reads it without a data race; only the arena's owner, and
	// Release or the cleanup under pool.mu, store it.
	root   atomic.Pointer[node] // nil: every page is the zero page
	height int                  // levels of the page table above the leaves
	// deduped is the epoch of this arena's last Dedupe, or of the one its
	// contents came from (a fork inherits its parent's).
	deduped uint64

	// The pool's list of live tables, for Dedupe; guarded by pool.mu.
	prev, next *table
	listed     bool
}

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

// hold takes a share of t's root and returns it: a Fork holds it for the
// life of the new arena, a Diff or Dedupe for the length of its loop.
func (t *table) hold() *node {
	n := t.root.Load()
	if n != nil {
		n.shares.Acquire()
	}
	return n
}

// dropper lets go of nodes and frames. A frame that dies must leave
// Dedupe's index, under pool.ixMu: the dropper takes that lock the first
// time it needs it and keeps it until done, so that releasing an arena
// locks once, not once per frame.
type dropper struct {
	p      *pool
	locked bool // the dropper holds p.ixMu
	owned  bool // it took the lock itself, so done unlocks it
	freed  int  // frames that left the pool
}

// done releases the index lock if the dropper took it.
func (d *dropper) done() {
	if d.owned {
		d.p.ixMu.Unlock()
		d.locked, d.owned = false, false
	}
}

// frame gives up one share of f and reports whether it was the last, in
// which case the frame leaves the pool and Dedupe's index.
func (d *dropper) frame(f *frame) bool {
	if !f.shares.Release() {
		return false
	}
	d.p.frames.Add(-1)
	d.freed++
	if !d.locked {
		d.p.ixMu.Lock()
		d.locked, d.owned = true, true
	}
	if f.m != nil && f.m.indexed {
		d.p.ix.remove(f)
	}
	return true
}

// node gives up one share of the node n at level, recursing into its
// children only if it was the last.
func (d *dropper) node(n *node, level int) {
	if !n.shares.Release() {
		return
	}
	if level == 0 {
		for _, f := range n.frames {
			if f != nil {
				d.frame(f)
			}
		}
		return
	}
	for _, k := range n.kids {
		if k != nil {
			d.node(k, level-1)
		}
	}
}

// drop gives up one share of the node n at level, as a dropper of its own.
func (p *pool) drop(n *node, level int) {
	d := dropper{p: p}
	d.node(n, level)
	d.done()
}

// cloneNode returns a private copy of n that holds its own share of each
// child: copy first, then the caller drops n. The copy keeps n's epochs, so
// that Dedupe still finds what was written below it.
func cloneNode(n *node, level int) *node {
	c := &node{written: n.written, seen: n.seen}
	if level == 0 {
		c.frames = n.frames
		for _, f := range c.frames {
			if f != nil {
				f.shares.Acquire()
			}
		}
		return c
	}
	c.kids = n.kids
	for _, k := range c.kids {
		if k != nil {
			k.shares.Acquire()
		}
	}
	return c
}

// private returns n, made private to the caller, who holds the node that
// holds n (or the table whose root n is) privately: a nil n is a new empty
// node, and a shared n is shadowed. d drops n after the copy; replaced
// reports whether the caller must store the result in n's slot.
func private(n *node, level int, d *dropper) (c *node, replaced bool) {
	switch {
	case n == nil:
		return new(node), true
	case n.shares.Shared():
		c = cloneNode(n, level)
		d.node(n, level)
		return c, true
	}
	return n, false
}

// writableKid returns the child i of n, a private node at level, made
// private in turn.
func writableKid(n *node, i, level int, d *dropper) *node {
	k, replaced := private(n.kids[i], level-1, d)
	if replaced {
		n.kids[i] = k
	}
	return k
}

// writableRoot returns t's root, made private to t.
func (t *table) writableRoot(d *dropper) *node {
	n, replaced := private(t.root.Load(), t.height, d)
	if replaced {
		t.root.Store(n)
	}
	return n
}

// writableLeaf returns the leaf over page pg, with every node on its path
// made private to t, and stamps the path with epoch e (0 leaves the stamps
// as they are: Dedupe's own merges change no page's bytes).
func (t *table) writableLeaf(pg int64, e uint64, d *dropper) *node {
	n := t.writableRoot(d)
	for level := t.height; ; level-- {
		if e != 0 {
			n.written = e
		}
		if level == 0 {
			return n
		}
		n = writableKid(n, index(pg, level), level, d)
	}
}
