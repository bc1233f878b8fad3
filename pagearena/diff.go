package pagearena

import (
	"iter"
	"unsafe"
)

// Diff returns an iterator over the byte offsets of the pages whose
// frames differ between base and a, in ascending order: pages that may hold
// different bytes. Pages backed by the same frame, or both by the zero
// page, are never reported, and page-table subtrees the two arenas share
// are skipped whole, so the cost grows with the pages written since a
// Fork, not with Size. A page backed by different frames with equal bytes
// is reported; Dedupe first to merge those. Diff works on snapshots of both
// arenas taken when the loop starts, so the loop body may write to either.
// base must have a's page size (or be a zero Arena); Diff panics otherwise.
func (a *Arena) Diff(base *Arena) iter.Seq[int64] {
	if a.pool != nil && base.pool != nil && base.PageSize() != a.PageSize() {
		panic("pagearena: Diff of arenas with different page sizes")
	}
	return func(yield func(int64) bool) {
		x, y := a.pin(), base.pin()
		defer a.unpin(x)
		defer base.unpin(y)
		h := max(x.h, y.h)
		shift := uint(0)
		if a.pool != nil {
			shift = a.pool.shift
		} else if base.pool != nil {
			shift = base.pool.shift
		}
		diffNodes(x, y, h, 0, func(pg int64) bool { return yield(pg << shift) })
	}
}

// side is one tree in a diff: a page-table node and its height. Below a
// level higher than h, the tree stands in slot 0 of a chain of nodes.
type side struct {
	p unsafe.Pointer
	h int
}

func (s side) kid(i, level int) side {
	if s.p == nil {
		return s
	}
	if s.h < level {
		if i == 0 {
			return s
		}
		return side{}
	}
	return side{(*node)(s.p).slot[i], level - 1}
}

func diffNodes(x, y side, level int, base int64, yield func(int64) bool) bool {
	if x.p == y.p && (x.p == nil || x.h == y.h) {
		return true
	}
	if level == 0 {
		for i := range fanout {
			var fx, fy unsafe.Pointer
			if x.p != nil {
				fx = (*node)(x.p).slot[i]
			}
			if y.p != nil {
				fy = (*node)(y.p).slot[i]
			}
			if fx != fy && !yield(base|int64(i)) {
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

// pin counts one more holder of a's page-table root, for an iteration.
func (a *Arena) pin() side {
	if a.root != nil {
		(*node)(a.root).shares.Add(1)
	}
	return side{a.root, a.height}
}

func (a *Arena) unpin(s side) {
	if s.p != nil {
		a.pool.drop((*node)(s.p), s.h)
	}
}
