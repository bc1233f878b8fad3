package pagearena

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"testing"
)

const (
	kib = 1 << 10
	mib = 1 << 20
	gib = 1 << 30
)

func mustNew(t testing.TB, size int64, opts ...Option) *Arena {
	t.Helper()
	a, err := New(size, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func mustCheck(t testing.TB, live ...*Arena) {
	t.Helper()
	if err := checkPool(live); err != nil {
		t.Fatal(err)
	}
}

func fill(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }

func mustWrite(t testing.TB, a *Arena, p []byte, off int64) {
	t.Helper()
	if n, err := a.WriteAt(p, off); n != len(p) || err != nil {
		t.Fatalf("WriteAt(%d bytes, %d) = %d, %v", len(p), off, n, err)
	}
}

func read(t testing.TB, a *Arena, off int64, n int) []byte {
	t.Helper()
	p := make([]byte, n)
	if got, err := a.ReadAt(p, off); got != n || err != nil && err != io.EOF {
		t.Fatalf("ReadAt(%d bytes, %d) = %d, %v", n, off, got, err)
	}
	return p
}

var newTests = []struct {
	size int64
	opts []Option
	ok   bool
}{
	{0, nil, true},
	{1, nil, true},
	{gib + 1, nil, true},
	{4096, []Option{WithPageSize(512)}, true},
	{4096, []Option{WithPageSize(1 << 21)}, true},
	{4096, []Option{WithLimit(0)}, true},
	{-1, nil, false},
	{4096, []Option{WithPageSize(0)}, false},
	{4096, []Option{WithPageSize(256)}, false},
	{4096, []Option{WithPageSize(511)}, false},
	{4096, []Option{WithPageSize(3000)}, false},
	{4096, []Option{WithPageSize(1 << 31)}, false},
	{4096, []Option{WithLimit(-1)}, false},
}

func TestNew(t *testing.T) {
	for _, tt := range newTests {
		a, err := New(tt.size, tt.opts...)
		if (err == nil) != tt.ok {
			t.Errorf("New(%d, ...) error = %v, want ok %v", tt.size, err, tt.ok)
			continue
		}
		if err == nil && (a.Size() != tt.size || a.Stats().Frames != 0) {
			t.Errorf("New(%d): Size %d, Frames %d", tt.size, a.Size(), a.Stats().Frames)
		}
	}
}

func TestZeroArena(t *testing.T) {
	var a Arena
	if a.Size() != 0 || a.PageSize() != DefaultPageSize || a.Stats() != (Stats{}) {
		t.Fatalf("zero Arena: Size %d, PageSize %d, Stats %+v", a.Size(), a.PageSize(), a.Stats())
	}
	if n, err := a.ReadAt(make([]byte, 3), 0); n != 0 || err != io.EOF {
		t.Errorf("ReadAt = %d, %v, want 0, EOF", n, err)
	}
	if n, err := a.WriteAt(nil, 0); n != 0 || err != nil {
		t.Errorf("WriteAt(nil, 0) = %d, %v", n, err)
	}
	if _, err := a.WriteAt([]byte{1}, 0); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("WriteAt of one byte = %v, want ErrOutOfRange", err)
	}
	if err := a.Discard(0, 0); err != nil || a.Dedupe() != 0 {
		t.Errorf("Discard(0, 0) = %v", err)
	}
	f := a.Fork()
	for off := range f.Diff(&a) {
		t.Errorf("Diff yielded %d", off)
	}
	f.Release()
	a.Release()
	a.Release()
}

// TestZeroPage: a new arena of any size is all zero pages; reading them
// allocates nothing and gives the arena no frame.
func TestZeroPage(t *testing.T) {
	a := mustNew(t, gib)
	p := make([]byte, 3*DefaultPageSize+5)
	for _, off := range []int64{0, 12345, gib / 2, gib - int64(len(p))} {
		copy(p, fill(0xAA, len(p)))
		if n, err := a.ReadAt(p, off); n != len(p) || err != nil || !isZero(p) {
			t.Fatalf("ReadAt(%d) = %d, %v, zero %v", off, n, err, isZero(p))
		}
	}
	if got := testing.AllocsPerRun(100, func() { a.ReadAt(p, 777777) }); got != 0 {
		t.Errorf("ReadAt of zero pages: %v allocs, want 0", got)
	}
	s := a.Stats()
	if s.Pages != gib/DefaultPageSize || s.Zero != s.Pages || s.Frames != 0 {
		t.Errorf("Stats = %+v, want every page zero and no frame", s)
	}
}

func TestReadAtWriteAtSemantics(t *testing.T) {
	a := mustNew(t, 10000, WithPageSize(1024)) // 10 pages, the last partial
	want := make([]byte, 10000)
	for i := range want {
		want[i] = byte(i%251 + 1)
	}
	mustWrite(t, a, want, 0)

	if n, err := a.ReadAt(make([]byte, 100), 9900); n != 100 || err != nil {
		t.Errorf("a read ending exactly at Size = %d, %v, want 100, nil", n, err)
	}
	p := make([]byte, 200)
	if n, err := a.ReadAt(p, 9900); n != 100 || err != io.EOF || !bytes.Equal(p[:100], want[9900:]) {
		t.Errorf("a read past Size = %d, %v, want 100, EOF", n, err)
	}
	if n, err := a.ReadAt(p, 10000); n != 0 || err != io.EOF {
		t.Errorf("a read at Size = %d, %v, want 0, EOF", n, err)
	}
	if n, err := a.ReadAt(p, -1); n != 0 || !errors.Is(err, ErrOutOfRange) {
		t.Errorf("a read at -1 = %d, %v, want 0, ErrOutOfRange", n, err)
	}
	frames := a.Stats().Frames
	for _, off := range []int64{-1, 9901, 10000, 1 << 62} {
		if n, err := a.WriteAt(fill(0, 100), off); n != 0 || !errors.Is(err, ErrOutOfRange) {
			t.Errorf("WriteAt(100 bytes, %d) = %d, %v, want 0, ErrOutOfRange", off, n, err)
		}
	}
	if !bytes.Equal(read(t, a, 0, 10000), want) || a.Stats().Frames != frames {
		t.Error("a write out of range changed the arena")
	}
	mustCheck(t, a)
}

// TestForkCopiesUpOnePage: a fork shares every page; a write to one page
// copies that page only.
func TestForkCopiesUpOnePage(t *testing.T) {
	a := mustNew(t, 64*mib)
	for i := range 16 {
		mustWrite(t, a, fill(byte(i+1), DefaultPageSize), int64(i)*mib)
	}
	f := a.Fork()
	if s := f.Stats(); s.Shared != 16 || s.Private != 0 || s.Frames != 16 {
		t.Fatalf("after Fork: %+v, want 16 shared pages and 16 frames", s)
	}
	mustWrite(t, f, []byte("hello"), 3*mib+10)
	if got := read(t, a, 3*mib+10, 5); !bytes.Equal(got, fill(4, 5)) {
		t.Fatalf("the fork's write reached its parent: %q", got)
	}
	if got := read(t, f, 3*mib+8, 8); !bytes.Equal(got, []byte{4, 4, 'h', 'e', 'l', 'l', 'o', 4}) {
		t.Fatalf("the fork reads %v: the copy-up lost the page's other bytes", got)
	}
	if s := f.Stats(); s.Private != 1 || s.Shared != 15 || s.Frames != 17 {
		t.Fatalf("after one write: %+v, want 1 private page, 15 shared and 17 frames", s)
	}
	if got := testing.AllocsPerRun(100, func() { f.WriteAt([]byte("again"), 3*mib) }); got != 0 {
		t.Errorf("a write to a private page: %v allocs, want 0", got)
	}
	mustCheck(t, a, f)
	f.Release()
	if s := a.Stats(); s.Private != 16 || s.Frames != 16 {
		t.Fatalf("after the fork's Release: %+v, want 16 private pages again", s)
	}
	mustCheck(t, a)
}

func TestForkIsO1(t *testing.T) {
	a := mustNew(t, gib)
	for i := range 1000 {
		mustWrite(t, a, []byte{1}, int64(i)*997*DefaultPageSize%gib)
	}
	// The handle, its table, and the runtime's two for the cleanup that
	// releases a fork dropped without Release; none depends on the size.
	if got := testing.AllocsPerRun(100, func() { a.Fork().Release() }); got != 4 {
		t.Errorf("Fork: %v allocs, want 4", got)
	}
	mustCheck(t, a)
}

// TestLimit is thin provisioning: writes fail with ErrNoSpace, changing
// nothing, once the pool's frames would pass the limit, and succeed again
// once an arena gives frames back.
func TestLimit(t *testing.T) {
	const ps = DefaultPageSize
	a := mustNew(t, 100*ps, WithLimit(4))
	for i := range 4 {
		mustWrite(t, a, fill(1, ps), int64(i)*ps)
	}
	if _, err := a.WriteAt([]byte{2}, 10*ps); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("a fifth frame: %v, want ErrNoSpace", err)
	}
	mustWrite(t, a, fill(3, ps), 0) // a private page: no new frame
	if _, err := a.WriteAt(fill(1, 2*ps), 99*ps); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("a write both out of range and over the limit: %v, want ErrOutOfRange", err)
	}

	f := a.Fork()
	if _, err := f.WriteAt([]byte{9}, 2*ps); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("a copy-up in a full pool: %v, want ErrNoSpace", err)
	}
	if got := read(t, f, 2*ps, 1); got[0] != 1 {
		t.Fatal("the failed write changed the fork")
	}
	// A write spanning three pages, two of them private after Release, one
	// zero: all or nothing.
	a.Release() // f now holds every frame alone
	if s := f.Stats(); s.Private != 4 || s.Frames != 4 {
		t.Fatalf("after the parent's Release: %+v", s)
	}
	if _, err := f.WriteAt(fill(7, 3*ps), 2*ps); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("a write needing a fifth frame: %v, want ErrNoSpace", err)
	}
	if got := read(t, f, 2*ps, 3*ps); !bytes.Equal(got, append(fill(1, 2*ps), fill(0, ps)...)) {
		t.Fatal("a write that failed with ErrNoSpace wrote part of its bytes")
	}
	mustWrite(t, f, fill(7, 2*ps), 2*ps) // private pages: fits

	g := f.Fork()
	if _, err := g.WriteAt([]byte{5}, 3*ps); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("a copy-up with the pool full: %v, want ErrNoSpace", err)
	}
	mustCheck(t, f, g)
	f.Release() // g now holds every frame alone: its write needs no new frame
	mustWrite(t, g, []byte{5}, 3*ps)
	if got := read(t, g, 3*ps, 2); !bytes.Equal(got, []byte{5, 7}) {
		t.Fatalf("read back %v", got)
	}
	mustCheck(t, g)
}

