package cowmap

import "iter"

// Every iterator ranges over a snapshot: it holds a share of the entries
// for the length of the loop, as a Clone would (see the package doc,
// "Iteration"). That share is what keeps a clone on another goroutine from
// writing in place under the loop once the loop's own handle has copied or
// been released.

// All returns an iterator over m's key-value pairs, in Go's unspecified map
// order, over a snapshot of m taken when the loop starts. It never copies.
func (m *Map[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		r := m.r.Share()
		defer r.Drop()
		for k, v := range r.Data {
			if !yield(k, v) {
				return
			}
		}
	}
}

// Keys returns an iterator over m's keys, over a snapshot, as [Map.All] does.
func (m *Map[K, V]) Keys() iter.Seq[K] {
	return func(yield func(K) bool) {
		r := m.r.Share()
		defer r.Drop()
		for k := range r.Data {
			if !yield(k) {
				return
			}
		}
	}
}

// Values returns an iterator over m's values, over a snapshot, as [Map.All] does.
func (m *Map[K, V]) Values() iter.Seq[V] {
	return func(yield func(V) bool) {
		r := m.r.Share()
		defer r.Drop()
		for _, v := range r.Data {
			if !yield(v) {
				return
			}
		}
	}
}
