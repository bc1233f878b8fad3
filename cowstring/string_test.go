package cowstring

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"pgregory.net/rapid"

	"github.com/cowkit/cowkit/cowtest"
	"github.com/cowkit/cowkit/internal/refcount"
)

// handedOut remembers strings returned by String with a private copy of the
// value each had, so the invariant can check that none ever changes.
type handedOut struct {
	mu   sync.Mutex
	got  []string
	want []string
}

func (h *handedOut) add(s string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.got = append(h.got, s)
	h.want = append(h.want, strings.Clone(s))
}

func (h *handedOut) reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.got, h.want = nil, nil
}

func (h *handedOut) check() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range h.got {
		if h.got[i] != h.want[i] {
			return fmt.Errorf("a string returned by String changed from %q to %q", h.want[i], h.got[i])
		}
	}
	return nil
}

// checkInvariants: views lie inside their buffers, the pinned mark inside
// the buffer, and every count equals the number of live handles holding it.
func checkInvariants(live []*String) error {
	counts := make([]*refcount.Count, 0, len(live))
	for i, s := range live {
		if s.off < 0 || s.n < 0 || s.off+s.n > len(s.r.Data) || len(s.r.Data) != cap(s.r.Data) {
			return fmt.Errorf("handle %d: view [%d:+%d] outside its buffer of %d (cap %d)", i, s.off, s.n, len(s.r.Data), cap(s.r.Data))
		}
		c := s.r.Count()
		if c == nil {
			if s.r.Data != nil {
				return fmt.Errorf("handle %d holds a buffer but no count", i)
			}
			continue
		}
		if p := c.Pinned(); p < 0 || p > len(s.r.Data) {
			return fmt.Errorf("handle %d: pinned mark %d outside its buffer of %d", i, p, len(s.r.Data))
		}
		counts = append(counts, c)
	}
	return refcount.CheckHolders(counts)
}

type sstep = cowtest.Step[*String, string]

func noop(m string) string { return m }

