package cowstring

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unsafe"
)

// view returns s's bytes as a Go string without pinning them, unlike
// [String.String]. The result is valid only until the next write to s, so
// it must not outlive the call that takes it: it is for handing s's bytes
// to an encoder or to fmt, which copy them before returning. No other
// handle writes the bytes meanwhile: a handle that shares the buffer copies
// before it writes.
func (s *String) view() string {
	if s.n == 0 {
		return ""
	}
	return unsafe.String(&s.r.Data[s.off], s.n)
}

// MarshalJSON implements json.Marshaler: s is written exactly as
// encoding/json writes a Go string holding its bytes, as a JSON string,
// with invalid UTF-8 replaced by U+FFFD as json replaces it. A nil *String
// is written as null, as json writes any nil pointer. MarshalJSON itself
// escapes no HTML characters: json.Marshal, or the json.Encoder that calls
// it, escapes them as it is set to (see json.Encoder.SetEscapeHTML),
// exactly as it does for a Go string.
//
// MarshalJSON copies s's bytes only into the JSON text, and unlike
// [String.String] it pins none of them: it leaves s as shared as it was.
func (s *String) MarshalJSON() ([]byte, error) {
	if s == nil {
		return []byte("null"), nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // json escapes a MarshalJSON result itself, as its caller asks
	if err := enc.Encode(s.view()); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil // Encode ends the value with a newline
}

// UnmarshalJSON implements json.Unmarshaler: it decodes data as
// encoding/json decodes into a Go string and, on success, makes the result
// s's bytes, in a new buffer. A JSON null leaves s unchanged, as json
// leaves a Go string unchanged for null (for a *String field json sets the
// field itself to nil and does not call UnmarshalJSON). The zero String is
// a ready target, so json can fill a nil *String field with a new String.
//
// On any error, such as a *json.UnmarshalTypeError for a JSON number or a
// *json.SyntaxError, s is unchanged. Strings returned by [String.String]
// earlier keep their values, and a clone that shares s's buffer is never
// affected.
func (s *String) UnmarshalJSON(data []byte) error {
	var p *string // stays nil for null, which leaves a Go string unchanged
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	if p != nil {
		s.adopt(*p)
	}
	return nil
}

// GobEncode implements gob.GobEncoder: it returns s's bytes as a
// gob.Encoder writes a Go string holding them, a self-contained gob stream
// that [String.GobDecode] reads back. Like [String.MarshalJSON] it pins no
// byte and leaves s as shared as it was. A nil *String encodes as an empty
// one.
func (s *String) GobEncode() ([]byte, error) {
	var v string
	if s != nil {
		v = s.view()
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// GobDecode implements gob.GobDecoder: it decodes data, as
// [String.GobEncode] writes it, and on success makes the result s's bytes,
// in a new buffer. The zero String is a ready target.
//
// It treats data as input from outside: truncated data is an error
// (io.ErrUnexpectedEOF when data is empty or ends inside the stream), and
// so are corrupted data, data of another type, and bytes after the value;
// gob checks a string's length against the data before it allocates. On
// any error s is unchanged. encoding/gob itself is not hardened against
// adversarial input (see its package doc).
func (s *String) GobDecode(data []byte) error {
	r := bytes.NewReader(data) // an io.ByteReader: gob reads no further than the value
	var v string
	if err := gob.NewDecoder(r).Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("cowstring: GobDecode: %w", err)
	}
	if r.Len() != 0 {
		return fmt.Errorf("cowstring: GobDecode: %d bytes after the value", r.Len())
	}
	s.adopt(v)
	return nil
}

// adopt makes a copy of v s's bytes, in a new buffer that no one else sees:
// the copy is made first, then s drops its share of the old buffer
// (Replace's order). An empty v leaves s as the zero String.
func (s *String) adopt(v string) {
	if len(v) == 0 {
		s.Release()
		return
	}
	b := []byte(v)
	s.r.Replace(b[:cap(b)]) // the whole allocation, spare room included, as New keeps it
	s.off, s.n = 0, len(v)
}
