package btree

import (
	"fmt"
	"iter"
)

// Op says what happened to a key between two versions of a map.
type Op uint8

const (
	Added   Op = iota + 1 // the key is new; Change.New holds its value
	Removed               // the key is gone; Change.Old held its value
	Updated               // the key's value changed from Change.Old to Change.New
)

// String returns "Added", "Removed" or "Updated".
func (op Op) String() string {
	switch op {
	case Added:
		return "Added"
	case Removed:
		return "Removed"
	case Updated:
		return "Updated"
	}
	return fmt.Sprintf("Op(%d)", uint8(op))
}

// Change is one difference between two versions of a map.
type Change[K, V any] struct {
	Op       Op
	Key      K
	Old, New V // Old is zero for Added, New is zero for Removed
}

// Diff returns an iterator over the changes that turn base into m, in
// ascending key order: keys only in m are Added, keys only in base are
// Removed, and keys in both whose values are not eq are Updated.
//
// Diff walks both trees side by side and skips every subtree that the two
// maps share, as a clone shares everything its source had at the time of the
// clone, unchanged: diffing a million-entry map against a clone that made ten
// writes opens a few dozen nodes and compares a few hundred entries (those of
// the written leaves), not two million. Two maps that share
// nothing are merged entry by entry, and the result is just as correct.
//
// base must be ordered like m (the same comparison); eq must be an
// equivalence relation: in particular eq(v, v) must hold, since entries in
// shared subtrees are never compared (== on float64 values that may be NaN
// is not one). Like every iterator of Map, Diff works on snapshots
// of both maps taken when the loop starts. Diff panics if base or eq is nil.
func (m *Map[K, V]) Diff(base *Map[K, V], eq func(a, b V) bool) iter.Seq[Change[K, V]] {
	if base == nil {
		panic("btree: Diff with a nil base")
	}
	if eq == nil {
		panic("btree: Diff with a nil eq function")
	}
	return func(yield func(Change[K, V]) bool) {
		var a, b cursor[K, V]
		sa, sb := m.hold(), base.hold()
		defer sa.release()
		defer sb.release()
		a.start(sa.root, sa.height)
		b.start(sb.root, sb.height)
		cmp := m.cmp
		if cmp == nil {
			cmp = base.cmp // m is empty and unordered; only base's order matters
		}
		diff(&a, &b, cmp, eq, yield, nil)
	}
}

// diffStats counts the work of one diff, for tests.
type diffStats struct {
	noSkip                     bool // never skip a shared subtree: a full ordered merge
	skipped, expanded, entries int
}

// diff yields the changes from b's tree to a's. Each cursor produces, in key
// order, a sequence of "units": whole subtrees not yet opened, and single
// entries. When both next units are the same subtree (the same node), the
// trees agree on all of it, and both skip it. Otherwise the cursor whose next
// unit is the higher subtree opens it, and once both are at entries the two
// entries are merged by key.
func diff[K, V any](a, b *cursor[K, V], cmp func(x, y K) int, eq func(x, y V) bool, yield func(Change[K, V]) bool, st *diffStats) {
	for {
		ua, ub := a.peek(), b.peek()
		switch {
		case ua.end && ub.end:
			return
		case ua.node != nil && ua.node == ub.node && (st == nil || !st.noSkip):
			a.next()
			b.next()
			if st != nil {
				st.skipped++
			}
			continue
		case ua.node != nil || ub.node != nil:
			// Open the higher subtree; at equal levels open both, since
			// their children may be shared.
			openA := ua.node != nil && (ub.node == nil || ua.level >= ub.level)
			openB := ub.node != nil && (ua.node == nil || ub.level >= ua.level)
			if openA {
				a.open(ua)
			}
			if openB {
				b.open(ub)
			}
			if st != nil {
				st.expanded++
			}
			continue
		}
		if !ua.end && !ub.end && !mergeLeaves(a, b, cmp, eq, yield, st) {
			return
		}
		if ua, ub = a.peek(), b.peek(); !ua.end && ua.node != nil || !ub.end && ub.node != nil || ua.end && ub.end {
			continue
		}
		if st != nil {
			st.entries++
		}
		var c int
		switch {
		case ub.end:
			c = -1
		case ua.end:
			c = 1
		default:
			c = cmp(a.key(), b.key())
		}
		var ch Change[K, V]
		switch {
		case c < 0:
			ch = Change[K, V]{Op: Added, Key: a.key(), New: a.val()}
			a.next()
		case c > 0:
			ch = Change[K, V]{Op: Removed, Key: b.key(), Old: b.val()}
			b.next()
		default:
			va, vb := a.val(), b.val()
			k := a.key()
			a.next()
			b.next()
			if eq(vb, va) {
				continue
			}
			ch = Change[K, V]{Op: Updated, Key: k, Old: vb, New: va}
		}
		if !yield(ch) {
			return
		}
	}
}

