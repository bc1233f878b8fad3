package pagearena

import (
	"bytes"
	"hash/maphash"
)

// Dedupe merges a's frames with identical frames anywhere in its pool,
// its own included, as Linux's KSM merges identical pages, and returns the
// number of frames that left the pool. Afterwards a's pages with equal
// bytes share one frame, and no page of a is backed by a frame of zeros:
// such pages go back to the zero page. Only a's page table changes; a
// merged frame is shared, so the next write to any page backed by it
// copies it first, as after a Fork.
//
// The pool keeps an index of its live frames by content, as KSM keeps its
// stable tree of merged pages, so that each call hashes only the frames
// written since the last Dedupe of any arena of the pool, and opens only
// the parts of a's page table written since a's last Dedupe: the cost
// follows what changed, not the size of the pool. A page of a written
// since then joins the oldest frame in the index with its bytes (the
// frames of other arenas are indexed before a's, so in a pool never
// deduped before, a's pages join frames that other arenas hold anyway,
// which is what frees a's own). Arenas released, or collected by the
// garbage collector, leave the index with their frames.
//
// Dedupe reads every arena of the pool: it must not run while another
// goroutine writes to an arena of the same pool (WriteAt, Discard, Dedupe).
// Reads of other arenas, and Fork and Release of other arenas, may go on
// meanwhile on other goroutines; a Release that frees frames waits for
// Dedupe to finish.
func (a *Arena) Dedupe() (freed int) {
	if a.t == nil || a.t.root.Load() == nil {
		return 0
	}
	p := a.pool
	e := p.epoch.Load()
	// Hold the roots of the other arenas written in this epoch under the
	// pool's lock, then index without it, so that Fork and Release
	// elsewhere wait only for the holding.
	var held []side
	p.mu.Lock()
	for t := p.head; t != nil; t = t.next {
		if r := t.root.Load(); t != a.t && r != nil && r.written == e {
			held = append(held, side{t.hold(), t.height})
		}
	}
	p.mu.Unlock()

	p.ixMu.Lock()
	defer p.ixMu.Unlock()
	d := dropper{p: p, locked: true}
	// Other arenas' frames first: see the doc comment.
	for _, s := range held {
		p.reindex(s.n, s.h, e)
	}
	p.reindex(a.t.root.Load(), a.t.height, e)

	type merge struct {
		pg   int64
		into *frame // nil: the zero page
	}
	var merges []merge
	a.t.written(a.t.deduped, func(pg int64, f *frame) {
		switch into := p.ix.first(f); {
		case f.m.zero:
			merges = append(merges, merge{pg, nil})
		case into != f:
			merges = append(merges, merge{pg, into})
		}
	})
	for _, m := range merges {
		if m.into != nil && !m.into.shares.TryAcquire() {
			continue // its last holder let go of it meanwhile
		}
		leaf := a.t.writableLeaf(m.pg, 0, &d)
		i := index(m.pg, 0)
		old := leaf.frames[i]
		leaf.frames[i] = m.into
		if d.frame(old) {
			freed++
		}
	}
	for _, s := range held {
		d.node(s.n, s.h) // not s.release: d already holds p.ixMu
	}
	a.t.deduped = e
	p.epoch.Store(e + 1)
	return freed
}

// reindex brings the index up to date under n, a node at level: it visits
// the nodes written in epoch e that it has not visited in e, and hashes
// each frame whose bytes changed since it was last hashed.
func (p *pool) reindex(n *node, level int, e uint64) {
	if n == nil || n.written != e || n.seen == e {
		return
	}
	n.seen = e
	if level > 0 {
		for _, k := range n.kids {
			p.reindex(k, level-1, e)
		}
		return
	}
	for _, f := range n.frames {
		if f == nil || !f.stale() {
			continue
		}
		if f.m == nil {
			f.m = new(frameMeta)
		} else if f.m.indexed {
			p.ix.remove(f)
		}
		f.m.hashed = e
		f.m.zero = isZero(f.data)
		if !f.m.zero {
			f.m.sum = maphash.Bytes(p.seed, f.data)
			p.ix.add(f)
		}
	}
}

// written calls f, in page order, for every page of t whose frame was
// written after epoch since, opening only the nodes written after it.
func (t *table) written(since uint64, f func(pg int64, fr *frame)) {
	var walk func(n *node, level int, base int64)
	walk = func(n *node, level int, base int64) {
		if n == nil || n.written <= since {
			return
		}
		if level > 0 {
			for i, k := range n.kids {
				walk(k, level-1, base|int64(i)<<(fanBits*level))
			}
			return
		}
		for i, fr := range n.frames {
			if fr != nil && fr.written > since {
				f(base|int64(i), fr)
			}
		}
	}
	walk(t.root.Load(), t.height, 0)
}

// frameIndex is Dedupe's index of a pool's live frames by the hash of
// their bytes, frames of zeros aside. Each bucket is a list, oldest first:
// a frame joins at the tail when it is hashed, and leaves when it dies or
// is hashed again after a write. Guarded by pool.ixMu.
type frameIndex struct {
	buckets map[uint64]*frame // each bucket's head; head.prev is its tail
}

func (x *frameIndex) add(f *frame) {
	if x.buckets == nil {
		x.buckets = map[uint64]*frame{}
	}
	m := f.m
	m.indexed, m.next = true, nil
	h := x.buckets[m.sum]
	if h == nil {
		m.prev = f
		x.buckets[m.sum] = f
		return
	}
	tail := h.m.prev
	tail.m.next, m.prev, h.m.prev = f, tail, f
}

func (x *frameIndex) remove(f *frame) {
	m := f.m
	h := x.buckets[m.sum]
	switch {
	case f == h && m.next == nil:
		delete(x.buckets, m.sum)
	case f == h:
		m.next.m.prev = m.prev // the tail
		x.buckets[m.sum] = m.next
	default:
		m.prev.m.next = m.next
		if m.next != nil {
			m.next.m.prev = m.prev
		} else {
			h.m.prev = m.prev
		}
	}
	m.indexed, m.prev, m.next = false, nil, nil
}

// first returns the oldest indexed frame with f's bytes: f itself if no
// older one has them, nil if they are all zeros. f must be hashed and not
// written since.
func (x *frameIndex) first(f *frame) *frame {
	if f.m.zero {
		return nil
	}
	for c := x.buckets[f.m.sum]; c != nil; c = c.m.next {
		if c == f || bytes.Equal(c.data, f.data) {
			return c
		}
	}
	return f
}

var zeros [4096]byte

func isZero(b []byte) bool {
	for len(b) > 0 {
		k := min(len(b), len(zeros))
		if !bytes.Equal(b[:k], zeros[:k]) {
			return false
		}
		b = b[k:]
	}
	return true
}
