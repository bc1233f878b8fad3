// Command fork reproduces fork() in one process with a pagearena: a parent
// whose memory is 256 MiB of address space with 16 MiB touched forks 100
// children in nanoseconds each; each child's first write to a page copies
// that page; smaps_rollup-like counts show what each process holds alone
// and what it shares; Dedupe merges the pages children wrote alike (KSM);
// untouched memory reads as zeros and costs nothing (the zero page); and a
// frame limit (a cgroup's memory.max) fails a write with ErrNoSpace until
// children exit.
//
//	go run ./examples/fork
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/cowkit/cowkit/examples/internal/report"
	"github.com/cowkit/cowkit/pagearena"
)

type config struct {
	memory   int64 // the parent's address space
	touched  int64 // bytes the parent wrote before forking, from offset 0
	children int
	limit    int   // frames the parent and its children may hold together
	hog      int64 // bytes a fresh child asks for under the limit
	copies   int   // times the eager copy of the touched memory is timed
}

var defaults = config{
	memory: 256 << 20, touched: 16 << 20, children: 100,
	limit: 5120, hog: 3584 << 10, copies: 5,
}

func main() {
	run(os.Stdout, defaults)
}

const page = pagearena.DefaultPageSize

// Where each child writes, one page each. Offsets are in the parent's
// touched memory ("heap", "config", "buffer") or above it ("fresh", "stack"),
// away from memory/2, where a child asks for more memory than is left.
type write struct {
	name string
	off  func(cfg config) int64
	// data returns the page child i writes.
	data func(i int) []byte
}

var writes = []write{
	{"heap: its own data (copy-up)", func(cfg config) int64 { return cfg.touched / 4 },
		func(i int) []byte { return fill(fmt.Sprintf("child %d heap ", i)) }},
	{"config: the same bytes in every child (copy-up)", func(cfg config) int64 { return cfg.touched / 2 },
		func(int) []byte { return fill("listen=:8080 workers=4 ") }},
	{"buffer: cleared to zeros (copy-up)", func(cfg config) int64 { return cfg.touched / 4 * 3 },
		func(int) []byte { return make([]byte, page) }},
	{"fresh: a new allocation, the same in every child", func(cfg config) int64 { return cfg.touched + 1<<20 },
		func(int) []byte { return fill("arena header v1 ") }},
	{"stack: its own frames (first touch)", func(cfg config) int64 { return cfg.memory - page },
		func(i int) []byte { return fill(fmt.Sprintf("child %d stack ", i)) }},
}

// fill returns a page of s repeated.
func fill(s string) []byte {
	return bytes.Repeat([]byte(s), page/len(s)+1)[:page]
}

func run(w io.Writer, cfg config) {
	fmt.Fprintf(w, "cowkit fork: a process of %s with %s touched, %d children, Dedupe, the zero page, a memory limit\n\n",
		report.Bytes(cfg.memory), report.Bytes(cfg.touched), cfg.children)
	parent, memory := newParent(w, cfg)
	children := forkChildren(w, parent, memory, cfg)
	writeInChildren(w, parent, children, cfg)
	printSmaps(w, parent, children)
	dedupe(w, parent, children)
	readZeroPage(w, parent, cfg)
	hog, _ := overLimit(w, parent, cfg) // it prints the error
	exitChildren(w, parent, children, hog, cfg)
}

// newParent makes the parent's address space, cfg.memory bytes, and writes
// its first cfg.touched bytes: its code, heap and data. It returns the
// parent and what it wrote.
func newParent(w io.Writer, cfg config) (*pagearena.Arena, []byte) {
	var parent *pagearena.Arena
	var err error
	alloc := report.Allocated(5, func() { parent, err = pagearena.New(cfg.memory, pagearena.WithLimit(cfg.limit)) })
	if err != nil {
		panic(err) // cfg.memory is a valid size
	}
	memory := make([]byte, cfg.touched)
	for i := range memory {
		memory[i] = byte(i*7 + i>>12)
	}
	took := report.Time(func() {
		if _, err := parent.WriteAt(memory, 0); err != nil {
			panic(err) // within the limit: the parent is alone in its pool
		}
	})
	fmt.Fprintf(w, "The parent: New(%s) allocates %s; then the parent writes %s from offset 0 in %s\n",
		report.Bytes(cfg.memory), report.Bytes(alloc), report.Bytes(cfg.touched), report.Duration(took))
	printStats(w, []string{"parent"}, []pagearena.Stats{parent.Stats()})
	fmt.Fprintln(w)
	return parent, memory
}

