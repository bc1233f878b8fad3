package rope

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"unsafe"
)

// MarshalJSON implements json.Marshaler: r is written exactly as
// encoding/json writes the []T it holds: a JSON array of its elements, []
// when empty, never null. So a Rope[byte] is written as json writes a
// []byte, as a base64 string. That is a choice: text would read better as
// a JSON string, but a rope's bytes need not be UTF-8, and json would
// replace every invalid byte with U+FFFD, losing data silently; base64
// round-trips every byte and keeps a field that changes from []byte to
// *Rope[byte] compatible on the wire. A nil *Rope is written as null.
//
// The elements are encoded a leaf at a time from a snapshot (as
// [Rope.Values] reads one), without a copy of the whole sequence; as in a
// []T they are addressable, so json calls their pointer-receiver
// MarshalJSON and MarshalText methods. Any T whose kind is uint8 and that
// has neither method is written as base64, as json writes such a []T. An error
// encoding an element is json's error for it. HTML characters are left to
// the json.Marshal or json.Encoder that calls MarshalJSON, which escapes
// them as it is set to.
func (r *Rope[T]) MarshalJSON() ([]byte, error) {
	if r == nil {
		return []byte("null"), nil
	}
	var buf bytes.Buffer
	if bytesLike[T]() {
		buf.WriteByte('"')
		enc := base64.NewEncoder(base64.StdEncoding, &buf)
		r.leaves(func(chunk []T) bool {
			// T's kind is uint8: the same bytes, read, not written, by
			// the base64 encoder (writes to a bytes.Buffer do not fail).
			enc.Write(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(chunk))), len(chunk)))
			return true
		})
		enc.Close()
		buf.WriteByte('"')
		return buf.Bytes(), nil
	}
	// Each leaf is encoded as json encodes a []T, so that its elements are
	// addressable, as a slice's are, and json calls their pointer-receiver
	// MarshalJSON and MarshalText methods as it would for a []T; the
	// leaves' arrays are then spliced into one. Chunks hands out copies,
	// so such a method that writes its receiver (a cache, say) writes a
	// copy, never a leaf that clones share.
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	buf.WriteByte('[')
	for chunk := range r.Chunks() {
		start := buf.Len()
		if err := enc.Encode(chunk); err != nil {
			return nil, err
		}
		// Encode wrote "[...]\n": drop the brackets and the newline, and
		// put a comma where this leaf follows another.
		b := buf.Bytes()
		body := b[start+1 : len(b)-2]
		if start > 1 {
			b[start] = ','
			start++
		}
		buf.Truncate(start + copy(b[start:], body))
	}
	buf.WriteByte(']')
	return buf.Bytes(), nil
}

// bytesLike reports whether encoding/json writes a []T as a base64 string:
// T's kind is uint8 and neither T nor *T has a MarshalJSON or MarshalText
// method (json's own rule for byte slices).
func bytesLike[T any]() bool {
	t := reflect.TypeFor[T]()
	if t.Kind() != reflect.Uint8 {
		return false
	}
	p := reflect.PointerTo(t)
	return !p.Implements(reflect.TypeFor[json.Marshaler]()) && !p.Implements(reflect.TypeFor[encoding.TextMarshaler]())
}

// UnmarshalJSON implements json.Unmarshaler: it decodes data as
// encoding/json decodes into a nil []T and, on success, makes the result
// r's elements, in full leaves. A JSON null leaves r empty. The zero Rope
// is a ready target. On any error r is unchanged; r's old nodes are
// released, never decoded into, so a clone that shares them is never
// affected.
func (r *Rope[T]) UnmarshalJSON(data []byte) error {
	var d []T
	if err := json.Unmarshal(data, &d); err != nil {
		return err
	}
	r.adopt(d)
	return nil
}

// adopt replaces r's elements with d's, built into a new tree first.
func (r *Rope[T]) adopt(d []T) {
	root := build(d)
	r.Release()
	r.root, r.n = root, len(d)
}

// GobEncode implements gob.GobEncoder: a self-contained gob stream of the
// number of elements, then each leaf's elements as a []T, which
// [Rope.GobDecode] reads back. It reads a snapshot of r, a leaf at a time.
// A nil *Rope encodes as an empty one. An error encoding an element is
// gob's error.
func (r *Rope[T]) GobEncode() ([]byte, error) {
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	n := 0
	if r != nil {
		n = r.n
	}
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	if r != nil {
		for chunk := range r.Chunks() { // copies: see MarshalJSON
			if err := enc.Encode(chunk); err != nil {
				return nil, err
			}
		}
	}
	return buf.Bytes(), nil
}

// GobDecode implements gob.GobDecoder: it decodes data as [Rope.GobEncode]
// writes it into a new tree and, on success, makes that r's elements. The
// zero Rope is a ready target.
//
// It treats data as input from outside: truncated, corrupted or trailing
// data, a count that does not match the elements that follow, or an empty
// chunk is an error, and on any error r is unchanged. The count is only
// compared, never used to size an allocation; each chunk's length is
// checked by encoding/gob, which refuses one longer than the data left for
// most element types but may first allocate up to about 10 MiB for a
// forged one (encoding/gob itself is not hardened against adversarial
// input; see its package doc).
func (r *Rope[T]) GobDecode(data []byte) error {
	fail := func(err error) error {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("rope: GobDecode: %w", err)
	}
	rd := bytes.NewReader(data) // an io.ByteReader: gob reads no further than each value
	dec := gob.NewDecoder(rd)
	var n int
	if err := dec.Decode(&n); err != nil {
		return fail(err)
	}
	if n < 0 {
		return fail(fmt.Errorf("negative length %d", n))
	}
	var root *node[T]
	got := 0
	for got < n {
		var chunk []T
		if err := dec.Decode(&chunk); err != nil {
			drop0(root)
			return fail(err)
		}
		if len(chunk) == 0 || len(chunk) > n-got {
			drop0(root)
			return fail(fmt.Errorf("a chunk of %d elements after %d of %d", len(chunk), got, n))
		}
		root = join(root, build(chunk))
		got += len(chunk)
	}
	if rd.Len() != 0 {
		drop0(root)
		return fail(fmt.Errorf("%d bytes after the value", rd.Len()))
	}
	r.Release()
	r.root, r.n = root, n
	return nil
}

// drop0 lets go of a tree that may be empty.
func drop0[T any](n *node[T]) {
	if n != nil {
		drop(n)
	}
}