func stringSpec(out *handedOut) cowtest.Spec[*String, string] {
	text := rapid.StringOfN(rapid.RuneFrom([]rune("abcxyz")), 0, 6, -1)
	return cowtest.Spec[*String, string]{
		// The harness calls New only when a test case starts: forget the
		// strings of earlier cases, so that a failure reproduces alone.
		New:        func() *String { out.reset(); return new(String) },
		Clone:      (*String).Clone,
		Release:    (*String).Release,
		Model:      func(s *String) string { return string(s.Bytes()) },
		CloneModel: func(m string) string { return m },
		Invariant: func(live []*String) error {
			if err := out.check(); err != nil {
				return err
			}
			return checkInvariants(live)
		},
		CheckAllocs: true,
		// The handles' sharing of the buffer, which cowtest checks against
		// their lineage. (*String).Shared also counts the strings String
		// handed out, which the lineage does not know; the reads it would
		// make shared are checked for allocations whatever the sharing.
		Shared: func(s *String) bool { return s.r.Shared() },
		Ops: []cowtest.Op[*String, string]{
			{Name: "WriteString", Draw: func(t *rapid.T, _ string) sstep {
				x := text.Draw(t, "x")
				return sstep{
					Label: cowtest.Sprint("WriteString", fmt.Sprintf("%q", x)),
					Read:  x == "", // writing nothing never copies
					Apply: func(_ *rapid.T, s *String) { s.WriteString(x) },
					Model: func(m string) string { return m + x },
				}
			}},
			{Name: "WriteByte", Draw: func(t *rapid.T, _ string) sstep {
				c := rapid.ByteRange('0', '9').Draw(t, "c")
				return sstep{
					Label: cowtest.Sprint("WriteByte", string(c)),
					Apply: func(_ *rapid.T, s *String) { s.WriteByte(c) },
					Model: func(m string) string { return m + string(c) },
				}
			}},
			{Name: "Insert", Draw: func(t *rapid.T, m string) sstep {
				i := rapid.IntRange(0, len(m)).Draw(t, "i")
				x := text.Draw(t, "x")
				return sstep{
					Label: cowtest.Sprint("Insert", i, fmt.Sprintf("%q", x)),
					Read:  x == "", // inserting nothing never copies
					Apply: func(_ *rapid.T, s *String) { s.Insert(i, x) },
					Model: func(m string) string { return m[:i] + x + m[i:] },
				}
			}},
			{Name: "Delete", Draw: func(t *rapid.T, m string) sstep {
				i := rapid.IntRange(0, len(m)).Draw(t, "i")
				j := rapid.IntRange(i, len(m)).Draw(t, "j")
				return sstep{
					Label: cowtest.Sprint("Delete", i, j),
					// An empty range changes nothing; a prefix or a suffix
					// narrows s's view of the buffer and never copies.
					Read:       i == j,
					KeepsShare: i == 0 || j == len(m),
					Apply:      func(_ *rapid.T, s *String) { s.Delete(i, j) },
					Model:      func(m string) string { return m[:i] + m[j:] },
				}
			}},
			{Name: "Replace", Draw: func(t *rapid.T, m string) sstep {
				i := rapid.IntRange(0, len(m)).Draw(t, "i")
				j := rapid.IntRange(i, len(m)).Draw(t, "j")
				x := text.Draw(t, "x")
				return sstep{
					Label: cowtest.Sprint("Replace", i, j, fmt.Sprintf("%q", x)),
					// With nothing to put in, Replace is a Delete.
					Read:       i == j && x == "",
					KeepsShare: x == "" && (i == 0 || j == len(m)),
					Apply:      func(_ *rapid.T, s *String) { s.Replace(i, j, x) },
					Model:      func(m string) string { return m[:i] + x + m[j:] },
				}
			}},
			{Name: "Clip", Draw: func(t *rapid.T, m string) sstep {
				return sstep{
					Apply: func(t *rapid.T, s *String) {
						s.Clip()
						if s.off != 0 || len(s.r.Data) != s.n || s.r.Shared() {
							t.Fatalf("after Clip: view [%d:+%d] of a buffer of %d, shared %v; want all of an unshared buffer", s.off, s.n, len(s.r.Data), s.r.Shared())
						}
					},
					Model: noop,
				}
			}},
			{Name: "WriteTo", AllocFree: true, Read: true, Draw: func(t *rapid.T, m string) sstep {
				buf := bytes.NewBuffer(make([]byte, 0, len(m)+1))
				return sstep{
					Apply: func(t *rapid.T, s *String) {
						buf.Reset()
						n, err := s.WriteTo(buf)
						// string(got) in a comparison does not allocate;
						// buf.String() would, past 32 bytes.
						if got := buf.Bytes(); err != nil || n != int64(len(m)) || string(got) != m {
							t.Fatalf("WriteTo wrote %q (%d, %v), want %q", buf.String(), n, err, m)
						}
					},
					Model: noop,
				}
			}},
			{Name: "AppendTo", AllocFree: true, Read: true, Draw: func(t *rapid.T, m string) sstep {
				dst := make([]byte, 1, len(m)+1)
				dst[0] = '>'
				return sstep{
					Apply: func(t *rapid.T, s *String) {
						// Compare without building ">"+m: a concatenation
						// longer than 32 bytes allocates, and this step
						// counts allocations.
						if got := s.AppendTo(dst[:1]); len(got) != len(m)+1 || got[0] != '>' || string(got[1:]) != m {
							t.Fatalf("AppendTo = %q, want %q", got, ">"+m)
						}
					},
					Model: noop,
				}
			}},
			{Name: "String", AllocFree: true, Read: true, Draw: func(t *rapid.T, m string) sstep {
				return sstep{
					Apply: func(t *rapid.T, s *String) {
						if got := s.String(); got != m {
							t.Fatalf("String() = %q, want %q", got, m)
						}
					},
					Model: noop,
				}
			}},
			{Name: "KeepString", Read: true, Draw: func(t *rapid.T, m string) sstep {
				// Keep the returned string: the invariant checks that it
				// never changes, whatever the handles do later.
				return sstep{
					Apply: func(t *rapid.T, s *String) { out.add(s.String()) },
					Model: noop,
				}
			}},
			{Name: "At", AllocFree: true, Read: true, Draw: func(t *rapid.T, m string) sstep {
				if len(m) == 0 {
					t.Skip("empty")
				}
				i := rapid.IntRange(0, len(m)-1).Draw(t, "i")
				return sstep{
					Label: cowtest.Sprint("At", i),
					Apply: func(t *rapid.T, s *String) {
						if got := s.At(i); got != m[i] {
							t.Fatalf("At(%d) = %q, want %q", i, got, m[i])
						}
					},
					Model: noop,
				}
			}},
			{Name: "Substr", Read: true, Draw: func(t *rapid.T, m string) sstep {
				// Take a substring, write to it, and drop it: neither side may
				// see the other's writes.
				i := rapid.IntRange(0, len(m)).Draw(t, "i")
				j := rapid.IntRange(i, len(m)).Draw(t, "j")
				x := text.Draw(t, "x")
				return sstep{
					Label: cowtest.Sprint("Substr", i, j, fmt.Sprintf("%q", x)),
					Apply: func(t *rapid.T, s *String) {
						sub := s.Substr(i, j)
						if got := sub.String(); got != m[i:j] {
							t.Fatalf("Substr(%d, %d) = %q, want %q", i, j, got, m[i:j])
						}
						out.add(sub.String())
						sub.WriteString(x)
						if got := string(sub.Bytes()); got != m[i:j]+x {
							t.Fatalf("Substr then WriteString = %q, want %q", got, m[i:j]+x)
						}
						sub.Release()
					},
					Model: noop,
				}
			}},
		},
	}
}

