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
// write covers all of it.
func (a *Arena) WriteAt(p []byte, off int64) (n int, err error) {
	if off < 0 || off > a.size || int64(len(p)) > a.size-off {
		return 0, ErrOutOfRange
	}
	if len(p) == 0 {
		return 0, nil
	}
	first, last := off>>a.pool.shift, (off+int64(len(p))-1)>>a.pool.shift
	need := a.framesNeeded(first, last)
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

// framesNeeded counts the pages in [first, last] that a write would have
// to give a new frame: zero pages, and pages whose frame a shares. It walks
// down to each leaf of the page table once.
func (a *Arena) framesNeeded(first, last int64) (need int64) {
	for pg := first; pg <= last; {
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
			if f := n.frame(index(pg, 0)); f == nil || shared || f.refs.Load() != 0 {
				need++
			}
		}
	}
	return need
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
// outside the arena is ErrOutOfRange. A failed Discard changes nothing.
func (a *Arena) Discard(off, n int64) error {
	if off < 0 || n < 0 || off > a.size || n > a.size-off {
		return ErrOutOfRange
	}
	if n == 0 {
		return nil
	}
	ps := int64(a.pool.pageSize)
	end := off + n
	if end == a.size {
		end = a.pages() * ps // the bytes past Size in the last page are zero
	}
	first, last := (off+ps-1)/ps, end/ps // whole pages: [first, last)
	// The partial pages at the edges: [off, min(end, first*ps)) and
	// [max(off, last*ps), end), when they hold a frame.
	type part struct{ pg, from, to int64 }
	var parts []part
	if off%ps != 0 {
		parts = append(parts, part{off / ps, off % ps, min(end-off/ps*ps, ps)})
	}
	if end%ps != 0 && end/ps >= first {
		parts = append(parts, part{end / ps, 0, end % ps})
	}
	var need int64
	for i := 0; i < len(parts); i++ {
		if a.lookup(parts[i].pg) == nil {
			parts = append(parts[:i], parts[i+1:]...)
			i--
			continue
		}
		need += a.framesNeeded(parts[i].pg, parts[i].pg)
	}
	if !a.pool.reserve(need) {
		return ErrNoSpace
	}
	for _, pt := range parts {
		clear(a.writableFrame(pt.pg, false, &need, &leafCache{}).data[pt.from:pt.to])
	}
	a.pool.frames.Add(-need)
	for pg := first; pg < last; pg++ {
		if a.lookup(pg) == nil {
			continue
		}
		slot := &a.root
		for level := a.height; level > 0; level-- {
			slot = &a.pool.writable(slot, level).slot[index(pg, level)]
		}
		fs := &a.pool.writable(slot, 0).slot[index(pg, 0)]
		a.pool.dropFrame((*frame)(*fs))
		*fs = nil
	}
	return nil
}
