package rope

import (
	"fmt"
	"iter"
	"slices"
	"unsafe"

	"github.com/cowkit/cowkit/internal/refcount"
)

// Rope is an indexed sequence of T with block-level copy-on-write. The zero
// Rope is empty and ready to use. A Rope must not be copied by value (use
// [Rope.Clone]; go vet reports a copy); one handle is not safe for
// concurrent use, but distinct handles that share nodes may be used on
// different goroutines without locks.
type Rope[T any] struct {
	_    refcount.NoCopy
	root *node[T]
	n    int
}

// New returns a rope of elems, copied into full leaves.
func New[T any](elems ...T) *Rope[T] {
	return &Rope[T]{root: build(elems), n: len(elems)}
}

// Collect returns a rope of the values seq yields, in order, with full
// leaves. It reads seq in batches, so it holds no more than the rope and
// one batch.
func Collect[T any](seq iter.Seq[T]) *Rope[T] {
	r := new(Rope[T])
	r.AppendSeq(seq)
	return r
}

// AppendSeq appends the values seq yields, in batches that fill leaves.
func (r *Rope[T]) AppendSeq(seq iter.Seq[T]) {
	batch := make([]T, 0, leafCap[T]()*innerCap)
	for v := range seq {
		batch = append(batch, v)
		if len(batch) == cap(batch) {
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
// It opens one node per level: four for a million ints.
func (r *Rope[T]) At(i int) T {
	if uint(i) >= uint(r.n) {
		panicIndex(i, r.n)
	}
	n := r.root
	if n.level == 0 {
		return n.elems[i]
	}
	for {
		for k := range n.kids {
			c := &n.kids[k]
			if i >= c.size {
				i -= c.size
				continue
			}
			if n.level == 1 { // c is a leaf: read its elements without its header
				return unsafe.Slice(c.data, c.size)[i]
			}
			n = c.n
			break
		}
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
	switch {
	case len(vs) == 0:
		return
	case r.root == nil:
		r.root = build(vs)
	case len(vs) <= leafCap[T]()/2:
		r.root = own(r.root)
		if extra := insertLeaf(r.root, i, vs, true); extra != nil {
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
// private node n and returns n's new right neighbour if n split. last
// says n is on the rope's right edge.
func insertLeaf[T any](n *node[T], i int, vs []T, last bool) *node[T] {
	if n.level == 0 {
		if len(n.elems)+len(vs) <= cap(n.elems) {
			n.elems = slices.Insert(n.elems, i, vs...)
			return nil
		}
		return splitLeaf(n, i, vs, last && i == len(n.elems))
	}
	// The child whose range holds i, or the last child for i == size: an
	// insert at a boundary goes to the start of the right-hand child.
	k, j := 0, i
	for k < len(n.kids)-1 && j >= n.kids[k].size {
		j -= n.kids[k].size
		k++
	}
	c := &n.kids[k]
	c.set(own(c.n))
	extra := insertLeaf(c.n, j, vs, last && k == len(n.kids)-1)
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
// Within one leaf that stays at least half full it writes that leaf (after
// copying the shared nodes on its path); otherwise it cuts the tree at i
// and j and joins the parts, touching O(log n) nodes however long the
// range.
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

// deleteLeaf deletes [i:j] if it lies in one leaf that keeps at least half
// of a leaf (or is the root), and reports whether it did.
func (r *Rope[T]) deleteLeaf(i, j int) bool {
	n, k := r.root, i
	for n.level > 0 {
		c, p := n.locate(k)
		if p+(j-i) > n.kids[c].size {
			return false
		}
		n, k = n.kids[c].n, p
	}
	if r.root.level > 0 && len(n.elems)-(j-i) < n.minWidth() {
		return false
	}
	r.root = own(r.root)
	n, k = r.root, i
	for n.level > 0 {
		c, p := n.locate(k)
		n.kids[c].set(own(n.kids[c].n))
		n.kids[c].size -= j - i
		n, k = n.kids[c].n, p
	}
	n.elems = slices.Delete(n.elems, k, k+(j-i))
	if r.root.level == 0 && len(n.elems) == 0 {
		r.root = nil
	}
	return true
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
	r.root = join(r.root, hold(other.root))
	r.n += add
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
