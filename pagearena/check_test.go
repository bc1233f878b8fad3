package pagearena

import (
	"fmt"
	"hash/maphash"
)

// checkPool checks the invariants of the live arenas of one pool together:
//
//   - every page-table node's count equals its holders: the distinct
//     reachable nodes that point to it plus the arenas whose root it is;
//   - every frame's count equals the slots, in distinct leaf nodes, that
//     point to it, and every frame is one page long;
//   - the pool's frame count equals the distinct frames its live arenas
//     reach, and never passes the limit;
//   - the pool's list holds the table of every live arena, and no other;
//   - no slot maps a page past the arena's last, and the bytes of the last
//     page past Size are zero;
//   - Dedupe's epochs: no node or frame is stamped after the pool's epoch,
//     and a node's stamp is never below a child's, so that Dedupe, which
//     opens only nodes stamped after some epoch, finds every frame written
//     since;
//   - every page of an arena that Dedupe would not find (its frame, or a
//     node on its path, not stamped after the arena's last Dedupe) is
//     already merged: its frame is the oldest in the index with its bytes;
//   - Dedupe's index holds exactly the reachable frames that were hashed
//     and were not all zeros then, each in the bucket of its hash, which
//     is the hash of its bytes as they are now unless it was written
//     since; every bucket's list is well linked;
//   - Stats adds up.
func checkPool(live []*Arena) error {
	var p *pool
	c := checker{nodes: map[*node]int{}, frames: map[*frame]int{}, seen: map[*node]bool{}}
	for i, a := range live {
		if a.pool == nil {
			continue
		}
		if p == nil {
			p = a.pool
			c.epoch = p.epoch.Load()
		} else if a.pool != p {
			return fmt.Errorf("arena %d: in another pool", i)
		}
		if a.t.deduped >= c.epoch {
			return fmt.Errorf("arena %d: deduped in epoch %d, but the pool is at %d", i, a.t.deduped, c.epoch)
		}
		root := a.t.root.Load()
		if root == nil {
			continue
		}
		c.nodes[root]++
		if err := c.walk(a, root, a.t.height, 0); err != nil {
			return fmt.Errorf("arena %d: %w", i, err)
		}
		if err := checkMerged(a, root, a.t.height, 0, true); err != nil {
			return fmt.Errorf("arena %d: %w", i, err)
		}
		s := a.Stats()
		if s.Zero < 0 || s.Zero+s.Shared+s.Private != s.Pages || s.Pages != a.pages() {
			return fmt.Errorf("arena %d: Stats %+v do not add up (%d pages)", i, s, a.pages())
		}
	}
	if p == nil {
		return nil
	}
	for n, want := range c.nodes {
		if got := n.shares.Holders(); got != int64(want) {
			return fmt.Errorf("node %p: count %d, but %d holders", n, got, want)
		}
	}
	for f, want := range c.frames {
		if got := f.shares.Holders(); got != int64(want) {
			return fmt.Errorf("frame %p: count %d, but %d holders", f, got, want)
		}
		if len(f.data) != p.pageSize {
			return fmt.Errorf("frame %p: %d bytes, want %d", f, len(f.data), p.pageSize)
		}
	}
	if got, want := p.frames.Load(), int64(len(c.frames)); got != want {
		return fmt.Errorf("pool counts %d frames, but its arenas reach %d", got, want)
	}
	if p.limit > 0 && p.frames.Load() > p.limit {
		return fmt.Errorf("pool holds %d frames, over its limit %d", p.frames.Load(), p.limit)
	}
	listed := map[*table]bool{}
	p.mu.Lock()
	for t := p.head; t != nil; t = t.next {
		if t.next != nil && t.next.prev != t {
			p.mu.Unlock()
			return fmt.Errorf("the pool's list is not well linked")
		}
		listed[t] = true
	}
	p.mu.Unlock()
	for i, a := range live {
		if a.pool == nil {
			continue
		}
		if listed[a.t] != a.t.listed || !a.t.listed && a.t.root.Load() != nil {
			return fmt.Errorf("arena %d: listed %v, marked listed %v, holding pages %v", i, listed[a.t], a.t.listed, a.t.root.Load() != nil)
		}
		delete(listed, a.t)
	}
	if len(listed) != 0 {
		return fmt.Errorf("the pool lists %d tables of arenas that are not live", len(listed))
	}
	return checkIndex(p, c.frames)
}

