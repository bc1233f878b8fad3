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

// Collect returns a new Map holding the key-value pairs of seq, as
// maps.Collect returns a Go map: a key that comes twice keeps its later
// value.
func Collect[K comparable, V any](seq iter.Seq2[K, V]) *Map[K, V] {
	m := new(Map[K, V])
	m.Insert(seq)
	return m
}

// Insert sets every key-value pair of seq in m, in the order seq yields
// them, as maps.Insert does for a Go map. If m shares its entries, the
// first pair copies them, once, as [Map.Set] does, and the rest are set in
// place; a seq that yields nothing never copies.
//
// seq may read m: each pair is set as it comes, so a seq that calls Get
// sees the pairs set so far. m's own iterators range over a snapshot (see
// the package doc, "Iteration"): a seq built on m.All() goes over the
// entries m had when its loop started, never over the pairs Insert sets,
// where a Go map may or may not yield keys added during the loop. Since the
// running loop holds a share, the first pair set copies m once, as a write
// inside any loop over m does.
//
// Apart from the map's growth and that copy, the loop over seq allocates a
// few small objects per call, as maps.Insert does where the compiler
// cannot inline it, and none per pair.
func (m *Map[K, V]) Insert(seq iter.Seq2[K, V]) {
	for k, v := range seq {
		m.Set(k, v)
	}
}
