package btree

import "iter"

// hold is a loop's hold on m's tree: the snapshot that every iterator,
// Diff and Cursor works on (what that promises users is in the package
// doc, "Iteration is over a snapshot"). It holds the root as a Clone does,
// and release lets go of it when the loop ends, however it ends.
//
// The hold is counted on the handle (Map.holds), a cache line that only
// users of this handle read, not on the root's count, which Get on every
// clone reads; a write to the handle first turns such holds into real
// shares of the root (settle), and the loop's end then drops a real share.
type hold[K, V any] struct {
	m      *Map[K, V]
	root   *header
	height int
	epoch  uint64 // m's epoch when the hold was counted
	shared bool   // the hold is a real share of root, not counted on m
}

// hold takes a snapshot of m for a loop: one more hold counted in m.holds,
// with the epoch read in the same atomic step. When that count is full, it
// holds the root as Clone does.
func (m *Map[K, V]) hold() hold[K, V] {
	s := hold[K, V]{m: m, root: m.root, height: m.height}
	if s.root == nil {
		return s
	}
	for {
		v := m.holds.Load()
		if v&holdMask == holdMask { // the count is full: hold a real share
			s.root = m.holdRoot()
			s.shared = true
			return s
		}
		if m.holds.CompareAndSwap(v, v+1) {
			s.epoch = v >> holdBits
			return s
		}
	}
}

// release lets go of the snapshot: it takes back its count from m.holds if
// the epoch is the one it was counted in, or else, since a write has turned
// it into a share of the root, drops that share. It touches only atomics,
// so it may run on another goroutine while the map is written. Releasing
// twice does nothing.
func (s *hold[K, V]) release() {
	if s.root == nil {
		return
	}
	for !s.shared {
		v := s.m.holds.Load()
		if v>>holdBits != s.epoch || v&holdMask == 0 {
			break // settled: the hold is a share now (a count of 0 means an epoch that wrapped)
		}
		if s.m.holds.CompareAndSwap(v, v-1) {
			s.root = nil
			return
		}
	}
	drop[K, V](s.root, s.height)
	s.root = nil
}

// All returns an iterator over m's entries in ascending key order. The loop
// ranges over a snapshot of m taken when it starts, so its body may write to
// m (see the package doc, "Iteration is over a snapshot").
func (m *Map[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		s := m.hold()
		if s.root == nil {
			return
		}
		defer s.release()
		ascend(s.root, s.height, yield)
	}
}

// Keys returns an iterator over m's keys in ascending order.
func (m *Map[K, V]) Keys() iter.Seq[K] {
	return func(yield func(K) bool) {
		for k := range m.All() {
			if !yield(k) {
				return
			}
		}
	}
}

// Values returns an iterator over m's values in ascending order of their keys.
func (m *Map[K, V]) Values() iter.Seq[V] {
	return func(yield func(V) bool) {
		for _, v := range m.All() {
			if !yield(v) {
				return
			}
		}
	}
}

// Backward returns an iterator over m's entries in descending key order.
func (m *Map[K, V]) Backward() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		s := m.hold()
		if s.root == nil {
			return
		}
		defer s.release()
		descend(s.root, s.height, yield)
	}
}

// Scan returns an iterator over the entries with lo <= key < hi, in
// ascending key order. If lo >= hi it yields nothing. Finding lo costs
// O(log n); each entry after it costs O(1).
func (m *Map[K, V]) Scan(lo, hi K) iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		s := m.hold()
		if s.root == nil {
			return
		}
		defer s.release()
		if m.cmp(lo, hi) >= 0 {
			return
		}
		m.scan(s.root, s.height, lo, hi, true, yield)
	}
}

// Ascend returns an iterator over the entries with keys greater than or
// equal to from, in ascending key order. Finding from costs O(log n); each
// entry after it costs O(1).
func (m *Map[K, V]) Ascend(from K) iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		s := m.hold()
		if s.root == nil {
			return
		}
		defer s.release()
		m.ascendFrom(s.root, s.height, from, yield)
	}
}

// Descend returns an iterator over the entries with keys less than or equal
// to from, in descending key order. Finding from costs O(log n); each entry
// after it costs O(1).
func (m *Map[K, V]) Descend(from K) iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		s := m.hold()
		if s.root == nil {
			return
		}
		defer s.release()
		m.descendFrom(s.root, s.height, from, yield)
	}
}