func TestDiscard(t *testing.T) {
	const ps = 1024
	a := mustNew(t, 10*ps-100, WithPageSize(ps)) // 10 pages, the last partial
	want := fill(1, 10*ps-100)
	mustWrite(t, a, want, 0)
	f := a.Fork()

	// [ps+100, 4*ps+50): page 1 partly, pages 2 and 3 whole, page 4 partly.
	if err := f.Discard(ps+100, 3*ps-50); err != nil {
		t.Fatal(err)
	}
	clear(want[ps+100 : 4*ps+50])
	if !bytes.Equal(read(t, f, 0, len(want)), want) {
		t.Fatal("Discard did not zero exactly its range")
	}
	// Pages 2 and 3 went back to the zero page; pages 1 and 4 were shared,
	// so zeroing part of them copied them.
	if s := f.Stats(); s.Zero != 2 || s.Private != 2 || s.Shared != 6 {
		t.Fatalf("after Discard: %+v, want 2 zero, 2 private, 6 shared", s)
	}
	if !bytes.Equal(read(t, a, 0, len(want)), fill(1, len(want))) {
		t.Fatal("the fork's Discard reached its parent")
	}
	// A range that reaches Size takes the partial last page whole.
	if err := f.Discard(9*ps, ps-100); err != nil || f.Stats().Zero != 3 {
		t.Fatalf("Discard of the last page: %v, %+v", err, f.Stats())
	}
	for _, r := range [][2]int64{{-1, 5}, {5, -1}, {0, 10 * ps}, {10*ps - 100, 1}} {
		if err := f.Discard(r[0], r[1]); !errors.Is(err, ErrOutOfRange) {
			t.Errorf("Discard(%d, %d) = %v, want ErrOutOfRange", r[0], r[1], err)
		}
	}
	mustCheck(t, a, f)
	a.Release()
	if err := f.Discard(0, f.Size()); err != nil || f.Stats().Frames != 0 {
		t.Fatalf("Discard of everything: %v, %+v, want no frame left", err, f.Stats())
	}
	mustCheck(t, f)
}

