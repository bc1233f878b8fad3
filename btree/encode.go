package btree

import (
	"bytes"
	"encoding"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
)

// ErrNoOrdering is the error of [Map.UnmarshalJSON] and [Map.GobDecode] on
// a Map that was not made by [New] or [NewFunc], such as the zero Map that
// encoding/json and encoding/gob allocate for a nil *Map field: decoding
// needs the ordering the map is to be built in.
var ErrNoOrdering = errors.New("btree: decoding into a Map with no ordering; make it with btree.New or btree.NewFunc first")

// keyRule is how encoding/json turns a map key into an object's member
// name and back.
type keyRule uint8

const (
	keyUnsupported keyRule = iota
	keyString              // a string kind: the string itself
	keyText                // encoding.TextMarshaler or TextUnmarshaler
	keyInt                 // a signed integer kind, in decimal
	keyUint                // an unsigned integer kind, in decimal
)

var (
	textMarshalerType   = reflect.TypeFor[encoding.TextMarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonMarshalerType   = reflect.TypeFor[json.Marshaler]()
)

// intRule returns keyInt or keyUint for an integer kind, else keyUnsupported.
func intRule(k reflect.Kind) keyRule {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return keyInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return keyUint
	}
	return keyUnsupported
}

// encodeRule is the rule encoding/json's map encoder applies to keys of
// type t: a string kind first (even if it implements TextMarshaler), then
// TextMarshaler (on t itself: a map key is not addressable), then the
// integer kinds.
func encodeRule(t reflect.Type) keyRule {
	switch {
	case t.Kind() == reflect.String:
		return keyString
	case t.Implements(textMarshalerType):
		return keyText
	}
	return intRule(t.Kind())
}

// decodeRule is the rule encoding/json's decoder applies to keys of type
// t, in the other order: TextUnmarshaler (on *t) first, then a string
// kind, then the integer kinds.
func decodeRule(t reflect.Type) keyRule {
	switch {
	case reflect.PointerTo(t).Implements(textUnmarshalerType):
		return keyText
	case t.Kind() == reflect.String:
		return keyString
	}
	return intRule(t.Kind())
}