// mergeLeaves merges the entries of the two leaves a and b are in, from
// where each is, until one of them runs out: the common case of diff,
// without a peek per entry. It reports whether to go on.
func mergeLeaves[K, V any](a, b *cursor[K, V], cmp func(x, y K) int, eq func(x, y V) bool, yield func(Change[K, V]) bool, st *diffStats) bool {
	fa, fb := &a.stack[a.sp-1], &b.stack[b.sp-1]
	la, lb := leafOf[K, V](fa.node), leafOf[K, V](fb.node)
	na, nb := int(la.n), int(lb.n)
	for fa.i < na && fb.i < nb {
		if st != nil {
			st.entries++
		}
		ka, kb := la.keys[fa.i], lb.keys[fb.i]
		var ch Change[K, V]
		switch c := cmp(ka, kb); {
		case c < 0:
			ch = Change[K, V]{Op: Added, Key: ka, New: la.vals[fa.i]}
			fa.i++
		case c > 0:
			ch = Change[K, V]{Op: Removed, Key: kb, Old: lb.vals[fb.i]}
			fb.i++
		default:
			va, vb := la.vals[fa.i], lb.vals[fb.i]
			fa.i++
			fb.i++
			if eq(vb, va) {
				continue
			}
			ch = Change[K, V]{Op: Updated, Key: ka, Old: vb, New: va}
		}
		if !yield(ch) {
			return false
		}
	}
	return true
}

// cursor walks one tree in key order, one unit at a time.
type cursor[K, V any] struct {
	root     *header
	height   int
	rootDone bool
	stack    [maxHeight + 1]frame
	sp       int
}

// frame is an opened node and the index of its next child or entry.
type frame struct {
	node  *header
	level int
	i     int
}

// unit is what a cursor produces next: the end, a subtree not yet opened
// (node != nil), or the entry at the top frame.
type unit struct {
	end   bool
	node  *header
	level int
}

func (c *cursor[K, V]) start(root *header, height int) {
	c.root, c.height = root, height
	c.rootDone = root == nil
}

// peek returns the next unit, popping finished frames.
func (c *cursor[K, V]) peek() unit {
	for c.sp > 0 {
		f := &c.stack[c.sp-1]
		if f.level == 0 {
			if f.i < int(f.node.n) {
				return unit{}
			}
		} else if f.i <= int(f.node.n) {
			return unit{node: innerOf[K, V](f.node).kids[f.i], level: f.level - 1}
		}
		c.sp--
	}
	if !c.rootDone {
		return unit{node: c.root, level: c.height}
	}
	return unit{end: true}
}

// next moves past the next unit, which peek has just returned.
func (c *cursor[K, V]) next() {
	if c.sp > 0 {
		c.stack[c.sp-1].i++
	} else {
		c.rootDone = true
	}
}

// open moves past the subtree u, which peek has just returned, and pushes it
// so that its children or entries come next.
func (c *cursor[K, V]) open(u unit) {
	c.next()
	c.stack[c.sp] = frame{node: u.node, level: u.level}
	c.sp++
}

func (c *cursor[K, V]) key() K {
	f := &c.stack[c.sp-1]
	return leafOf[K, V](f.node).keys[f.i]
}

func (c *cursor[K, V]) val() V {
	f := &c.stack[c.sp-1]
	return leafOf[K, V](f.node).vals[f.i]
}

// Apply replays changes onto m, in order: an Added or Updated change sets
// Key to New, and a Removed change deletes Key. It is Diff's inverse:
// after
//
//	c := base.Clone()
//	c.Apply(m.Diff(base, eq))
//
// c holds m's entries (up to eq). Apply panics on a change whose Op is not
// one of the three, after applying the changes before it.
func (m *Map[K, V]) Apply(changes iter.Seq[Change[K, V]]) {
	for c := range changes {
		switch c.Op {
		case Added, Updated:
			m.Set(c.Key, c.New)
		case Removed:
			m.Delete(c.Key)
		default:
			panic(fmt.Sprintf("btree: Apply of a change with %v", c.Op))
		}
	}
}
