package cowslice

import "iter"

// All returns an iterator over the index-value pairs of s in ascending index
// order. It never copies the elements. Like ranging over a plain slice,
// the iteration covers the elements s held when it started; a Set on s during
// the loop may or may not be seen by later steps.
func (s *Slice[T]) All() iter.Seq2[int, T] {
	return func(yield func(int, T) bool) {
		for i, v := range s.r.Data {
			if !yield(i, v) {
				return
			}
		}
	}
}

// Values returns an iterator over the elements of s in ascending index
// order, with the same guarantees as [Slice.All].
func (s *Slice[T]) Values() iter.Seq[T] {
	return func(yield func(T) bool) {
		for _, v := range s.r.Data {
			if !yield(v) {
				return
			}
		}
	}
}
