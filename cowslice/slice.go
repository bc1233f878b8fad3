package cowslice

import (
	"fmt"
	"slices"

	"github.com/cowkit/cowkit/internal/refcount"
)

// Slice is an implicitly shared slice of T.
//
// The zero Slice is empty and ready for use. b := a aliases one handle;
// a.Clone() makes an independent handle that shares a's elements until one of
// the two writes. A handle is not safe for concurrent mutation; distinct
// handles that share elements may be used on different goroutines.
//
// A Slice encodes and prints as the []T it holds: as a JSON array, through
// gob, and with fmt as [1 2 3]. A Slice[byte] is therefore a base64 string
// in JSON, as encoding/json writes a []byte, not an array of numbers: that
// keeps a struct field that changes from []T to *Slice[T] compatible in
// JSON for every T. In gob it is not: a Slice is a gob.GobEncoder, whose
// bytes gob sends as an opaque value, so a stream written with a []T
// field does not decode into a *Slice[T] field, nor the other way.
//
// Hold a Slice by pointer, as every method expects: fmt and encoding/json
// find the methods of a Slice held by value in a struct only when they can
// take its address, and otherwise print its internals or encode it as {}
// (go vet reports copying such a struct). A value that reaches itself
// through a Slice (a node whose Slice holds the node) makes MarshalJSON
// recurse until the stack overflows, as gob does for such values:
// encoding/json's cycle check does not see through MarshalJSON methods.
type Slice[T any] struct {
	_ refcount.NoCopy
	r refcount.Ref[[]T]
}

// New returns a slice holding a copy of elems. It allocates the handle and,
// when elems is not empty, the copy and the count its handles share: three
// allocations, or one for an empty slice.
func New[T any](elems ...T) *Slice[T] {
	s := new(Slice[T])
	if len(elems) > 0 {
		s.r = refcount.Own(slices.Clone(elems))
	}
	return s
}

// Len returns the number of elements. The complexity is O(1).
func (s *Slice[T]) Len() int { return len(s.r.Data) }

// At returns the element at index i. It never copies and never allocates.
// At panics if i is out of range.
//
// At inlines into the caller, but a loop of At (for i := range s.Len())
// reloads s's array and length on every step, since the compiler cannot
// prove that nothing changes them: from another package, such a loop over
// 1,000 or 1,000,000 ints takes 1.9 to 2.5 times a loop over a []int. A loop
// over [Slice.Values] or [Slice.All] compiles to the plain loop and runs at
// its speed; [Slice.Mutable] hands out the []T itself.
func (s *Slice[T]) At(i int) T {
	d := s.r.Data
	if uint(i) >= uint(len(d)) {
		panicIndex(i, len(d))
	}
	return d[i]
}

// Set sets the element at index i to v. If s shares its elements, Set first
// copies them (O(n)); otherwise it writes in place and allocates nothing.
// Set panics if i is out of range, and then changes nothing.
//
// Set is a call (it does not inline): a loop of Set over an unshared
// slice takes 6.5 to 9.5 times a loop of s[i] = v over a []T. To write many
// elements, write the slice [Slice.Mutable] returns.
func (s *Slice[T]) Set(i int, v T) {
	d := s.r.Data
	if uint(i) >= uint(len(d)) || !s.r.Unique() {
		d = s.setSlow(i)
	}
	d[i] = v
}

// setSlow is Set's rare path, kept out of line to keep Set small: it panics
// if i is out of range, and otherwise copies shared elements up. (Set still
// does not inline: go1.26's -gcflags=-m=2 puts its cost at 160, for
// Slice[int] built in a user's package, against the inliner's budget of 80.
// The check alone (bounds and unshared) costs about 40 and the call of the
// rare path 62, so no form with an out-of-line rare path fits the budget.
// A loop of Set over 1,000 ints takes 6.5 to 9.5 times a loop of s[i] = v,
// and a loop of Append within capacity 5.5 to 9 times append; a loop over
// [Slice.Mutable]'s result runs at plain speed.)
func (s *Slice[T]) setSlow(i int) []T {
	if uint(i) >= uint(len(s.r.Data)) {
		panicIndex(i, len(s.r.Data))
	}
	return s.copyUp()
}

