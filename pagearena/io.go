package pagearena

import "io"

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
// otherwise nil. It is WriteAt's one-walk path for a write within one page,
// and it stamps the nodes it passes and the frame with epoch e for Dedupe
// (if it returns nil, the write takes the slower path, which stamps them
// anyway).
func (a *Arena) privateFrame(pg int64, e uint64) *frame {
	n := a.t.root.Load()
	for level := a.t.height; n != nil && !n.shares.Shared(); level-- {
		if n.written != e {
			n.written = e
		}
		if level == 0 {
			f := n.frames[index(pg, 0)]
			if f == nil || f.shares.Shared() {
				return nil
			}
			if f.written != e {
				f.written = e
			}
			return f
		}
		n = n.kids[index(pg, level)]
	}
	return nil
}

// lookup returns the frame backing page pg, or nil for the zero page.
func (a *Arena) lookup(pg int64) *frame {
	n := a.t.root.Load()
	for level := a.t.height; n != nil; level-- {
		if level == 0 {
			return n.frames[index(pg, 0)]
		}
		n = n.kids[index(pg, level)]
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
	a.snap.Forget()
	first, last := off>>a.pool.shift, (off+int64(len(p))-1)>>a.pool.shift
	e := a.pool.epoch.Load()
	if first == last {
		if f := a.privateFrame(first, e); f != nil { // in place: nothing to count or reserve
			copy(f.data[off&int64(a.pool.pageSize-1):], p)
			return len(p), nil
		}
	}
	need := a.framesNeeded([2]int64{first, last})
	if !a.pool.reserve(need) {
		return 0, ErrNoSpace
	}
	ps := int64(a.pool.pageSize)
	w := frameWriter{a: a, e: e, need: need, d: dropper{p: a.pool}}
	for n < len(p) {
		at := off + int64(n)
		within := at & (ps - 1)
		chunk := int(min(ps-within, int64(len(p)-n)))
		f := w.frame(at>>a.pool.shift, chunk == int(ps))
		copy(f.data[within:], p[n:n+chunk])
		n += chunk
	}
	w.done()
	return n, nil
}

// frameWriter makes the frames of the pages a write covers private to a,
// taking each new frame from a reservation of need frames. It remembers
// the last leaf it made private, so that a write across many pages walks
// down once per leaf.
type frameWriter struct {
	a    *Arena
	e    uint64 // the epoch that the write stamps
	need int64  // frames reserved and not yet used
	d    dropper
	leaf *node
	key  int64 // page number >> fanBits of the pages under leaf
}

// done gives back the frames reserved but not used (a holder let go of a
// shared frame meanwhile, so the write found it private) and lets go of
// the index lock if dropping took it.
func (w *frameWriter) done() {
	w.a.pool.frames.Add(-w.need)
	w.d.done()
}

// framesNeeded counts the pages in the inclusive page ranges that a write
// would have to give a new frame: zero pages, and pages whose frame a
// shares. A frame that only pages in the ranges hold, through a private
// path (after Dedupe merged them), is copied for all of them but the last,
// which then holds it alone. It walks down to each leaf once per range.
func (a *Arena) framesNeeded(ranges ...[2]int64) (need int64) {
	var held frameCounts // shared frames under a private path
	for _, r := range ranges {
		for pg, last := r[0], r[1]; pg <= last; {
			n, shared := a.t.root.Load(), false
			for level := a.t.height; n != nil && level > 0; level-- {
				shared = shared || n.shares.Shared()
				n = n.kids[index(pg, level)]
			}
			end := min(last, pg|(fanout-1)) // the last page under this leaf
			if n == nil {
				need += end - pg + 1
				pg = end + 1
				continue
			}
			shared = shared || n.shares.Shared()
			for ; pg <= end; pg++ {
				f := n.frames[index(pg, 0)]
				switch {
				case f == nil || shared:
					need++
				case f.shares.Shared():
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
		if e.k == e.f.shares.Holders() {
			n++
		}
	}
	for f, k := range c.more {
		if k == f.shares.Holders() {
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

// frame returns the frame of page pg, made private to w.a: it makes the
// page-table path private, then gives a zero page a new frame or copies a
// shared frame. If whole is set the caller overwrites the whole page, so a
// shared frame's bytes are not copied.
func (w *frameWriter) frame(pg int64, whole bool) *frame {
	if w.leaf == nil || w.key != pg>>fanBits {
		w.leaf, w.key = w.a.t.writableLeaf(pg, w.e, &w.d), pg>>fanBits
	}
	fs := &w.leaf.frames[index(pg, 0)]
	f := *fs
	if f != nil && !f.shares.Shared() {
		f.written = w.e
		return f
	}
	c := &frame{written: w.e}
	if f != nil && !whole {
		// A copy by append, not make and copy: the runtime leaves a new
		// array that is about to be overwritten uncleared.
		c.data = append([]byte(nil), f.data...)
	} else {
		c.data = make([]byte, w.a.pool.pageSize)
	}
	w.need--
	*fs = c
	if f != nil {
		w.d.frame(f)
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
	a.snap.Forget()
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
	w := frameWriter{a: a, e: a.pool.epoch.Load(), need: need, d: dropper{p: a.pool}}
	for _, pt := range parts[:nr] {
		clear(w.frame(pt.pg, false).data[pt.from:pt.to])
	}
	if first < last && a.t.root.Load() != nil {
		discard(a.t.writableRoot(&w.d), a.t.height, 0, first, last, &w.d)
	}
	w.done()
	return nil
}

// discard maps the pages in [first, last) under n, a private node at level
// covering the pages from base, to the zero page. A child subtree entirely
// in the range is dropped whole; nil subtrees are skipped.
func discard(n *node, level int, base, first, last int64, d *dropper) {
	span := int64(1) << (fanBits * level) // pages under one slot of n
	for i := range fanout {
		lo := base + int64(i)*span
		if lo+span <= first || lo >= last {
			continue
		}
		switch {
		case level == 0:
			if f := n.frames[i]; f != nil {
				n.frames[i] = nil
				d.frame(f)
			}
		case n.kids[i] == nil:
		case first <= lo && lo+span <= last:
			k := n.kids[i]
			n.kids[i] = nil
			d.node(k, level-1)
		default:
			discard(writableKid(n, i, level, d), level-1, lo, first, last, d)
		}
	}
}
