package pagearena

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/cowkit/cowkit/cowtest"
)

const (
	modelPage = 512
	modelSize = 300*modelPage - 100 // 300 pages, the last one partial
)

type astep = cowtest.Step[*Arena, []byte]

// drawRange draws an offset and a length that stay inside size, favouring
// page boundaries and short ranges.
func drawRange(t *rapid.T, size int) (int, int) {
	off := rapid.OneOf(
		rapid.IntRange(0, size),
		rapid.Map(rapid.IntRange(0, size/modelPage), func(p int) int { return p * modelPage }),
	).Draw(t, "off")
	n := rapid.IntRange(0, min(size-off, 3*modelPage+7)).Draw(t, "n")
	return off, n
}

// arenaSpec is the model test: the model of an arena is its bytes. limit
// is the pool's frame limit (0: none).
func arenaSpec(limit int) cowtest.Spec[*Arena, []byte] {
	return cowtest.Spec[*Arena, []byte]{
		New: func() *Arena {
			a, err := New(modelSize, WithPageSize(modelPage), WithLimit(limit))
			if err != nil {
				panic(err)
			}
			return a
		},
		Clone:   (*Arena).Fork,
		Release: (*Arena).Release,
		Model: func(a *Arena) []byte {
			b := make([]byte, a.Size())
			if n, err := a.ReadAt(b, 0); n != len(b) || err != nil && !(err == io.EOF && len(b) == 0) {
				panic(fmt.Sprintf("ReadAt of the whole arena = %d, %v", n, err))
			}
			return b
		},
		CloneModel: slices.Clone[[]byte],
		Empty:      func() []byte { return []byte{} },
		Diff: func(want, got []byte) string {
			if bytes.Equal(want, got) {
				return ""
			}
			if len(want) != len(got) {
				return fmt.Sprintf("%d bytes, want %d", len(got), len(want))
			}
			i := 0
			for want[i] == got[i] {
				i++
			}
			return fmt.Sprintf("byte %d (page %d) is %d, want %d", i, i/modelPage, got[i], want[i])
		},
		Invariant: func(hs []*Arena) error {
			if err := checkPool(hs); err != nil {
				return err
			}
			return checkDiffs(hs)
		},
		// A write copies one path of the page table and one frame, and
		// keeps sharing the rest: only the weaker check holds.
		Shared:  forkShared,
		Sharing: cowtest.Structural,
		Ops: []cowtest.Op[*Arena, []byte]{
			{Name: "WriteAt", Draw: func(t *rapid.T, m []byte) astep {
				off, n := drawRange(t, len(m))
				fill := byte(rapid.IntRange(0, 3).Draw(t, "fill")) // few values, so pages repeat and Dedupe has work
				p := bytes.Repeat([]byte{fill}, n)
				var failed bool
				return astep{
					Label: fmt.Sprintf("WriteAt(%d bytes of %d, %d)", n, fill, off),
					Apply: func(t *rapid.T, a *Arena) {
						before := a.Stats().Frames
						got, err := a.WriteAt(p, int64(off))
						switch {
						case errors.Is(err, ErrNoSpace) && limit > 0:
							pages := int64((off+n-1)/modelPage - off/modelPage + 1)
							if got != 0 || before+pages <= int64(limit) {
								t.Fatalf("WriteAt = %d, ErrNoSpace with %d frames in use, %d pages to write, limit %d", got, before, pages, limit)
							}
							failed = true
						case err != nil || got != n:
							t.Fatalf("WriteAt = %d, %v, want %d, nil", got, err, n)
						}
					},
					Model: func(m []byte) []byte {
						if !failed {
							copy(m[off:], p)
						}
						return m
					},
				}
			}},
			{Name: "WriteAt out of range", Draw: func(t *rapid.T, m []byte) astep {
				off := rapid.IntRange(-3, len(m)+3).Draw(t, "off")
				n := rapid.IntRange(1, 2*modelPage).Draw(t, "n")
				if off >= 0 && off+n <= len(m) {
					off = len(m) - n + 1 + rapid.IntRange(0, 3).Draw(t, "past")
				}
				return astep{
					Label: fmt.Sprintf("WriteAt(%d bytes, %d)", n, off),
					Apply: func(t *rapid.T, a *Arena) {
						if got, err := a.WriteAt(bytes.Repeat([]byte{9}, n), int64(off)); got != 0 || !errors.Is(err, ErrOutOfRange) {
							t.Fatalf("WriteAt past the end = %d, %v, want 0, ErrOutOfRange", got, err)
						}
					},
					Model: func(m []byte) []byte { return m },
				}
			}},
			{Name: "ReadAt", Read: true, Draw: func(t *rapid.T, m []byte) astep {
				off := rapid.IntRange(0, len(m)+2).Draw(t, "off")
				n := rapid.IntRange(0, 3*modelPage).Draw(t, "n")
				want := []byte{}
				if off < len(m) {
					want = m[off:min(off+n, len(m))]
				}
				wantEOF := off+n > len(m) || off > len(m) // an empty read at Size is not EOF
				want = slices.Clone(want)
				return astep{
					Label: cowtest.Sprint("ReadAt", n, off),
					Apply: func(t *rapid.T, a *Arena) {
						buf := bytes.Repeat([]byte{0xEE}, n)
						got, err := a.ReadAt(buf, int64(off))
						if got != len(want) || !bytes.Equal(buf[:got], want) || (err == io.EOF) != wantEOF || err != nil && err != io.EOF {
							t.Fatalf("ReadAt(%d bytes, %d) = %d, %v; want %d bytes, EOF %v", n, off, got, err, len(want), wantEOF)
						}
					},
					Model: func(m []byte) []byte { return m },
				}
			}},
			{Name: "Discard", Draw: func(t *rapid.T, m []byte) astep {
				off, n := drawRange(t, len(m))
				var failed bool
				return astep{
					Label: cowtest.Sprint("Discard", off, n),
					Apply: func(t *rapid.T, a *Arena) {
						err := a.Discard(int64(off), int64(n))
						switch {
						case errors.Is(err, ErrNoSpace) && limit > 0:
							failed = true
						case err != nil:
							t.Fatalf("Discard = %v", err)
						}
					},
					Model: func(m []byte) []byte {
						if !failed {
							clear(m[off : off+n])
						}
						return m
					},
				}
			}},
			{Name: "Dedupe", Draw: func(t *rapid.T, m []byte) astep {
				return astep{
					Apply: func(t *rapid.T, a *Arena) {
						before := a.Stats().Frames
						freed := a.Dedupe()
						if after := a.Stats().Frames; after != before-int64(freed) {
							t.Fatalf("Dedupe freed %d frames, but Frames went from %d to %d", freed, before, after)
						}
						if again := a.Dedupe(); again != 0 {
							t.Fatalf("a second Dedupe freed %d more frames", again)
						}
						if err := checkDeduped(a); err != nil {
							t.Fatal(err)
						}
					},
					Model: func(m []byte) []byte { return m },
				}
			}},
			{Name: "Dedupe every arena", Draw: func(t *rapid.T, m []byte) astep {
				return astep{
					Apply: func(t *rapid.T, a *Arena) {
						if a.pool == nil {
							return
						}
						before := a.pool.frames.Load()
						freed, distinct := dedupeAll(a.pool)
						if after := a.pool.frames.Load(); after != before-int64(freed) {
							t.Fatalf("the Dedupes freed %d frames, but Frames went from %d to %d", freed, before, after)
						}
						if got := a.pool.frames.Load(); got != int64(distinct) {
							t.Fatalf("after a Dedupe of every arena the pool holds %d frames, but its pages have %d distinct non-zero contents", got, distinct)
						}
					},
					Model: func(m []byte) []byte { return m },
				}
			}},
		},
	}
}

