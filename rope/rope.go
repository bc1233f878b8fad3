package rope

import (
	"fmt"
	"iter"
	"math"
	"slices"
	"unsafe"

	"github.com/cowkit/cowkit/internal/refcount"
)

// Rope is an indexed sequence of T with block-level copy-on-write. The zero
// Rope is empty and ready to use. A Rope must not be copied by value (use
// [Rope.Clone]; go vet reports a copy). Reads of one handle (Len, At, the
// loops, Slice, Clone, the encoders, Reader) may run on many goroutines at
// once; a write must not run at the same time as anything else on the same
// handle, as for a Go map. Distinct handles that share nodes may be used on
// different goroutines without locks.
type Rope[T any] struct {
	_    refcount.NoCopy
	root *node[T]
	n    int
}

// New returns a rope of elems, copied into full leaves (but the last two,
// which share what is left).
func New[T any](elems ...T) *Rope[T] {
	return &Rope[T]{root: build(elems), n: len(elems)}
}

// Collect returns a rope of the values seq yields, in order, with full
// leaves (but the last two). It reads seq in batches of whole leaves, at
// most 32 of them and 64 KiB (32 KiB for elements of up to 128 bytes) and
// at least one, so it holds no more than the rope and one batch.
func Collect[T any](seq iter.Seq[T]) *Rope[T] {
	r := new(Rope[T])
	r.AppendSeq(seq)
	return r
}

// AppendSeq appends the values seq yields, in batches that fill leaves, as
// Collect reads them.
func (r *Rope[T]) AppendSeq(seq iter.Seq[T]) {
	lc := leafCap[T]()
	size := max(int(unsafe.Sizeof(*new(T))), 1)
	limit := lc * min(max(64<<10/(lc*size), 1), innerCap) // whole leaves: up to 32, within 64 KiB
	var batch []T
	for v := range seq {
		if batch == nil {
			batch = make([]T, 0, limit)
		}
		batch = append(batch, v)
		if len(batch) == limit {
			r.Append(batch...)
			clear(batch)
			batch = batch[:0]
		}
	}
	r.Append(batch...)
}

// Len returns the number of elements.
func (r *Rope[T]) Len() int { return r.n }

// At returns the element at position i. It panics if i is out of range.
// It opens one inner node per level (three for a million ints built by
// New, Collect or Append; four if built by prepending), finds the child
// that holds i by the counts of elements under each, and reads the element
// from the leaf's array. At random positions that took 1.7x to 2.2x the
// time of benbjohnson/immutable's List.Get at 1e3 to 1e5 ints in the
// benchmarks module, and 1.3x at 1e6, where both miss the cache (medians
// of paired runs): a List, a trie of equal subtrees, computes the child
// from the index's bits, but a rope's subtrees vary in size, which is what
// lets it insert and delete anywhere in O(log n). To read in order,
// Values and All cost about a slice loop's time (1.0x to 1.3x in the same
// benchmarks), not At's per element.
func (r *Rope[T]) At(i int) T {
	if uint(i) >= uint(r.n) {
		panicIndex(i, r.n)
	}
	n, size := r.root, r.n
	if n.level == 0 {
		return n.elems[i]
	}
	for {
		// Scan the children from the nearer end: half the steps, on
		// average, and every step a load the CPU can run ahead.
		var c *child[T]
		if i < size/2 {
			k := 0
			for c = &n.kids[0]; i >= c.size; c = &n.kids[k] {
				i -= c.size
				k++
			}
		} else {
			k := len(n.kids) - 1
			i -= size
			for c = &n.kids[k]; i < -c.size; c = &n.kids[k] {
				i += c.size
				k--
			}
			i += c.size
		}
		if n.level == 1 { // c is a leaf: read its elements without its header
			return unsafe.Slice(c.data, c.size)[i]
		}
		n, size = c.n, c.size
	}
}

// Set replaces the element at position i with v. It panics if i is out of
// range. On a rope that shares nothing it writes in place and allocates
// nothing; otherwise it first copies the nodes on the path to i that are
// shared: one per level at most.
func (r *Rope[T]) Set(i int, v T) {
	if uint(i) >= uint(r.n) {
		panicIndex(i, r.n)
	}
	r.root = own(r.root)
	n := r.root
	for n.level > 0 {
		k, j := n.locate(i)
		c := &n.kids[k]
		c.set(own(c.n))
		n, i = c.n, j
	}
	n.elems[i] = v
}

