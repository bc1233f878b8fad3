package cowstring

import (
	"bytes"
	"io"
	"runtime"
	"strings"
	"testing"
)

// The text of the history tests: 100 KB in lines of 50 bytes.
var doc100K = strings.Repeat(strings.Repeat("x", 49)+"\n", 2048)

func TestReadersPinNothing(t *testing.T) {
	s := New("hello, world")
	var buf bytes.Buffer
	buf.Grow(64)
	if got := testing.AllocsPerRun(100, func() {
		buf.Reset()
		if _, err := s.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
	}); got != 0 {
		t.Errorf("WriteTo into a bytes.Buffer with room: %v allocs, want 0", got)
	}
	dst := make([]byte, 0, 64)
	if got := testing.AllocsPerRun(100, func() { dst = s.AppendTo(dst[:0]) }); got != 0 {
		t.Errorf("AppendTo with room: %v allocs, want 0", got)
	}
	if buf.String() != "hello, world" || string(dst) != "hello, world" {
		t.Fatalf("WriteTo wrote %q, AppendTo %q", buf.String(), dst)
	}
	if s.r.Pinned() != 0 || s.Shared() {
		t.Fatalf("after WriteTo and AppendTo: pinned %d, shared %v; want neither", s.r.Pinned(), s.Shared())
	}
	// So an edit in the middle after them writes in place.
	s.WriteString("!") // room to insert
	if got := testing.AllocsPerRun(1, func() { s.Insert(5, "!") }); got != 0 {
		t.Errorf("Insert after WriteTo and AppendTo: %v allocs, want 0", got)
	}
}

// WriteTo hands w a view of s's buffer; a w that writes to s meanwhile
// makes s copy first, so the bytes w was given stay as they were.
func TestWriteToAWriterThatWritesS(t *testing.T) {
	s := New("abcdef")
	s.WriteString("gh") // a buffer with room, unpinned
	var got string
	w := writerFunc(func(p []byte) (int, error) {
		s.Replace(0, 3, "XYZ") // in place, were s not held for the call
		s.Insert(1, "--")
		got = string(p)
		return len(p), nil
	})
	if n, err := s.WriteTo(w); n != 8 || err != nil {
		t.Fatalf("WriteTo = %d, %v", n, err)
	}
	if got != "abcdefgh" {
		t.Errorf("w was given %q, want %q", got, "abcdefgh")
	}
	if s.String() != "X--YZdefgh" {
		t.Errorf("s = %q, want %q", s.String(), "X--YZdefgh")
	}
	if s.r.Shared() {
		t.Error("WriteTo kept its share")
	}
	if n, err := New("abc").WriteTo(writerFunc(func(p []byte) (int, error) { return 2, nil })); n != 2 || err != io.ErrShortWrite {
		t.Errorf("a short write: %d, %v; want 2, io.ErrShortWrite", n, err)
	}
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestClip(t *testing.T) {
	s := New("abc")
	s.WriteString(strings.Repeat("d", 100)) // grows: spare room
	s.Delete(0, 1)                          // a narrowed view
	want := s.String()
	if got := testing.AllocsPerRun(1, s.Clip); got > 1 {
		t.Errorf("Clip on an unshared String: %v allocs, want at most 1", got)
	}
	if s.off != 0 || len(s.r.Data) != s.n || s.String() != want {
		t.Fatalf("after Clip: view [%d:+%d] of %d bytes, %q; want all of %q", s.off, s.n, len(s.r.Data), s.String(), want)
	}
	if got := testing.AllocsPerRun(100, s.Clip); got != 0 {
		t.Errorf("Clip of a clipped String: %v allocs, want 0", got)
	}
	c := s.Clone()
	c.Clip() // shared: c gets its own
	if c.r.Shared() || s.r.Shared() || c.String() != want {
		t.Errorf("Clip of a clone: shared %v %v, %q", c.r.Shared(), s.r.Shared(), c.String())
	}
	e := New("abc")
	e.Delete(0, 3)
	e.Clip()
	if e.r.Data != nil {
		t.Errorf("Clip of an empty String kept a buffer of %d", len(e.r.Data))
	}
}

// totalAlloc returns the bytes f allocates, as runtime.MemStats counts them.
func totalAlloc(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// An edit's copy-up allocates the text's length plus a little, not twice it.
func TestCopyUpSize(t *testing.T) {
	n := uint64(len(doc100K))
	for _, tt := range []struct {
		name string
		edit func(s *String)
	}{
		{"Insert", func(s *String) { s.Insert(len(doc100K)/2, "x") }},
		{"Delete", func(s *String) { s.Delete(10, 20) }},
		{"Replace", func(s *String) { s.Replace(10, 20, "a longer text") }},
	} {
		s := New(doc100K)
		c := s.Clone()
		got := totalAlloc(func() { tt.edit(s) })
		// The length, 1/64 of slack, and the allocator's rounding up to
		// whole pages: far from the 2x of a geometric growth.
		if got < n || got > n+n/8 {
			t.Errorf("%s on a shared 100 KB String allocated %d bytes, want %d to %d", tt.name, got, n, n+n/8)
		}
		c.Release()
	}
	// An append still grows geometrically: appends are amortized O(1).
	s := New(doc100K)
	c := s.Clone()
	if got := totalAlloc(func() { s.WriteString("x") }); got < 2*n {
		t.Errorf("an append on a shared 100 KB String allocated %d bytes, want 2x, %d", got, 2*n)
	}
	c.Release()
}

// An editor's undo history: 1,000 versions of a 100 KB text, each a Clone
// of the one before and an Insert, held at once, cost about what 1,000
// plain strings of them cost.
func TestHistoryMemory(t *testing.T) {
	const versions = 1000
	plain := heapGrowth(func() any {
		vs := make([]string, 0, versions)
		cur := doc100K
		for i := range versions {
			p := (i * 7919) % len(cur)
			cur = cur[:p] + "x" + cur[p:]
			vs = append(vs, cur)
		}
		return vs
	})
	ours := heapGrowth(func() any {
		vs := make([]*String, 0, versions)
		cur := New(doc100K)
		for i := range versions {
			vs = append(vs, cur)
			cur = cur.Clone()
			cur.Insert((i*7919)%cur.Len(), "x")
		}
		return vs
	})
	t.Logf("1,000 versions of 100 KB: plain strings %.1f MiB, cowstring %.1f MiB (%.2fx)", float64(plain)/(1<<20), float64(ours)/(1<<20), float64(ours)/float64(plain))
	if float64(ours) > 1.2*float64(plain) {
		t.Errorf("the history holds %d bytes, over 1.2x the %d of plain strings", ours, plain)
	}
}

// heapGrowth returns how much the live heap grows by what build returns.
func heapGrowth(build func() any) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	return after.HeapAlloc - before.HeapAlloc
}
