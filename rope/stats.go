package rope

import "unsafe"

// Stats describes what a rope's tree costs and how much of it the rope
// shares with other handles. See [Rope.Stats].
type Stats struct {
	Height      int   // levels of inner nodes above the leaves
	Nodes       int   // nodes in the tree, leaves included
	SharedNodes int   // nodes reachable through a node that another holder also holds
	Bytes       int64 // the nodes and their arrays, as unsafe.Sizeof counts them (the allocator may round up)
	SharedBytes int64 // the size of the shared nodes
}

// Stats returns the size of r's tree and the part of it r shares: a node
// is shared if more than one holder holds it or a node above it (another
// handle, a running loop, a Reader, a node of another tree, or a second
// parent in r's own tree after a Concat of r with itself or with its own
// Slice), so a write to r would copy it first. A node that r's tree holds
// twice is counted once, and so are the nodes under it. Stats visits every distinct node once; it allocates only to
// remember the nodes that have more than one holder, and nothing when none
// has.
func (r *Rope[T]) Stats() Stats {
	var s Stats
	if r.root != nil {
		s.Height = r.root.level
		var seen map[*node[T]]bool
		stats(&s, r.root, false, &seen)
	}
	return s
}

func stats[T any](s *Stats, n *node[T], shared bool, seen *map[*node[T]]bool) {
	if n.shares.Shared() {
		if (*seen)[n] {
			return
		}
		if *seen == nil {
			*seen = map[*node[T]]bool{}
		}
		(*seen)[n] = true
		shared = true
	}
	size := int64(unsafe.Sizeof(inner[T]{}))
	if n.level == 0 {
		size = int64(unsafe.Sizeof(*n)) + int64(cap(n.elems))*int64(unsafe.Sizeof(*new(T)))
	}
	s.Nodes++
	s.Bytes += size
	if shared {
		s.SharedNodes++
		s.SharedBytes += size
	}
	for _, c := range n.kids {
		stats(s, c.n, shared, seen)
	}
}
