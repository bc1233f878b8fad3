package cowstring

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/cowkit/cowkit/internal/refcount"
)

// String is an implicitly shared, mutable byte string.
//
// The zero String is empty and ready for use. b := a aliases one handle;
// a.Clone() makes an independent handle that shares a's bytes until one of
// the two writes. A handle is not safe for concurrent mutation; distinct
// handles that share bytes may be used on different goroutines.
//
// A String encodes and prints as the Go string it holds: as a JSON
// string, through gob, and with fmt for every verb ([String.Format]), so a
// struct field that changes from string to *String keeps its JSON.
//
// Hold a String by pointer, as every method expects: fmt and encoding/json
// find the methods of a String held by value in a struct only when they can
// take its address, and otherwise print its internals or encode it as {}
// (go vet reports copying such a struct).
type String struct {
	_ refcount.NoCopy
	// r.Data is the whole buffer (len == cap); the handle's bytes are
	// r.Data[off : off+n]. Bytes of the buffer below r.Pinned() are viewed by
	// strings handed out and are never written again.
	r      refcount.Ref[[]byte]
	off, n int
}

// New returns a String holding a copy of s.
func New(s string) *String {
	h := new(String)
	if len(s) > 0 {
		b := []byte(s)
		h.r = refcount.Own(b[:cap(b)]) // the whole allocation, spare room included
		h.n = len(s)
	}
	return h
}

// Len returns the number of bytes. The complexity is O(1).
func (s *String) Len() int { return s.n }

// At returns the byte at index i. It panics if i is out of range.
func (s *String) At(i int) byte {
	if uint(i) >= uint(s.n) {
		panic(fmt.Sprintf("cowstring: index %d out of range [0:%d]", i, s.n))
	}
	return s.r.Data[s.off+i]
}

// String returns s's bytes as a Go string in O(1), without copying or
// allocating. The bytes it views are pinned: no later write, through s or
// any handle sharing its buffer, changes them, so the result keeps its value
// for good. Appending to s afterwards stays cheap (it writes past the pinned
// bytes); an in-place change of pinned bytes copies first. So an edit loop
// that calls String after every Insert or Delete in the middle copies the
// whole text on every edit: to read the bytes without pinning them, use
// [String.WriteTo] or [String.AppendTo].
func (s *String) String() string {
	if s.n == 0 {
		return ""
	}
	s.r.Pin(s.off + s.n)
	return unsafe.String(&s.r.Data[s.off], s.n)
}

// Bytes returns a fresh copy of s's bytes. [String.AppendTo] copies them
// into a buffer of the caller's.
func (s *String) Bytes() []byte {
	if s.n == 0 {
		return []byte{}
	}
	return append([]byte(nil), s.r.Data[s.off:s.off+s.n]...)
}

// Reader returns a reader over s's bytes as they are now: a snapshot that
// stays valid and unchanged while s is modified. It costs what String
// costs, plus the reader.
func (s *String) Reader() *strings.Reader {
	return strings.NewReader(s.String())
}

// writable returns s's bytes, with s.off folded in, as a buffer that may be
// written in place from index i on and that has room for size bytes. When s
// shares its buffer, some byte from i on is pinned, or the room is short, it
// first copies s's first keep bytes into a new buffer: copy first, then drop
// the old share.
//
// How big the new buffer is depends on why it is made. A buffer that s
// may write but that is full grows geometrically (twice the length), and
// so does one that an append copies up, so that appends cost amortized
// O(1). A copy-up that an edit in place makes (Insert, Delete, Replace on
// a buffer shared with a clone or pinned by a string) gets the length it
// needs plus 1/64 of it: a history of versions, each a Clone and an edit,
// then costs about one copy of the text per version, not two.
func (s *String) writable(i, size, keep int, appending bool) []byte {
	d := s.r.Data
	mine := s.r.Unique() && s.off+i >= s.r.Pinned()
	if mine && s.off+size <= len(d) {
		return d[s.off:]
	}
	c := size
	switch {
	case appending || mine:
		if size > s.n {
			c = max(size, 2*s.n, 16)
		}
	default:
		c = size + size/64
	}
	b := make([]byte, c)
	copy(b, d[s.off:s.off+keep])
	s.r.Replace(b)
	s.off = 0
	return b
}

// WriteString appends str to s. It never fails; the error is for
// io.StringWriter. It copies s's bytes only if s shares its buffer or has
// no room left, and never overwrites bytes a returned string views.
func (s *String) WriteString(str string) (int, error) {
	if len(str) == 0 {
		return 0, nil
	}
	b := s.writable(s.n, s.n+len(str), s.n, true)
	copy(b[s.n:], str)
	s.n += len(str)
	return len(str), nil
}

// Write appends p to s, as [String.WriteString] does, for io.Writer. It
// never fails.
func (s *String) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	b := s.writable(s.n, s.n+len(p), s.n, true)
	copy(b[s.n:], p)
	s.n += len(p)
	return len(p), nil
}

// WriteByte appends c to s, for io.ByteWriter. It never fails.
func (s *String) WriteByte(c byte) error {
	b := s.writable(s.n, s.n+1, s.n, true)
	b[s.n] = c
	s.n++
	return nil
}

// WriteRune appends the UTF-8 encoding of r to s. It never fails.
func (s *String) WriteRune(r rune) (int, error) {
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	return s.Write(buf[:n])
}