func ascend[K, V any](h *header, level int, yield func(K, V) bool) bool {
	if level == 0 {
		lf := leafOf[K, V](h)
		keys := lf.keys[:lf.n]
		vals := lf.vals[:len(keys)]
		for i, k := range keys {
			if !yield(k, vals[i]) {
				return false
			}
		}
		return true
	}
	in := innerOf[K, V](h)
	for _, kid := range in.kids[:in.n+1] {
		if !ascend(kid, level-1, yield) {
			return false
		}
	}
	return true
}

func descend[K, V any](h *header, level int, yield func(K, V) bool) bool {
	if level == 0 {
		lf := leafOf[K, V](h)
		keys := lf.keys[:lf.n]
		vals := lf.vals[:len(keys)]
		for i := len(keys) - 1; i >= 0; i-- {
			if !yield(keys[i], vals[i]) {
				return false
			}
		}
		return true
	}
	in := innerOf[K, V](h)
	kids := in.kids[:in.n+1]
	for i := len(kids) - 1; i >= 0; i-- {
		if !descend(kids[i], level-1, yield) {
			return false
		}
	}
	return true
}

// scan yields the entries of the subtree h with lo <= key < hi and reports
// whether the scan should go on past it. If seek is set, the subtree may
// hold keys below lo, so scan searches for lo; otherwise it starts at the
// subtree's first entry. Each leaf is cut at hi with one binary search, not
// one comparison per entry.
func (m *Map[K, V]) scan(h *header, level int, lo, hi K, seek bool, yield func(K, V) bool) bool {
	if level == 0 {
		lf := leafOf[K, V](h)
		keys := lf.keys[:lf.n]
		start := 0
		if seek {
			start, _ = m.search(keys, lo)
		}
		end, _ := m.search(keys, hi)
		for i := start; i < end; i++ {
			if !yield(keys[i], lf.vals[i]) {
				return false
			}
		}
		return end == len(keys)
	}
	in := innerOf[K, V](h)
	start := 0
	if seek {
		var found bool
		start, found = m.search(in.keys[:in.n], lo)
		if found {
			start++
		}
	}
	for i, kid := range in.kids[start : in.n+1] {
		if !m.scan(kid, level-1, lo, hi, seek && i == 0, yield) {
			return false
		}
	}
	return true
}

// ascendFrom yields the entries of the subtree h with keys >= from, and
// reports whether the iteration should go on past it. Only the first
// subtree at each level is searched; the ones after it start at their
// first entry.
func (m *Map[K, V]) ascendFrom(h *header, level int, from K, yield func(K, V) bool) bool {
	if level == 0 {
		lf := leafOf[K, V](h)
		keys := lf.keys[:lf.n]
		start, _ := m.search(keys, from)
		for i := start; i < len(keys); i++ {
			if !yield(keys[i], lf.vals[i]) {
				return false
			}
		}
		return true
	}
	in := innerOf[K, V](h)
	start, found := m.search(in.keys[:in.n], from)
	if found {
		start++
	}
	if !m.ascendFrom(in.kids[start], level-1, from, yield) {
		return false
	}
	for _, kid := range in.kids[start+1 : in.n+1] {
		if !ascend(kid, level-1, yield) {
			return false
		}
	}
	return true
}

// descendFrom yields the entries of the subtree h with keys <= from, in
// descending order, and reports whether the iteration should go on.
func (m *Map[K, V]) descendFrom(h *header, level int, from K, yield func(K, V) bool) bool {
	if level == 0 {
		lf := leafOf[K, V](h)
		keys := lf.keys[:lf.n]
		end, found := m.search(keys, from)
		if found {
			end++
		}
		for i := end - 1; i >= 0; i-- {
			if !yield(keys[i], lf.vals[i]) {
				return false
			}
		}
		return true
	}
	in := innerOf[K, V](h)
	start, found := m.search(in.keys[:in.n], from)
	if found {
		start++
	}
	if !m.descendFrom(in.kids[start], level-1, from, yield) {
		return false
	}
	for i := start - 1; i >= 0; i-- {
		if !descend(in.kids[i], level-1, yield) {
			return false
		}
	}
	return true
}