// forkChildren forks cfg.children children of parent, and compares a fork
// with copying memory, the parent's touched bytes, as a fork without
// copy-on-write would.
func forkChildren(w io.Writer, parent *pagearena.Arena, memory []byte, cfg config) []*pagearena.Arena {
	children := make([]*pagearena.Arena, cfg.children)
	forks := make([]time.Duration, cfg.children)
	for i := range children {
		forks[i] = report.Time(func() { children[i] = parent.Fork() })
	}
	copies := make([]time.Duration, cfg.copies)
	for i := range copies {
		copies[i] = report.Time(func() { _ = bytes.Clone(memory) })
	}
	fork, eager := report.Median(forks), report.Median(copies)
	fmt.Fprintf(w, "fork(): %d children\n", cfg.children)
	t := report.NewTable("lr")
	t.Row("Fork a child (O(1): no page or page table copied)", report.Duration(fork)+fmt.Sprintf("  median of %d", len(forks)))
	t.Row("copy the "+report.Bytes(cfg.touched)+" touched instead", report.Duration(eager)+fmt.Sprintf("  median of %d", len(copies)))
	t.Write(w, "  ")
	fmt.Fprintf(w, "  Fork is %s faster, and the pool still holds %s frames: the children share every page\n\n",
		report.Ratio(eager, fork), report.Count(parent.Stats().Frames))
	return children
}

// writeInChildren has each child write one page at each of the places in
// writes, and times each place's writes.
func writeInChildren(w io.Writer, parent *pagearena.Arena, children []*pagearena.Arena, cfg config) {
	fmt.Fprintf(w, "Each child writes %d pages, medians over %d children\n", len(writes), len(children))
	t := report.NewTable("lrr")
	t.Row("WRITE", "TOOK", "POOL FRAMES AFTER")
	for _, wr := range writes {
		ds := make([]time.Duration, len(children))
		for i, c := range children {
			data := wr.data(i)
			ds[i] = report.Time(func() {
				if _, err := c.WriteAt(data, wr.off(cfg)); err != nil {
					panic(err) // cfg.limit leaves room for every child's pages
				}
			})
		}
		t.Row(wr.name, report.Duration(report.Median(ds)), report.Count(parent.Stats().Frames))
	}
	t.Write(w, "  ")
	fmt.Fprintln(w)
}

// printSmaps prints what each process holds alone and what it shares.
func printSmaps(w io.Writer, parent *pagearena.Arena, children []*pagearena.Arena) {
	fmt.Fprintln(w, "smaps_rollup of each process (RSS = SHARED + PRIVATE; untouched memory is the zero page, not resident)")
	names, stats := []string{"parent"}, []pagearena.Stats{parent.Stats()}
	for i, c := range children {
		names, stats = append(names, childName(i)), append(stats, c.Stats())
	}
	printStats(w, names, stats)
	fmt.Fprintf(w, "  the parent's %d private pages: its copies of the pages every child rewrote, which it now holds alone\n\n", stats[0].Private)
}

// dedupe merges the pages the children wrote alike, as KSM does, and
// returns the frames it freed.
func dedupe(w io.Writer, parent *pagearena.Arena, children []*pagearena.Arena) (freed int) {
	before := parent.Stats().Frames
	took := make([]time.Duration, len(children))
	for i, c := range children {
		took[i] = report.Time(func() { freed += c.Dedupe() })
	}
	fmt.Fprintf(w, "Dedupe (KSM) in every child: %s frames freed (%s); the pool holds %s -> %s frames\n",
		report.Count(freed), report.Bytes(int64(freed)*page), report.Count(before), report.Count(parent.Stats().Frames))
	fmt.Fprintf(w, "  the first call hashes the %s frames of the pool into its index: %s; the others hash only what changed since, but still visit every page they never deduped: %s per child (median)\n",
		report.Count(before), report.Duration(took[0]), report.Duration(report.Median(took[1:])))
	fmt.Fprintln(w, "  the \"config\" and \"fresh\" pages now share one frame each, and the cleared buffers are the zero page again")
	printStats(w, []string{childName(0)}, []pagearena.Stats{children[0].Stats()})
	fmt.Fprintln(w)
	return freed
}