// TestDedupe is KSM: identical frames merge, within an arena and across
// its pool, zero frames go back to the zero page, and only the arena that
// runs Dedupe changes.
func TestDedupe(t *testing.T) {
	const ps = DefaultPageSize
	a := mustNew(t, 100*ps)
	mustWrite(t, a, fill('x', ps), 0)
	mustWrite(t, a, fill('x', ps), 1*ps)
	mustWrite(t, a, fill('x', ps), 2*ps)
	mustWrite(t, a, fill(0, ps), 3*ps) // a frame of zeros
	mustWrite(t, a, fill('u', ps), 4*ps)
	c := a.Fork()
	mustWrite(t, c, fill('u', ps), 50*ps) // the same bytes as a's page 4
	mustWrite(t, c, fill('v', ps), 51*ps)
	parentRoot := a.t.root.Load()
	before := read(t, a, 0, 100*ps)

	// The child merges its own copies of pages 0-2 into one frame, maps its
	// page 3 to the zero page and its page 50 to the parent's page 4 frame.
	// Only page 50's frame leaves the pool: the others are still the
	// parent's.
	if freed := c.Dedupe(); freed != 1 {
		t.Fatalf("the child's Dedupe freed %d frames, want 1", freed)
	}
	if c.lookup(50) != a.lookup(4) || c.lookup(1) != c.lookup(0) || c.lookup(3) != nil {
		t.Fatal("the child's pages were not merged as expected")
	}
	if a.t.root.Load() != parentRoot || a.lookup(1) == a.lookup(0) {
		t.Fatal("the child's Dedupe changed the parent's page table")
	}
	// Now the parent alone holds its frames of pages 1, 2 and 3: merging
	// them frees all three.
	if freed := a.Dedupe(); freed != 3 {
		t.Fatalf("the parent's Dedupe freed %d frames, want 3", freed)
	}
	if a.lookup(3) != nil || a.lookup(1) != a.lookup(0) || a.lookup(2) != a.lookup(0) {
		t.Fatal("the parent's pages were not merged as expected")
	}
	if !bytes.Equal(read(t, a, 0, 100*ps), before) {
		t.Fatal("Dedupe changed the parent's bytes")
	}
	mustCheck(t, a, c)
	// A merged frame is shared: writing one of its pages copies it.
	mustWrite(t, a, []byte("y"), 1*ps)
	if got := read(t, a, 0, 1); got[0] != 'x' {
		t.Fatal("a write to a merged page reached the page it was merged with")
	}
	if got := read(t, c, 1*ps, 1); got[0] != 'x' {
		t.Fatal("a write to a merged page reached another arena")
	}
	if freed := c.Dedupe(); freed != 0 {
		t.Fatalf("a second Dedupe with nothing to merge freed %d", freed)
	}
	mustCheck(t, a, c)
}

