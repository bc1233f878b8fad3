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
// # Iteration
//
// Every iterator ([Map.All], [Map.Values], [Map.Keys]) ranges over a snapshot: when
// the loop starts it takes a share of the entries, as a Clone would, and
// drops it when the loop ends, however it ends. The loop body may write to
// the handle it ranges over, or Release it: the write copies first (once),
// and the loop goes on over the entries as they were. A clone written on
// another goroutine meanwhile copies before it writes, because the running
// loop still counts as a holder; without that share it could find itself
// the only other holder and write the map in place under the loop. A
// loop costs two atomic operations and, written directly over the iterator,
// allocates nothing; the snapshot is
// free unless the body writes.
//
// The snapshot is taken when the loop starts, not when the iterator is
// made, and taking it reads the handle: to range over a handle on another
// goroutine while its owner writes it, hand that goroutine a Clone.
//
// # Encoding and printing
//
// A Map encodes and prints as the Go map it holds: [Map.MarshalJSON]
// writes exactly what encoding/json writes for the map[K]V (a JSON object,
// members sorted, the same key types allowed and the same errors for
// others), and [Map.UnmarshalJSON] decodes with encoding/json's rules for a
// Go map. gob round-trips a Map through [Map.GobEncode] and [Map.GobDecode],
// and fmt prints one as it prints the Go map, map[a:1] ([Map.Format]). All
// of them hand the Go map itself to the encoder or to fmt, from a snapshot
// as the iterators take one, and copy no entry; the decoders build a new
// Go map and change the handle only on success.
//
// [Collect] and [Map.Insert] build a Map from an iterator, as maps.Collect
// and maps.Insert build a Go map.
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
