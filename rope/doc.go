// Package rope provides Rope[T], an indexed sequence with block-level
// copy-on-write: a B+tree keyed implicitly by position, whose leaves hold
// runs of elements and whose inner nodes hold the number of elements under
// each child.
//
// cowslice copies a whole slice on the first write after a Clone, as
// overlayfs copies up a whole file. A Rope copies only the nodes on the
// path to what it writes, as Btrfs copies only the extents a write
// touches: a Clone is O(1) (one share of the root and a new handle), and
// the first Set after it copies one node per level (four nodes and 3.7 KiB
// for a million ints built by New, where cowslice copies 8 MB), however
// long the rope. Insert and Delete at
// any position, Slice and Concat are O(log n) and share every node they do
// not cut, so a thousand versions of a document cost about the document
// plus what the edits changed.
//
// The share counts are Rodeh's lazy reference counts, as btree's: a node
// counts its holders (parents, handles, running loops), a node with one
// holder is written in place, and a shared one is copied (shadowed) first,
// its copy holding each child once more. Rope is to a sequence what
// btree.Map is to an ordered map.
//
// # Costs
//
// At opens one inner node per level and then reads the element from the
// leaf's array, whose address the parent keeps. Values and All walk
// the leaves, a leaf's elements in one slice loop that the compiler inlines
// into the caller's. On a rope that shares nothing, Set and the Delete of a
// range inside one leaf write in place and allocate nothing (a leaf left
// too empty merges with or borrows from a neighbour), and the Insert of a
// few elements allocates only when a leaf splits. Longer Inserts and
// Deletes, Slice and Concat cut and join trees (join.go), O(log n) nodes.
// A leaf holds 1 KiB of elements (128 ints, 1024 bytes), within 8 and
// 1024 elements (so 8 of a bigger T), and an inner node 32 children. New, Collect and a long
// Append build full leaves (but the last two, which share what is left);
// appending one element at a time fills leaves
// to seven-eighths (a leaf may go down to an eighth full before it is
// merged, an inner node to half); splits elsewhere leave halves.
//
// # Text
//
// A Rope[byte] is text: [Rope.WriteTo] and [Rope.Reader] (an io.Reader,
// io.ReaderAt and io.Seeker over a snapshot) read it without copying it,
// [Rope.Chunks] a leaf's copy at a time, and [Rope.String] copies all of it. Go has no methods for one
// instantiation, so WriteTo and Reader panic for a T other than byte.
//
// # Sharing rules
//
// Every handle is independent: no write through one is ever seen through
// another, whatever the caller does: nothing a Rope hands out (Chunks'
// slices, the elements an encoder's methods see) is a leaf another handle
// shares. Reads of one handle may run on many goroutines at once; a write
// must not run beside anything else on that handle. Handles that share
// nodes may run on different goroutines without locks. A loop (All,
// Values, Backward, Chunks) holds the rope as it was when the loop began;
// a write to the rope inside the loop copies what it touches and shows
// after the loop.
package rope