// TestDiff: the pages whose frames differ, ascending, and nothing else.
func TestDiff(t *testing.T) {
	a := mustNew(t, gib)
	for i := range 50 {
		mustWrite(t, a, []byte{1}, int64(i)*7*mib)
	}
	f := a.Fork()
	var want []int64
	for _, off := range []int64{5 * mib, 0, 700 * mib, 7 * mib, gib - 1} {
		mustWrite(t, f, []byte{2}, off)
		want = append(want, off/DefaultPageSize*DefaultPageSize)
	}
	slices.Sort(want)
	if got := slices.Collect(f.Diff(a)); !slices.Equal(got, want) {
		t.Fatalf("Diff = %v, want %v", got, want)
	}
	if got := slices.Collect(a.Diff(f)); !slices.Equal(got, want) {
		t.Fatalf("the other way, Diff = %v, want %v", got, want)
	}
	small := mustNew(t, 10*DefaultPageSize)
	mustWrite(t, small, []byte{3}, 0)
	if got := slices.Collect(f.Diff(small)); len(got) != 50+3 || got[0] != 0 {
		t.Fatalf("Diff against a smaller arena of another pool: %d pages from %v", len(got), got[:1])
	}
	mustCheck(t, a, f)
}

// TestDeepTable writes sparse pages of an arena whose page table has four
// levels, forks it and checks every page.
func TestDeepTable(t *testing.T) {
	const ps = 512
	size := int64(ps) << 25 // 2^25 pages: four levels of 64
	a := mustNew(t, size, WithPageSize(ps))
	if a.t.height != 4 {
		t.Fatalf("height %d, want 4", a.t.height)
	}
	model := map[int64]byte{}
	for i := range int64(300) {
		pg := i * 111_111 % (size / ps)
		model[pg] = byte(i + 1)
		mustWrite(t, a, fill(byte(i+1), ps), pg*ps)
	}
	f := a.Fork()
	for pg := range model {
		if pg%3 == 0 {
			model[pg] = 0
			if err := f.Discard(pg*ps, ps); err != nil {
				t.Fatal(err)
			}
		}
	}
	for pg, b := range model {
		if got := read(t, f, pg*ps, ps); !bytes.Equal(got, fill(b, ps)) {
			t.Fatalf("page %d: read %d, want %d", pg, got[0], b)
		}
	}
	mustCheck(t, a, f)
}

