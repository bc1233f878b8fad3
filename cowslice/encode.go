package cowslice

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// plain returns the plain slice that elements d stand for: an empty Slice
// stands for an empty, non-nil []T, whether or not it holds an array.
func plain[T any](d []T) []T {
	if d == nil {
		return []T{}
	}
	return d
}

// MarshalJSON implements json.Marshaler: s is written exactly as
// encoding/json writes the []T it holds, as a JSON array of its elements
// ([1,2,3]); an empty Slice is written as an empty []T is, [], never as
// null. So a Slice[byte] is written as json writes a []byte, as a base64
// string, not as an array of numbers: that keeps a struct field that
// changes from []T to *Slice[T] compatible on the wire, for every T. A nil
// *Slice is written as null, as json writes any nil pointer.
//
// An error encoding an element is returned as json returns it for a []T;
// json.Marshal wraps it in a *json.MarshalerError, which errors.As sees
// through. MarshalJSON itself escapes no HTML characters: json.Marshal, or
// the json.Encoder that calls it, escapes them as it is set to (see
// json.Encoder.SetEscapeHTML), exactly as it does for a []T.
//
// MarshalJSON reads a snapshot of s, as [Slice.All] does: it copies no
// element, and as a read it leaves s exactly as shared as it was. As for a
// []T, json calls a MarshalJSON or MarshalText method with a pointer
// receiver with a pointer to the element itself: such a method must not
// modify its receiver, which other handles may share.
func (s *Slice[T]) MarshalJSON() ([]byte, error) {
	if s == nil {
		return []byte("null"), nil
	}
	r := s.r.Share()
	defer r.Drop()
	return marshalJSON(plain(r.Data))
}

// marshalJSON returns v as encoding/json writes it, with no HTML escaped:
// json escapes the result of a MarshalJSON method itself, as its caller
// asks, so escaping here would escape for a caller that asked for none.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil // Encode ends the value with a newline
}

// UnmarshalJSON implements json.Unmarshaler: it decodes data as
// encoding/json decodes into a nil []T and, on success, makes the result
// s's elements. A JSON null leaves s empty, as json sets a []T to nil for
// null (for a *Slice field json sets the field itself to nil and does not
// call UnmarshalJSON). The zero Slice is a ready target, so json can fill
// a nil *Slice field with a new Slice.
//
// The elements are decoded into a new array and published only on
// success: on any error, such as a *json.UnmarshalTypeError or a
// *json.SyntaxError, s is unchanged (json keeps what it decoded before the
// error in a []T). s's old elements are replaced, never decoded into as
// json decodes into the array of a non-nil []T, so a clone that shares
// them is never affected. The options of a json.Decoder that calls
// UnmarshalJSON, such as DisallowUnknownFields and UseNumber, do not reach
// it: the json.Unmarshaler interface does not carry them.
func (s *Slice[T]) UnmarshalJSON(data []byte) error {
	var d []T
	if err := json.Unmarshal(data, &d); err != nil {
		return err
	}
	s.adopt(d)
	return nil
}

// GobEncode implements gob.GobEncoder: it returns s's elements as a
// gob.Encoder writes the []T they stand for, a self-contained gob stream
// that [Slice.GobDecode] reads back. Elements are encoded as gob encodes
// those of a []T, and an error encoding one is gob's error. GobEncode reads
// a snapshot of s, as [Slice.MarshalJSON] does: it copies no element and
// leaves s as shared as it was. A nil *Slice encodes as an empty one.
func (s *Slice[T]) GobEncode() ([]byte, error) {
	var d []T
	if s != nil {
		r := s.r.Share()
		defer r.Drop()
		d = r.Data
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// GobDecode implements gob.GobDecoder: it decodes data, as [Slice.GobEncode]
// writes it, into a new array and, on success, makes that s's elements. The
// zero Slice is a ready target.
//
// It treats data as input from outside: truncated data is an error
// (io.ErrUnexpectedEOF when data is empty or ends inside the stream), and
// so are corrupted data, data of another type, and bytes after the value;
// on any error s is unchanged. Lengths are checked by encoding/gob, which
// refuses a length longer than the data left for most element types but
// may first allocate up to about 10 MiB for a forged one; gob decodes
// maps nested inside T as it decodes any map, which it does not harden
// against forged lengths. encoding/gob itself is not hardened against
// adversarial input (see its package doc): the checks above are
// GobDecode's own and gob's length checks.
func (s *Slice[T]) GobDecode(data []byte) error {
	r := bytes.NewReader(data) // an io.ByteReader: gob reads no further than the value
	var d []T
	if err := gob.NewDecoder(r).Decode(&d); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("cowslice: GobDecode: %w", err)
	}
	if r.Len() != 0 {
		return fmt.Errorf("cowslice: GobDecode: %d bytes after the value", r.Len())
	}
	s.adopt(d)
	return nil
}

// adopt makes d, an array that no one else sees, s's elements: the copy is
// built first, then s drops its share of the old ones (Replace's order).
// An empty d leaves s as the zero Slice.
func (s *Slice[T]) adopt(d []T) {
	if len(d) == 0 {
		s.r.Drop()
		return
	}
	s.r.Replace(d)
}
