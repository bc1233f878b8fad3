// Package cowstring implements String, a mutable byte string with implicit
// sharing: the copy-on-write string of C++98's libstdc++, done right.
//
// # Sharing
//
// [String.Clone] and [String.Substr] are O(1): the new handle shares the
// buffer and the handles count its holders. The first write to a shared
// buffer copies the handle's bytes into a private buffer, then writes.
//
// # Strings handed out stay frozen
//
// [String.String] returns a Go string in O(1) without copying: it views the
// handle's buffer directly. C++11 banned copy-on-write std::string because a
// reference handed out could see a later write; here, every byte a returned
// string views is pinned in the buffer for good. A later change that would
// overwrite pinned bytes (an Insert or Delete in the middle, an append over
// bytes a truncation left behind) copies first, so every string ever
// returned keeps its value.
//
// Appending never overwrites pinned bytes: it writes past them. So a loop of
// WriteString and String costs amortized linear time, as with
// strings.Builder, and the strings it returns all stay valid.
//
// # Versions and edits
//
// A copy-up is a copy of the handle's whole text, so a String suits text
// that is cloned and then appended to, or edited rarely. A copy-up made by
// an edit in place (Insert, Delete, Replace) allocates the length plus
// 1/64, so a history of versions, each a Clone and an edit, holds about
// one copy of the text per version; appends grow the buffer geometrically,
// and [String.Clip] drops the spare room. Reading the text for a log or a
// save with [String.WriteTo] or [String.AppendTo] pins nothing; calling
// String after each edit pins the whole text, so the next edit in the
// middle copies it all.
//
// A text editor's buffer, edited in the middle thousands of times with a
// version kept per edit, wants copy-on-write per block, not per text: a
// rope.Rope[byte] (package github.com/cowkit/cowkit/rope) copies one
// root-to-leaf path per edit, and Inserts and Deletes in O(log n).
//
// # Encoding and printing
//
// A String encodes and prints as the Go string it holds:
// [String.MarshalJSON] writes exactly what encoding/json writes for that
// string, [String.UnmarshalJSON] decodes with encoding/json's rules for a
// string, gob round-trips a String through [String.GobEncode] and
// [String.GobDecode], and fmt prints it as the string for every verb
// ([String.Format]). None of them pins a byte, as String does: they hand
// the encoder or fmt a view for the length of the call. The decoders copy
// the text into a new buffer and change the handle only on success.
//
// # Handles
//
// A *String is a handle; b := a aliases it, b := a.Clone() makes an
// independent one. Never copy the struct itself (b := *a): go vet reports it.
//
// # Concurrency
//
// Distinct handles that share a buffer may be used on different goroutines
// without locking. One handle is not safe for concurrent mutation; concurrent
// reads of one handle, String and Clone included, are safe. Strings returned
// by String are ordinary immutable Go strings.
package cowstring
