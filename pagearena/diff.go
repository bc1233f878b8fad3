package pagearena

import "iter"

// Diff returns an iterator over the byte offsets of the pages whose
// frames differ between base and a, in ascending order: pages that may hold
// different bytes. Pages backed by the same frame, or both by the zero
// page, are never reported, and page-table subtrees the two arenas share
// are skipped whole, so the cost grows with the pages written since a
// Fork, not with Size. A page backed by different frames with equal bytes
// is reported; Dedupe first to merge those. Diff works on snapshots of both
// arenas taken when the loop starts (it holds both roots for the length of
// the loop), so the loop body may write to either. base must be non-nil
// and have a's page size, or be a zero Arena; Diff panics otherwise.
func (a *Arena) Diff(base *Arena) iter.Seq[int64] {
	if base == nil {
		panic("pagearena: Diff with a nil base")
	}
	if a.pool != nil && base.pool != nil && base.PageSize() != a.PageSize() {
		panic("pagearena: Diff of arenas with different page sizes")
	}
	return func(yield func(int64) bool) {
		x, y := a.hold(), base.hold()
		defer x.release(a.pool)
		defer y.release(base.pool)
		shift := uint(0)
		if a.pool != nil {
			shift = a.pool.shift
		} else if base.pool != nil {
			shift = base.pool.shift
		}
		diffNodes(x, y, max(x.h, y.h), 0, func(pg int64) bool { return yield(pg << shift) })
	}
}

// side is one tree in a diff: a page-table node and its height. Below a
// level higher than h, the tree stands in slot 0 of a chain of nodes.
type side struct {
	n *node
	h int
}

// hold takes a share of a's root for a loop.
func (a *Arena) hold() side {
	if a.t == nil {
		return side{}
	}
	return side{a.t.hold(), a.t.height}
}

// release lets go of a side taken by hold.
func (s side) release(p *pool) {
	if s.n != nil {
		p.drop(s.n, s.h)
	}
}

func (s side) kid(i, level int) side {
	if s.n == nil {
		return s
	}
	if s.h < level {
		if i == 0 {
			return s
		}
		return side{}
	}
	return side{s.n.kids[i], level - 1}
}

func (s side) frame(i int) *frame {
	if s.n == nil {
		return nil
	}
	return s.n.frames[i]
}

func diffNodes(x, y side, level int, base int64, yield func(int64) bool) bool {
	if x.n == y.n && (x.n == nil || x.h == y.h) {
		return true
	}
	if level == 0 {
		for i := range fanout {
			if x.frame(i) != y.frame(i) && !yield(base|int64(i)) {
				return false
			}
		}
		return true
	}
	for i := range fanout {
		if !diffNodes(x.kid(i, level), y.kid(i, level), level-1, base|int64(i)<<(fanBits*level), yield) {
			return false
		}
	}
	return true
}
