package pagearena

import (
	"errors"
	"fmt"
	"math/bits"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/cowkit/cowkit/internal/refcount"
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
// Release every arena you no longer need, as a process exits or a thin
// volume is deleted: the pool keeps a list of its arenas for Dedupe, so an
// arena dropped without Release stays in memory, and its frames count
// against the limit, for as long as the pool lives.
type Arena struct {
	_      refcount.NoCopy
	pool   *pool
	root   unsafe.Pointer // *node; nil: every page is the zero page
	height int            // levels of the page table above the leaves
	size   int64

	// The pool's list of its live arenas, for Dedupe; guarded by pool.mu.
	prev, next *Arena
	listed     bool
}

// pool is what an arena and all the arenas forked from it share: the page
// size, the frame limit and count, and the list of live arenas.
type pool struct {
	pageSize int
	shift    uint  // log2(pageSize)
	limit    int64 // 0: none
	frames   atomic.Int64

	mu   sync.Mutex // guards the list; held by Fork, Release and Dedupe only
	head *Arena
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
	a := &Arena{pool: p, size: size}
	a.height = heightFor(a.pages())
	p.register(a)
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
// the frame pool with a. The complexity is O(1) at any size: it counts one
// more holder of the page table's root and allocates only the new handle.
// The first write to a shared page in either arena copies that page (and
// the page-table nodes on its path); a page written before is written in
// place.
func (a *Arena) Fork() *Arena {
	c := &Arena{pool: a.pool, root: a.root, height: a.height, size: a.size}
	if a.root != nil {
		(*node)(a.root).shares.Add(1)
	}
	if a.pool != nil {
		a.pool.register(c)
	}
	return c
}

// Release drops a's share of its pages and leaves a empty (Size 0) and
// usable. Frames that no other arena holds go back to the pool, so a write
// that failed with ErrNoSpace can succeed afterwards. Releasing twice is
// harmless. An arena that is dropped without Release keeps its frames, and
// they count against the limit, for as long as the pool lives.
func (a *Arena) Release() {
	if a.pool == nil {
		return
	}
	a.pool.unregister(a)
	root, height := a.root, a.height
	a.root, a.height, a.size = nil, 0, 0
	if root != nil {
		a.pool.drop((*node)(root), height)
	}
}

func (p *pool) register(a *Arena) {
	p.mu.Lock()
	a.next, a.listed = p.head, true
	if p.head != nil {
		p.head.prev = a
	}
	p.head = a
	p.mu.Unlock()
}

func (p *pool) unregister(a *Arena) {
	p.mu.Lock()
	if a.listed {
		if a.prev != nil {
			a.prev.next = a.next
		} else {
			p.head = a.next
		}
		if a.next != nil {
			a.next.prev = a.prev
		}
		a.prev, a.next, a.listed = nil, nil, false
	}
	p.mu.Unlock()
}

// Stats counts an arena's pages by what backs them. Zero+Shared+Private
// is Pages.
type Stats struct {
	Pages   int64 // pages in the arena, the last one possibly partial
	Zero    int64 // pages backed by the zero page: never written, or discarded
	Shared  int64 // pages backed by a frame that another arena, or another page, may also use
	Private int64 // pages backed by a frame only this page uses: written in place
	Frames  int64 // frames the whole pool holds: this arena and every arena forked from it
}

// Stats returns a's page counts. It visits the page table, skipping
// all-zero subtrees: O(pages written), not O(Size).
func (a *Arena) Stats() Stats {
	s := Stats{Pages: a.pages()}
	if a.pool != nil {
		s.Frames = a.pool.frames.Load()
	}
	if a.root != nil {
		a.count(&s, (*node)(a.root), a.height, false)
	}
	s.Zero = s.Pages - s.Shared - s.Private
	return s
}

func (a *Arena) count(s *Stats, n *node, level int, shared bool) {
	shared = shared || n.shares.Load() != 0
	for i, p := range n.slot {
		switch {
		case p == nil:
		case level > 0:
			a.count(s, n.kid(i), level-1, shared)
		case shared || n.frame(i).refs.Load() != 0:
			s.Shared++
		default:
			s.Private++
		}
	}
}
