package rope

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// A Rope[byte] is text: an editor's buffer whose versions share every leaf
// an edit did not touch. Go has no methods for one instantiation only, so
// WriteTo and Reader are methods of every Rope and panic unless T is byte;
// String works for every T.

// bytesOf returns r as a *Rope[byte], or panics naming the method.
func bytesOf[T any](r *Rope[T], method string) *Rope[byte] {
	b, ok := any(r).(*Rope[byte])
	if !ok {
		panic(fmt.Sprintf("rope: %s of a %T: only a Rope[byte] holds text", method, r))
	}
	return b
}

// WriteTo implements io.WriterTo for a Rope[byte]: it writes r's bytes to
// w, a leaf at a time, without copying them, and returns the number of
// bytes written and the first error. It reads a snapshot, as [Rope.Values]
// does, so r is as shared after it as before. It panics if T is not byte.
func (r *Rope[T]) WriteTo(w io.Writer) (int64, error) {
	b := bytesOf(r, "WriteTo")
	var total int64
	var err error
	// io.Writer promises not to modify or keep p, so the leaves go to w
	// as they are.
	b.leaves(func(chunk []byte) bool {
		var m int
		m, err = w.Write(chunk)
		total += int64(m)
		if err == nil && m < len(chunk) {
			err = io.ErrShortWrite
		}
		return err == nil
	})
	return total, err
}

// String returns r's elements as a string. For a Rope[byte] it is the
// text, copied (a Go string cannot share the rope's leaves, which r may
// write in place later): O(n) time and one allocation of n bytes, so an
// edit loop that calls it after every keystroke copies the whole text
// every time; prefer WriteTo or Reader there. For any other T it
// is what fmt prints for the []T r holds, such as [1 2 3].
func (r *Rope[T]) String() string {
	if r == nil {
		return "<nil>"
	}
	if b, ok := any(r).(*Rope[byte]); ok {
		var sb strings.Builder
		sb.Grow(b.n)
		b.leaves(func(chunk []byte) bool {
			sb.Write(chunk)
			return true
		})
		return sb.String()
	}
	return fmt.Sprint(r)
}

// Reader returns a reader of r's bytes as they are now: it reads a Clone,
// so later writes to r do not change what it reads, and it shares r's
// leaves instead of copying them. Close it when done, which releases the
// snapshot (an unclosed Reader costs r a copy of each node it later
// writes, never correctness). It panics if T is not byte.
func (r *Rope[T]) Reader() *Reader {
	b := bytesOf(r, "Reader")
	rd := new(Reader)
	rd.snap.root, rd.snap.n = hold(b.root), b.n
	return rd
}

// Reader reads a snapshot of a Rope[byte]: an io.Reader, io.ReaderAt,
// io.Seeker, io.ByteReader, io.WriterTo and io.Closer. Each Read opens
// one node per level of the rope to find its position and then copies
// from consecutive leaves. A Reader is not safe for concurrent use, except
// ReadAt, which may be called from many goroutines at once. The zero
// Reader reads as empty.
type Reader struct {
	snap Rope[byte] // the Reader's own handle: a clone of the rope it reads
	pos  int64
}

// Len returns the number of bytes not yet read.
func (rd *Reader) Len() int {
	if rd.pos >= int64(rd.snap.n) {
		return 0
	}
	return rd.snap.n - int(rd.pos)
}

// Size returns the length of the snapshot.
func (rd *Reader) Size() int64 { return int64(rd.snap.n) }

// Read implements io.Reader.
func (rd *Reader) Read(p []byte) (int, error) {
	if rd.pos >= int64(rd.snap.n) {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	m := copyFrom(rd.snap.root, int(rd.pos), p)
	rd.pos += int64(m)
	return m, nil
}

// ReadByte implements io.ByteReader.
func (rd *Reader) ReadByte() (byte, error) {
	if rd.pos >= int64(rd.snap.n) {
		return 0, io.EOF
	}
	c := rd.snap.At(int(rd.pos))
	rd.pos++
	return c, nil
}

// ReadAt implements io.ReaderAt.
func (rd *Reader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("rope: Reader.ReadAt: negative offset")
	}
	if off >= int64(rd.snap.n) {
		return 0, io.EOF
	}
	m := copyFrom(rd.snap.root, int(off), p)
	if m < len(p) {
		return m, io.EOF
	}
	return m, nil
}

// Seek implements io.Seeker. Seeking past the end is allowed, as for
// bytes.Reader: a Read there returns io.EOF.
func (rd *Reader) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = rd.pos + offset
	case io.SeekEnd:
		abs = int64(rd.snap.n) + offset
	default:
		return 0, errors.New("rope: Reader.Seek: invalid whence")
	}
	if abs < 0 {
		return 0, errors.New("rope: Reader.Seek: negative position")
	}
	rd.pos = abs
	return abs, nil
}

// WriteTo implements io.WriterTo: it writes the unread bytes to w, a leaf
// at a time, without copying them or any node.
func (rd *Reader) WriteTo(w io.Writer) (int64, error) {
	if rd.pos >= int64(rd.snap.n) {
		return 0, nil
	}
	root := hold(rd.snap.root)
	defer drop(root)
	var w2 walk[byte]
	var total int64
	for elems := w2.seek(root, int(rd.pos)); len(elems) > 0; elems = w2.next() {
		m, err := w.Write(elems[:len(elems):len(elems)])
		total += int64(m)
		rd.pos += int64(m)
		if err == nil && m < len(elems) {
			err = io.ErrShortWrite
		}
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Close releases the snapshot; the Reader then reads as empty. Closing
// twice is harmless.
func (rd *Reader) Close() error {
	rd.snap.Release()
	rd.pos = 0
	return nil
}
