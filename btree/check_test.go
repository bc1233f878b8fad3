package btree

import (
	"fmt"
	"reflect"
)

// checkMaps checks the invariants of the live maps together:
//
//   - every node's level is the one its depth implies (all leaves at depth
//     height), and every node holds its keys strictly ascending;
//   - every key in an inner node's child i is in [keys[i-1], keys[i]);
//   - node fill: the root has at least one entry (leaf) or key (inner), the
//     first and last node of each level at least one, every other node at
//     least the minimum, and no node more than the maximum;
//   - the slots past a node's n are zero (nothing kept alive for the GC);
//   - Len equals the number of entries;
//   - every reachable node's count equals the number of its holders: the
//     distinct reachable inner nodes that point to it plus the handles
//     whose root it is;
//   - every inner node's count for a child is the number of entries in
//     the child's subtree, and the counts past its last child are zero;
//   - no handle has a loop holding it (no loop or cursor is running);
//   - a map with entries has an ordering.
func checkMaps[K, V any](live []*Map[K, V]) error { return checkShapes(live, nil) }

// checkShapes is checkMaps, except that the maps in unordered are not
// checked for key order: a map written with a comparison function that
// broke NewFunc's rules may hold its keys in any order, but everything
// else, its counts above all, must still hold.
func checkShapes[K, V any](live []*Map[K, V], unordered map[*Map[K, V]]bool) error {
	holders := map[*header]int{}
	seen := map[*header]bool{}
	for hi, m := range live {
		if p := m.holds.Load() & holdMask; p != 0 {
			return fmt.Errorf("handle %d: %d loops still hold it", hi, p)
		}
		if m.root == nil {
			if m.height != 0 || m.length != 0 {
				return fmt.Errorf("handle %d: empty, but height %d and Len %d", hi, m.height, m.length)
			}
			continue
		}
		if m.cmp == nil || m.search == nil {
			return fmt.Errorf("handle %d: entries but no ordering", hi)
		}
		holders[m.root]++
		w := walker[K, V]{m: m, holders: holders, seen: seen, unordered: unordered[m]}
		if _, err := w.node(m.root, m.height, nil, nil, true, true, true); err != nil {
			return fmt.Errorf("handle %d: %w", hi, err)
		}
		if w.entries != m.length {
			return fmt.Errorf("handle %d: Len %d, but %d entries", hi, m.length, w.entries)
		}
	}
	for h, n := range holders {
		if got := h.shares.Holders(); got != int64(n) {
			return fmt.Errorf("node %p: count %d, but %d holders", h, got, n)
		}
	}
	return nil
}

type walker[K, V any] struct {
	m       *Map[K, V]
	holders map[*header]int
	seen    map[*header]bool
	entries int
	// unordered skips the key-order checks.
	unordered bool
}

// node checks the subtree h at level and returns its number of entries;
// its keys must be in [lo, hi) (nil bounds are open); first and last say
// whether it is the first or last node of its level.
func (w *walker[K, V]) node(h *header, level int, lo, hi *K, root, first, last bool) (int, error) {
	if h.dirty {
		return 0, fmt.Errorf("node %p: still marked dirty", h)
	}
	if int(h.level) != level {
		return 0, fmt.Errorf("node %p: level %d, but reached at level %d (leaves at unequal depths)", h, h.level, level)
	}
	n := int(h.n)
	min, max := minLeaf, maxLeaf
	if level > 0 {
		min, max = minInner, maxInner
	}
	if root || first || last {
		min = 1
	}
	if n < min || n > max {
		return 0, fmt.Errorf("level %d node %p: n=%d, want [%d, %d] (root %v, first %v, last %v)", level, h, n, min, max, root, first, last)
	}
	var keys []K
	if level == 0 {
		lf := leafOf[K, V](h)
		keys = lf.keys[:n]
		if err := zeroTail(lf.keys[n:], lf.vals[n:]); err != nil {
			return 0, fmt.Errorf("leaf %p: %w", h, err)
		}
		w.entries += n
	} else {
		in := innerOf[K, V](h)
		keys = in.keys[:n]
		if err := zeroTail(in.keys[n:], in.kids[n+1:]); err != nil {
			return 0, fmt.Errorf("inner %p: %w", h, err)
		}
	}
	cmp := w.m.cmp
	if w.unordered {
		keys = nil
	}
	for i, k := range keys {
		if i > 0 && cmp(keys[i-1], k) >= 0 {
			return 0, fmt.Errorf("level %d node %p: keys %v and %v out of order", level, h, keys[i-1], k)
		}
		if lo != nil && cmp(k, *lo) < 0 || hi != nil && cmp(k, *hi) >= 0 {
			return 0, fmt.Errorf("level %d node %p: key %v outside its parent's bounds", level, h, k)
		}
	}
	if level == 0 {
		return n, nil
	}
	in := innerOf[K, V](h)
	if err := zeroTail(in.cnt[n+1:]); err != nil {
		return 0, fmt.Errorf("inner %p counts: %w", h, err)
	}
	total := 0
	visited := w.seen[h]
	w.seen[h] = true
	for i, kid := range in.kids[:n+1] {
		if kid == nil {
			return 0, fmt.Errorf("inner %p: child %d is nil", h, i)
		}
		if !visited {
			w.holders[kid]++
		}
		klo, khi := lo, hi
		if i > 0 {
			klo = &in.keys[i-1]
		}
		if i < n {
			khi = &in.keys[i]
		}
		got, err := w.node(kid, level-1, klo, khi, false, first && i == 0, last && i == n)
		if err != nil {
			return 0, err
		}
		if in.cnt[i] != got {
			return 0, fmt.Errorf("inner %p: count %d for child %d, which holds %d entries", h, in.cnt[i], i, got)
		}
		total += got
	}
	return total, nil
}

// zeroTail reports an error if any element of the unused tails is not zero.
func zeroTail(tails ...any) error {
	for _, t := range tails {
		v := reflect.ValueOf(t)
		for i := range v.Len() {
			if !v.Index(i).IsZero() {
				return fmt.Errorf("unused slot %d holds %v", i, v.Index(i))
			}
		}
	}
	return nil
}
