package cowmap

import (
	"maps"

	"github.com/cowkit/cowkit/internal/refcount"
)

// Map is an implicitly shared map from K to V.
//
// The zero Map is empty and ready for use. b := a aliases one handle;
// a.Clone() makes an independent handle that shares a's entries until one of
// the two writes. A handle is not safe for concurrent mutation; distinct
// handles that share entries may be used on different goroutines.
//
// A Map encodes and prints as the map[K]V it holds: as a JSON object, with
// encoding/json's rules for map keys, through gob, and with fmt as
// map[a:1 b:2], so a struct field that changes from map[K]V to *Map[K, V]
// keeps its JSON (in gob it does not: see [Map.GobEncode]).
//
// Hold a Map by pointer, as every method expects: fmt and encoding/json
// find the methods of a Map held by value in a struct only when they can
// take its address, and otherwise print its internals or encode it as {}
// (go vet reports copying such a struct). A value that reaches itself
// through a Map makes MarshalJSON recurse until the stack overflows, as
// gob does for such values: encoding/json's cycle check does not see
// through MarshalJSON methods.
type Map[K comparable, V any] struct {
	_ refcount.NoCopy
	r refcount.Ref[map[K]V]
}

// New returns an empty map. It allocates only the handle.
func New[K comparable, V any]() *Map[K, V] {
	return new(Map[K, V])
}

// From returns a map holding a copy of m's entries (m itself is not kept).
func From[K comparable, V any](m map[K]V) *Map[K, V] {
	c := new(Map[K, V])
	if len(m) > 0 {
		c.r = refcount.Own(maps.Clone(m))
	}
	return c
}

// Len returns the number of entries. The complexity is O(1).
func (m *Map[K, V]) Len() int { return len(m.r.Data) }

// Get returns the value stored under k and whether there is one. It never
// copies and never allocates.
func (m *Map[K, V]) Get(k K) (V, bool) {
	v, ok := m.r.Data[k]
	return v, ok
}

// Set stores v under k. If m shares its entries, Set first copies them
// (O(n), like maps.Clone); otherwise it writes in place, and allocates only
// when the Go map grows. Overwriting an existing key does not allocate,
// with one exception that is Go's map's own: a map of exactly 8 entries
// keeps them in one group and grows into a table on its next write,
// whatever the key.
func (m *Map[K, V]) Set(k K, v V) {
	if !m.r.Unique() {
		m.copyUp()
	}
	m.r.Data[k] = v
}

// Delete removes the entry for k and reports whether there was one. Deleting
// a key that is not there never copies. If m shares its entries and k is
// there, Delete first copies them (O(n), like maps.Clone, which also keeps
// the Go map's table size), then deletes k from the copy; otherwise it
// deletes in place and allocates nothing.
func (m *Map[K, V]) Delete(k K) bool {
	d := m.r.Data
	if _, ok := d[k]; !ok {
		return false
	}
	if m.r.Unique() {
		delete(d, k)
		return true
	}
	n := maps.Clone(d)
	delete(n, k)
	m.r.Replace(n)
	return true
}

// copyUp gives m a private copy of its entries. maps.Clone copies the Go
// map's groups as they are, without hashing any key again, rather than
// reinserting every entry. Out of line, so that Set's unshared path stays
// small.
//
//go:noinline
func (m *Map[K, V]) copyUp() {
	n := maps.Clone(m.r.Data)
	if n == nil {
		n = make(map[K]V)
	}
	m.r.Replace(n)
}

// Clone returns a new handle that shares m's entries. It is O(1) in the size
// of m and allocates only the new handle. The copy is deferred: the first of
// m and the clone to write copies the entries (O(n)), and the other keeps the
// original map. Clone does not modify m, so concurrent calls on one handle
// are safe.
func (m *Map[K, V]) Clone() *Map[K, V] {
	return &Map[K, V]{r: m.r.Share()}
}

// Release drops m's share of its entries and leaves m empty and usable, as a
// zero Map. If exactly one other handle shared them, that handle owns them
// alone again and writes in place. Releasing twice is harmless.
func (m *Map[K, V]) Release() { m.r.Drop() }

// Shared reports whether m's entries are currently shared with another live
// handle, or with a loop over m that is running, so that the next write to m
// will copy them first.
func (m *Map[K, V]) Shared() bool { return m.r.Shared() }
