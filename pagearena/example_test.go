package pagearena_test

import (
	"errors"
	"fmt"

	"github.com/cowkit/cowkit/pagearena"
)

// Every page starts as the zero page: a huge arena costs nothing until it
// is written, and reading it allocates nothing.
func Example_zeroPage() {
	a, _ := pagearena.New(1 << 30) // 1 GiB
	buf := make([]byte, 8)
	a.ReadAt(buf, 123456789)
	fmt.Println(buf, a.Stats().Frames)

	a.WriteAt([]byte("hi"), 4096)
	s := a.Stats()
	fmt.Printf("pages %d, zero %d, private %d, frames %d\n", s.Pages, s.Zero, s.Private, s.Frames)
	// Output:
	// [0 0 0 0 0 0 0 0] 0
	// pages 262144, zero 262143, private 1, frames 1
}

// Fork is O(1) and shares every page; the first write to a shared page
// copies that page only (copy-up).
func ExampleArena_Fork() {
	parent, _ := pagearena.New(64 << 20)
	for i := range int64(16) {
		parent.WriteAt([]byte("parent"), i<<20) // 16 pages, 1 MiB apart
	}
	child := parent.Fork()
	child.WriteAt([]byte("child!"), 0)

	buf := make([]byte, 6)
	parent.ReadAt(buf, 0)
	fmt.Printf("parent reads %q\n", buf)
	child.ReadAt(buf, 0)
	fmt.Printf("child reads  %q\n", buf)
	s := child.Stats()
	fmt.Printf("child: %d private, %d shared; pool: %d frames\n", s.Private, s.Shared, s.Frames)
	// Output:
	// parent reads "parent"
	// child reads  "child!"
	// child: 1 private, 15 shared; pool: 17 frames
}

// WithLimit makes the pool thin-provisioned: arenas may be any size, but
// together they hold at most the limit in frames.
func ExampleWithLimit() {
	a, _ := pagearena.New(1<<30, pagearena.WithLimit(2))
	a.WriteAt([]byte{1}, 0)
	a.WriteAt([]byte{2}, 4096)
	b := a.Fork()
	_, err := b.WriteAt([]byte{3}, 0) // needs a copy of page 0: a third frame
	fmt.Println(errors.Is(err, pagearena.ErrNoSpace))

	a.Release() // b now holds both frames alone and writes in place
	_, err = b.WriteAt([]byte{3}, 0)
	fmt.Println(err, b.Stats().Frames)
	// Output:
	// true
	// <nil> 2
}

// Dedupe merges identical frames, as KSM does for virtual machines.
func ExampleArena_Dedupe() {
	a, _ := pagearena.New(1 << 20)
	page := make([]byte, 4096)
	copy(page, "the same bytes")
	for i := range int64(10) {
		a.WriteAt(page, i*4096)
	}
	a.WriteAt(make([]byte, 4096), 10*4096) // a page of zeros, with a frame
	fmt.Println("frames before:", a.Stats().Frames)
	fmt.Println("freed:", a.Dedupe())
	s := a.Stats()
	fmt.Printf("frames after: %d, shared pages %d, zero pages %d\n", s.Frames, s.Shared, s.Zero)
	// Output:
	// frames before: 11
	// freed: 10
	// frames after: 1, shared pages 10, zero pages 246
}

// Discard punches a hole: whole pages go back to the zero page and their
// frames back to the pool.
func ExampleArena_Discard() {
	a, _ := pagearena.New(1 << 20)
	a.WriteAt(make([]byte, 64<<10), 0) // 16 pages
	fmt.Println("frames:", a.Stats().Frames)
	a.Discard(0, 32<<10)
	fmt.Println("frames after Discard:", a.Stats().Frames)
	// Output:
	// frames: 16
	// frames after Discard: 8
}

// Diff lists the pages that differ since a Fork, skipping what the two
// arenas still share.
func ExampleArena_Diff() {
	base, _ := pagearena.New(1 << 30)
	snap := base.Fork()
	base.WriteAt([]byte("x"), 5<<20)
	base.WriteAt([]byte("y"), 4096)
	for off := range base.Diff(snap) {
		fmt.Println(off)
	}
	// Output:
	// 4096
	// 5242880
}
