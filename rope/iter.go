package rope

import "iter"

// The loops below hold r's root for as long as they run, as a Clone would:
// a write to r inside the loop sees its nodes shared and copies the ones on
// its path, so the loop goes on over the rope as it was when it started,
// and the write's result is r's after the loop. The hold is let go when the
// loop ends; a loop body that panics keeps it (the cost is a copy per node
// r later writes, never correctness).

// All returns an iterator over the positions and elements of r, in order.
func (r *Rope[T]) All() iter.Seq2[int, T] {
	return func(yield func(int, T) bool) {
		root := hold(r.root)
		if root == nil {
			return
		}
		var w walk[T]
		i := 0
		for elems := w.first(root); len(elems) > 0; elems = w.next() {
			for _, v := range elems {
				if !yield(i, v) {
					drop(root)
					return
				}
				i++
			}
		}
		drop(root)
	}
}

// Values returns an iterator over the elements of r, in order.
func (r *Rope[T]) Values() iter.Seq[T] {
	return func(yield func(T) bool) {
		root := hold(r.root)
		if root == nil {
			return
		}
		var w walk[T]
		for elems := w.first(root); len(elems) > 0; elems = w.next() {
			for _, v := range elems {
				if !yield(v) {
					drop(root)
					return
				}
			}
		}
		drop(root)
	}
}

// Backward returns an iterator over the positions and elements of r, from
// the last to the first.
func (r *Rope[T]) Backward() iter.Seq2[int, T] {
	return func(yield func(int, T) bool) {
		root := hold(r.root)
		if root == nil {
			return
		}
		var w walk[T]
		i := r.n - 1
		for elems := w.last(root); len(elems) > 0; elems = w.prev() {
			for k := len(elems) - 1; k >= 0; k-- {
				if !yield(i, elems[k]) {
					drop(root)
					return
				}
				i--
			}
		}
		drop(root)
	}
}

// Chunks returns an iterator over r's elements a leaf at a time: each
// chunk is a slice of consecutive elements (up to a leaf's, 1 KiB of
// them), and together, in order, they are r's elements. Each chunk is a
// copy, in one buffer the loop allocates once and reuses: the leaves
// themselves may be shared with other handles, and a slice of them would
// let a write reach those. So use a chunk only until the loop body
// returns (copy what you keep); writing to it changes no rope. For a
// Rope[byte], WriteTo and Reader hand the leaves to a writer or a reader
// without even that copy.
func (r *Rope[T]) Chunks() iter.Seq[[]T] {
	return func(yield func([]T) bool) {
		root := hold(r.root)
		if root == nil {
			return
		}
		buf := make([]T, leafCap[T]())
		var w walk[T]
		for elems := w.first(root); len(elems) > 0; elems = w.next() {
			c := buf[:copy(buf, elems)]
			if !yield(c[:len(c):len(c)]) {
				break
			}
		}
		clear(buf)
		drop(root)
	}
}

// leaves calls f with each leaf's own elements under the tree r holds,
// in order, until f returns false, holding the tree meanwhile. f must
// neither write the slices nor hand them to code that may (a user's
// method): they may be shared.
func (r *Rope[T]) leaves(f func([]T) bool) {
	root := hold(r.root)
	if root == nil {
		return
	}
	var w walk[T]
	for elems := w.first(root); len(elems) > 0; elems = w.next() {
		if !f(elems[:len(elems):len(elems)]) {
			break
		}
	}
	drop(root)
}

// walk visits the leaves of a tree in order, or in reverse, keeping the
// path to the current leaf on a stack of its own. The loops above call it
// once per leaf and run each leaf's elements in their own body, so the
// compiler can inline that body, and the caller's loop body within it, into
// the caller, as it does a loop over a slice.
type walk[T any] struct {
	path  [maxHeight]step[T]
	depth int
}

type step[T any] struct {
	n *node[T]
	k int
}

// first returns the elements of the first leaf under n.
func (w *walk[T]) first(n *node[T]) []T {
	for n.level > 0 {
		w.path[w.depth] = step[T]{n, 0}
		w.depth++
		n = n.kids[0].n
	}
	return n.elems
}

// seek returns the elements of the leaf under n that holds position i
// (0 <= i < n's size), from i on, with the path to it kept for next.
func (w *walk[T]) seek(n *node[T], i int) []T {
	for n.level > 0 {
		k, j := n.locate(i)
		w.path[w.depth] = step[T]{n, k}
		w.depth++
		n, i = n.kids[k].n, j
	}
	return n.elems[i:]
}

// next returns the elements of the leaf after the current one, or nil.
func (w *walk[T]) next() []T {
	for w.depth > 0 {
		top := &w.path[w.depth-1]
		if top.k++; top.k < len(top.n.kids) {
			return w.first(top.n.kids[top.k].n)
		}
		w.depth--
	}
	return nil
}

// last returns the elements of the last leaf under n.
func (w *walk[T]) last(n *node[T]) []T {
	for n.level > 0 {
		k := len(n.kids) - 1
		w.path[w.depth] = step[T]{n, k}
		w.depth++
		n = n.kids[k].n
	}
	return n.elems
}

// prev returns the elements of the leaf before the current one, or nil.
func (w *walk[T]) prev() []T {
	for w.depth > 0 {
		top := &w.path[w.depth-1]
		if top.k--; top.k >= 0 {
			return w.last(top.n.kids[top.k].n)
		}
		w.depth--
	}
	return nil
}

// copyFrom copies elements of the tree n, from position off on, into dst,
// and returns how many it copied.
func copyFrom[T any](n *node[T], off int, dst []T) int {
	if n.level == 0 {
		return copy(dst, n.elems[off:])
	}
	done := 0
	for _, c := range n.kids {
		if off >= c.size {
			off -= c.size
			continue
		}
		done += copyFrom(c.n, off, dst[done:])
		off = 0
		if done == len(dst) {
			break
		}
	}
	return done
}
