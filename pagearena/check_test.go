package pagearena

import "fmt"

// checkPool checks the invariants of the live arenas of one pool together:
//
//   - every page-table node's count equals its holders: the distinct
//     reachable nodes that point to it plus the arenas whose root it is;
//   - every frame's count equals the slots, in distinct leaf nodes, that
//     point to it, and every frame is one page long;
//   - the pool's frame count equals the distinct frames its live arenas
//     reach, and never passes the limit;
//   - the pool's list holds every live arena that holds pages, and no
//     arena that is not live;
//   - no slot maps a page past the arena's last, and the bytes of the last
//     page past Size are zero;
//   - Stats adds up.
func checkPool(live []*Arena) error {
	var p *pool
	nodeHolders := map[*node]int{}
	frameHolders := map[*frame]int{}
	seen := map[*node]bool{}
	for i, a := range live {
		if a.pool == nil {
			continue
		}
		if p == nil {
			p = a.pool
		} else if a.pool != p {
			return fmt.Errorf("arena %d: in another pool", i)
		}
		if a.root == nil {
			continue
		}
		nodeHolders[(*node)(a.root)]++
		if err := walk(a, (*node)(a.root), a.height, 0, nodeHolders, frameHolders, seen); err != nil {
			return fmt.Errorf("arena %d: %w", i, err)
		}
		s := a.Stats()
		if s.Zero < 0 || s.Zero+s.Shared+s.Private != s.Pages || s.Pages != a.pages() {
			return fmt.Errorf("arena %d: Stats %+v do not add up (%d pages)", i, s, a.pages())
		}
	}
	if p == nil {
		return nil
	}
	for n, want := range nodeHolders {
		if got := n.shares.Load() + 1; got != int64(want) {
			return fmt.Errorf("node %p: count %d, but %d holders", n, got, want)
		}
	}
	for f, want := range frameHolders {
		if got := f.refs.Load() + 1; got != int64(want) {
			return fmt.Errorf("frame %p: count %d, but %d holders", f, got, want)
		}
		if len(f.data) != p.pageSize {
			return fmt.Errorf("frame %p: %d bytes, want %d", f, len(f.data), p.pageSize)
		}
	}
	if got, want := p.frames.Load(), int64(len(frameHolders)); got != want {
		return fmt.Errorf("pool counts %d frames, but its arenas reach %d", got, want)
	}
	if p.limit > 0 && p.frames.Load() > p.limit {
		return fmt.Errorf("pool holds %d frames, over its limit %d", p.frames.Load(), p.limit)
	}
	listed := map[*Arena]bool{}
	for x := p.head; x != nil; x = x.next {
		listed[x] = true
	}
	for i, a := range live {
		if a.root != nil && !listed[a] {
			return fmt.Errorf("arena %d: holds pages but is not in the pool's list", i)
		}
		delete(listed, a)
	}
	if len(listed) != 0 {
		return fmt.Errorf("the pool lists %d arenas that are not live", len(listed))
	}
	return nil
}

func walk(a *Arena, n *node, level int, base int64, nodes map[*node]int, frames map[*frame]int, seen map[*node]bool) error {
	if seen[n] {
		return nil
	}
	seen[n] = true
	for i, s := range n.slot {
		if s == nil {
			continue
		}
		pg := base | int64(i)<<(fanBits*level)
		if pg >= a.pages() {
			return fmt.Errorf("page %d past the last page %d is mapped", pg, a.pages()-1)
		}
		if level > 0 {
			nodes[n.kid(i)]++
			if err := walk(a, n.kid(i), level-1, pg, nodes, frames, seen); err != nil {
				return err
			}
			continue
		}
		f := (*frame)(s)
		frames[f]++
		if pg == a.pages()-1 {
			if tail := f.data[a.size-pg*int64(a.pool.pageSize):]; !isZero(tail) {
				return fmt.Errorf("the last page holds non-zero bytes past Size")
			}
		}
	}
	return nil
}
