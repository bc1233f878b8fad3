package cowslice

import "iter"

// Every iterator ranges over a snapshot: it holds a share of the elements
// for the length of the loop, as a Clone would (see the package doc,
// "Iteration"). That share is what keeps a clone on another goroutine from
// writing in place under the loop once the loop's own handle has copied or
// been released.

// All returns an iterator over the index-value pairs of s in ascending index
// order, over a snapshot of s taken when the loop starts. It never copies the
// elements; a loop written directly over it allocates nothing.
func (s *Slice[T]) All() iter.Seq2[int, T] {
	return func(yield func(int, T) bool) {
		r := s.r.Share()
		defer r.Drop()
		for i, v := range r.Data {
			if !yield(i, v) {
				return
			}
		}
	}
}

// Values returns an iterator over the elements of s in ascending index
// order, over a snapshot, as [Slice.All] does.
func (s *Slice[T]) Values() iter.Seq[T] {
	return func(yield func(T) bool) {
		r := s.r.Share()
		defer r.Drop()
		for _, v := range r.Data {
			if !yield(v) {
				return
			}
		}
	}
}
