package btree

// Cursor is a position in a snapshot of a Map, for walking it in both
// directions from any key. Make one with [Map.Cursor]; the zero Cursor is
// not usable.
//
// A cursor holds its map's entries as they were when it was made, exactly
// as a Clone would: writes to the map afterwards, through any handle, do
// not move it or change what it reads. Release it when done. A cursor that
// is never released costs what a clone that is never released costs: the
// map pays one copy of each node on a path it later writes, once, and
// nothing more; the memory is the garbage collector's as usual.
//
// A Cursor must not be used by several goroutines at once. Cursors on one
// map, each on its own goroutine, are fine.
type Cursor[K, V any] struct {
	s hold[K, V]
	// lf and i are the entry the cursor is on (lf is nil when it is on
	// none); frames[d] is the inner node at depth d and the child taken.
	lf     *leaf[K, V]
	i      int
	state  uint8
	frames []frame
	small  [7]frame
}

// The states of a cursor.
const (
	fresh       = iota // made, not moved: Next acts as First, Prev as Last
	onEntry            // on the entry frames point to
	beforeFirst        // moved before the first entry: Next goes to First
	afterLast          // moved after the last entry: Prev goes to Last
	released
)

// Cursor returns a cursor over a snapshot of m taken now. It costs one
// allocation and, like every iterator of Map, no write to the tree.
func (m *Map[K, V]) Cursor() *Cursor[K, V] {
	c := &Cursor[K, V]{s: m.hold()}
	if h := c.s.height; h <= len(c.small) {
		c.frames = c.small[:h]
	} else {
		c.frames = make([]frame, h)
	}
	return c
}

// Release drops the cursor's snapshot. Afterwards every move reports false.
// Releasing twice is harmless.
func (c *Cursor[K, V]) Release() {
	c.s.release()
	c.state, c.lf = released, nil
}

// First moves to the entry with the smallest key and reports whether there
// is one.
func (c *Cursor[K, V]) First() bool {
	if c.s.root == nil {
		return c.off(afterLast)
	}
	c.down(0, c.s.root, false)
	return c.on()
}

// Last moves to the entry with the largest key and reports whether there is
// one.
func (c *Cursor[K, V]) Last() bool {
	if c.s.root == nil {
		return c.off(beforeFirst)
	}
	c.down(0, c.s.root, true)
	return c.on()
}

// Seek moves to the entry with the smallest key >= k and reports whether
// there is one. If there is none, the cursor is after the last entry, and
// Prev moves to the largest key < k. The complexity is O(log n).
func (c *Cursor[K, V]) Seek(k K) bool {
	if c.s.root == nil {
		return c.off(afterLast)
	}
	m := c.s.m
	h := c.s.root
	for d := range c.s.height {
		in := innerOf[K, V](h)
		i := m.child(in, k)
		c.frames[d] = frame{node: h, i: i}
		h = in.kids[i]
	}
	lf := leafOf[K, V](h)
	i, _ := m.search(lf.keys[:lf.n], k)
	c.lf, c.i, c.state = lf, i, onEntry
	if i == int(lf.n) {
		return c.up(false)
	}
	return true
}

// Next moves to the next entry in ascending key order and reports whether
// there is one. On a new cursor it acts as First.
func (c *Cursor[K, V]) Next() bool {
	switch c.state {
	case fresh, beforeFirst:
		return c.First()
	case onEntry:
		if c.i++; c.i < int(c.lf.n) {
			return true
		}
		return c.up(false)
	}
	return false
}

// Prev moves to the previous entry in ascending key order and reports
// whether there is one. On a new cursor it acts as Last.
func (c *Cursor[K, V]) Prev() bool {
	switch c.state {
	case fresh, afterLast:
		return c.Last()
	case onEntry:
		if c.i--; c.i >= 0 {
			return true
		}
		return c.up(true)
	}
	return false
}

// Key returns the key of the entry the cursor is on. It panics if the
// cursor is on none (before the first move, after a move that reported
// false, or after Release).
func (c *Cursor[K, V]) Key() K {
	if c.state != onEntry {
		panicOff("Key", c.state)
	}
	return c.lf.keys[c.i]
}

// Value returns the value of the entry the cursor is on. It panics as
// [Cursor.Key] does.
func (c *Cursor[K, V]) Value() V {
	if c.state != onEntry {
		panicOff("Value", c.state)
	}
	return c.lf.vals[c.i]
}

//go:noinline
func panicOff(method string, state uint8) {
	where := [...]string{
		fresh:       "has not moved yet",
		beforeFirst: "is before the first entry",
		afterLast:   "is after the last entry",
		released:    "was released",
	}[state]
	panic("btree: Cursor." + method + " called on a cursor that " + where)
}

// up moves from a leaf whose entries are used up, in the given direction,
// to the next leaf's first (or the previous leaf's last) entry.
func (c *Cursor[K, V]) up(back bool) bool {
	for d := c.s.height - 1; d >= 0; d-- {
		f := &c.frames[d]
		if back && f.i > 0 || !back && f.i < int(f.node.n) {
			if back {
				f.i--
			} else {
				f.i++
			}
			c.down(d+1, innerOf[K, V](f.node).kids[f.i], back)
			return true
		}
	}
	if back {
		return c.off(beforeFirst)
	}
	return c.off(afterLast)
}

// down fills the frames from depth d with the edge path of the subtree h:
// its first entry, or its last if last is set.
func (c *Cursor[K, V]) down(d int, h *header, last bool) {
	for ; d < c.s.height; d++ {
		i := 0
		if last {
			i = int(h.n)
		}
		c.frames[d] = frame{node: h, i: i}
		h = innerOf[K, V](h).kids[i]
	}
	c.lf, c.i, c.state = leafOf[K, V](h), 0, onEntry
	if last {
		c.i = int(h.n) - 1
	}
}

func (c *Cursor[K, V]) on() bool { return c.state == onEntry }

// off leaves the cursor off the entries, in state s (unless it was
// released), and reports false.
func (c *Cursor[K, V]) off(s uint8) bool {
	if c.state != released {
		c.state = s
	}
	c.lf = nil
	return false
}
