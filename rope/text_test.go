package rope

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// text returns a rope of s built from many short inserts, so that its
// leaves are of many sizes.
func text(s string) *Rope[byte] {
	r := new(Rope[byte])
	for i := 0; i < len(s); i += 7 {
		r.Append([]byte(s[i:min(i+7, len(s))])...)
	}
	return r
}

func TestReader(t *testing.T) {
	for _, n := range []int{0, 1, 1000, 5000} {
		want := strings.Repeat("copy-on-write, ", n/15+1)[:n]
		r := text(want)
		rd := r.Reader()
		r.Insert(0, 'X') // the reader reads the snapshot
		if err := iotest.TestReader(rd, []byte(want)); err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		rd.Close()
		if _, err := rd.Read(make([]byte, 1)); err != io.EOF {
			t.Fatalf("Read after Close = %v, want io.EOF", err)
		}
		if got := r.String(); got != "X"+want {
			t.Fatalf("String() = %q", got)
		}
		noErr(t, checkRopes([]*Rope[byte]{r}), "after the reader's Close")
	}
}

func TestReaderWriteToAndSeek(t *testing.T) {
	want := strings.Repeat("abcdefghij", 500)
	rd := text(want).Reader()
	defer rd.Close()
	if _, err := rd.Seek(1234, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	c, _ := rd.ReadByte()
	if c != want[1234] {
		t.Fatalf("ReadByte after Seek = %q, want %q", c, want[1234])
	}
	var buf bytes.Buffer
	n, err := rd.WriteTo(&buf)
	if err != nil || n != int64(len(want)-1235) || buf.String() != want[1235:] {
		t.Fatalf("WriteTo = %d, %v", n, err)
	}
	if rd.Len() != 0 {
		t.Fatalf("Len after WriteTo = %d", rd.Len())
	}
	if _, err := rd.Seek(-1, io.SeekStart); err == nil {
		t.Fatal("Seek to -1 succeeded")
	}
	if _, err := rd.ReadAt(make([]byte, 1), -1); err == nil {
		t.Fatal("ReadAt(-1) succeeded")
	}
}

type shortWriter struct{ n int }

func (w *shortWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		p = p[:w.n]
	}
	w.n -= len(p)
	return len(p), nil
}

func TestWriteTo(t *testing.T) {
	want := strings.Repeat("0123456789", 1000)
	r := text(want)
	var sb strings.Builder
	n, err := r.WriteTo(&sb)
	if err != nil || n != int64(len(want)) || sb.String() != want {
		t.Fatalf("WriteTo = %d, %v", n, err)
	}
	n, err = r.WriteTo(&shortWriter{n: 1500})
	if !errors.Is(err, io.ErrShortWrite) || n != 1500 {
		t.Fatalf("WriteTo a short writer = %d, %v; want 1500, io.ErrShortWrite", n, err)
	}
	fail := errors.New("disk full")
	n, err = r.WriteTo(errWriter{fail})
	if err != fail || n != 0 {
		t.Fatalf("WriteTo a failing writer = %d, %v; want 0, %v", n, err, fail)
	}
}

type errWriter struct{ err error }

func (w errWriter) Write([]byte) (int, error) { return 0, w.err }

func TestReaderWriteToAllocatesNothing(t *testing.T) {
	rd := text(strings.Repeat("x", 1<<16)).Reader()
	defer rd.Close()
	allocs := testing.AllocsPerRun(20, func() {
		rd.Seek(1<<15+3, io.SeekStart)
		if n, err := rd.WriteTo(io.Discard); err != nil || n != 1<<15-3 {
			t.Fatalf("WriteTo = %d, %v", n, err)
		}
	})
	if allocs != 0 {
		t.Fatalf("Seek and WriteTo from the middle: %v allocations, want 0", allocs)
	}
}
