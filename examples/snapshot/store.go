package main

import (
	"sync"

	"github.com/cowkit/cowkit/btree"
)

// A Store is an in-memory key-value store on a btree.Map: one writer at a
// time changes it in transactions, and any number of readers take
// snapshots, each a consistent view of one committed version, in O(1)
// whatever the store's size.
//
// Every committed version is immutable: nobody writes it again. A
// transaction works on a clone of the newest version (O(1)); its writes copy
// the paths they touch and leave the version readers see alone. Committing
// publishes the clone as the newest version; rolling back releases it.
type Store struct {
	wmu sync.Mutex // one transaction at a time

	mu      sync.Mutex // guards head and version
	head    *btree.Map[string, int64]
	version int
}

// NewStore returns a store whose first version is m; the store takes m
// over, so the caller must not use it afterwards.
func NewStore(m *btree.Map[string, int64]) *Store {
	return &Store{head: m}
}

// A Snapshot is one committed version of a store: its own handle on the
// version's tree, which no later transaction changes. Release it when done,
// so that the writer's next changes to its nodes need not copy them.
type Snapshot struct {
	*btree.Map[string, int64]
	Version int
}

// Snapshot returns the newest committed version. It is O(1): a clone.
func (s *Store) Snapshot() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Snapshot{s.head.Clone(), s.version}
}

// Get returns k's value in the newest committed version. A reader that
// calls Get for key after key sees each at its newest version, which is
// "read committed", not a snapshot: values of different versions mixed.
func (s *Store) Get(k string) (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.head.Get(k)
}

// Update runs fn in a transaction on a clone of the newest version. If fn
// returns nil, Update commits: the clone becomes the newest version, all at
// once for every reader. If fn returns an error, Update rolls back: it
// releases the clone, and nobody ever saw its writes. fn must not keep tx.
func (s *Store) Update(fn func(tx *btree.Map[string, int64]) error) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.Lock()
	tx := s.head.Clone()
	s.mu.Unlock()
	if err := fn(tx); err != nil {
		tx.Release()
		return err
	}
	s.mu.Lock()
	old := s.head
	s.head = tx
	s.version++
	s.mu.Unlock()
	// No reader can reach old any more: each cloned it under mu, so each
	// has its own handle. Releasing it lets the nodes only it held go.
	old.Release()
	return nil
}

// A History is undo and redo as a list of versions: each edit makes a new
// version, a clone of the current one plus the edit's changes, so a version
// costs the paths its edit copied, not a copy of the map.
type History[K, V any] struct {
	versions []*btree.Map[K, V] // oldest first; none is written once added
	at       int                // index of the current version
}

// NewHistory returns a history whose first version is m; it takes m over.
func NewHistory[K, V any](m *btree.Map[K, V]) *History[K, V] {
	return &History[K, V]{versions: []*btree.Map[K, V]{m}}
}

// Current returns the current version. It is shared with the history: read
// it, clone it, but do not write it.
func (h *History[K, V]) Current() *btree.Map[K, V] { return h.versions[h.at] }

// Version returns the index of the current version, 0 for the first.
func (h *History[K, V]) Version() int { return h.at }

// Len returns the number of versions kept, redoable ones included.
func (h *History[K, V]) Len() int { return len(h.versions) }

// At returns version i; as with Current, do not write it.
func (h *History[K, V]) At(i int) *btree.Map[K, V] { return h.versions[i] }

// Do makes a new version: a clone of the current one, changed by edit. The
// versions that Redo could have reached are dropped (released), as an
// editor drops its redo stack on a new edit.
func (h *History[K, V]) Do(edit func(m *btree.Map[K, V])) {
	for _, v := range h.versions[h.at+1:] {
		v.Release()
	}
	clear(h.versions[h.at+1:])
	h.versions = h.versions[:h.at+1]
	next := h.versions[h.at].Clone()
	edit(next)
	h.versions = append(h.versions, next)
	h.at++
}

// Undo goes back one version, if there is one. It is O(1).
func (h *History[K, V]) Undo() bool {
	if h.at == 0 {
		return false
	}
	h.at--
	return true
}

// Redo goes forward one version, if an Undo left one. It is O(1).
func (h *History[K, V]) Redo() bool {
	if h.at == len(h.versions)-1 {
		return false
	}
	h.at++
	return true
}
