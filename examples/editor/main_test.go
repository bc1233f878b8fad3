package main

import (
	"bytes"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// small is a run a test makes in a blink. The document keeps the default
// size, so that the rope has as many levels as in the default run and the
// ratios between the representations' histories are the default run's.
var small = config{edits: 200, size: 100 << 10}

// TestRun runs the whole program at the small size; the other tests check
// what its phases return.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if !run(&out, small) {
		t.Fatalf("a check of the report failed:\n%s", out.String())
	}
}

// replay applies edits to a plain []byte and returns the text of every
// version, the document first.
func replay(doc string, edits []edit) []string {
	want := []string{doc}
	b := []byte(doc)
	for _, e := range edits {
		b = e.applyTo(b)
		want = append(want, string(b))
	}
	return want
}

// TestSameText makes the script's edits with every representation, keeps
// every version, and compares sampled versions and the last one, after the
// last edit, with a plain []byte given the same edits.
func TestSameText(t *testing.T) {
	doc := document(small.size, 1)
	s := writeScript(doc, small.edits, 2)
	want := replay(doc, s.edits)
	if want[len(want)-1] == doc {
		t.Fatal("the script's edits left the document as it was")
	}
	for _, rep := range representations {
		h := NewHistory(rep.new(doc))
		for _, e := range s.edits {
			h.Do(e)
		}
		for k := 0; k < h.Len(); k += 17 {
			if got := text(h.At(k)); got != want[k] {
				t.Errorf("%s: version %d differs from the model at byte %d", rep.name, k, firstDiff(got, want[k]))
			}
		}
		if got := text(h.Current()); got != want[len(want)-1] {
			t.Errorf("%s: the last version differs from the model at byte %d", rep.name, firstDiff(got, want[len(want)-1]))
		}
		h.Release()
	}
}