// Insert inserts str before index i; i may be Len() to append. If s shares
// its buffer, or a returned string views the bytes that must move, Insert
// copies s first. Insert panics if i < 0 or i > Len(), and then changes
// nothing.
func (s *String) Insert(i int, str string) {
	if uint(i) > uint(s.n) {
		panic(fmt.Sprintf("cowstring: insert index %d out of range [0:%d]", i, s.n))
	}
	if len(str) == 0 {
		return
	}
	b := s.writable(i, s.n+len(str), s.n, false)
	copy(b[i+len(str):], b[i:s.n])
	copy(b[i:], str)
	s.n += len(str)
}

// Delete removes the bytes s[i:j]. Cutting a prefix or a suffix writes
// nothing and never copies: it narrows s's view of the buffer. Deleting
// from the middle moves the tail down, and copies s first if s shares its
// buffer or a returned string views the bytes that move. Delete panics if
// s[i:j] is not a valid slice of s, and then changes nothing.
func (s *String) Delete(i, j int) {
	if i < 0 || j > s.n || i > j {
		panic(fmt.Sprintf("cowstring: delete range [%d:%d] out of range [0:%d]", i, j, s.n))
	}
	switch {
	case i == j:
	case j == s.n:
		s.n = i
	case i == 0:
		s.off += j
		s.n -= j
	default:
		b := s.writable(i, s.n, s.n, false)
		copy(b[i:], b[j:s.n])
		s.n -= j - i
	}
	if s.n == 0 {
		s.off = 0
	}
}

// Replace replaces the bytes s[i:j] with str, as s[:i] + str + s[j:]. It
// is a Delete when str is empty and an Insert when i == j; otherwise it
// writes in place, moving the tail if the lengths differ, and copies s
// first, once, if s shares its buffer or a returned string views the
// bytes from i on. Replace panics if s[i:j] is not a valid slice of s, and
// then changes nothing.
func (s *String) Replace(i, j int, str string) {
	if i < 0 || j > s.n || i > j {
		panic(fmt.Sprintf("cowstring: replace range [%d:%d] out of range [0:%d]", i, j, s.n))
	}
	switch {
	case len(str) == 0:
		s.Delete(i, j)
		return
	case i == j:
		s.Insert(i, str)
		return
	}
	n := s.n - (j - i) + len(str)
	b := s.writable(i, max(s.n, n), s.n, false)
	copy(b[i+len(str):], b[j:s.n])
	copy(b[i:], str)
	s.n = n
}

// Clip leaves s holding its bytes alone in a buffer of exactly Len()
// bytes, dropping the spare room that appends, copy-ups and Deletes leave
// behind. It copies s's bytes once (one allocation) if its buffer holds
// more than them or is shared, and does nothing otherwise. The handles
// that share the old buffer keep it, as do strings that String returned,
// so Clip saves memory on a handle that held its buffer alone, such as a
// version kept in an undo history once no clone of it is left.
func (s *String) Clip() {
	if s.off == 0 && s.n == len(s.r.Data) && !s.r.Shared() {
		return
	}
	if s.n == 0 {
		s.Release()
		return
	}
	b := make([]byte, s.n)
	copy(b, s.r.Data[s.off:s.off+s.n])
	s.r.Replace(b)
	s.off = 0
}

// WriteTo writes s's bytes to w, for io.WriterTo (io.Copy uses it). It
// neither copies nor pins them: w gets a view of s's buffer for the length
// of the call, which, as io.Writer requires, it must not keep. Meanwhile
// s counts as shared, so a write to s from inside w (s.WriteTo(s), say)
// copies first and the bytes w is given stay as they were.
func (s *String) WriteTo(w io.Writer) (int64, error) {
	if s.n == 0 {
		return 0, nil
	}
	r := s.r.Share()
	defer r.Drop()
	p := r.Data[s.off : s.off+s.n : s.off+s.n]
	n, err := w.Write(p)
	if err == nil && n != len(p) {
		err = io.ErrShortWrite
	}
	return int64(n), err
}

// AppendTo appends s's bytes to b and returns the extended slice, as the
// standard library's Append functions do. It neither pins nor shares s's
// buffer, and allocates only if b has no room.
func (s *String) AppendTo(b []byte) []byte {
	return append(b, s.r.Data[s.off:s.off+s.n]...)
}

// Substr returns a new handle holding s[i:j]. It is O(1) and allocates only
// the handle: the two share s's buffer until either writes. Substr panics if
// s[i:j] is not a valid slice of s.
func (s *String) Substr(i, j int) *String {
	if i < 0 || j > s.n || i > j {
		panic(fmt.Sprintf("cowstring: substr range [%d:%d] out of range [0:%d]", i, j, s.n))
	}
	if i == j {
		return new(String)
	}
	return &String{r: s.r.Share(), off: s.off + i, n: j - i}
}

// Clone returns a new handle that shares s's bytes. It is O(1) and allocates
// only the new handle. The copy is deferred: the first of the two to write
// copies s's bytes (O(n)). Clone does not modify s, so concurrent calls on
// one handle are safe.
func (s *String) Clone() *String {
	return &String{r: s.r.Share(), off: s.off, n: s.n}
}

// Release drops s's share of its buffer and leaves s empty and usable, as a
// zero String. Strings returned earlier keep their values. Releasing twice
// is harmless.
func (s *String) Release() {
	s.r.Drop()
	s.off, s.n = 0, 0
}

// Shared reports whether s's buffer is shared with another live handle, or
// some of s's bytes are viewed by a string returned by String, so that the
// next in-place change of those bytes (an Insert or Delete in the middle)
// will copy first. Appends copy only when the buffer is shared or full.
func (s *String) Shared() bool {
	return s.r.Shared() || (s.n > 0 && s.r.Pinned() > s.off)
}