// forkShared reports whether a shares a page-table node or a frame with
// another arena, which is what the arena's lineage predicts. (Stats().Shared
// also counts a frame that Dedupe gave to two pages of a alone.) Under a
// shared node everything is shared; below private nodes a frame is shared
// when it has more holders than pages of a that use it.
func forkShared(a *Arena) bool {
	if a.t == nil {
		return false
	}
	root := a.t.root.Load()
	if root == nil {
		return false
	}
	uses := map[*frame]int64{}
	var walk func(n *node, level int) bool
	walk = func(n *node, level int) bool {
		if n.shares.Shared() {
			return true
		}
		for i := range fanout {
			switch {
			case level > 0 && n.kids[i] != nil:
				if walk(n.kids[i], level-1) {
					return true
				}
			case level == 0 && n.frames[i] != nil:
				uses[n.frames[i]]++
			}
		}
		return false
	}
	if walk(root, a.t.height) {
		return true
	}
	for f, n := range uses {
		if f.shares.Holders() > n {
			return true
		}
	}
	return false
}

// concurrentSpec is arenaSpec, with no frame limit, for cowtest's
// concurrent mode: without the
// Dedupe steps, since Dedupe reads every arena of the pool and must not run
// while another goroutine writes to one (see Arena.Dedupe).
func concurrentSpec() cowtest.Spec[*Arena, []byte] {
	spec := arenaSpec(0)
	spec.Ops = slices.DeleteFunc(spec.Ops, func(op cowtest.Op[*Arena, []byte]) bool { return strings.HasPrefix(op.Name, "Dedupe") })
	return spec
}