// readZeroPage reads the parent's memory that nobody wrote, above
// cfg.touched, and reports whether it read all zeros, and how many times a
// ReadAt of it allocates.
func readZeroPage(w io.Writer, parent *pagearena.Arena, cfg config) (allZeros bool, allocs float64) {
	buf := make([]byte, 1<<20)
	zeros := make([]byte, len(buf))
	allZeros = true
	frames := parent.Stats().Frames
	var took time.Duration
	for off := cfg.touched; off < cfg.memory; off += int64(len(buf)) {
		p := buf[:min(int64(len(buf)), cfg.memory-off)]
		var n int
		var err error
		took += report.Time(func() { n, err = parent.ReadAt(p, off) })
		allZeros = allZeros && err == nil && bytes.Equal(p[:n], zeros[:n])
	}
	allocs = testing.AllocsPerRun(10, func() { _, _ = parent.ReadAt(buf, cfg.touched) })
	fmt.Fprintf(w, "The zero page: the parent reads its %s of untouched memory in %s: all zeros: %v;\n",
		report.Bytes(cfg.memory-cfg.touched), report.Duration(took), allZeros)
	fmt.Fprintf(w, "  a ReadAt of %s there allocates %v times, and the pool holds %s frames before and %s after\n\n",
		report.Bytes(int64(len(buf))), allocs, report.Count(frames), report.Count(parent.Stats().Frames))
	return allZeros, allocs
}

// hogData is what the hog, a fresh child, writes: cfg.hog bytes, more than
// the pool's limit leaves while the children run.
func hogData(cfg config) []byte { return bytes.Repeat(fill("hog "), int(cfg.hog/page)) }

// hogOffset is where the hog writes, away from the other children's pages.
func hogOffset(cfg config) int64 { return cfg.memory / 2 }

// overLimit forks a fresh child, the hog, which asks for more memory than
// the pool's limit (a cgroup's memory.max) leaves. It returns the hog and
// its write's error.
func overLimit(w io.Writer, parent *pagearena.Arena, cfg config) (hog *pagearena.Arena, err error) {
	hog = parent.Fork()
	before := hog.Stats()
	_, err = hog.WriteAt(hogData(cfg), hogOffset(cfg))
	after := hog.Stats()
	fmt.Fprintf(w, "A memory limit: the pool may hold %s frames (%s), like a cgroup's memory.max\n",
		report.Count(cfg.limit), report.Bytes(int64(cfg.limit)*page))
	fmt.Fprintf(w, "  a new child writes %s (%s pages) with %s frames in use: %v\n",
		report.Bytes(cfg.hog), report.Count(cfg.hog/page), report.Count(before.Frames), err)
	fmt.Fprintf(w, "  the failed write wrote nothing: frames %s -> %s, the child's private pages %d -> %d\n",
		report.Count(before.Frames), report.Count(after.Frames), before.Private, after.Private)
	return hog, err
}

// exitChildren releases the children, as their exit does, and has the hog
// write again. It returns that write's error.
func exitChildren(w io.Writer, parent *pagearena.Arena, children []*pagearena.Arena, hog *pagearena.Arena, cfg config) error {
	before := parent.Stats().Frames
	for _, c := range children {
		c.Release()
	}
	after := parent.Stats().Frames
	_, err := hog.WriteAt(hogData(cfg), hogOffset(cfg))
	retry := "it succeeds"
	if err != nil {
		retry = "it fails: " + err.Error()
	}
	fmt.Fprintf(w, "  the %d children exit (Release): frames %s -> %s; the same write again: %s, frames %s\n",
		len(children), report.Count(before), report.Count(after), retry, report.Count(parent.Stats().Frames))
	return err
}

func childName(i int) string { return fmt.Sprintf("child-%03d", i+1) }

// printStats prints one line per process in the manner of smaps_rollup,
// in pages; a run of processes alike is one line.
func printStats(w io.Writer, names []string, stats []pagearena.Stats) {
	var rows [][]string
	for i, s := range stats {
		rows = append(rows, []string{names[i], report.Bytes((s.Shared + s.Private) * page),
			report.Count(s.Shared), report.Count(s.Private), report.Count(s.Zero)})
	}
	t := report.NewTable("lrrrr")
	t.Row("PROCESS", "RSS", "SHARED PAGES", "PRIVATE PAGES", "ZERO PAGES")
	t.Rows(report.Runs(rows))
	t.Write(w, "  ")
}