// Clone returns a new handle to the same sequence in O(1): it takes a share
// of the root and allocates only the handle. The two handles then share
// every node until one of them writes, and a write copies only the nodes on
// its path.
func (r *Rope[T]) Clone() *Rope[T] {
	return &Rope[T]{root: hold(r.root), n: r.n}
}

// Release drops r's share of its nodes and leaves r empty and ready for
// use. Nodes that no other handle holds are released in turn, so the
// handles that share them write in place again. Releasing twice is
// harmless, and releasing is optional: an unreleased handle costs its peers
// one copy per node they later write, never correctness.
func (r *Rope[T]) Release() {
	if n := r.root; n != nil {
		r.root, r.n = nil, 0
		drop(n)
	}
}

// Append adds vs at the end.
func (r *Rope[T]) Append(vs ...T) { r.Insert(r.n, vs...) }

// Insert inserts vs before position i (i == Len appends). It panics if i
// is out of range [0:Len]. A few elements go into the leaf at i, which
// splits when full; many are built into full leaves and joined in. Either
// way it touches O(log n) nodes besides the new ones.
func (r *Rope[T]) Insert(i int, vs ...T) {
	if uint(i) > uint(r.n) {
		panicInsert(i, r.n)
	}
	mustGrow(r.n, len(vs))
	switch {
	case len(vs) == 0:
		return
	case r.root == nil:
		r.root = build(vs)
	case len(vs) <= leafCap[T]()/2:
		r.root = own(r.root)
		if extra := insertLeaf(r.root, r.n, i, vs, true); extra != nil {
			r.root = newInner(r.root.level+1, childOf(r.root), childOf(extra))
		}
	default:
		// Cut both sides before joining: the cut that runs second finds
		// the root unshared again and cuts in place, and so do the joins.
		keep := hold(r.root)
		left := prefix(r.root, i)
		right := suffix(keep, i)
		r.root = join(join(left, build(vs)), right)
	}
	r.n += len(vs)
}

// insertLeaf inserts vs (at most half a leaf) before position i of the
// private node n, which holds size elements, and returns n's new right
// neighbour if n split. last says n is on the rope's right edge.
func insertLeaf[T any](n *node[T], size, i int, vs []T, last bool) *node[T] {
	if n.level == 0 {
		if len(n.elems)+len(vs) <= cap(n.elems) {
			n.elems = slices.Insert(n.elems, i, vs...)
			return nil
		}
		return splitLeaf(n, i, vs, last && i == len(n.elems))
	}
	// The child whose range holds i, or the last child for i == size (an
	// insert at a boundary goes to the start of the right-hand child),
	// scanning from the nearer end, so that an append goes straight down
	// the right edge.
	var k, j int
	if i < size/2 {
		k, j = 0, i
		for j >= n.kids[k].size {
			j -= n.kids[k].size
			k++
		}
	} else {
		k, j = len(n.kids)-1, i-size
		for k > 0 && j < -n.kids[k].size {
			j += n.kids[k].size
			k--
		}
		j += n.kids[k].size
	}
	c := &n.kids[k]
	c.set(own(c.n))
	extra := insertLeaf(c.n, c.size, j, vs, last && k == len(n.kids)-1)
	c.size += len(vs)
	if extra == nil {
		return nil
	}
	c.size -= extra.size()
	n.kids = slices.Insert(n.kids, k+1, childOf(extra))
	return splitFull(n)
}

// splitLeaf inserts vs before position i of the full private leaf n by
// splitting it: n keeps the first half of the result and the returned leaf
// the rest. An append to the rope's last leaf (appending) leaves n as full
// as the new leaf's minimum fill allows instead, so that appends fill
// leaves to seven-eighths, not half.
func splitLeaf[T any](n *node[T], i int, vs []T, appending bool) *node[T] {
	total := len(n.elems) + len(vs)
	half := (total + 1) / 2
	if m := n.minWidth(); appending && total-m <= cap(n.elems) {
		half = total - m
	}
	all := make([]T, 0, total)
	all = append(all, n.elems[:i]...)
	all = append(all, vs...)
	all = append(all, n.elems[i:]...)
	r := newLeaf(all[half:])
	clear(n.elems)
	n.elems = append(n.elems[:0], all[:half]...)
	return r
}

// Delete removes the elements [i:j]. It panics if the range is invalid.
// A range within one leaf is deleted in that leaf, after copying the
// shared nodes on its path, and a leaf left too empty is merged with or
// refilled from a neighbour: on a rope that shares nothing, that allocates
// nothing. A longer range is cut out, the tree cut at i and at j and the
// parts joined, touching O(log n) nodes however long the range.
func (r *Rope[T]) Delete(i, j int) {
	if i < 0 || j > r.n || i > j {
		panicSlice("Delete", i, j, r.n)
	}
	if i == j {
		return
	}
	if r.deleteLeaf(i, j) {
		r.n -= j - i
		return
	}
	keep := hold(r.root)
	left := prefix(r.root, i)
	right := suffix(keep, j)
	r.root = join(left, right)
	r.n -= j - i
}

