package cowmap

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// plain returns the Go map that entries d stand for: an empty Map stands
// for an empty, non-nil map[K]V, whether or not it holds one.
func plain[K comparable, V any](d map[K]V) map[K]V {
	if d == nil {
		return map[K]V{}
	}
	return d
}

// MarshalJSON implements json.Marshaler: m is written exactly as
// encoding/json writes the map[K]V it holds, as a JSON object with its
// members sorted by name ({"a":1,"b":2}); an empty Map is written as an
// empty Go map is, {}, never as null. Keys follow json's rules for map keys
// (a string kind, an encoding.TextMarshaler, or an integer kind as a
// decimal string), and for any other key type MarshalJSON returns json's
// *json.UnsupportedTypeError for the map type, even when m is empty, as
// json.Marshal does for such a Go map. A nil *Map is written as null, as
// json writes any nil pointer.
//
// json.Marshal wraps an error from MarshalJSON in a *json.MarshalerError,
// which errors.As sees through. MarshalJSON itself escapes no HTML
// characters: json.Marshal, or the json.Encoder that calls it, escapes them
// as it is set to (see json.Encoder.SetEscapeHTML), exactly as it does for
// a Go map.
//
// MarshalJSON hands json the Go map m holds, not a copy, from a snapshot
// of m taken as [Map.All] takes one: it copies no entry, and as a read it
// leaves m exactly as shared as it was.
func (m *Map[K, V]) MarshalJSON() ([]byte, error) {
	if m == nil {
		return []byte("null"), nil
	}
	r := m.r.Share()
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
// encoding/json decodes into a nil map[K]V and, on success, makes the
// result m's entries. A JSON null leaves m empty, as json sets a Go map to
// nil for null (for a *Map field json sets the field itself to nil and does
// not call UnmarshalJSON). The zero Map is a ready target, so json can fill
// a nil *Map field with a new Map.
//
// The entries are decoded into a new Go map and published only on
// success: on any error, such as a *json.UnmarshalTypeError or a
// *json.SyntaxError, m is unchanged (json keeps what it decoded before the
// error in a Go map). m's old entries are replaced, not merged with the
// new ones as json merges into a non-nil Go map, so a clone that shares
// them is never affected. The options of a json.Decoder that calls
// UnmarshalJSON, such as DisallowUnknownFields and UseNumber, do not reach
// it: the json.Unmarshaler interface does not carry them.
func (m *Map[K, V]) UnmarshalJSON(data []byte) error {
	var d map[K]V
	if err := json.Unmarshal(data, &d); err != nil {
		return err
	}
	m.adopt(d)
	return nil
}

// GobEncode implements gob.GobEncoder: it returns m's entries as a
// gob.Encoder writes the map[K]V they stand for, a self-contained gob
// stream that [Map.GobDecode] reads back. Keys and values are encoded as
// gob encodes those of a Go map, and an error encoding one is gob's error.
// GobEncode reads a snapshot of m, as [Map.MarshalJSON] does: it copies no
// entry and leaves m as shared as it was. A nil *Map encodes as an empty
// one. gob sends the result as an opaque value, so a stream written with
// a map[K]V field does not decode into a *Map[K, V] field, nor the other
// way.
func (m *Map[K, V]) GobEncode() ([]byte, error) {
	var d map[K]V
	if m != nil {
		r := m.r.Share()
		defer r.Drop()
		d = r.Data
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// GobDecode implements gob.GobDecoder: it decodes data, as [Map.GobEncode]
// writes it, into a new Go map and, on success, makes that m's entries. A
// key that appears twice keeps its later value. The zero Map is a ready
// target.
//
// It treats data as input from outside: truncated data is an error
// (io.ErrUnexpectedEOF when data is empty or ends inside the stream), and
// so are corrupted data, data of another type, and bytes after the value;
// on any error m is unchanged. The entry count in the data allocates
// nothing: gob sizes a nil map by that count, unchecked, so GobDecode hands
// it a non-nil one, which grows only with the entries the data holds. Maps
// nested inside K or V are decoded as gob decodes any map, and gob does not
// harden those against forged counts; encoding/gob itself is not hardened
// against adversarial input (see its package doc).
func (m *Map[K, V]) GobDecode(data []byte) error {
	r := bytes.NewReader(data) // an io.ByteReader: gob reads no further than the value
	d := make(map[K]V)
	if err := gob.NewDecoder(r).Decode(&d); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("cowmap: GobDecode: %w", err)
	}
	if r.Len() != 0 {
		return fmt.Errorf("cowmap: GobDecode: %d bytes after the value", r.Len())
	}
	m.adopt(d)
	return nil
}

// adopt makes d, a Go map that no one else sees, m's entries: the new map
// is built first, then m drops its share of the old one (Replace's order).
// An empty d leaves m as the zero Map.
func (m *Map[K, V]) adopt(d map[K]V) {
	if len(d) == 0 {
		m.r.Drop()
		return
	}
	m.r.Replace(d)
}
