package pagearena

import (
	"errors"
	"fmt"
	"hash/maphash"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/cowkit/cowkit/internal/refcount"
	"github.com/cowkit/cowkit/internal/stream"
)

// DefaultPageSize is the page size of an arena made without WithPageSize.
const DefaultPageSize = 4096

const maxPageSize = 1 << 30

var (
	// ErrNoSpace reports a write that would make the pool hold more frames
	// than its limit (see WithLimit). Nothing was written.
	ErrNoSpace = errors.New("pagearena: no space left in the pool")
	// ErrOutOfRange reports an offset or range outside the arena, or a
	// negative one. Nothing was written.
	ErrOutOfRange = errors.New("pagearena: offset out of range")
)

// Arena is a range of Size bytes of page-backed memory with O(1) Fork.
//
// The zero Arena is an empty arena of size 0 that can be read, forked and
// released. b := a aliases one handle; a.Fork() makes an independent
// arena that shares every page with a until one of them writes it. Arenas
// forked from one another may be used on different goroutines without
// locking, except during [Arena.Dedupe]. One arena is not safe for
// concurrent mutation; concurrent reads of one arena, Fork included, are
// safe.
//
// [Arena.Release] gives an arena's frames back to the pool at once. An
// arena dropped without Release is released by the garbage collector: once
// it is unreachable, a collection has run and its cleanup has finished, its
// frames are back in the pool and no longer count against the limit.
type Arena struct {
	_    refcount.NoCopy
	pool *pool  // nil only for the zero Arena
	t    *table // nil only for the zero Arena
	size int64
	// cleanup releases t if the arena is collected without Release;
	// Release stops it, which is far cheaper than letting it run.
	cleanup runtime.Cleanup
	// snap names the snapshot a holds once it has been sent or received as
	// a stream (see stream.go); Fork copies it and every write clears it.
	// It is atomic because Send, a read, may record it on an arena that
	// other goroutines read too.
	snap stream.Name
}

// pool is what an arena and all the arenas forked from it share: the page
// size, the frame limit and count, the list of live arenas' tables, and
// Dedupe's index of frames by content.
type pool struct {
	pageSize int
	shift    uint  // log2(pageSize)
	limit    int64 // 0: none
	frames   atomic.Int64
	// epoch is Dedupe's clock: every write stamps the nodes and frames it
	// changes with it, and every Dedupe advances it (see dedupe.go).
	epoch atomic.Uint64

	mu   sync.Mutex // guards the list; held by New, Fork, Release and cleanups, and briefly by Dedupe
	head *table

	ixMu sync.Mutex // guards ix and the index fields of every frame
	ix   frameIndex
	seed maphash.Seed
}

// Option configures New.
type Option func(*config)

type config struct {
	pageSize int
	limit    int
}

// WithPageSize sets the page size in bytes: a power of two from 512 to
// 1 GiB.
func WithPageSize(n int) Option { return func(c *config) { c.pageSize = n } }

// WithLimit sets the most page frames the arena and every arena forked from
// it may hold together, like the size of a thin-provisioned pool; 0 means no
// limit. A write that would need more fails with ErrNoSpace.
func WithLimit(frames int) Option { return func(c *config) { c.limit = frames } }

// New returns an arena of size bytes, every page of it the zero page: New
// allocates no frame, whatever the size. size need not be a multiple of the
// page size; the last page is then partial. New returns an error for a
// negative size, a page size that is not a power of two from 512 to 1 GiB,
// or a negative limit.
func New(size int64, opts ...Option) (*Arena, error) {
	c := config{pageSize: DefaultPageSize}
	for _, o := range opts {
		o(&c)
	}
	switch {
	case size < 0:
		return nil, fmt.Errorf("pagearena: negative size %d", size)
	case c.pageSize < 512 || c.pageSize > maxPageSize || c.pageSize&(c.pageSize-1) != 0:
		return nil, fmt.Errorf("pagearena: page size %d is not a power of two from 512 to 1 GiB", c.pageSize)
	case c.limit < 0:
		return nil, fmt.Errorf("pagearena: negative frame limit %d", c.limit)
	}
	p := &pool{pageSize: c.pageSize, shift: uint(bits.TrailingZeros(uint(c.pageSize))), limit: int64(c.limit)}
	p.epoch.Store(1)
	p.seed = maphash.MakeSeed()
	a := &Arena{pool: p, size: size}
	p.track(a, &table{pool: p, height: heightFor(a.pages())})
	return a, nil
}

// Size returns the arena's size in bytes; 0 once released.
func (a *Arena) Size() int64 { return a.size }

