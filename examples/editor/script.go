package main

import (
	"bytes"
	"hash/maphash"
	"math/rand/v2"
	"slices"
	"strings"
)

// words are what the document is written in and what is typed into it.
var words = strings.Fields(`
	the of and to in is that it was for on are with as his they be at one
	have this from or had by word but what some we can out other were all
	there when up use your how said an each she which do their time if will
	way about many then them write would like so these her long make thing
	see him two has look more day could go come did number sound no most
	people my over know water than call first who may down side been now
	find any new work part take get place made live where after back little
	only round man year came show every good me give our under name very
	through just form sentence great think say help low line differ turn
	cause much mean before move right boy old too same tell does set three`)

// document returns size bytes of text: lines of words, 20 to 80 bytes
// long, each ending in '\n'. The same size and seed give the same text.
func document(size int, seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 1))
	doc := make([]byte, 0, size+100)
	for len(doc) < size {
		doc = append(doc, line(rng)...)
		doc = append(doc, '\n')
	}
	doc = doc[:size]
	if size > 0 {
		doc[size-1] = '\n'
	}
	return string(doc)
}

// line returns a line of words, without its '\n'.
func line(rng *rand.Rand) string {
	target := 20 + rng.IntN(55)
	var b strings.Builder
	for b.Len() < target {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[rng.IntN(len(words))])
	}
	return b.String()
}

// An edit deletes the bytes [at:end], then inserts text at at. Each of a
// script's edits does one of the two.
type edit struct {
	kind    kind
	at, end int
	text    string
}

type kind int

const (
	typing    kind = iota // a few bytes typed at the cursor
	backspace             // a few bytes before the cursor deleted
	selection             // a selection after the cursor deleted, perhaps across lines
	newLine               // a whole line inserted above the cursor's line
	kinds
)

var kindNames = [kinds]string{"typed at the cursor", "backspaced", "a selection deleted", "a line inserted above"}

func (k kind) String() string { return kindNames[k] }

// apply makes the edit on b.
func (e edit) apply(b Buffer) {
	if e.end > e.at {
		b.Delete(e.at, e.end)
	}
	if e.text != "" {
		b.Insert(e.at, e.text)
	}
}

// applyTo makes the edit on a plain []byte, the model every
// representation is checked against.
func (e edit) applyTo(text []byte) []byte {
	return slices.Insert(slices.Delete(text, e.at, e.end), e.at, []byte(e.text)...)
}

// size is the number of bytes the edit inserts or deletes.
func (e edit) size() int { return e.end - e.at + len(e.text) }

// A script is a run's edits, in order, and what the text must read after
// each: the digest of every version, made with a plain []byte.
type script struct {
	edits []edit
	want  []uint64 // want[k] is version k's digest; want[0] the document's
	moves int      // edits before which the cursor moved
}

// writeScript returns n edits of doc, as an editor's user might make
// them: mostly a few bytes typed at a cursor, which now and then moves a
// few lines away or anywhere; some backspaces and deleted selections; a
// few whole lines. The same arguments give the same script.
func writeScript(doc string, n int, seed uint64) script {
	rng := rand.New(rand.NewPCG(seed, 2))
	text := []byte(doc)
	s := script{edits: make([]edit, 0, n), want: make([]uint64, 0, n+1)}
	s.want = append(s.want, maphash.Bytes(hashSeed, text))
	cursor := len(text) / 3
	for range n {
		if c := move(rng, cursor, len(text)); c != cursor {
			cursor = c
			s.moves++
		}
		var e edit
		e, cursor = nextEdit(rng, text, cursor)
		text = e.applyTo(text)
		s.edits = append(s.edits, e)
		s.want = append(s.want, maphash.Bytes(hashSeed, text))
	}
	return s
}

// move returns where the cursor is for the next edit: mostly where the
// last one left it; before three edits in twenty, up to 200 bytes away
// (the arrow keys, a few lines), and before one in twenty, anywhere (a
// click, a search).
func move(rng *rand.Rand, cursor, n int) int {
	switch rng.IntN(20) {
	case 0:
		return rng.IntN(n + 1)
	case 1, 2, 3:
		return min(max(cursor+rng.IntN(401)-200, 0), n)
	}
	return cursor
}

// nextEdit returns an edit of text at the cursor and where it leaves the
// cursor: three in four type a few bytes, one in five deletes a few, one
// in twenty inserts a line.
func nextEdit(rng *rand.Rand, text []byte, cursor int) (edit, int) {
	switch r := rng.IntN(100); {
	case r < 5:
		start := bytes.LastIndexByte(text[:cursor], '\n') + 1
		l := line(rng) + "\n"
		return edit{newLine, start, start, l}, cursor + len(l)
	case r < 20 && cursor > 0:
		k := min(1+rng.IntN(8), cursor)
		return edit{backspace, cursor - k, cursor, ""}, cursor - k
	case r < 25 && cursor < len(text):
		k := min(1+rng.IntN(60), len(text)-cursor)
		return edit{selection, cursor, cursor + k, ""}, cursor
	}
	w := words[rng.IntN(len(words))] + " "
	typed := w[:1+rng.IntN(len(w))]
	return edit{typing, cursor, cursor, typed}, cursor + len(typed)
}

// hashSeed keys the digests of one run, which are compared only within it.
var hashSeed = maphash.MakeSeed()

// digest returns the digest of b's text, which it reads with WriteTo, as
// writeScript's digests are of its []byte.
func digest(b Buffer) uint64 {
	var h maphash.Hash
	h.SetSeed(hashSeed)
	_, _ = b.WriteTo(&h) // a maphash.Hash takes every byte and never fails
	return h.Sum64()
}

// text returns b's text as a string, a copy.
func text(b Buffer) string {
	var sb strings.Builder
	sb.Grow(b.Len())
	_, _ = b.WriteTo(&sb) // a strings.Builder never fails
	return sb.String()
}