// MarshalJSON implements json.Marshaler: m is written as a JSON object,
// as encoding/json writes a Go map, except that the members come in m's
// ascending key order, not sorted by their names (so integer keys come in
// numeric order: 2 before 10).
//
// Keys follow encoding/json's rules for map keys: a key whose kind is
// string is written as itself (even if its type implements
// encoding.TextMarshaler), then a key type that implements
// encoding.TextMarshaler is written as the text its MarshalText returns
// (a nil pointer as ""), and a key of an integer kind as a decimal string.
// For any other key type, such as float64 or a struct, MarshalJSON returns
// a *json.UnsupportedTypeError (naming the *Map type), as json.Marshal does
// for a Go map with such keys, even when m is empty. Values are encoded by
// encoding/json, each as it would be as the value of a Go map (not
// addressable, so methods with pointer receivers are not used), and an
// error encoding one is returned as json returns it. MarshalJSON itself
// escapes no HTML characters: json.Marshal, or the json.Encoder that calls
// it, escapes them as it is set to (see json.Encoder.SetEscapeHTML),
// exactly as it does for a Go map.
//
// MarshalJSON writes the entries one by one from a snapshot of m, as All
// iterates: it copies no entry into a Go map or a slice, and as a read it
// never copies a node that m shares, nor makes m's next write copy one.
// A nil *Map is written as null.
func (m *Map[K, V]) MarshalJSON() ([]byte, error) {
	if m == nil {
		return []byte("null"), nil
	}
	kt := reflect.TypeFor[K]()
	rule := encodeRule(kt)
	if rule == keyUnsupported {
		return nil, &json.UnsupportedTypeError{Type: reflect.TypeFor[*Map[K, V]]()}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // json escapes a Marshaler's output as its caller asks
	// encode writes x and cuts the newline json.Encoder ends it with.
	encode := func(x any) error {
		if err := enc.Encode(x); err != nil {
			return err
		}
		buf.Truncate(buf.Len() - 1)
		return nil
	}
	// The key's kind is read through a reflect.Value of one variable that
	// every key passes through, and a string key is encoded through a
	// pointer to another: neither allocates per key.
	var key K
	rk := reflect.ValueOf(&key).Elem()
	var name string
	// A value goes through a pointer to one variable too, which json
	// reaches as an addressable value, unless V holds (in itself, its
	// fields or its array elements) a type whose marshaling methods have
	// pointer receivers: json would call those for an addressable value
	// but not for a Go map's. Such a V is passed as it is (an allocation
	// each, unless V is a pointer), and so is a V with marshaling methods
	// of its own, so that an error from one names V, not *V.
	var val V
	vt := reflect.TypeFor[V]()
	byValue := addressMatters(vt) || vt.Implements(jsonMarshalerType) || vt.Implements(textMarshalerType)
	buf.WriteByte('{')
	first := true
	for k, v := range m.All() {
		if !first {
			buf.WriteByte(',')
		}
		first = false
		key = k
		switch rule {
		case keyString:
			name = rk.String()
			if err := encode(&name); err != nil {
				return nil, err
			}
		case keyText:
			s, err := textKey(k)
			if err != nil {
				return nil, fmt.Errorf("btree: MarshalJSON: the key of type %v: %w", kt, err)
			}
			name = s
			if err := encode(&name); err != nil {
				return nil, err
			}
		case keyInt, keyUint:
			b := append(buf.AvailableBuffer(), '"')
			if rule == keyInt {
				b = strconv.AppendInt(b, rk.Int(), 10)
			} else {
				b = strconv.AppendUint(b, rk.Uint(), 10)
			}
			buf.Write(append(b, '"'))
		}
		buf.WriteByte(':')
		var err error
		if byValue {
			err = encode(v)
		} else {
			val = v
			err = encode(&val)
		}
		if err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// addressMatters reports whether encoding/json may encode a value of type
// t differently when it is addressable: whether t, or a field or array
// element stored inside it, has MarshalJSON or MarshalText only on its
// pointer. (What t refers to through a pointer, slice or map is
// addressable either way, and what an interface holds is not.)
func addressMatters(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	if pt.Implements(jsonMarshalerType) && !t.Implements(jsonMarshalerType) ||
		pt.Implements(textMarshalerType) && !t.Implements(textMarshalerType) {
		return true
	}
	switch t.Kind() {
	case reflect.Struct:
		for i := range t.NumField() {
			if addressMatters(t.Field(i).Type) {
				return true
			}
		}
	case reflect.Array:
		return addressMatters(t.Elem())
	}
	return false
}

// textKey returns the member name of a key whose type implements
// encoding.TextMarshaler.
func textKey[K any](k K) (string, error) {
	tm, ok := any(k).(encoding.TextMarshaler)
	if !ok {
		// Only a nil interface value of an interface key type gets here
		// (encoding/json panics on it).
		return "", errors.New("a nil interface value")
	}
	if v := reflect.ValueOf(tm); v.Kind() == reflect.Pointer && v.IsNil() {
		return "", nil
	}
	b, err := tm.MarshalText()
	return string(b), err
}

// UnmarshalJSON implements json.Unmarshaler: it replaces m's contents with
// the members of a JSON object, and keeps m's ordering. m must have been
// made by [New] or [NewFunc]: on any other Map, such as the zero Map,
// UnmarshalJSON returns [ErrNoOrdering]. So a struct field of type *Map
// must be set with New before json.Unmarshal fills the struct: for a nil
// field, json allocates a zero Map, which gets that error. A JSON null
// leaves m empty, as json sets a Go map to nil for null, and is no error
// on any Map (for a *Map field json sets the field itself to nil and does
// not call UnmarshalJSON), as for a cowmap.Map.
//
// Member names become keys by encoding/json's rules for a Go map's keys:
// a key type whose pointer implements encoding.TextUnmarshaler decodes with
// it (or with its UnmarshalJSON, given the name as a JSON string, if the
// pointer implements json.Unmarshaler too, as json does), then a string
// kind takes the name as it is, and an integer kind parses it in decimal
// (out of range is a *json.UnmarshalTypeError). Values are decoded by
// encoding/json into a zero V each. For a name that appears twice, the
// later member wins, as it does for a Go map. Another key type, or JSON
// that is not an object, is a *json.UnmarshalTypeError; malformed JSON is
// the json.Decoder's error.
//
// The entries are built into a new tree and published only once the whole
// object has been read: on any error m is unchanged. The cost is O(n log n)
// in general and O(n) when the keys arrive in ascending order, as
// MarshalJSON writes them (see [Map.Insert]).
func (m *Map[K, V]) UnmarshalJSON(data []byte) error {
	if string(bytes.TrimSpace(data)) == "null" {
		if m != nil {
			m.Release()
		}
		return nil
	}
	if m == nil || m.search == nil {
		return ErrNoOrdering
	}
	mt := reflect.TypeFor[*Map[K, V]]()
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return unexpectedEOF(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return &json.UnmarshalTypeError{Value: jsonKind(tok), Type: mt, Offset: dec.InputOffset()}
	}
	kt := reflect.TypeFor[K]()
	rule := decodeRule(kt)
	if rule == keyUnsupported {
		return &json.UnmarshalTypeError{Value: "object", Type: mt, Offset: dec.InputOffset()}
	}
	c := &Map[K, V]{search: m.search, cmp: m.cmp}
	if err := c.decodeMembers(dec, kt, rule); err != nil {
		c.Release()
		return err
	}
	m.adopt(c)
	return nil
}

// decodeMembers reads the members of an object whose '{' dec has read,
// and the end of the input, into c, a map no one else sees.
func (c *Map[K, V]) decodeMembers(dec *json.Decoder, kt reflect.Type, rule keyRule) error {
	var key K
	rk := reflect.ValueOf(&key).Elem()
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return unexpectedEOF(err)
		}
		name, ok := tok.(string)
		if !ok { // unreachable: the decoder accepts only a string here
			return fmt.Errorf("btree: UnmarshalJSON: a member name of type %T", tok)
		}
		switch rule {
		case keyText:
			var k K
			if u, ok := any(&k).(json.Unmarshaler); ok {
				q, _ := json.Marshal(name) // a string always marshals
				err = u.UnmarshalJSON(q)
			} else {
				err = any(&k).(encoding.TextUnmarshaler).UnmarshalText([]byte(name))
			}
			if err != nil {
				return err
			}
			key = k
		case keyString:
			rk.SetString(name)
		case keyInt:
			n, err := strconv.ParseInt(name, 10, 64)
			if err != nil || rk.OverflowInt(n) {
				return &json.UnmarshalTypeError{Value: "number " + name, Type: kt, Offset: dec.InputOffset()}
			}
			rk.SetInt(n)
		case keyUint:
			n, err := strconv.ParseUint(name, 10, 64)
			if err != nil || rk.OverflowUint(n) {
				return &json.UnmarshalTypeError{Value: "number " + name, Type: kt, Offset: dec.InputOffset()}
			}
			rk.SetUint(n)
		}
		var v V
		if err := dec.Decode(&v); err != nil {
			return unexpectedEOF(err)
		}
		c.put(key, v)
	}
	if _, err := dec.Token(); err != nil { // the '}': More said there is no member
		return unexpectedEOF(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("btree: UnmarshalJSON: data after the object")
		}
		return err
	}
	return nil
}

// jsonKind names a JSON value by its first token, as encoding/json's
// UnmarshalTypeError does.
func jsonKind(tok json.Token) string {
	switch tok.(type) {
	case json.Delim: // only '[' can start a value that is not an object
		return "array"
	case string:
		return "string"
	case bool:
		return "bool"
	case nil:
		return "null"
	}
	return "number"
}

// unexpectedEOF turns the io.EOF of input that ends inside a value into
// io.ErrUnexpectedEOF, as json.Unmarshal reports it.
func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// put sets k to v in c, a map being built: keys that arrive ascending are
// appended without a search, as Insert appends them.
func (c *Map[K, V]) put(k K, v V) {
	if !c.appendMax(k, v) {
		c.Set(k, v)
	}
}

// adopt replaces m's contents with those of c, a map with m's ordering
// that no one else sees, which is left empty.
func (m *Map[K, V]) adopt(c *Map[K, V]) {
	m.Release()
	m.root, m.height, m.length = c.root, c.height, c.length
	c.root, c.height, c.length = nil, 0, 0
}

// GobEncode implements gob.GobEncoder: it writes, through one gob.Encoder,
// the number of entries and then each key and value in ascending key
// order, read from a snapshot of m as All iterates: no entry is copied
// into a slice or a Go map, and as a read it never copies a node that m
// shares. Keys and values are encoded as gob encodes them; a nil pointer
// key or value is an error, as it is in a Go map. A nil *Map encodes as an
// empty one.
func (m *Map[K, V]) GobEncode() ([]byte, error) {
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	if m == nil {
		if err := enc.Encode(0); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	if err := enc.Encode(m.length); err != nil {
		return nil, err
	}
	// Each key and value goes to gob through a pointer to one variable,
	// which does not allocate per entry. gob sends the value pointed to,
	// so a nil pointer key or value is refused here, as gob refuses one in
	// a Go map (its Encode panics on a nil pointer at the top level).
	var key K
	var val V
	rk, rv := reflect.ValueOf(&key).Elem(), reflect.ValueOf(&val).Elem()
	kp, vp := rk.Kind() == reflect.Pointer, rv.Kind() == reflect.Pointer
	for k, v := range m.All() {
		key, val = k, v
		if kp && rk.IsNil() || vp && rv.IsNil() {
			what, t := "key", rk.Type()
			if !kp || !rk.IsNil() {
				what, t = "value", rv.Type()
			}
			return nil, fmt.Errorf("btree: GobEncode: cannot encode a nil pointer %s of type %v", what, t)
		}
		if err := enc.Encode(&key); err != nil {
			return nil, err
		}
		if err := enc.Encode(&val); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// GobDecode implements gob.GobDecoder: it replaces m's contents with the
// entries GobEncode wrote, and keeps m's ordering. Like UnmarshalJSON it
// needs a map made by [New] or [NewFunc], and returns [ErrNoOrdering] on
// any other (so a *Map field must be set with New before gob decodes into
// its struct), and a key that appears twice keeps its later value.
//
// It treats data as hostile: a truncated, corrupted or forged encoding is
// an error (io.ErrUnexpectedEOF for one that ends early, as is a count
// larger than the entries that follow), and so are a negative count and
// bytes after the last entry. Nothing is allocated by the count: each
// entry is decoded from the bytes that hold it, and a key or value of a
// map type is decoded into a map made empty beforehand, since gob sizes a
// map it makes itself by the count in the stream, unchecked. Sizes inside
// keys and values (a slice's length, a map nested deeper) are gob's
// to check, and encoding/gob is not hardened against adversarial input
// (see its package doc). The entries are built into a new tree and
// published only on success: on any error m is unchanged.
func (m *Map[K, V]) GobDecode(data []byte) error {
	if m == nil || m.search == nil {
		return ErrNoOrdering
	}
	r := bytes.NewReader(data) // an io.ByteReader: gob reads no further than it needs
	dec := gob.NewDecoder(r)
	var n int
	if err := dec.Decode(&n); err != nil {
		return fmt.Errorf("btree: GobDecode: the count: %w", unexpectedEOF(err))
	}
	if n < 0 {
		return fmt.Errorf("btree: GobDecode: a count of %d", n)
	}
	c := &Map[K, V]{search: m.search, cmp: m.cmp}
	newK, newV := decodeTarget[K](), decodeTarget[V]()
	for i := range n {
		k, v := newK(), newV()
		if err := dec.Decode(&k); err != nil {
			c.Release()
			return fmt.Errorf("btree: GobDecode: the key of entry %d: %w", i, unexpectedEOF(err))
		}
		if err := dec.Decode(&v); err != nil {
			c.Release()
			return fmt.Errorf("btree: GobDecode: the value of entry %d: %w", i, unexpectedEOF(err))
		}
		c.put(k, v)
	}
	if r.Len() != 0 {
		c.Release()
		return fmt.Errorf("btree: GobDecode: %d bytes after the last of %d entries", r.Len(), n)
	}
	m.adopt(c)
	return nil
}

// decodeTarget returns a function that makes what gob decodes one T into:
// the zero T, or for a map type a new empty map, which gob fills as it is
// rather than making one sized by the stream's count.
func decodeTarget[T any]() func() T {
	t := reflect.TypeFor[T]()
	if t.Kind() != reflect.Map {
		return func() T { var v T; return v }
	}
	return func() T { return reflect.MakeMap(t).Interface().(T) }
}
