package pagearena

import (
	"io"
	"unsafe"
)

// ReadAt reads len(p) bytes at offset off into p, as io.ReaderAt says: it
// returns n < len(p) only with an error, io.EOF when the read reaches past
// Size (a read that ends exactly at Size returns nil). Pages never written
// read as zeros; reading never copies a page or allocates. A negative off
// is ErrOutOfRange.
func (a *Arena) ReadAt(p []byte, off int64) (n int, err error) {
	if off < 0 {
		return 0, ErrOutOfRange
	}
	if off >= a.size {
		if off == a.size && len(p) == 0 {
			return 0, nil // it ends exactly at Size
		}
		return 0, io.EOF
	}
	if int64(len(p)) > a.size-off {
		p, err = p[:a.size-off], io.EOF
	}
	ps := int64(a.pool.pageSize)
	for n < len(p) {
		at := off + int64(n)
		within := at & (ps - 1)
		chunk := int(min(ps-within, int64(len(p)-n)))
		if f := a.lookup(at >> a.pool.shift); f == nil {
			clear(p[n : n+chunk])
		} else {
			copy(p[n:n+chunk], f.data[within:])
		}
		n += chunk
	}
	return n, err
}

// privateFrame returns the frame backing page pg if a holds it, and every
// page-table node above it, alone, so that a write may change it in place;
// otherwise nil. It is WriteAt's one-walk path for a write within one page.
func (a *Arena) privateFrame(pg int64) *frame {
	n := (*node)(a.root)
	for level := a.height; n != nil && n.shares.Load() == 0; level-- {
		if level == 0 {
			if f := n.frame(index(pg, 0)); f != nil && f.refs.Load() == 0 {
				return f
			}
			return nil
		}
		n = n.kid(index(pg, level))
	}
	return nil
}

// lookup returns the frame backing page pg, or nil for the zero page.
func (a *Arena) lookup(pg int64) *frame {
	n := (*node)(a.root)
	for level := a.height; n != nil; level-- {
		if level == 0 {
			return n.frame(index(pg, 0))
		}
		n = n.kid(index(pg, level))
	}
	return nil
}

// WriteAt writes p at offset off, as io.WriterAt says. A write that reaches
// past Size returns ErrOutOfRange, and one that would need more frames than
// the pool's limit allows returns ErrNoSpace; either writes nothing, even
// when p spans several pages. A write to a page that a holds alone happens
// in place and allocates nothing. A write to the zero page gives the page a
// frame; a write to a shared page copies it first (copy-up), unless the
// write covers all of it. Unlike io.WriterAt allows, calls to WriteAt on one
// arena must not run in parallel, even on disjoint ranges: one arena is not
// safe for concurrent mutation.
func (a *Arena) WriteAt(p []byte, off int64) (n int, err error) {
	if off < 0 || off > a.size || int64(len(p)) > a.size-off {
		return 0, ErrOutOfRange
	}
	if len(p) == 0 {
		return 0, nil
	}
	first, last := off>>a.pool.shift, (off+int64(len(p))-1)>>a.pool.shift
	if first == last {
		if f := a.privateFrame(first); f != nil { // in place: nothing to count or reserve
			copy(f.data[off&int64(a.pool.pageSize-1):], p)
			return len(p), nil
		}
	}
	need := a.framesNeeded([2]int64{first, last})
	if !a.pool.reserve(need) {
		return 0, ErrNoSpace
	}
	ps := int64(a.pool.pageSize)
	var lf leafCache
	for n < len(p) {
		at := off + int64(n)
		within := at & (ps - 1)
		chunk := int(min(ps-within, int64(len(p)-n)))
		f := a.writableFrame(at>>a.pool.shift, chunk == int(ps), &need, &lf)
		copy(f.data[within:], p[n:n+chunk])
		n += chunk
	}
	a.pool.frames.Add(-need) // frames reserved but not used: a holder let go meanwhile
	return n, nil
}

// leafCache remembers the last page-table leaf that writableFrame made
// private, so that a write across many pages walks down once per leaf.
type leafCache struct {
	leaf *node
	key  int64 // page number >> fanBits of the pages under leaf
}

// framesNeeded counts the pages in the inclusive page ranges that a write
// would have to give a new frame: zero pages, and pages whose frame a
// shares. A frame that only pages in the ranges hold, through a private
// path (after Dedupe merged them), is copied for all of them but the last,
// which then holds it alone. It walks down to each leaf once per range.
func (a *Arena) framesNeeded(ranges ...[2]int64) (need int64) {
	var held frameCounts // frames with refs > 0 under a private path
	for _, r := range ranges {
		for pg, last := r[0], r[1]; pg <= last; {
			n, shared := (*node)(a.root), false
			for level := a.height; n != nil && level > 0; level-- {
				shared = shared || n.shares.Load() != 0
				n = n.kid(index(pg, level))
			}
			end := min(last, pg|(fanout-1)) // the last page under this leaf
			if n == nil {
				need += end - pg + 1
				pg = end + 1
				continue
			}
			shared = shared || n.shares.Load() != 0
			for ; pg <= end; pg++ {
				f := n.frame(index(pg, 0))
				switch {
				case f == nil || shared:
					need++
				case f.refs.Load() != 0:
					need++
					held.add(f)
				}
			}
		}
	}
	return need - held.allHeld()
}

// frameCounts counts how many times each frame occurs, in a small array
// first (a write after a Fork meets frames held by two leaves, and a map
// per call would allocate) and in a map past it.
type frameCounts struct {
	small [8]struct {
		f *frame
		k int64
	}
	n    int
	more map[*frame]int64
}

