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

// result is what run measured, for the tests.
type result struct {
	children       []*pagearena.Arena
	touched        pagearena.Stats // the parent's, before it forked
	forkedFrames   int64           // frames once the children are forked
	newAlloc       int64           // bytes New allocated
	forked         pagearena.Stats // the parent's, after the children wrote
	childStats     []pagearena.Stats
	beforeDedupe   int64 // frames
	freed          int
	afterDedupe    int64
	zeroReadFrames [2]int64 // frames before and after reading the untouched memory
	zeroReadAllocs float64  // allocations per ReadAt of untouched memory
	zeroReadOK     bool
	hogErr         error
	hogStats       [2]pagearena.Stats // the hog's before and after its failed write
	exitFrames     [2]int64           // frames before and after the children exit
	hogRetryErr    error
}

func run(w io.Writer, cfg config) *result {
	r := &result{}
	fmt.Fprintf(w, "cowkit fork: a process of %s with %s touched, %d children, Dedupe, the zero page, a memory limit\n\n",
		report.Bytes(cfg.memory), report.Bytes(cfg.touched), cfg.children)

	var parent *pagearena.Arena
	var err error
	r.newAlloc = report.Allocated(5, func() { parent, err = pagearena.New(cfg.memory, pagearena.WithLimit(cfg.limit)) })
	if err != nil {
		panic(err)
	}
	memory := make([]byte, cfg.touched) // what the parent writes: its code, heap and data
	for i := range memory {
		memory[i] = byte(i*7 + i>>12)
	}
	took := report.Time(func() {
		if _, err := parent.WriteAt(memory, 0); err != nil {
			panic(err)
		}
	})
	r.touched = parent.Stats()
	fmt.Fprintf(w, "The parent: New(%s) allocates %s; then the parent writes %s from offset 0 in %s\n",
		report.Bytes(cfg.memory), report.Bytes(r.newAlloc), report.Bytes(cfg.touched), report.Duration(took))
	printStats(w, []string{"parent"}, []pagearena.Stats{r.touched})
	fmt.Fprintln(w)

	// fork() the children; the baseline copies the touched memory, as a
	// fork without copy-on-write would.
	forks := make([]time.Duration, cfg.children)
	for i := range forks {
		var c *pagearena.Arena
		forks[i] = report.Time(func() { c = parent.Fork() })
		r.children = append(r.children, c)
	}
	copies := make([]time.Duration, cfg.copies)
	for i := range copies {
		copies[i] = report.Time(func() { _ = bytes.Clone(memory) })
	}
	fork, eager := report.Median(forks), report.Median(copies)
	r.forkedFrames = parent.Stats().Frames
	fmt.Fprintf(w, "fork(): %d children\n", cfg.children)
	t := report.NewTable("lr")
	t.Row("Fork a child (O(1): no page or page table copied)", report.Duration(fork)+fmt.Sprintf("  median of %d", len(forks)))
	t.Row("copy the "+report.Bytes(cfg.touched)+" touched instead", report.Duration(eager)+fmt.Sprintf("  median of %d", len(copies)))
	t.Write(w, "  ")
	fmt.Fprintf(w, "  Fork is %s faster, and the pool still holds %s frames: the children share every page\n\n",
		report.Ratio(eager, fork), report.Count(r.forkedFrames))

	// Each child writes one page at each of the places in writes.
	fmt.Fprintf(w, "Each child writes %d pages, medians over %d children\n", len(writes), cfg.children)
	t = report.NewTable("lrr")
	t.Row("WRITE", "TOOK", "POOL FRAMES AFTER")
	for _, wr := range writes {
		ds := make([]time.Duration, len(r.children))
		for i, c := range r.children {
			data := wr.data(i)
			ds[i] = report.Time(func() {
				if _, err := c.WriteAt(data, wr.off(cfg)); err != nil {
					panic(err)
				}
			})
		}
		t.Row(wr.name, report.Duration(report.Median(ds)), report.Count(parent.Stats().Frames))
	}
	t.Write(w, "  ")
	fmt.Fprintln(w)

	r.forked = parent.Stats()
	for _, c := range r.children {
		r.childStats = append(r.childStats, c.Stats())
	}
	fmt.Fprintln(w, "smaps_rollup of each process (RSS = SHARED + PRIVATE; untouched memory is the zero page, not resident)")
	names, stats := []string{"parent"}, []pagearena.Stats{r.forked}
	for i, s := range r.childStats {
		names, stats = append(names, childName(i)), append(stats, s)
	}
	printStats(w, names, stats)
	fmt.Fprintf(w, "  the parent's %d private pages: its copies of the pages every child rewrote, which it now holds alone\n\n", r.forked.Private)

	// KSM: merge the pages the children wrote alike.
	r.beforeDedupe = parent.Stats().Frames
	dedupes := make([]time.Duration, len(r.children))
	for i, c := range r.children {
		dedupes[i] = report.Time(func() { r.freed += c.Dedupe() })
	}
	r.afterDedupe = parent.Stats().Frames
	fmt.Fprintf(w, "Dedupe (KSM) in every child: %s frames freed (%s); the pool holds %s -> %s frames\n",
		report.Count(r.freed), report.Bytes(int64(r.freed)*page), report.Count(r.beforeDedupe), report.Count(r.afterDedupe))
	fmt.Fprintf(w, "  the first call hashes the %s frames of the pool into its index: %s; the others hash only what changed since, but still visit every page they never deduped: %s per child (median)\n",
		report.Count(r.beforeDedupe), report.Duration(dedupes[0]), report.Duration(report.Median(dedupes[1:])))
	fmt.Fprintln(w, "  the \"config\" and \"fresh\" pages now share one frame each, and the cleared buffers are the zero page again")
	printStats(w, []string{childName(0)}, []pagearena.Stats{r.children[0].Stats()})
	fmt.Fprintln(w)

	// The zero page: reading memory nobody wrote.
	untouched := cfg.memory - cfg.touched
	buf := make([]byte, 1<<20)
	zeros := make([]byte, len(buf))
	r.zeroReadOK = true
	r.zeroReadFrames[0] = parent.Stats().Frames
	took = 0
	for off := cfg.touched; off < cfg.memory; off += int64(len(buf)) {
		var n int
		took += report.Time(func() { n, _ = parent.ReadAt(buf[:min(int64(len(buf)), cfg.memory-off)], off) })
		r.zeroReadOK = r.zeroReadOK && bytes.Equal(buf[:n], zeros[:n])
	}
	r.zeroReadFrames[1] = parent.Stats().Frames
	r.zeroReadAllocs = testing.AllocsPerRun(10, func() { _, _ = parent.ReadAt(buf, cfg.touched) })
	fmt.Fprintf(w, "The zero page: the parent reads its %s of untouched memory in %s: all zeros: %v;\n",
		report.Bytes(untouched), report.Duration(took), r.zeroReadOK)
	fmt.Fprintf(w, "  a ReadAt of %s there allocates %v times, and the pool holds %s frames before and %s after\n\n",
		report.Bytes(int64(len(buf))), r.zeroReadAllocs, report.Count(r.zeroReadFrames[0]), report.Count(r.zeroReadFrames[1]))

	// memory.max: a fresh child asks for more than is left.
	hog := parent.Fork()
	data := fill("hog ")
	big := bytes.Repeat(data, int(cfg.hog/page))
	hogOff := cfg.memory / 2
	r.hogStats[0] = hog.Stats()
	_, r.hogErr = hog.WriteAt(big, hogOff)
	r.hogStats[1] = hog.Stats()
	fmt.Fprintf(w, "A memory limit: the pool may hold %s frames (%s), like a cgroup's memory.max\n",
		report.Count(cfg.limit), report.Bytes(int64(cfg.limit)*page))
	fmt.Fprintf(w, "  a new child writes %s (%s pages) with %s frames in use: %v\n",
		report.Bytes(cfg.hog), report.Count(cfg.hog/page), report.Count(r.hogStats[0].Frames), r.hogErr)
	fmt.Fprintf(w, "  the failed write wrote nothing: frames %s -> %s, the child's private pages %d -> %d\n",
		report.Count(r.hogStats[0].Frames), report.Count(r.hogStats[1].Frames), r.hogStats[0].Private, r.hogStats[1].Private)
	r.exitFrames[0] = parent.Stats().Frames
	for _, c := range r.children {
		c.Release()
	}
	r.exitFrames[1] = parent.Stats().Frames
	_, r.hogRetryErr = hog.WriteAt(big, hogOff)
	retry := "it succeeds"
	if r.hogRetryErr != nil {
		retry = "it fails: " + r.hogRetryErr.Error()
	}
	fmt.Fprintf(w, "  the %d children exit (Release): frames %s -> %s; the same write again: %s, frames %s\n",
		len(r.children), report.Count(r.exitFrames[0]), report.Count(r.exitFrames[1]), retry, report.Count(parent.Stats().Frames))
	return r
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
