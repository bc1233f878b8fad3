package cowmap

import "iter"

// All returns an iterator over m's key-value pairs, in Go's unspecified map
// order. It never copies. Writing to m during the loop follows the rules of a
// Go map if m is unshared; if m is shared, the write copies m and the loop
// goes on over the entries m had when it started.
func (m *Map[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		for k, v := range m.r.Data {
			if !yield(k, v) {
				return
			}
		}
	}
}

// Keys returns an iterator over m's keys, as [Map.All] does.
func (m *Map[K, V]) Keys() iter.Seq[K] {
	return func(yield func(K) bool) {
		for k := range m.r.Data {
			if !yield(k) {
				return
			}
		}
	}
}

// Values returns an iterator over m's values, as [Map.All] does.
func (m *Map[K, V]) Values() iter.Seq[V] {
	return func(yield func(V) bool) {
		for _, v := range m.r.Data {
			if !yield(v) {
				return
			}
		}
	}
}