func (c *frameCounts) add(f *frame) {
	for i := range c.small[:c.n] {
		if c.small[i].f == f {
			c.small[i].k++
			return
		}
	}
	if c.n < len(c.small) {
		c.small[c.n].f, c.small[c.n].k = f, 1
		c.n++
		return
	}
	if c.more == nil {
		c.more = map[*frame]int64{}
	}
	c.more[f]++
}

// allHeld returns the number of counted frames that occurred as often as
// they have holders.
func (c *frameCounts) allHeld() (n int64) {
	for _, e := range c.small[:c.n] {
		if e.k == e.f.refs.Load()+1 {
			n++
		}
	}
	for f, k := range c.more {
		if k == f.refs.Load()+1 {
			n++
		}
	}
	return n
}

// reserve counts k more frames in the pool, unless that would pass the
// limit.
func (p *pool) reserve(k int64) bool {
	for {
		cur := p.frames.Load()
		if p.limit > 0 && cur+k > p.limit {
			return false
		}
		if p.frames.CompareAndSwap(cur, cur+k) {
			return true
		}
	}
}

// writableFrame returns the frame of page pg, made private to a: it makes
// the page-table path private, then gives a zero page a new frame or copies
// a shared frame, taking each new frame from the reservation *need. If
// whole is set the caller overwrites the whole page, so a shared frame's
// bytes are not copied.
func (a *Arena) writableFrame(pg int64, whole bool, need *int64, lc *leafCache) *frame {
	if lc.leaf == nil || lc.key != pg>>fanBits {
		slot := &a.root
		for level := a.height; level > 0; level-- {
			slot = &a.pool.writable(slot, level).slot[index(pg, level)]
		}
		lc.leaf, lc.key = a.pool.writable(slot, 0), pg>>fanBits
	}
	fs := &lc.leaf.slot[index(pg, 0)]
	f := (*frame)(*fs)
	if f != nil && f.refs.Load() == 0 {
		return f
	}
	c := &frame{data: make([]byte, a.pool.pageSize)}
	*need--
	if f != nil {
		if !whole {
			copy(c.data, f.data)
		}
		*fs = unsafe.Pointer(c)
		a.pool.dropFrame(f)
	} else {
		*fs = unsafe.Pointer(c)
	}
	return c
}

// Discard zeroes the n bytes at off, punching a hole: the whole pages in
// the range go back to the zero page and their frames back to the pool;
// the partial pages at its edges are zeroed in place (copied first if they
// are shared, which needs a frame and so may fail with ErrNoSpace). A range
// that reaches Size takes the partial last page whole. A range outside the
// arena is ErrOutOfRange. A failed Discard changes nothing. The cost grows
// with the pages written in the range, not with its length: whole subtrees
// of the page table in the range are dropped at once.
func (a *Arena) Discard(off, n int64) error {
	if off < 0 || n < 0 || off > a.size || n > a.size-off {
		return ErrOutOfRange
	}
	if n == 0 {
		return nil
	}
	ps := int64(a.pool.pageSize)
	end := off + n                // no overflow: end <= Size
	first, last := off/ps, end/ps // whole pages: [first, last)
	if off%ps != 0 {
		first++
	}
	if end == a.size {
		last = a.pages() // the bytes past Size in the last page are zero
	}
	// The partial pages at the edges, when they hold a frame.
	var parts [2]struct{ pg, from, to int64 }
	np := 0
	if off%ps != 0 {
		pg := off / ps
		to := ps
		if end-pg*ps < ps && end != a.size {
			to = end - pg*ps
		}
		parts[np].pg, parts[np].from, parts[np].to = pg, off%ps, to
		np++
	}
	if end != a.size && end%ps != 0 && end/ps >= first {
		parts[np].pg, parts[np].from, parts[np].to = end/ps, 0, end%ps
		np++
	}
	var ranges [2][2]int64
	nr := 0
	for _, pt := range parts[:np] {
		if a.lookup(pt.pg) != nil {
			ranges[nr] = [2]int64{pt.pg, pt.pg}
			parts[nr] = pt
			nr++
		}
	}
	need := a.framesNeeded(ranges[:nr]...)
	if !a.pool.reserve(need) {
		return ErrNoSpace
	}
	var lc leafCache
	for _, pt := range parts[:nr] {
		clear(a.writableFrame(pt.pg, false, &need, &lc).data[pt.from:pt.to])
	}
	a.pool.frames.Add(-need)
	if first < last {
		a.discard(&a.root, a.height, 0, first, last)
	}
	return nil
}

// discard maps the pages in [first, last) under *slot, a node at level
// covering the pages from base, to the zero page. A child subtree entirely
// in the range is dropped whole; nil subtrees are skipped.
func (a *Arena) discard(slot *unsafe.Pointer, level int, base, first, last int64) {
	if *slot == nil {
		return
	}
	n := a.pool.writable(slot, level)
	span := int64(1) << (fanBits * level) // pages under one slot of n
	for i := range n.slot {
		lo := base + int64(i)*span
		if n.slot[i] == nil || lo+span <= first || lo >= last {
			continue
		}
		switch {
		case level == 0:
			a.pool.dropFrame(n.frame(i))
			n.slot[i] = nil
		case first <= lo && lo+span <= last:
			a.pool.drop(n.kid(i), level-1)
			n.slot[i] = nil
		default:
			a.discard(&n.slot[i], level-1, lo, first, last)
		}
	}
}