func TestStringModel(t *testing.T) { cowtest.Check(t, stringSpec(&handedOut{})) }

func FuzzStringModel(f *testing.F) { f.Fuzz(rapid.MakeFuzz(stringSpec(&handedOut{}).Property)) }

func TestStringsStayFrozen(t *testing.T) {
	s := New("hello world")
	hw := s.String()
	s.Delete(5, 11)    // a truncation: no bytes move
	s.WriteString("!") // would overwrite the " " that hw views: copies first
	s.Insert(0, ">")
	s.Delete(1, 2)
	if hw != "hello world" {
		t.Fatalf("a returned string changed: %q", hw)
	}
	if got := s.String(); got != ">ello!" {
		t.Fatalf("s = %q, want %q", got, ">ello!")
	}
}

// Two handles that share a buffer with spare room and both append must not
// write into the same spare bytes.
func TestAppendAliasing(t *testing.T) {
	s := New("")
	s.WriteString("abc") // leaves spare capacity
	if len(s.r.Data) <= s.n {
		t.Fatal("test needs spare capacity")
	}
	c := s.Clone()
	s.WriteString("1")
	c.WriteString("2")
	sub := s.Substr(0, 2)
	sub.WriteByte('3')
	if s.String() != "abc1" || c.String() != "abc2" || sub.String() != "ab3" {
		t.Fatalf("s=%q c=%q sub=%q, want abc1 abc2 ab3", s.String(), c.String(), sub.String())
	}
}

func TestReaderIsASnapshot(t *testing.T) {
	s := New("snapshot")
	r := s.Reader()
	s.Delete(0, 4)
	s.Insert(1, "XYZ")
	s.WriteString(" more")
	got, err := io.ReadAll(r)
	if err != nil || string(got) != "snapshot" {
		t.Fatalf("reader read %q, %v, want %q", got, err, "snapshot")
	}
}

// A loop of WriteString then String allocates only when the buffer grows:
// O(log n) allocations for n appends, as with strings.Builder.
func TestWriteStringStringAmortized(t *testing.T) {
	var s *String
	var last string
	allocs := testing.AllocsPerRun(1, func() {
		s = new(String)
		for range 10000 {
			s.WriteString("0123456789")
			last = s.String()
		}
	})
	if allocs > 40 {
		t.Errorf("10000 WriteString+String pairs made %v allocations, want O(log n) (<= 40)", allocs)
	}
	if s.Len() != 100000 || last != strings.Repeat("0123456789", 10000) {
		t.Errorf("Len = %d, want 100000", s.Len())
	}
}

