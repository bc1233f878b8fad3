package cowslice

import (
	"iter"

	"github.com/cowkit/cowkit/internal/refcount"
)

// Every iterator ranges over a snapshot: it holds a share of the elements
// for the length of the loop, as a Clone would (see the package doc,
// "Iteration"). That share is what keeps a clone on another goroutine from
// writing in place under the loop once the loop's own handle has copied or
// been released.

// All returns an iterator over the index-value pairs of s in ascending index
// order, over a snapshot of s taken when the loop starts. It never copies the
// elements; a loop written directly over it allocates nothing.
func (s *Slice[T]) All() iter.Seq2[int, T] {
	return func(yield func(int, T) bool) {
		d, c := s.r.Data, hold(s.r.Count())
		for i, v := range d {
			if !yield(i, v) {
				break
			}
		}
		drop(c)
	}
}

// Values returns an iterator over the elements of s in ascending index
// order, over a snapshot, as [Slice.All] does.
func (s *Slice[T]) Values() iter.Seq[T] {
	return func(yield func(T) bool) {
		d, c := s.r.Data, hold(s.r.Count())
		for _, v := range d {
			if !yield(v) {
				break
			}
		}
		drop(c)
	}
}

// hold counts a loop's share of the elements counted by c (nil for none)
// and returns c; drop lets it go. The iterators call them without defer, so
// that the compiler can inline a loop over them into the caller, as it does
// a loop over slices.Values: a loop whose body panics keeps its share (see
// the package doc, "Iteration"). They are not generic, so that the
// inliner prices them here, where it knows what they cost, and not in the
// caller's package, where it takes each of their calls for a full call.
func hold(c *refcount.Count) *refcount.Count {
	if c != nil {
		c.Acquire()
	}
	return c
}

func drop(c *refcount.Count) {
	if c != nil {
		c.Release()
	}
}

// Collect returns a new Slice holding the values of seq, in order, as
// slices.Collect returns a []T. It grows the array as append does, in
// amortized O(1) per value.
func Collect[T any](seq iter.Seq[T]) *Slice[T] {
	s := new(Slice[T])
	s.AppendSeq(seq)
	return s
}

// AppendSeq appends the values of seq to the end of s, in order, as
// slices.AppendSeq appends them to a []T. Like [Slice.Append], it copies s's
// elements first, once, if s shares them, and otherwise appends in place
// while the capacity lasts, with amortized O(1) growth; a seq that yields
// nothing never copies.
//
// seq sees s as it was when AppendSeq started: the values are appended
// apart from s and published when seq returns. So s.AppendSeq(s.Values())
// appends one copy of s's elements to s, as
// slices.AppendSeq(x, slices.Values(x)) does for a []T, and a seq that reads
// s by index sees no value it has yielded. If seq itself writes to s or
// releases it, the values it yielded are appended to s as it is when seq
// returns. If seq panics, s is unchanged.
//
// Apart from the array's growth, the loop over seq allocates a few small
// objects per call, as slices.AppendSeq does where the compiler cannot
// inline it, and none per value.
func (s *Slice[T]) AppendSeq(seq iter.Seq[T]) {
	// While seq runs, AppendSeq holds a share of s's array, as a loop over
	// s would, so every handle that shares the array meanwhile (a clone that
	// seq makes, or s itself) copies before it writes. If s had the array
	// alone, the new values go into its spare capacity: no handle sees it
	// (each sees up to its own length), and with the array shared no other
	// handle writes there. If s shared the array, the spare capacity is not
	// s's to write (another handle's AppendSeq may be filling it, see
	// Append), and the first value makes a new array.
	inPlace := s.r.Unique()
	r := s.r.Share()
	defer r.Drop()
	d := r.Data
	n := len(d)
	if !inPlace {
		d = d[:n:n]
	}
	c := cap(d)
	for v := range seq {
		d = append(d, v)
	}
	switch {
	case len(d) == n: // nothing yielded
		return
	case s.r.Count() != r.Count():
		// seq wrote to s or released it (a write to a shared array, or a
		// Release, leaves s with another count or none). Read the values
		// while the share still keeps every other handle out of the array.
		s.Append(d[n:]...)
		return
	}
	r.Drop()
	if cap(d) != c {
		s.r.Replace(d) // append moved d to a new array, which only d sees
		return
	}
	// d extends s's own array in place. If seq cloned s, the clone shares
	// that array and sees only its first n elements; the array is shared,
	// so neither writes it, spare capacity included, until it copies.
	s.r.Data = d
}