// checkDeduped checks, from scratch, what a's Dedupe just promised: a's
// pages with equal bytes share one frame, and no frame of a is all zeros.
func checkDeduped(a *Arena) error {
	byContent := map[string]*frame{}
	var err error
	a.t.eachFrame(func(pg int64, f *frame) {
		switch c := string(f.data); {
		case err != nil:
		case isZero(f.data):
			err = fmt.Errorf("after Dedupe page %d is a frame of zeros", pg)
		case byContent[c] == nil:
			byContent[c] = f
		case byContent[c] != f:
			err = fmt.Errorf("after Dedupe page %d has the bytes of another frame of the arena", pg)
		}
	})
	return err
}

// dedupeAll runs Dedupe on every arena of p, through handles of their
// tables, and returns the frames freed and the distinct non-zero page
// contents of those arenas, counted from scratch. After it, the pool must
// hold exactly one frame per content.
func dedupeAll(p *pool) (freed, distinct int) {
	var tables []*table
	p.mu.Lock()
	for t := p.head; t != nil; t = t.next {
		tables = append(tables, t)
	}
	p.mu.Unlock()
	for _, t := range tables {
		freed += (&Arena{pool: p, t: t}).Dedupe()
	}
	contents := map[string]bool{}
	for _, t := range tables {
		t.eachFrame(func(_ int64, f *frame) {
			if !isZero(f.data) {
				contents[string(f.data)] = true
			}
		})
	}
	return freed, len(contents)
}

// eachFrame calls f for every page of t that has a frame, in page order,
// opening every node.
func (t *table) eachFrame(f func(pg int64, fr *frame)) {
	var walk func(n *node, level int, base int64)
	walk = func(n *node, level int, base int64) {
		for i := range fanout {
			pg := base | int64(i)<<(fanBits*level)
			switch {
			case level > 0 && n.kids[i] != nil:
				walk(n.kids[i], level-1, pg)
			case level == 0 && n.frames[i] != nil:
				f(pg, n.frames[i])
			}
		}
	}
	if root := t.root.Load(); root != nil {
		walk(root, t.height, 0)
	}
}

// checkDiffs checks Diff between neighbouring live arenas: every page whose
// bytes differ is reported, in ascending order, and no page backed by the
// same frame on both sides is.
func checkDiffs(live []*Arena) error {
	for i := 1; i < len(live); i++ {
		a, b := live[i], live[i-1]
		if a.pool == nil || b.pool == nil {
			continue
		}
		ma, mb := readAll(a), readAll(b)
		reported := map[int64]bool{}
		prev := int64(-1)
		for off := range a.Diff(b) {
			if off <= prev || off%int64(a.PageSize()) != 0 {
				return fmt.Errorf("Diff yielded %d after %d", off, prev)
			}
			prev = off
			pg := off >> a.pool.shift
			if a.size > 0 && b.size > 0 && a.lookup(pg) == b.lookup(pg) {
				return fmt.Errorf("Diff reported page %d, backed by one frame in both", pg)
			}
			reported[off] = true
		}
		ps := a.PageSize()
		for off := 0; off < max(len(ma), len(mb)); off += ps {
			pa, pb := page(ma, off, ps), page(mb, off, ps)
			if !bytes.Equal(pa, pb) && !reported[int64(off)] {
				return fmt.Errorf("page at %d differs but Diff did not report it", off)
			}
		}
	}
	return nil
}

func readAll(a *Arena) []byte {
	b := make([]byte, a.Size())
	a.ReadAt(b, 0)
	return b
}

// page returns the page at off of b, padded with zeros to ps bytes.
func page(b []byte, off, ps int) []byte {
	out := make([]byte, ps)
	if off < len(b) {
		copy(out, b[off:])
	}
	return out
}

func TestArenaModel(t *testing.T) { cowtest.Check(t, arenaSpec(0)) }

// TestArenaModelLimit runs the model with a frame limit (4) small enough that
// writes fail with ErrNoSpace, which must change nothing.
func TestArenaModelLimit(t *testing.T) { cowtest.Check(t, arenaSpec(4)) }

// TestConcurrentForks runs the model's steps on forks of one arena on five
// goroutines at once, while the source is read and forked (cowtest's
// concurrent mode). Run with -race. Only without a frame limit: the limit
// is the pool's, so with one, whether a write fails depends on what the
// other goroutines wrote first, which no model drawn ahead can say.
func TestConcurrentForks(t *testing.T) { cowtest.CheckConcurrent(t, concurrentSpec()) }

func FuzzArenaModel(f *testing.F) { f.Fuzz(rapid.MakeFuzz(arenaSpec(0).Property)) }
