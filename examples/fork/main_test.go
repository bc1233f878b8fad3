package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/cowkit/cowkit/examples/internal/report"
	"github.com/cowkit/cowkit/pagearena"
)

// small is the example at a size a test runs in a blink: 64 touched pages
// of 1,024, 5 children. After their writes the pool holds 64 + 5*5 = 89
// frames and Dedupe frees 4 + 4 + 5 = 13, leaving 76. The hog's 32 pages
// do not fit in 100 - 76 = 24 frames, but do once the children's 12
// frames are gone.
var small = config{
	memory: 4 << 20, touched: 256 << 10, children: 5,
	limit: 100, hog: 128 << 10, copies: 1,
}

// TestRun runs the whole program at the small size and checks its report.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	run(&out, small)
	t.Log("\n" + out.String())
	for _, want := range []string{
		"faster, and the pool still holds 64 frames",
		"child-001 to child-005, each  264 KiB            61              5         958\n",
		"Dedupe (KSM) in every child: 13 frames freed",
		"all zeros: true",
		"with 76 frames in use: pagearena: no space left in the pool",
		"the failed write wrote nothing: frames 76 -> 76, the child's private pages 0 -> 0",
		"the same write again: it succeeds",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

// TestPhases runs the program's phases one by one and checks the pool
// between them.
func TestPhases(t *testing.T) {
	var out bytes.Buffer
	defer func() { t.Log("\n" + out.String()) }()
	touched := small.touched / page
	pages := small.memory / page

	if alloc := report.Allocated(5, func() { _, _ = pagearena.New(small.memory, pagearena.WithLimit(small.limit)) }); alloc > 1024 {
		t.Errorf("New(%d) allocated %d bytes; untouched memory should cost nothing", small.memory, alloc)
	}
	parent, memory := newParent(&out, small)
	if got, want := parent.Stats(), (pagearena.Stats{Pages: pages, Zero: pages - touched, Private: touched, Frames: touched}); got != want {
		t.Errorf("the parent after its writes: %+v, want %+v", got, want)
	}

	children := forkChildren(&out, parent, memory, small)
	if len(children) != small.children || parent.Stats().Frames != touched {
		t.Errorf("forking %d children made %d and took the pool from %d to %d frames, want no change",
			small.children, len(children), touched, parent.Stats().Frames)
	}

	// Every child wrote its 5 pages privately; the parent still shares the
	// rest and alone holds the 3 pages every child rewrote.
	writeInChildren(&out, parent, children, small)
	n := int64(len(writes))
	forked := parent.Stats()
	if want := (pagearena.Stats{Pages: pages, Zero: pages - touched, Shared: touched - 3, Private: 3, Frames: touched + n*int64(small.children)}); forked != want {
		t.Errorf("the parent after the children wrote: %+v, want %+v", forked, want)
	}
	for i, c := range children {
		want := pagearena.Stats{Pages: pages, Zero: pages - touched - 2, Shared: touched - 3, Private: n, Frames: forked.Frames}
		if s := c.Stats(); s != want {
			t.Errorf("%s: %+v, want %+v", childName(i), s, want)
		}
	}

	freed := dedupe(&out, parent, children)
	if want := 2*(small.children-1) + small.children; freed != want {
		t.Errorf("Dedupe freed %d frames, want %d (config and fresh merged, the cleared buffers zero)", freed, want)
	}
	if got := parent.Stats().Frames; got != forked.Frames-int64(freed) {
		t.Errorf("frames %d -> %d after Dedupe freed %d", forked.Frames, got, freed)
	}

	frames := parent.Stats().Frames
	if zeros, allocs := readZeroPage(&out, parent, small); !zeros || allocs != 0 || parent.Stats().Frames != frames {
		t.Errorf("reading untouched memory: zeros %v, allocations %v, frames %d -> %d; want zeros, 0, unchanged",
			zeros, allocs, frames, parent.Stats().Frames)
	}

	hog, err := overLimit(&out, parent, small)
	if !errors.Is(err, pagearena.ErrNoSpace) {
		t.Errorf("the hog's write: %v, want ErrNoSpace", err)
	}
	if s := hog.Stats(); s.Private != 0 || s.Frames != frames {
		t.Errorf("the failed write changed the hog: %+v, want no private pages and %d frames", s, frames)
	}

	if err := exitChildren(&out, parent, children, hog, small); err != nil {
		t.Errorf("the hog's write after the children exit: %v", err)
	}
	if got, want := parent.Stats().Frames, touched+small.hog/page; got != want {
		t.Errorf("after the children exit and the hog writes the pool holds %d frames, want the parent's %d and the hog's %d", got, touched, small.hog/page)
	}
}

// TestForkIsolation checks what the children see: their own writes, and
// the parent's memory everywhere else, while the parent's memory does not
// change.
func TestForkIsolation(t *testing.T) {
	cfg := small
	parent, err := pagearena.New(cfg.memory)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]byte, cfg.touched)
	for i := range want {
		want[i] = byte(i)
	}
	if _, err := parent.WriteAt(want, 0); err != nil {
		t.Fatal(err)
	}
	children := []*pagearena.Arena{parent.Fork(), parent.Fork()}
	for i, c := range children {
		for _, wr := range writes {
			if _, err := c.WriteAt(wr.data(i), wr.off(cfg)); err != nil {
				t.Fatal(err)
			}
		}
	}
	children[0].Dedupe()
	got := make([]byte, cfg.touched)
	if _, err := parent.ReadAt(got, 0); err != nil || !bytes.Equal(got, want) {
		t.Errorf("the children's writes changed the parent (%v)", err)
	}
	for i, c := range children {
		page := make([]byte, len(fill("x")))
		for _, wr := range writes {
			if _, err := c.ReadAt(page, wr.off(cfg)); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(page, wr.data(i)) {
				t.Errorf("%s at %d: reads %.20q, want %.20q", childName(i), wr.off(cfg), page, wr.data(i))
			}
		}
	}
}
