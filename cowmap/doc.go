// Package cowmap implements Map, a hash map with implicit sharing: Clone is
// O(1), and the map is copied only when a handle that shares it writes.
//
// # Sharing
//
// [Map.Clone] returns a second handle to the same Go map and counts the
// holders. Reads, iteration, and deleting a key that is not there never copy.
// The first write to a shared map copies it (the cost of maps.Clone), then
// writes; later writes to the private copy happen in place.
//
//	base := cowmap.From(map[string]string{"image": "alpine"})
//	c := base.Clone()         // O(1)
//	c.Set("cmd", "sh")        // c copies the map, then writes
//	_, ok := base.Get("cmd")  // false: base is unchanged
//
// # The copy-up tax
//
// The copy is of the whole map: O(n) to change one entry. That is the same
// "copy-up tax" a file-level copy-on-write filesystem (overlayfs) charges when
// it copies a whole file to change one byte. It is the right trade for small
// and medium maps, for maps that are read far more than written, and for
// snapshots that are taken rarely. For a large map that is cloned often and
// written a little after every clone, use btree.Map (package
// github.com/cowkit/cowkit/btree), whose copy-up is one root-to-leaf path:
// O(log n) per first write instead of O(n).
//
// # Handles
//
// A *Map is a handle. b := a makes two names for one handle; b := a.Clone()
// makes an independent one. Never copy the struct itself (b := *a): go vet
// reports it.
//
// # Concurrency
//
// Distinct handles that share a map may be used on different goroutines
// without locking. One handle is not safe for concurrent mutation, exactly
// like a Go map; concurrent reads of one handle, Clone included, are safe.
package cowmap
