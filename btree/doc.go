// Package btree implements Map, an ordered map stored in a copy-on-write
// B+tree: Clone takes an O(1) snapshot, a write copies only the nodes on one
// root-to-leaf path, and Diff compares two versions in time proportional to
// what changed. It is the design Btrfs uses for its snapshots, from Ohad
// Rodeh's "B-Trees, Shadowing, and Clones" (ACM Transactions on Storage,
// 2008), brought into one Go process.
//
// # Shadowing
//
// Leaves hold the entries (up to 63 of them, keys and values in separate
// arrays); inner nodes hold separator keys, up to 10 children and the
// number of entries under each child, which [Map.At] and [Map.Rank] add up
// on their way down. A clone
// starts out as a second handle on the same root. A write never changes a
// node that another handle can see: it shadows it instead, copying the node
// and pointing the (already private) parent at the copy. So writing key 7
// in a clone copies one node per level and shares everything else:
//
//	c := m.Clone()                   then c.Set(7, x)
//
//	m ─┐                             m ──► R  [30 60] ──► A, B, C
//	   ├─► R [30 60] ──► A, B, C     c ──► R' [30 60] ──► A', B, C
//	c ─┘   (count 2)
//	                                 R', A': the copies c made, its own
//	A = [1 4 9 ...]   leaf           A' = [1 4 7 9 ...]
//	B = [30 ...]      leaf           B, C: still one node each, now held
//	C = [60 ...]      leaf                 by R and R' (count 2)
//
// # Lazy reference counts
//
// Every node counts its holders: the parents that point to it and the
// handles whose root it is. Clone adds one to the root's count and nothing
// else. Shadowing a node whose count is above one copies it, adds one to
// the count of each of its children (the copy now holds them too) and then
// takes one from the original's count, in that order, so the other holders
// never see a node they could mistake for their own. A node whose count is
// one belongs to the writer alone and is written in place, without
// allocating. [Map.Release] takes one from the root's count and goes down
// only into nodes whose count reaches zero. That is what lets a map write in
// place again once its clones are released, which google/btree and
// tidwall/btree, whose clones take a new ownership id, cannot do.
//
// # Costs
//
// For n entries: Get, Lookup, Set, Swap, Delete, Pop, PopMin, PopMax, At
// and Rank are O(log n); Clone is O(1) and allocates only the handle; the
// first write to a path after a Clone copies O(log n) nodes (for a million
// int entries, a 1 KiB leaf and five 248-byte inner nodes); iteration costs
// O(1) per entry after an O(log n) start; [Map.DeleteRange] copies O(log n)
// nodes however many entries it removes (the two paths at its ends and a few
// siblings; on a map that holds the dropped subtrees alone, freeing them
// visits their inner nodes); [Map.Insert] and [Collect] append ascending keys
// with a walk down the right edge, which stays in the cache, and no search;
// Diff costs O(d log n) for d changes between versions that share
// structure.
//
// # An ordered map
//
// Besides Get and Set, Map has what tidwall/btree and google/btree users
// reach for: [Map.Ascend] and [Map.Descend] from a pivot, [Map.Scan] over
// a range, a two-way [Cursor], [Map.At] and [Map.Rank] for positions,
// [Map.PopMin] and [Map.PopMax] for queues, [Map.DeleteRange], bulk
// [Map.Insert], and [Map.Lookup] and [Map.Pop], which return the key as
// stored. Set stores the key it is given, as a Go map does, so a
// Map[*Item, struct{}] ordered by a field of Item is a set of items that
// stores each item once and spends no bytes on values (see the itemSet
// example).
//
// # Values are shared shallowly
//
// A clone shares the values, not copies of them: a []byte, a map or a
// pointer stored as a value is the same slice, map or object in every
// snapshot that holds the entry, and changing it in place (v[0] = 1,
// p.hits++) changes it in all of them. Treat stored values as immutable,
// and write a new value with Set to change one (copy-on-write one level
// down), or store values that are copy-on-write themselves, such as a
// cowslice.Slice or a cowstring.String, and Clone them as you Clone the map.
//
// # Iteration is over a snapshot
//
// [Map.All], [Map.Backward], [Map.Scan], [Map.Ascend], [Map.Descend],
// [Map.Keys], [Map.Values] and [Map.Diff] hold the map's root for as long as
// the loop runs, and a [Cursor] until its Release, exactly as a Clone would;
// a loop lets go when it ends, however it ends (break, return or panic).
// The body of a loop may therefore write to the map it ranges over, Go-map
// style and more: the loop keeps going over the entries as they were when
// it started, and never sees a half-done change, and the first write to
// each node pays the copy it would pay after a Clone. Holding the root
// writes nothing to the tree: the loop counts itself on the handle, and the
// first write to the handle turns that count into a real share. So loops
// and cursors on one core do not slow down Gets on clones on another.
//
// The snapshot is taken when the loop starts, not when All (or any other
// iterator method) is called, and taking it reads the handle like any other
// read. So to range over a map on another goroutine while its owner keeps
// writing to it, hand that goroutine a Clone, not the handle or an iterator
// over it.
//
// # Comparison functions
//
// A comparison function given to [NewFunc] that breaks its rule (one that
// changes its mind, or orders keys inconsistently) leaves the map written
// with it in an order it cannot search, but it never reaches another
// handle: every write changes only the nodes on its own walk, which it makes
// private as it goes, and siblings it holds alone or makes private first;
// and repairs follow the tree's structure, not the keys.
//
// # Snapshot streams
//
// [Map.Send] writes a snapshot to an io.Writer, in full or as only the
// changes since a base snapshot (found with Diff, so the stream's size
// follows the change), and [Map.Receive] applies one, all or nothing, as
// btrfs send and receive do for subvolumes; snapshots are named so that an
// incremental stream applies only to the base it was sent against. Keys
// and values are written by codecs (package codec, whose doc has the
// format).
//
// # Concurrency
//
// Handles that share nodes may be used on different goroutines with no
// locking: shared nodes are never written, and their counts are atomic. One
// handle is not safe for concurrent mutation, like a Go map; concurrent
// reads of one handle, Clone and iteration included, are safe.
package btree
