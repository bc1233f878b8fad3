package refcount

import "sync/atomic"

// Shares is the count kept by a node of a copy-on-write tree (btree's
// nodes, pagearena's page-table nodes and frames): its holders minus one.
// A holder is whatever points to the node: a parent node, a handle whose
// root it is, or a loop that holds the root for as long as it runs.
//
// Counting holders minus one makes the zero Shares mean "one holder", so a
// node that a writer has just made needs no atomic initialisation. A node
// is shared while the count is above zero, and dead once it drops below
// zero: its last holder let go, and its own holds on its children are to be
// let go in turn (Rodeh's lazy reference counts).
//
// # Vocabulary
//
// The trees use one word for each thing:
//
//   - a share is one holder counted here;
//   - to hold a tree is to take a share of its root for as long as one needs
//     it: a Clone or a Fork holds the root for the life of the new handle, a
//     loop (an iterator, a cursor, a Diff, a Dedupe) for the length of the
//     loop. btree may count a loop's hold on the handle instead of on the
//     root until the handle next writes (see btree's iter.go);
//   - to shadow a shared node is to copy it, hold each of its children once
//     more for the copy, and let go of the original: copy first, then drop,
//     as for [Ref.Replace];
//   - to pin is cowstring's word only: the bytes a string handed out views
//     are pinned (see [Count.Pin]).
//
// A Shares must not be copied after first use.
type Shares struct {
	n atomic.Int64
}

// Acquire counts one more holder.
func (s *Shares) Acquire() { s.n.Add(1) }

// AcquireN counts k more holders (k may be 0).
func (s *Shares) AcquireN(k int64) { s.n.Add(k) }

// TryAcquire counts one more holder unless the node is already dead, and
// reports whether it did. It is for a reader that found the node through
// something other than a holder (an index of frames by content), which does
// not keep it alive.
func (s *Shares) TryAcquire() bool {
	for {
		v := s.n.Load()
		if v < 0 {
			return false
		}
		if s.n.CompareAndSwap(v, v+1) {
			return true
		}
	}
}

// Release lets one holder go and reports whether it was the last one: the
// node is dead, and its caller lets go of what the node held.
func (s *Shares) Release() (dead bool) { return s.n.Add(-1) < 0 }

// ReleaseN lets k holders go and reports whether the last one went with
// them.
func (s *Shares) ReleaseN(k int64) (dead bool) { return s.n.Add(-k) < 0 }

// Shared reports whether the node may not be written in place: another
// holder may see it. It is true for a dead node too, which a correct
// program never reaches, so that a bug copies rather than corrupts.
func (s *Shares) Shared() bool { return s.n.Load() != 0 }

// Holders returns the number of holders, for invariant checkers.
func (s *Shares) Holders() int64 { return s.n.Load() + 1 }