// PageSize returns the page size in bytes.
func (a *Arena) PageSize() int {
	if a.pool == nil {
		return DefaultPageSize
	}
	return a.pool.pageSize
}

// pages returns the number of pages, the last one possibly partial.
func (a *Arena) pages() int64 {
	if a.size == 0 {
		return 0
	}
	return (a.size-1)>>a.pool.shift + 1
}

// Fork returns a new arena with the same contents, sharing every page and
// the frame pool with a. The complexity is O(1) at any size: it holds the
// page table's root once more, and makes the new handle, its table and
// the cleanup that releases it if it is dropped without Release: four small
// allocations, two of them the runtime's for the cleanup. A Fork and its
// Release take about 185 ns together here; a fork dropped without Release
// costs about 360 ns, the collector's running of its cleanup included. The first write to a shared page
// in either arena copies that page (and the page-table nodes on its path);
// a page written before is written in place.
func (a *Arena) Fork() *Arena {
	if a.pool == nil {
		return &Arena{}
	}
	c := &Arena{pool: a.pool, size: a.size}
	t := &table{pool: a.pool, height: a.t.height, deduped: a.t.deduped}
	t.root.Store(a.t.hold())
	a.pool.track(c, t)
	if id := a.snap.Load(); id != nil {
		c.snap.Store(id)
	}
	return c
}

// Release drops a's share of its pages and leaves a empty (Size 0) and
// usable. Frames that no other arena holds go back to the pool at once, so
// a write that failed with ErrNoSpace can succeed afterwards. Releasing
// twice is harmless. Release is optional: the garbage collector releases
// an unreachable arena too, but only after a collection, so a program near
// its limit releases what it no longer needs.
func (a *Arena) Release() {
	if a.pool == nil {
		return
	}
	a.size = 0
	a.snap.Forget()
	a.cleanup.Stop()
	a.t.release()
}

// track lists t in the pool as a's table and arranges for the garbage
// collector to release t once a is unreachable. Neither the list nor the
// cleanup refers to a.
func (p *pool) track(a *Arena, t *table) {
	a.t = t
	p.mu.Lock()
	t.next, t.listed = p.head, true
	if p.head != nil {
		p.head.prev = t
	}
	p.head = t
	p.mu.Unlock()
	a.cleanup = runtime.AddCleanup(a, (*table).release, t)
}

// release unlists t and drops its root; releasing twice does nothing. It
// is Release's work, and the cleanup of an arena the collector found
// unreachable, which runs on a goroutine of its own.
func (t *table) release() {
	p := t.pool
	p.mu.Lock()
	if !t.listed {
		p.mu.Unlock()
		return
	}
	if t.prev != nil {
		t.prev.next = t.next
	} else {
		p.head = t.next
	}
	if t.next != nil {
		t.next.prev = t.prev
	}
	t.prev, t.next, t.listed = nil, nil, false
	root := t.root.Swap(nil)
	p.mu.Unlock()
	if root != nil {
		p.drop(root, t.height)
	}
}

// Stats counts an arena's pages by what backs them. Zero+Shared+Private
// is Pages.
type Stats struct {
	Pages   int64 // pages in the arena, the last one possibly partial
	Zero    int64 // pages backed by the zero page: never written, or discarded
	Shared  int64 // pages backed by a frame that another arena, or another page, may also use
	Private int64 // pages backed by a frame only this page uses: written in place
	// Frames is the number of frames the whole pool holds: this arena's,
	// and those of every arena forked from it that is not yet released,
	// including arenas dropped without Release that the garbage collector
	// has not yet collected.
	Frames int64
}

// Stats returns a's page counts. It visits the page table, skipping
// all-zero subtrees: O(pages written), not O(Size).
func (a *Arena) Stats() Stats {
	s := Stats{Pages: a.pages()}
	if a.pool != nil {
		s.Frames = a.pool.frames.Load()
	}
	if a.t != nil {
		if root := a.t.root.Load(); root != nil {
			count(&s, root, a.t.height, false)
		}
	}
	s.Zero = s.Pages - s.Shared - s.Private
	return s
}

func count(s *Stats, n *node, level int, shared bool) {
	shared = shared || n.shares.Shared()
	if level > 0 {
		for _, k := range n.kids {
			if k != nil {
				count(s, k, level-1, shared)
			}
		}
		return
	}
	for _, f := range n.frames {
		switch {
		case f == nil:
		case shared || f.shares.Shared():
			s.Shared++
		default:
			s.Private++
		}
	}
}