// TestHugeArena: an arena of the largest size works, and Discard of all of
// it costs what its written pages cost, not its length.
func TestHugeArena(t *testing.T) {
	a := mustNew(t, math.MaxInt64)
	mustWrite(t, a, fill(7, 10), 0)
	mustWrite(t, a, fill(8, 10), math.MaxInt64-10)
	mustWrite(t, a, fill(9, 10), 1<<50)
	if err := a.Discard(math.MaxInt64-10, 5); err != nil {
		t.Fatal(err)
	}
	if got := read(t, a, math.MaxInt64-10, 10); !bytes.Equal(got, []byte{0, 0, 0, 0, 0, 8, 8, 8, 8, 8}) {
		t.Fatalf("the last page after Discard reads %v", got)
	}
	mustCheck(t, a)
	if err := a.Discard(0, math.MaxInt64); err != nil {
		t.Fatal(err)
	}
	if s := a.Stats(); s.Frames != 0 || s.Zero != s.Pages {
		t.Fatalf("after discarding everything: %+v", s)
	}
	mustCheck(t, a)
}

// TestLimitCountsMergedFrames: a write over every page that shares one
// merged frame needs one frame fewer than it has pages: the last page
// writes the frame in place once the others have copied.
func TestLimitCountsMergedFrames(t *testing.T) {
	a := mustNew(t, 4096, WithPageSize(512), WithLimit(2))
	mustWrite(t, a, fill(1, 1024), 0)
	if freed := a.Dedupe(); freed != 1 {
		t.Fatalf("Dedupe freed %d, want 1", freed)
	}
	mustWrite(t, a, fill(2, 1024), 0) // one copy and one write in place: 2 frames
	if s := a.Stats(); s.Frames != 2 || s.Private != 2 {
		t.Fatalf("%+v, want 2 private pages in 2 frames", s)
	}
	mustCheck(t, a)
}