func firstDiff(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestHistories checks measureHistory's checks and its heap measurements:
// the rope's versions hold less than a tenth of what copies of the text
// hold, and a naive version holds at least one copy of the text.
func TestHistories(t *testing.T) {
	doc := document(small.size, 1)
	s := writeScript(doc, small.edits, 2)
	ms := histories(io.Discard, doc, s)
	for i, m := range ms {
		name := representations[i].name
		if m.intact != small.edits+1 || !m.undone {
			t.Errorf("%s: %d of %d versions intact, undone to the document: %v; want all and true", name, m.intact, small.edits+1, m.undone)
		}
		t.Logf("%s: version 0 %d bytes, each later one %d", name, m.first, m.later/int64(small.edits))
	}
	r, naive := ms[0], ms[len(ms)-1]
	if naive.later < int64(small.edits)*int64(small.size)*9/10 {
		t.Errorf("the naive history's %d versions hold %d bytes, want about a copy of the %d-byte text each", small.edits, naive.later, small.size)
	}
	if r.later*10 >= naive.later {
		t.Errorf("the rope's history holds %d bytes, the naive one's %d: want less than a tenth", r.later, naive.later)
	}
	if r.first > 2*int64(small.size) || r.first < int64(small.size) {
		t.Errorf("the rope of the %d-byte document holds %d bytes", small.size, r.first)
	}
}

// TestRopeSharing checks what rope.Stats says a version holds alone: a
// path of nodes, far less than the document.
func TestRopeSharing(t *testing.T) {
	doc := document(small.size, 1)
	s := writeScript(doc, small.edits, 2)
	if alone := ropeSharing(io.Discard, doc, s); alone <= 0 || alone*10 > int64(small.size) {
		t.Errorf("a rope version holds %d bytes alone (median), want some, and less than a tenth of the %d-byte document", alone, small.size)
	}
}

func TestUndoRedo(t *testing.T) {
	for _, size := range []int{0, 30, 2000, small.size} {
		if !undoRedo(io.Discard, document(size, 1)) {
			t.Errorf("undo and redo on a %d-byte document went wrong", size)
		}
	}
}

// TestHistory checks undo, redo, and a new edit after an undo with every
// representation: each version reads what it read when made.
func TestHistory(t *testing.T) {
	doc := "one\ntwo\nthree\n"
	edits := []edit{
		{kind: typing, at: 4, end: 4, text: "2 "},
		{kind: selection, at: 0, end: 6, text: ""},
		{kind: newLine, at: 0, end: 0, text: "zero\n"},
	}
	states := replay(doc, edits) // "one\ntwo\nthree\n", "one\n2 two\n...", "two\nthree\n", "zero\ntwo\nthree\n"
	for _, rep := range representations {
		h := NewHistory(rep.new(doc))
		if h.Undo() || h.Redo() {
			t.Fatalf("%s: undo or redo of a new history did something", rep.name)
		}
		for _, e := range edits {
			h.Do(e)
		}
		for i := len(states) - 1; i >= 0; i-- {
			if got := text(h.Current()); h.Version() != i || got != states[i] {
				t.Errorf("%s: version %d reads %q, want version %d, %q", rep.name, h.Version(), got, i, states[i])
			}
			if got := h.Undo(); got != (i > 0) {
				t.Errorf("%s: Undo at version %d = %v", rep.name, i, got)
			}
		}
		h.Redo()
		h.Redo()
		old := h.At(3)
		h.Do(edit{kind: typing, at: 0, end: 0, text: "> "}) // drops the old version 3
		if h.Len() != 4 || h.Redo() {
			t.Errorf("%s: after a new edit: %d versions, redo possible; want 4 and none", rep.name, h.Len())
		}
		if old.Len() != 0 {
			t.Errorf("%s: the dropped version was not released", rep.name)
		}
		if got, want := text(h.Current()), "> two\nthree\n"; got != want {
			t.Errorf("%s: after the new edit: %q, want %q", rep.name, got, want)
		}
		for i, want := range states[:3] {
			if got := text(h.At(i)); got != want {
				t.Errorf("%s: version %d reads %q, want %q", rep.name, i, got, want)
			}
		}
		h.Release()
	}
}

// randomEdit returns an edit of a text of n bytes: short and long inserts
// and deletes, anywhere, with many '\n's (lines split and joined), and a
// delete and an insert together.
func randomEdit(rng *rand.Rand, n int) edit {
	i := rng.IntN(n + 1)
	var e edit
	switch rng.IntN(8) {
	case 0: // more than half a rope leaf: the rope builds leaves and joins them in
		e = edit{at: i, end: i, text: randomText(rng, 600+rng.IntN(3000))}
	case 1: // any range, perhaps most of the text
		e = edit{at: i, end: i + rng.IntN(n-i+1)}
	case 2, 3:
		e = edit{at: i, end: min(n, i+1+rng.IntN(12))}
	case 4:
		e = edit{at: i, end: min(n, i+rng.IntN(5)), text: randomText(rng, 1+rng.IntN(8))}
	default:
		e = edit{at: i, end: i, text: randomText(rng, 1+rng.IntN(12))}
	}
	return e
}

func randomText(rng *rand.Rand, n int) string {
	const alphabet = "abcdefg \n\n"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// TestBuffers makes random edits, undoes and redoes, and makes new edits
// after undos (which release the versions dropped) with every
// representation, and after every step compares the current version with a
// plain string; at the end it compares every version kept.
func TestBuffers(t *testing.T) {
	for _, size := range []int{0, 1, 100, 5000, 40 << 10} {
		doc := document(size, uint64(size))
		for _, rep := range representations {
			rng := rand.New(rand.NewPCG(uint64(size), 7))
			h := NewHistory(rep.new(doc))
			want := []string{doc}
			at := 0
			for step := range 300 {
				switch r := rng.IntN(10); r {
				case 0, 1:
					if got := h.Undo(); got != (at > 0) {
						t.Fatalf("%s, %d bytes, step %d: Undo at version %d = %v", rep.name, size, step, at, got)
					}
					at = max(at-1, 0)
				case 2:
					if got := h.Redo(); got != (at < len(want)-1) {
						t.Fatalf("%s, %d bytes, step %d: Redo at version %d of %d = %v", rep.name, size, step, at, len(want), got)
					}
					at = min(at+1, len(want)-1)
				default:
					e := randomEdit(rng, len(want[at]))
					h.Do(e)
					want = append(want[:at+1], string(e.applyTo([]byte(want[at]))))
					at++
				}
				if got := text(h.Current()); h.Version() != at || h.Current().Len() != len(want[at]) || got != want[at] {
					t.Fatalf("%s, %d bytes, step %d: version %d (Len %d) differs from the model's version %d at byte %d",
						rep.name, size, step, h.Version(), h.Current().Len(), at, firstDiff(got, want[at]))
				}
			}
			if h.Len() != len(want) {
				t.Fatalf("%s, %d bytes: %d versions, want %d", rep.name, size, h.Len(), len(want))
			}
			for k, w := range want {
				if got := text(h.At(k)); got != w {
					t.Errorf("%s, %d bytes: version %d differs from the model at byte %d", rep.name, size, k, firstDiff(got, w))
				}
			}
			h.Release()
		}
	}
}

// TestScript checks that the document and the edits are the same on every
// run and look as the program says: lines of text, mostly typing.
func TestScript(t *testing.T) {
	doc := document(small.size, 1)
	if doc != document(small.size, 1) || len(doc) != small.size || !strings.HasSuffix(doc, "\n") {
		t.Fatalf("document(%d, 1) is not the same %d bytes ending in a newline on every call", small.size, small.size)
	}
	lines := splitLines(doc)
	if n := len(lines); n < small.size/80 || n > small.size/20 {
		t.Errorf("the document has %d lines, want lines of 20 to 80 bytes", n)
	}
	s := writeScript(doc, 1000, 2)
	if again := writeScript(doc, 1000, 2); !slices.Equal(s.edits, again.edits) {
		t.Error("writeScript gave different edits for the same arguments")
	}
	var count [kinds]int
	for _, e := range s.edits {
		count[e.kind]++
	}
	if count[typing] < 600 || count[backspace]+count[selection] < 100 || count[newLine] == 0 || s.moves == 0 {
		t.Errorf("edits of each kind: %v, cursor moves: %d; want mostly typing, some deletes, some lines, some moves", count, s.moves)
	}
}