// checkIndex checks Dedupe's index against the frames the live arenas
// reach.
func checkIndex(p *pool, reached map[*frame]int) error {
	p.ixMu.Lock()
	defer p.ixMu.Unlock()
	inIndex := map[*frame]bool{}
	for sum, h := range p.ix.buckets {
		if h.m == nil || h.m.prev == nil || h.m.prev.m.next != nil {
			return fmt.Errorf("bucket %x: its head does not point to its tail", sum)
		}
		var prev *frame
		for f := h; f != nil; f = f.m.next {
			if f.m == nil {
				return fmt.Errorf("bucket %x: frame %p was never hashed", sum, f)
			}
			if f != h && f.m.prev != prev {
				return fmt.Errorf("bucket %x: a frame's prev is not the frame before it", sum)
			}
			if !f.m.indexed || f.m.sum != sum || inIndex[f] {
				return fmt.Errorf("bucket %x: frame %p is listed wrongly (indexed %v, sum %x, twice %v)", sum, f, f.m.indexed, f.m.sum, inIndex[f])
			}
			inIndex[f] = true
			prev = f
		}
		if h.m.prev != prev {
			return fmt.Errorf("bucket %x: its head does not point to its tail", sum)
		}
	}
	for f := range reached {
		// A frame is indexed once hashed, unless it was all zeros then;
		// one written since stays in its old bucket until hashed again.
		if f.m == nil {
			if inIndex[f] {
				return fmt.Errorf("frame %p: in the index, but never hashed", f)
			}
			continue
		}
		current := !f.stale()
		if want := !f.m.zero; f.m.indexed != want || inIndex[f] != want {
			return fmt.Errorf("frame %p: indexed %v, listed %v, want %v (written %d, hashed %d)", f, f.m.indexed, inIndex[f], want, f.written, f.m.hashed)
		}
		if current && f.m.zero != isZero(f.data) {
			return fmt.Errorf("frame %p: its zero mark is wrong", f)
		}
		if current && !f.m.zero && f.m.sum != maphash.Bytes(p.seed, f.data) {
			return fmt.Errorf("frame %p: hashed as current, but its bytes changed", f)
		}
		delete(inIndex, f)
	}
	if len(inIndex) != 0 {
		return fmt.Errorf("the index holds %d frames that no live arena reaches", len(inIndex))
	}
	return nil
}

// checkMerged checks that every page under n that a's next Dedupe would
// not open (found is false once a node on the path is not stamped after
// a's last Dedupe) is backed by the oldest frame in the index with its
// bytes.
func checkMerged(a *Arena, n *node, level int, base int64, found bool) error {
	found = found && n.written > a.t.deduped
	for i := range fanout {
		pg := base | int64(i)<<(fanBits*level)
		if level > 0 {
			if k := n.kids[i]; k != nil {
				if err := checkMerged(a, k, level-1, pg, found); err != nil {
					return err
				}
			}
			continue
		}
		f := n.frames[i]
		if f == nil || found && f.written > a.t.deduped {
			continue
		}
		if f.stale() || f.m.zero {
			return fmt.Errorf("page %d: its frame is not merged (hashed %v, zero), but Dedupe would not visit it", pg, !f.stale())
		}
		a.pool.ixMu.Lock()
		var oldest *frame
		for c := a.pool.ix.buckets[f.m.sum]; c != nil && oldest == nil; c = c.m.next {
			if !c.stale() && string(c.data) == string(f.data) {
				oldest = c
			}
		}
		a.pool.ixMu.Unlock()
		if oldest != f {
			return fmt.Errorf("page %d: its frame is not the oldest with its bytes, but Dedupe would not visit it", pg)
		}
	}
	return nil
}

type checker struct {
	epoch  uint64
	nodes  map[*node]int
	frames map[*frame]int
	seen   map[*node]bool
}

func (c *checker) walk(a *Arena, n *node, level int, base int64) error {
	if c.seen[n] {
		return nil
	}
	c.seen[n] = true
	if n.written > c.epoch || n.seen > c.epoch {
		return fmt.Errorf("a node is stamped %d/%d, after the pool's epoch %d", n.written, n.seen, c.epoch)
	}
	for i := range fanout {
		pg := base | int64(i)<<(fanBits*level)
		if level > 0 && n.frames[i] != nil {
			return fmt.Errorf("a node at level %d has a frame", level)
		}
		if level == 0 && n.kids[i] != nil {
			return fmt.Errorf("a leaf has a child node")
		}
		if n.kids[i] == nil && n.frames[i] == nil {
			continue
		}
		if pg >= a.pages() {
			return fmt.Errorf("page %d past the last page %d is mapped", pg, a.pages()-1)
		}
		if level > 0 {
			k := n.kids[i]
			if k.written > n.written {
				return fmt.Errorf("a node is stamped %d, below its child's %d", n.written, k.written)
			}
			c.nodes[k]++
			if err := c.walk(a, k, level-1, pg); err != nil {
				return err
			}
			continue
		}
		f := n.frames[i]
		var hashed uint64
		if f.m != nil {
			hashed = f.m.hashed
		}
		if f.written > c.epoch || hashed > c.epoch || f.stale() && (f.written != c.epoch || n.written != c.epoch) {
			// A frame whose hash is stale was written in this epoch,
			// and its leaf (so its whole path) is stamped with it.
			return fmt.Errorf("page %d: its frame is stamped %d/%d, its leaf %d, the pool %d", pg, f.written, hashed, n.written, c.epoch)
		}
		c.frames[f]++
		if pg == a.pages()-1 {
			if tail := f.data[a.size-pg*int64(a.pool.pageSize):]; !isZero(tail) {
				return fmt.Errorf("the last page holds non-zero bytes past Size")
			}
		}
	}
	return nil
}
