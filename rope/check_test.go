package rope

import (
	"fmt"
	"unsafe"
)

// checkRopes checks the invariants of every live rope and of the nodes
// they share: each inner node's child sizes equal the elements under the
// children, every leaf is at the same depth and every level is one less
// than its parent's, every node keeps its fill bounds (see node.go) and
// the capacities in-place writes rely on, each handle's length is its
// tree's, and every node's share count equals its holders: the live
// handles whose root it is plus the distinct live nodes that point to it.
func checkRopes[T any](live []*Rope[T]) error { return check(live, true) }

// checkShape checks everything checkRopes does but the share counts, which
// other handles (on other goroutines, too) may hold: it is the check to run
// inside a step.
func checkShape[T any](r *Rope[T]) error { return check([]*Rope[T]{r}, false) }

func check[T any](live []*Rope[T], counts bool) error {
	holders := map[*node[T]]int64{}
	seen := map[*node[T]]bool{}
	var visit func(n *node[T], root bool) (int, error)
	visit = func(n *node[T], root bool) (int, error) {
		w, lo, hi := n.width(), n.minWidth(), n.capacity()
		switch {
		case root && n.level == 0:
			lo = 1
		case root:
			lo = 2
		}
		if w < lo || w > hi {
			return 0, fmt.Errorf("node at level %d (root %v) has width %d, want [%d, %d]", n.level, root, w, lo, hi)
		}
		if n.level == 0 {
			if cap(n.elems) != leafCap[T]() {
				return 0, fmt.Errorf("leaf has capacity %d, want %d", cap(n.elems), leafCap[T]())
			}
			if n.kids != nil {
				return 0, fmt.Errorf("leaf has %d children", len(n.kids))
			}
			seen[n] = true
			return len(n.elems), nil
		}
		if arr := &(*inner[T])(unsafe.Pointer(n)).kidArr; cap(n.kids) != innerCap+1 || &n.kids[:1][0] != &arr[0] || n.elems != nil {
			return 0, fmt.Errorf("inner node at level %d: children capacity %d (want %d, in the node's own array), %d elements", n.level, cap(n.kids), innerCap+1, len(n.elems))
		}
		first := !seen[n]
		seen[n] = true
		total := 0
		for k, c := range n.kids {
			if c.n == nil {
				return 0, fmt.Errorf("inner node at level %d: child %d is nil", n.level, k)
			}
			if want := (c.n.level == 0); want != (c.data != nil) || want && c.data != unsafe.SliceData(c.n.elems) {
				return 0, fmt.Errorf("child %d of a node at level %d: data %p, its elements at %p", k, n.level, c.data, unsafe.SliceData(c.n.elems))
			}
			if c.n.level != n.level-1 {
				return 0, fmt.Errorf("child %d of a node at level %d is at level %d", k, n.level, c.n.level)
			}
			if first {
				holders[c.n]++
			}
			got, err := visit(c.n, false)
			if err != nil {
				return 0, err
			}
			if got != c.size {
				return 0, fmt.Errorf("child %d of a node at level %d holds %d elements, its parent says %d", k, n.level, got, c.size)
			}
			total += got
		}
		return total, nil
	}
	for h, r := range live {
		if r.root == nil {
			if r.n != 0 {
				return fmt.Errorf("handle %d: no root, Len %d", h, r.n)
			}
			continue
		}
		holders[r.root]++
		got, err := visit(r.root, true)
		if err != nil {
			return fmt.Errorf("handle %d: %w", h, err)
		}
		if got != r.n {
			return fmt.Errorf("handle %d: the tree holds %d elements, Len says %d", h, got, r.n)
		}
	}
	for n := range seen {
		if !counts {
			break
		}
		if got, want := n.shares.Holders(), holders[n]; got != want {
			return fmt.Errorf("node at level %d (width %d): share count says %d holders, %d hold it", n.level, n.width(), got, want)
		}
	}
	return nil
}

// shared reports whether any node of r is shared with another holder: a
// write to r may have to copy.
func shared[T any](r *Rope[T]) bool {
	var walk func(n *node[T]) bool
	walk = func(n *node[T]) bool {
		if n.shares.Shared() {
			return true
		}
		for _, c := range n.kids {
			if walk(c.n) {
				return true
			}
		}
		return false
	}
	return r.root != nil && walk(r.root)
}
