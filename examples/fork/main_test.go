package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

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

func TestRun(t *testing.T) {
	var out bytes.Buffer
	r := run(&out, small)
	t.Log("\n" + out.String())

	touched := small.touched / page
	pages := small.memory / page
	if want := (pagearena.Stats{Pages: pages, Zero: pages - touched, Private: touched, Frames: touched}); r.touched != want {
		t.Errorf("the parent after its writes: %+v, want %+v", r.touched, want)
	}
	if r.newAlloc > 1024 {
		t.Errorf("New(%d) allocated %d bytes; untouched memory should cost nothing", small.memory, r.newAlloc)
	}
	if r.forkedFrames != touched {
		t.Errorf("forking %d children took the pool from %d to %d frames, want no change", small.children, touched, r.forkedFrames)
	}

	// Every child wrote its 5 pages privately; the parent still shares the
	// rest and alone holds the 3 pages every child rewrote.
	n := int64(len(writes))
	if want := (pagearena.Stats{Pages: pages, Zero: pages - touched, Shared: touched - 3, Private: 3, Frames: touched + n*int64(small.children)}); r.forked != want {
		t.Errorf("the parent after the children wrote: %+v, want %+v", r.forked, want)
	}
	for i, s := range r.childStats {
		want := pagearena.Stats{Pages: pages, Zero: pages - touched - 2, Shared: touched - 3, Private: n, Frames: r.forked.Frames}
		if s != want {
			t.Errorf("%s: %+v, want %+v", childName(i), s, want)
		}
	}

	if want := 2*(small.children-1) + small.children; r.freed != want {
		t.Errorf("Dedupe freed %d frames, want %d (config and fresh merged, the cleared buffers zero)", r.freed, want)
	}
	if r.afterDedupe != r.beforeDedupe-int64(r.freed) {
		t.Errorf("frames %d -> %d after Dedupe freed %d", r.beforeDedupe, r.afterDedupe, r.freed)
	}

	if !r.zeroReadOK || r.zeroReadAllocs != 0 || r.zeroReadFrames[0] != r.zeroReadFrames[1] {
		t.Errorf("reading untouched memory: zeros %v, allocations %v, frames %v; want zeros, 0, unchanged",
			r.zeroReadOK, r.zeroReadAllocs, r.zeroReadFrames)
	}

	if !errors.Is(r.hogErr, pagearena.ErrNoSpace) {
		t.Errorf("the hog's write: %v, want ErrNoSpace", r.hogErr)
	}
	if r.hogStats[0] != r.hogStats[1] {
		t.Errorf("the failed write changed the hog: %+v -> %+v", r.hogStats[0], r.hogStats[1])
	}
	if r.exitFrames[1] != touched {
		t.Errorf("after the children exit the pool holds %d frames, want the parent's %d", r.exitFrames[1], touched)
	}
	if r.hogRetryErr != nil {
		t.Errorf("the hog's write after the children exit: %v", r.hogRetryErr)
	}

	for _, want := range []string{
		"faster, and the pool still holds 64 frames",
		"child-001 to child-005, each  264 KiB            61              5         958\n",
		"Dedupe (KSM) in every child: 13 frames freed",
		"all zeros: true",
		"pagearena: no space left in the pool",
		"the same write again: it succeeds",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
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
