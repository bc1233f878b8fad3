// Package cowslice implements Slice, a slice with implicit sharing: the
// copy-on-write scheme of Qt's containers and PHP's arrays, as a Go type.
//
// # Sharing
//
// [Slice.Clone] is O(1): the clone and the original point at one backing
// array and count how many handles share it. Reads never copy. The first
// write to a shared array copies it once (a "copy-up", as an overlay
// filesystem copies a file on its first write) and then writes the private
// copy; later writes to that copy happen in place and allocate nothing.
//
//	a := cowslice.New(1, 2, 3)
//	b := a.Clone()  // O(1): a and b share [1 2 3]
//	b.Set(0, 9)     // b copies the array, then writes: b = [9 2 3]
//	a.At(0)         // still 1
//
// # Cost
//
// Clone allocates only the new handle. The copy is deferred: the first of the
// sharing handles to write pays O(n) to copy the whole array, the other
// handles pay nothing. A handle that is the last one sharing its array writes
// in place again, so [Slice.Release] on clones you no longer need spares the
// survivor its copy. Releasing is optional: memory is managed by the garbage
// collector either way.
//
// Whole-array copy-up suits small and medium slices and read-mostly data. A
// large structure that is cloned often and written a little at a time is
// better kept in a btree.Map (package github.com/cowkit/cowkit/btree), whose
// copy-up is one root-to-leaf path.
//
// # Iteration
//
// Every iterator ([Slice.All], [Slice.Values]) ranges over a snapshot: when
// the loop starts it takes a share of the elements, as a Clone would, and
// drops it when the loop ends, by a break or a return too. The loop body may write to
// the handle it ranges over, or Release it: the write copies first (once),
// and the loop goes on over the elements as they were. A clone written on
// another goroutine meanwhile copies before it writes, because the running
// loop still counts as a holder; without that share it could find itself
// the only other holder and write the array in place under the loop. A
// loop costs two atomic operations and, written directly over the iterator,
// allocates nothing and compiles to the loop over a []T it wraps (the
// iterators hold no defer, so the compiler inlines them and the loop body
// into the caller); the snapshot is free unless the body writes.
//
// A loop whose body panics keeps its share: its elements stay counted as
// shared, so the next write to a handle holding them copies them once,
// as after a Clone that was never released. Nothing is ever written
// through another handle because of it.
//
// The snapshot is taken when the loop starts, not when the iterator is
// made, and taking it reads the handle: to range over a handle on another
// goroutine while its owner writes it, hand that goroutine a Clone.
//
// # Encoding and printing
//
// A Slice encodes and prints as the plain []T it holds, so that a struct
// field can change from []T to *Slice[T] without changing its JSON:
// [Slice.MarshalJSON] writes exactly what encoding/json writes for the []T
// (a JSON array; for a Slice[byte] a base64 string, as for a []byte), and
// [Slice.UnmarshalJSON] decodes with encoding/json's rules for a []T. gob
// round-trips a Slice through [Slice.GobEncode] and [Slice.GobDecode], and
// fmt prints one as it prints the []T, [1 2 3] ([Slice.Format]). All of
// them read a snapshot, as the iterators do, and copy no element; the
// decoders build new elements and change the handle only on success.
//
// [Collect] and [Slice.AppendSeq] build a Slice from an iterator, as
// slices.Collect and slices.AppendSeq build a []T.
//
// # Handles
//
// A *Slice is a handle. b := a makes two names for one handle, as with any Go
// pointer; b := a.Clone() makes a second, independent handle. Never copy the
// struct itself (b := *a): go vet reports it.
//
// # Concurrency
//
// Distinct handles that share an array may be used on different goroutines
// without locking, as Qt promises for its implicitly shared classes. One
// handle is not safe for concurrent mutation, like a Go map; concurrent reads
// of one handle, Clone included, are safe.
package cowslice
