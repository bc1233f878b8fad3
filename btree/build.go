package btree

// builder builds a tree from entries that arrive in strictly ascending
// key order, bottom up: it fills each leaf, and when the next one starts,
// adds the full one to the inner node being filled one level up, and so
// on up the levels. So each entry costs O(1), without a walk from the
// root, and every node but the last two of each level is full (the next
// to last gives the last a child if it would have only one), much as a
// map loaded by Insert looks.
type builder[K, V any] struct {
	lf     *leaf[K, V]
	levels []buildLevel[K, V] // levels[i] fills an inner node at level i+1
	n      int
}

// buildLevel is the inner node being filled at one level, with the
// smallest key under it (its separator in its parent) and its entry count.
type buildLevel[K, V any] struct {
	in  *inner[K, V]
	min K
	sum int
}

func (b *builder[K, V]) add(k K, v V) {
	lf := b.lf
	if lf == nil || lf.n == maxLeaf {
		if lf != nil {
			b.push(0, &lf.header, int(lf.n), lf.keys[0])
		}
		lf = new(leaf[K, V])
		b.lf = lf
	}
	lf.keys[lf.n], lf.vals[lf.n] = k, v
	lf.n++
	b.n++
}

// push adds the finished node h, with cnt entries and smallest key min,
// to the inner node being filled at level+1.
func (b *builder[K, V]) push(level int, h *header, cnt int, min K) {
	if level == len(b.levels) {
		b.levels = append(b.levels, buildLevel[K, V]{})
	}
	l := &b.levels[level]
	if l.in != nil && l.in.n == maxInner {
		full := *l
		l.in = nil
		b.push(level+1, &full.in.header, full.sum, full.min)
		l = &b.levels[level] // push may have grown b.levels
	}
	if l.in == nil {
		in := new(inner[K, V])
		in.level = uint8(level + 1)
		in.kids[0], in.cnt[0] = h, cnt
		*l = buildLevel[K, V]{in: in, min: min, sum: cnt}
		return
	}
	in := l.in
	in.keys[in.n] = min
	in.n++
	in.kids[in.n], in.cnt[in.n] = h, cnt
	l.sum += cnt
}

// finish returns the tree built: its root (nil if empty), height and
// length. The last node of each level may be small; an inner node left
// with one child takes one more from its left neighbour, which is full.
func (b *builder[K, V]) finish() (*header, int, int) {
	if b.lf == nil {
		return nil, 0, 0
	}
	if len(b.levels) == 0 {
		return &b.lf.header, 0, b.n
	}
	b.push(0, &b.lf.header, int(b.lf.n), b.lf.keys[0])
	for level := 0; ; level++ {
		l := &b.levels[level]
		if level == len(b.levels)-1 {
			if l.in.n == 0 {
				return l.in.kids[0], level, b.n
			}
			return &l.in.header, level + 1, b.n
		}
		if l.in.n == 0 {
			b.borrow(level)
		}
		b.push(level+1, &l.in.header, l.sum, l.min)
	}
}

// borrow moves the last child of the left neighbour of the node being
// filled at level+1 (the last child pushed to level+2's node) to it.
func (b *builder[K, V]) borrow(level int) {
	l, up := &b.levels[level], &b.levels[level+1]
	i := up.in.n
	left := innerOf[K, V](up.in.kids[i])
	j := left.n
	kid, cnt, min := left.kids[j], left.cnt[j], left.keys[j-1]
	var zk K
	left.kids[j], left.cnt[j], left.keys[j-1] = nil, 0, zk
	left.n--
	up.in.cnt[i] -= cnt
	up.sum -= cnt
	in := l.in
	in.kids[1], in.cnt[1], in.keys[0] = in.kids[0], in.cnt[0], l.min
	in.kids[0], in.cnt[0] = kid, cnt
	in.n = 1
	l.min, l.sum = min, l.sum+cnt
}