// copyUp gives s a private copy of its elements and returns it, out of line
// so that the callers' unshared paths stay small.
//
//go:noinline
func (s *Slice[T]) copyUp() []T {
	s.r.Replace(slices.Clone(s.r.Data))
	return s.r.Data
}

// Append appends vs to the end of s. If s shares its elements, Append copies
// them together with vs into a new array, once. Otherwise it behaves like the
// built-in append: in place while the capacity lasts, with amortized O(1)
// growth. Appending nothing never copies. Append is a call (it does not
// inline): a loop of single Appends within capacity takes 5.5 to 9 times
// a loop of append; appending many values in one call, or [Slice.AppendSeq],
// costs one call.
func (s *Slice[T]) Append(vs ...T) {
	if len(vs) == 0 {
		return
	}
	d := s.r.Data
	if s.r.Unique() {
		if len(vs) == 1 {
			s.r.Data = append(d, vs[0]) // the common case, without a memmove
		} else {
			s.r.Data = append(d, vs...)
		}
		return
	}
	// The full slice expression forces append to allocate: the spare capacity
	// behind len belongs to every handle sharing the array (the append-aliasing
	// trap), so it is never written while shared.
	s.r.Replace(append(d[:len(d):len(d)], vs...))
}

// Insert inserts vs before index i, so that s.At(i) == vs[0] afterwards; i may
// be Len() to append. If s shares its elements, Insert builds the result in
// one new array and copies each old element once. Inserting nothing never
// copies. Insert panics if i < 0 or i > Len(), and then changes nothing.
func (s *Slice[T]) Insert(i int, vs ...T) {
	d := s.r.Data
	if uint(i) > uint(len(d)) {
		panic(fmt.Sprintf("cowslice: insert index %d out of range [0:%d]", i, len(d)))
	}
	if len(vs) == 0 {
		return
	}
	if s.r.Unique() {
		s.r.Data = slices.Insert(d, i, vs...)
		return
	}
	n := make([]T, len(d)+len(vs))
	copy(n, d[:i])
	copy(n[i:], vs)
	copy(n[i+len(vs):], d[i:])
	s.r.Replace(n)
}

// Delete removes the elements s[i:j]. If s shares its elements, Delete copies
// only the elements it keeps into a new array. Deleting an empty range never
// copies. Delete panics if s[i:j] is not a valid slice of s, and then changes
// nothing.
func (s *Slice[T]) Delete(i, j int) {
	d := s.r.Data
	if i < 0 || j > len(d) || i > j {
		panic(fmt.Sprintf("cowslice: delete range [%d:%d] out of range [0:%d]", i, j, len(d)))
	}
	if i == j {
		return
	}
	if s.r.Unique() {
		s.r.Data = slices.Delete(d, i, j)
		return
	}
	n := make([]T, len(d)-(j-i))
	copy(n, d[:i])
	copy(n[i:], d[j:])
	s.r.Replace(n)
}

// Clone returns a new handle that shares s's elements. It is O(1) in the
// length of s and allocates only the new handle. The copy is deferred: the
// first of s and the clone to write copies the elements (O(n)), and the other
// keeps the original array. Clone does not modify s, so concurrent calls on
// one handle are safe.
func (s *Slice[T]) Clone() *Slice[T] {
	return &Slice[T]{r: s.r.Share()}
}

// Release drops s's share of its elements and leaves s empty and usable, as
// a zero Slice. If exactly one other handle shared them, that handle owns them
// alone again and writes in place. Releasing twice is harmless.
func (s *Slice[T]) Release() {
	s.r.Drop()
}

// Shared reports whether s's elements are currently shared with another live
// handle, or with a loop over s that is running, so that the next write to s
// will copy them first.
func (s *Slice[T]) Shared() bool { return s.r.Shared() }

// Mutable returns s's elements as a plain slice that the caller may write,
// with length and capacity Len(). If s shares its elements, Mutable copies
// them first, so a write through the result never reaches another handle.
// The result is valid until the next method call on s: after s.Clone() the
// array is shared again, and a write through an old result would reach the
// clone.
func (s *Slice[T]) Mutable() []T {
	d := s.r.Data
	if len(d) > 0 && !s.r.Unique() {
		d = s.copyUp()
	}
	return d[:len(d):len(d)]
}

//go:noinline
func panicIndex(i, n int) {
	panic(fmt.Sprintf("cowslice: index %d out of range [0:%d]", i, n))
}
