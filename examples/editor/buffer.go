package main

import (
	"io"
	"strings"

	"github.com/cowkit/cowkit/cowslice"
	"github.com/cowkit/cowkit/cowstring"
	"github.com/cowkit/cowkit/rope"
)

// A Buffer is one version of an editor's text. Positions are byte offsets.
// Clone returns an independent version in O(1); what the first edit of
// either then copies is the difference between the representations.
type Buffer interface {
	Len() int
	Insert(i int, text string) // insert text before byte i (i == Len appends)
	Delete(i, j int)           // delete the bytes [i:j]
	Clone() Buffer             // an independent copy, sharing what it can
	WriteTo(io.Writer) (int64, error)
	Release() // let go of the text; the Buffer reads as empty afterwards
}

// A representation is a way to hold the text, by name.
type representation struct {
	name string
	new  func(doc string) Buffer // a Buffer holding its own copy of doc
}

var representations = []representation{
	{"rope.Rope[byte]", newRopeBuffer},
	{"cowslice.Slice[string] of lines", newLineBuffer},
	{"cowstring.String", newStringBuffer},
	{"naive: a Go string", newNaiveBuffer},
}

// ropeBuffer is the text as a rope of bytes: a B+tree of 1 KiB leaves. An
// edit on a clone copies the nodes on its path, one per level, and shares
// the rest of the tree with the version it was cloned from.
type ropeBuffer struct{ r *rope.Rope[byte] }

func newRopeBuffer(doc string) Buffer { return ropeBuffer{rope.New([]byte(doc)...)} }

func (b ropeBuffer) Len() int                           { return b.r.Len() }
func (b ropeBuffer) Insert(i int, text string)          { b.r.Insert(i, []byte(text)...) }
func (b ropeBuffer) Delete(i, j int)                    { b.r.Delete(i, j) }
func (b ropeBuffer) Clone() Buffer                      { return ropeBuffer{b.r.Clone()} }
func (b ropeBuffer) WriteTo(w io.Writer) (int64, error) { return b.r.WriteTo(w) }
func (b ropeBuffer) Release()                           { b.r.Release() }

// lineBuffer is the text as a copy-on-write slice of its lines, each with
// its '\n' (the last line may have none). Lines are Go strings, which
// versions share; an edit on a clone copies the slice of their headers
// (16 bytes a line on a 64-bit machine) and makes new strings for the
// lines it changes.
type lineBuffer struct {
	lines *cowslice.Slice[string]
	n     int // bytes in all the lines
}

func newLineBuffer(doc string) Buffer {
	doc = strings.Clone(doc) // the lines view this copy, not the caller's
	return &lineBuffer{cowslice.New(splitLines(doc)...), len(doc)}
}

// splitLines cuts s after each '\n', with no empty line at the end.
func splitLines(s string) []string {
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

func (b *lineBuffer) Len() int { return b.n }

// locate returns the line that holds byte i and i's offset within it; for
// i == Len, the end of the last line (-1 if there are no lines). It walks
// the lines' lengths, as an editor with no index of line offsets does.
func (b *lineBuffer) locate(i int) (line, col int) {
	for k, l := range b.lines.All() {
		if i < len(l) {
			return k, i
		}
		i -= len(l)
	}
	last := b.lines.Len() - 1
	if last < 0 {
		return -1, 0
	}
	return last, len(b.lines.At(last))
}

func (b *lineBuffer) Insert(i int, text string) {
	if text == "" {
		return
	}
	k, col := b.locate(i)
	if k < 0 {
		b.lines.Append(splitLines(text)...)
	} else {
		l := b.lines.At(k)
		pieces := splitLines(l[:col] + text + l[col:])
		b.lines.Set(k, pieces[0])
		b.lines.Insert(k+1, pieces[1:]...)
	}
	b.n += len(text)
}

// Delete joins what is left of the first and last lines the range touches
// into one line; the lines between go.
func (b *lineBuffer) Delete(i, j int) {
	if i == j {
		return
	}
	a, ca := b.locate(i)
	z, cz := b.locate(j)
	joined := b.lines.At(a)[:ca] + b.lines.At(z)[cz:]
	if joined == "" { // all from the start of line a to the end
		b.lines.Delete(a, z+1)
	} else {
		b.lines.Set(a, joined)
		b.lines.Delete(a+1, z+1)
	}
	b.n -= j - i
}

func (b *lineBuffer) Clone() Buffer { return &lineBuffer{b.lines.Clone(), b.n} }

func (b *lineBuffer) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for l := range b.lines.Values() {
		n, err := io.WriteString(w, l)
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func (b *lineBuffer) Release() { b.lines.Release(); b.n = 0 }

// stringBuffer is the text as a cowstring.String: a clone shares the
// buffer, and the first edit of it in the middle copies the whole text.
// It never calls String, which would pin the text (see cowstring's doc).
type stringBuffer struct{ s *cowstring.String }

func newStringBuffer(doc string) Buffer { return stringBuffer{cowstring.New(doc)} }

func (b stringBuffer) Len() int                           { return b.s.Len() }
func (b stringBuffer) Insert(i int, text string)          { b.s.Insert(i, text) }
func (b stringBuffer) Delete(i, j int)                    { b.s.Delete(i, j) }
func (b stringBuffer) Clone() Buffer                      { return stringBuffer{b.s.Clone()} }
func (b stringBuffer) WriteTo(w io.Writer) (int64, error) { return b.s.WriteTo(w) }
func (b stringBuffer) Release()                           { b.s.Release() }

// naiveBuffer is the text as a Go string: a clone shares the immutable
// string, and every edit makes a new one, a copy of the whole text.
type naiveBuffer struct{ s string }

func newNaiveBuffer(doc string) Buffer { return &naiveBuffer{strings.Clone(doc)} }

func (b *naiveBuffer) Len() int                  { return len(b.s) }
func (b *naiveBuffer) Insert(i int, text string) { b.s = b.s[:i] + text + b.s[i:] }
func (b *naiveBuffer) Delete(i, j int)           { b.s = b.s[:i] + b.s[j:] }
func (b *naiveBuffer) Clone() Buffer             { return &naiveBuffer{b.s} }
func (b *naiveBuffer) WriteTo(w io.Writer) (int64, error) {
	n, err := io.WriteString(w, b.s)
	return int64(n), err
}
func (b *naiveBuffer) Release() { b.s = "" }
