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
		i := 0
		eachLeaf(root, func(elems []T) bool {
			for _, v := range elems {
				if !yield(i, v) {
					return false
				}
				i++
			}
			return true
		})
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
		eachLeaf(root, func(elems []T) bool {
			for _, v := range elems {
				if !yield(v) {
					return false
				}
			}
			return true
		})
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
		i := r.n - 1
		eachLeafBackward(root, func(elems []T) bool {
			for k := len(elems) - 1; k >= 0; k-- {
				if !yield(i, elems[k]) {
					return false
				}
				i--
			}
			return true
		})
		drop(root)
	}
}

// Chunks returns an iterator over r's leaves: each is a slice of
// consecutive elements, and together, in order, they are r's elements. It
// copies nothing, so the slices are r's own storage: read them, never write
// them, and use each only until the loop ends (copy what you keep), since
// after the loop r may write its leaves in place again. For a Rope[byte]
// this is the way to hand text to code that takes []byte, a leaf (up to
// 1 KiB) at a time.
func (r *Rope[T]) Chunks() iter.Seq[[]T] {
	return func(yield func([]T) bool) {
		root := hold(r.root)
		if root == nil {
			return
		}
		eachLeaf(root, func(elems []T) bool { return yield(elems[:len(elems):len(elems)]) })
		drop(root)
	}
}

// eachLeaf calls f with the elements of each leaf under n, in order, until
// f returns false, and reports whether it ran to the end.
func eachLeaf[T any](n *node[T], f func([]T) bool) bool {
	if n.level == 0 {
		return f(n.elems)
	}
	for _, c := range n.kids {
		if !eachLeaf(c.n, f) {
			return false
		}
	}
	return true
}

func eachLeafBackward[T any](n *node[T], f func([]T) bool) bool {
	if n.level == 0 {
		return f(n.elems)
	}
	for k := len(n.kids) - 1; k >= 0; k-- {
		if !eachLeafBackward(n.kids[k].n, f) {
			return false
		}
	}
	return true
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