func TestAllocs(t *testing.T) {
	s := New(strings.Repeat("x", 1000))
	s.Delete(900, 1000) // 100 bytes of room
	tests := []struct {
		name string
		max  float64
		f    func()
	}{
		{"At", 0, func() { _ = s.At(10) }},
		{"String", 0, func() { _ = s.String() }},
		{"WriteByte within capacity", 0, func() { s.WriteByte('y'); s.Delete(s.Len()-1, s.Len()) }},
		{"Clone", 1, func() { _ = s.Clone() }},
		{"Substr", 1, func() { _ = s.Substr(1, 5) }},
	}
	for _, tt := range tests {
		if got := testing.AllocsPerRun(100, tt.f); got > tt.max {
			t.Errorf("%s: AllocsPerRun = %v, want <= %v", tt.name, got, tt.max)
		}
	}
	u := New("abcdefgh")
	u.WriteString("ij") // a fresh, unpinned buffer with room
	if got := testing.AllocsPerRun(100, func() { u.Insert(2, "Z"); u.Delete(2, 3) }); got != 0 {
		t.Errorf("Insert+Delete on an unpinned, unshared String: %v allocs, want 0", got)
	}
	c := u.Clone()
	c.Release()
	if got := testing.AllocsPerRun(100, func() { u.Insert(3, "Q"); u.Delete(3, 4) }); got != 0 {
		t.Errorf("after a clone's Release: %v allocs, want 0", got)
	}
}

var panicTests = []struct {
	name string
	f    func(s *String)
	want string
}{
	{"At", func(s *String) { s.At(3) }, "cowstring: index 3 out of range [0:3]"},
	{"Insert", func(s *String) { s.Insert(4, "x") }, "cowstring: insert index 4 out of range [0:3]"},
	{"Delete", func(s *String) { s.Delete(2, 1) }, "cowstring: delete range [2:1] out of range [0:3]"},
	{"Substr", func(s *String) { s.Substr(-1, 2) }, "cowstring: substr range [-1:2] out of range [0:3]"},
	{"Replace", func(s *String) { s.Replace(1, 4, "x") }, "cowstring: replace range [1:4] out of range [0:3]"},
}

func TestPanics(t *testing.T) {
	for _, tt := range panicTests {
		t.Run(tt.name, func(t *testing.T) {
			s := New("abc")
			c := s.Clone()
			defer func() {
				if r := recover(); r != tt.want {
					t.Errorf("panic = %v, want %q", r, tt.want)
				}
				if s.String() != "abc" || !c.Shared() {
					t.Errorf("a failed call changed s to %q or detached it", s.String())
				}
			}()
			tt.f(s)
		})
	}
}

// TestConcurrentClones: clones of one string written, read, cut into
// substrings, cloned and released on goroutines of their own, all at once,
// while the source is read and cloned (cowtest's concurrent mode); every
// string String returned keeps its value. Run with -race.
func TestConcurrentClones(t *testing.T) { cowtest.CheckConcurrent(t, stringSpec(&handedOut{})) }

// TestViewsOutliveTheirHandle: a string that String handed out, and a
// Reader, keep their bytes after their own handle is released, while the
// clone that is then the buffer's only holder writes it on another
// goroutine: the pin lives with the buffer, not with the handle. Run with
// -race. (This is the view API's counterpart of the flat types' iterators,
// which hold a share for the length of a loop.)
func TestViewsOutliveTheirHandle(t *testing.T) {
	const n = 4096
	s := New(strings.Repeat("v", n))
	s.Delete(n-1, n) // spare room, so that appends could write in place
	str, r := s.String(), s.Reader()
	c := s.Clone()
	s.Release()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 200 {
			c.Delete(1+i%100, 2+i%100) // moves pinned bytes: must copy first
			c.WriteByte('a')
			c.Insert(n/2, "b")
		}
	}()
	want := strings.Repeat("v", n-1)
	for range 100 {
		if str != want {
			t.Fatal("a string handed out changed after its handle's Release")
		}
	}
	wg.Wait()
	got, err := io.ReadAll(r)
	if err != nil || string(got) != want || str != want {
		t.Fatalf("after the clone's writes: str changed %v, the reader read %d bytes, %v", str != want, len(got), err)
	}
}
