package pagearena

import (
	"bytes"
	"hash/maphash"
	"unsafe"
)

// Dedupe merges a's frames with identical frames anywhere in its pool,
// its own included, as Linux's KSM merges identical pages: it hashes every
// frame of every live arena of the pool, compares candidates byte by byte,
// and points each of a's pages at one frame per content. Frames that are
// all zeros go back to the zero page. It returns the number of frames that
// left the pool.
//
// Only a's page table changes; a merged frame is shared, so the next write
// to any page backed by it copies it first, as after a Fork.
//
// Dedupe reads every arena of the pool: it must not run while another
// goroutine writes to an arena of the same pool (WriteAt, Discard, Dedupe).
// Reads of other arenas, and Fork and Release of other arenas, may go on
// meanwhile on other goroutines.
func (a *Arena) Dedupe() (freed int) {
	if a.root == nil {
		return 0
	}
	p := a.pool
	seed := maphash.MakeSeed()
	byHash := map[uint64][]*frame{}
	seen := map[unsafe.Pointer]bool{}
	// Pin every arena's root under the pool's lock, then index without
	// it, so that Fork and Release elsewhere wait only for the pinning.
	var roots []side
	p.mu.Lock()
	for x := p.head; x != nil; x = x.next {
		if x != a && x.root != nil {
			roots = append(roots, x.pin())
		}
	}
	p.mu.Unlock()
	// Other arenas' frames come first in each bucket: merging a's pages
	// into a frame that others hold anyway is what frees a's own.
	for _, r := range roots {
		indexFrames(byHash, seen, seed, (*node)(r.p), r.h)
	}
	indexFrames(byHash, seen, seed, (*node)(a.root), a.height)
	defer func() {
		for _, r := range roots {
			p.drop((*node)(r.p), r.h)
		}
	}()

	type merge struct {
		pg   int64
		into *frame // nil: the zero page
	}
	var merges []merge
	a.eachFrame(func(pg int64, f *frame) {
		if isZero(f.data) {
			merges = append(merges, merge{pg, nil})
			return
		}
		for _, c := range byHash[maphash.Bytes(seed, f.data)] {
			if c == f {
				return // f is the first frame with its contents
			}
			if bytes.Equal(c.data, f.data) {
				merges = append(merges, merge{pg, c})
				return
			}
		}
	})
	for _, m := range merges {
		if m.into != nil && !m.into.tryAcquire() {
			continue // its last holder released it meanwhile
		}
		slot := &a.root
		for level := a.height; level > 0; level-- {
			slot = &p.writable(slot, level).slot[index(m.pg, level)]
		}
		fs := &p.writable(slot, 0).slot[index(m.pg, 0)]
		old := (*frame)(*fs)
		*fs = unsafe.Pointer(m.into)
		if p.dropFrame(old) {
			freed++
		}
	}
	return freed
}

// indexFrames adds every frame under n, once each, to byHash, visiting each
// page-table node once.
func indexFrames(byHash map[uint64][]*frame, seen map[unsafe.Pointer]bool, seed maphash.Seed, n *node, level int) {
	if seen[unsafe.Pointer(n)] {
		return
	}
	seen[unsafe.Pointer(n)] = true
	for i, s := range n.slot {
		switch {
		case s == nil:
		case level > 0:
			indexFrames(byHash, seen, seed, n.kid(i), level-1)
		case !seen[s]:
			seen[s] = true
			f := n.frame(i)
			h := maphash.Bytes(seed, f.data)
			byHash[h] = append(byHash[h], f)
		}
	}
}

// eachFrame calls f for every page of a that has a frame, in page order.
func (a *Arena) eachFrame(f func(pg int64, fr *frame)) {
	var walk func(n *node, level int, base int64)
	walk = func(n *node, level int, base int64) {
		for i, s := range n.slot {
			switch {
			case s == nil:
			case level > 0:
				walk(n.kid(i), level-1, base|int64(i)<<(fanBits*level))
			default:
				f(base|int64(i), n.frame(i))
			}
		}
	}
	if a.root != nil {
		walk((*node)(a.root), a.height, 0)
	}
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