// deleteLeaf deletes [i:j] if it lies in one leaf, and reports whether it
// did. It writes the nodes on the path to that leaf (copying those that
// are shared), and a leaf left below its minimum fill takes elements from
// a neighbour or merges with it, and so up the path, as in any B-tree: on
// a rope that shares nothing it allocates nothing.
func (r *Rope[T]) deleteLeaf(i, j int) bool {
	n, k := r.root, i
	for n.level > 0 {
		c, p := n.locate(k)
		if p+(j-i) > n.kids[c].size {
			return false
		}
		n, k = n.kids[c].n, p
	}
	r.root = own(r.root)
	deleteIn(r.root, i, j-i)
	switch root := r.root; {
	case root.level == 0 && len(root.elems) == 0:
		r.root = nil
	case root.level > 0 && len(root.kids) == 1:
		// Its two children merged: the one left is the root (the old
		// root, private, is left to the collector; its hold is the
		// child's). A node below the root never has fewer than two
		// children, so one level goes at most.
		r.root = root.kids[0].n
	}
	return true
}

// deleteIn deletes the m elements from position i of the private node n,
// all of which are in one leaf, and reports whether n is left below its
// minimum fill.
func deleteIn[T any](n *node[T], i, m int) bool {
	if n.level == 0 {
		n.elems = slices.Delete(n.elems, i, i+m)
		return len(n.elems) < n.minWidth()
	}
	k, p := n.locate(i)
	c := &n.kids[k]
	c.set(own(c.n))
	c.size -= m
	if deleteIn(c.n, p, m) {
		refill(n, k)
	}
	return len(n.kids) < n.minWidth()
}

// refill brings the child k of the private inner node n, below its
// minimum fill, back within its bounds: it merges it with a neighbour if
// the two fit in one node, else moves elements or children over from the
// neighbour until they hold half each. n has at least two children.
func refill[T any](n *node[T], k int) {
	l := max(k-1, 0)
	a, b := &n.kids[l], &n.kids[l+1]
	a.set(own(a.n))
	b.set(own(b.n))
	if a.n.width()+b.n.width() > a.n.capacity() {
		balance(a.n, b.n)
		a.size, b.size = a.n.size(), b.n.size()
		return
	}
	if a.n.level == 0 {
		a.n.elems = append(a.n.elems, b.n.elems...)
	} else {
		a.n.kids = append(a.n.kids, b.n.kids...) // b is private: its holds move to a
	}
	a.size += b.size
	n.kids = slices.Delete(n.kids, l+1, l+2)
}

// Slice returns a new rope of the elements [i:j], in O(log n): it shares
// every node of r that lies wholly inside the range and copies only the
// nodes on the two cut paths. r is unchanged. It panics if the range is
// invalid.
func (r *Rope[T]) Slice(i, j int) *Rope[T] {
	if i < 0 || j > r.n || i > j {
		panicSlice("Slice", i, j, r.n)
	}
	if i == j {
		return new(Rope[T])
	}
	return &Rope[T]{root: suffix(prefix(hold(r.root), j), i), n: j - i}
}

// Concat appends other's elements to r, in O(log n): other's nodes are
// shared, not copied, and only the nodes along the seam are written.
// other is unchanged; r.Concat(r) doubles r.
func (r *Rope[T]) Concat(other *Rope[T]) {
	if other.n == 0 {
		return
	}
	add := other.n
	mustGrow(r.n, add)
	r.root = join(r.root, hold(other.root))
	r.n += add
}

// mustGrow panics if a rope of n elements cannot take add more: Concat
// shares what it appends, so a rope can double its length in O(log n),
// and its length and counts would wrap around.
func mustGrow(n, add int) {
	if add > math.MaxInt-n {
		panic(fmt.Sprintf("rope: a length of %d and %d more elements overflows int", n, add))
	}
}

func panicIndex(i, n int) {
	panic(fmt.Sprintf("rope: index %d out of range [0:%d]", i, n))
}

func panicInsert(i, n int) {
	panic(fmt.Sprintf("rope: Insert index %d out of range [0:%d]", i, n))
}

func panicSlice(method string, i, j, n int) {
	panic(fmt.Sprintf("rope: %s bounds [%d:%d] out of range [0:%d]", method, i, j, n))
}