func TestDiffWithZeroArena(t *testing.T) {
	a := mustNew(t, 4096, WithPageSize(512))
	mustWrite(t, a, []byte{1}, 1024)
	var z Arena
	if got := slices.Collect(a.Diff(&z)); !slices.Equal(got, []int64{1024}) {
		t.Fatalf("Diff against the zero Arena = %v, want [1024]", got)
	}
	if got := slices.Collect(z.Diff(a)); !slices.Equal(got, []int64{1024}) {
		t.Fatalf("the zero Arena's Diff = %v, want [1024]", got)
	}
}

// diffPanicTests: Diff's misuse panics when Diff is called, with a message
// in btree's style ("btree: Diff with a nil base"), never a nil dereference.
var diffPanicTests = []struct {
	name string
	f    func()
	want string
}{
	{"Diff(nil)", func() { a, _ := New(4096); a.Diff(nil) }, "pagearena: Diff with a nil base"},
	{"the zero Arena's Diff(nil)", func() { new(Arena).Diff(nil) }, "pagearena: Diff with a nil base"},
	{"Diff of two page sizes", func() {
		a, _ := New(4096)
		b, _ := New(4096, WithPageSize(512))
		a.Diff(b)
	}, "pagearena: Diff of arenas with different page sizes"},
}

func TestDiffPanics(t *testing.T) {
	for _, tt := range diffPanicTests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if got := fmt.Sprint(recover()); got != tt.want {
					t.Errorf("%s panicked with %q, want %q", tt.name, got, tt.want)
				}
			}()
			tt.f()
		})
	}
}

// TestFirstWriteAllocs holds doc.go's count: the first write to a shared
// page allocates the frame and its bytes, plus one node per shared
// page-table node on its path (three for a 1 GiB arena of 4 KiB pages,
// just after a Fork); a write to a private page allocates nothing.
func TestFirstWriteAllocs(t *testing.T) {
	a := mustNew(t, gib)
	mustWrite(t, a, fill(1, 64*DefaultPageSize), 0) // pages 0-63: one leaf node
	if h := a.t.height; h != 2 {
		t.Fatalf("a 1 GiB arena has %d levels above the leaves, want 2", h)
	}
	forkRelease := testing.AllocsPerRun(20, func() { a.Fork().Release() })
	withWrite := testing.AllocsPerRun(20, func() {
		f := a.Fork()
		f.WriteAt([]byte{2}, 7)
		f.Release()
	})
	if got := withWrite - forkRelease; got != 2+3 {
		t.Errorf("the first write after a Fork: %v allocs, want 5 (frame, bytes, three page-table nodes)", got)
	}
	f := a.Fork()
	mustWrite(t, f, []byte{2}, 7) // the path to pages 0-63 is now private
	pg := int64(1)
	if got := testing.AllocsPerRun(20, func() { f.WriteAt([]byte{2}, pg*DefaultPageSize); pg++ }); got != 2 {
		t.Errorf("the first write to a shared page on a private path: %v allocs, want 2", got)
	}
	if got := testing.AllocsPerRun(20, func() { f.WriteAt([]byte{3}, 7) }); got != 0 {
		t.Errorf("a write to a private page: %v allocs, want 0", got)
	}
	mustCheck(t, a, f)
}
