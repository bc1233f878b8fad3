// Command report measures cowkit against its peers and writes RESULTS.md
// with two SVG charts. Run it from the benchmarks directory:
//
//	go run ./cmd/report            # the full run, a few minutes on 2 cores
//	go run ./cmd/report -quick     # small sizes, one repetition: a smoke test
//
// Every comparison runs interleaved in one process: for each repetition,
// each implementation in turn (A B C A B C ...), and the report keeps the
// median of the repetitions. So slow drifts of a noisy machine hit every
// implementation alike, which go test -count, running each benchmark's
// repetitions back to back, does not give.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cowkit/cowkit/benchmarks"
)

type config struct {
	quick     bool
	reps      int
	benchtime string
	sizes     []int // for the clone chart
	btreeN    int
	gridSizes []int // for the grid and the item-set workload
	gridTime  string
}

func main() {
	testing.Init()
	quick := flag.Bool("quick", false, "small sizes and one repetition, for a smoke test")
	out := flag.String("out", ".", "directory to write RESULTS.md and the charts to")
	flag.Parse()
	c := config{reps: 5, benchtime: "300ms", sizes: []int{1e3, 1e4, 1e5, 1e6, 1e7}, btreeN: 1e6, gridSizes: benchmarks.GridSizes, gridTime: "100ms"}
	if *quick {
		c = config{quick: true, reps: 1, benchtime: "20ms", sizes: []int{1e3, 1e4}, btreeN: 1e4, gridSizes: []int{1e3}, gridTime: "10ms"}
	}
	if err := flag.Set("test.benchtime", c.benchtime); err != nil {
		fail(err)
	}
	if err := run(c, *out, os.Stdout); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "report:", err)
	os.Exit(1)
}

// result is the median of one measurement over the repetitions.
type result struct {
	value  float64 // ns/op, or the op's metric
	bytes  int64   // B/op
	allocs int64   // allocs/op
}

func run(c config, dir string, w io.Writer) error {
	start := time.Now()
	clone := measureClones(c, w)
	ops := measureBtree(c, w)
	targets := measureTargets(c, w)
	if err := flag.Set("test.benchtime", c.gridTime); err != nil {
		return err
	}
	ropes := measureRope(c, w)
	grid := measureGrid(c, w)
	items := measureItemSet(c, w)

	var md bytes.Buffer
	fmt.Fprintf(&md, "# cowkit benchmark results\n\n")
	fmt.Fprintf(&md, "Written by `go run ./cmd/report%s` in `benchmarks/` on %s.\n\n", map[bool]string{true: " -quick", false: ""}[c.quick], start.UTC().Format("2006-01-02"))
	fmt.Fprintf(&md, "Machine: %s, %d cores (GOMAXPROCS %d), %s/%s, %s. ", cpuModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, runtime.Version())
	fmt.Fprintf(&md, "Each figure is the median of %d interleaved repetitions of a %s benchmark; the whole run took %s.\n\n", c.reps, c.benchtime, time.Since(start).Round(time.Second))

	fmt.Fprintf(&md, "## The performance targets of [docs/DESIGN.md](../docs/DESIGN.md)\n\n")
	md.WriteString(targetTable(targets, ops, c.btreeN))
	fmt.Fprintf(&md, "\n## The cost of a clone and its first write\n\n")
	fmt.Fprintf(&md, "Copy n ints, then write one: an eager copy pays for all n at once; whole-buffer copy-on-write (cowslice, cowmap) defers the same copy to the first write, the way overlayfs copies up a whole file; structural copy-on-write (btree, rope, pagearena) copies one path or one page, the way a block-level snapshot does, so its cost stays flat as n grows.\n\n")
	fmt.Fprintf(&md, "![clone then first write, against size](clone_first_write.svg)\n\n")
	md.WriteString(cloneTable(c, clone))

	fmt.Fprintf(&md, "\n## btree against its peers\n\n")
	fmt.Fprintf(&md, "%s random int keys; tidwall/btree v1.8.2 (`Map`), google/btree v1.1.3 (`BTreeG`, degree 32), benbjohnson/immutable v0.4.3 (`SortedMap`, persistent) and cowkit's `btree.Map`, each behind the same small interface. Bars are relative to tidwall (1.0); lower is better.\n\n", count(c.btreeN))
	fmt.Fprintf(&md, "![btree operations against peers](btree_ops.svg)\n\n")
	md.WriteString(btreeTable(ops))

	fmt.Fprintf(&md, "\n## btree against tidwall/btree, op by op\n\n")
	fmt.Fprintf(&md, "Every op at every size, with int keys and with string keys (`user/%%08x/%%08x`), as cowkit's time over tidwall/btree v1.8.2's `Map` (below 1.00x, cowkit is faster), with cowkit's own time after it. Each cell is the median of %d interleaved repetitions of a %s benchmark. Scans are Ascend or Descend from a random key, or a cursor's Seek, then 100 entries; At and Rank use tidwall's GetAt (its Rank is a binary search over GetAt, O(log² n), having no rank method, so the Rank cells show what a tidwall user pays, not a like-for-like race); PopMin pops and sets the entry back; DeleteRange removes 100 consecutive keys from a snapshot (tidwall's from a `BTreeG` copy, its Map having no DeleteRange; BTreeG compares through a function, so it is slower than tidwall's Map would be); Load is cowkit's Insert of ascending keys against tidwall's Load. The target is 1.00x in every cell, aim 0.8x; **bold** cells miss it.\n\n", c.reps, c.gridTime)
	md.WriteString(gridTable(c, grid))

	fmt.Fprintf(&md, "\n## An item set: btree against google/btree\n\n")
	fmt.Fprintf(&md, "The way etcd's key index uses google/btree v1.1.3's `BTreeG` (degree 32): pointer items ordered by a string field; ReplaceOrInsert of a new object for a key already there; Get of the stored item from a probe; AscendGreaterOrEqual from a probe, stopping after 100; a Clone followed by one pass that deletes the oldest 10%% of the items (google/btree collects them in the pass and deletes after, since it cannot delete while it ascends; cowkit deletes in its loop, which ranges over a snapshot). cowkit stores each item once, as the key of a `Map[*Item, struct{}]`. Ratio: cowkit's time over google's.\n\n")
	md.WriteString(itemTable(c, items))

	fmt.Fprintf(&md, "\n## rope against its peers\n\n")
	fmt.Fprintf(&md, "n ints (0 to n-1) in a plain `[]int` (plain), cowkit's `cowslice.Slice[int]`, benbjohnson/immutable v0.4.3's `List[int]` (persistent) and cowkit's `rope.Rope[int]` (built by New, so with full leaves), each loop a `//go:noinline` function of the same shape for every implementation. Insert_middle and Delete_middle insert or delete one int at Len/2 (every min(n/10, 1000) ops are undone in one call, untimed, so the length stays within 10%% of n; immutable.List has neither op); Clone_firstWrite is a Clone, one Set at Len/2 and the clone's Release, in bytes allocated (plain: slices.Clone and a write; immutable: its persistent Set); At_random and At_strided read 1024 positions per op from a pool of 65536 (random, or every 7919th), per read; Values is a loop over every element, per element; Append builds the sequence one element at a time from empty (immutable: `l = l.Append(v)`), per element. Each cell is the ratio to the op's first implementation, then the value; each the median of %d interleaved repetitions of a %s benchmark. The targets at 1e6 are in the first table; **bold** cells here miss an op's target at their size.\n\n", c.reps, c.gridTime)
	md.WriteString(ropeTable(c, ropes))
	fmt.Fprintf(&md, "\nRegenerate with `cd benchmarks && go run ./cmd/report`.\n")

	fmt.Fprint(w, "\n"+md.String())
	if err := os.WriteFile(filepath.Join(dir, "RESULTS.md"), md.Bytes(), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "clone_first_write.svg"), cloneChart(c, clone), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "btree_ops.svg"), btreeChart(ops), 0o644)
}

// measure runs each benchmark of one row once per repetition, interleaved,
// and returns each one's median of metric: ns/op for "", the bytes the
// framework counts (ReportAllocs) for "B/op", else what the benchmark
// reports with ReportMetric.
func measure(reps int, metric string, benches []func(b *testing.B)) []result {
	values := make([][]float64, len(benches))
	bytesOp := make([][]float64, len(benches))
	allocsOp := make([][]float64, len(benches))
	for range reps {
		for i, f := range benches {
			r := testing.Benchmark(f)
			var v float64
			switch metric {
			case "":
				v = float64(r.T.Nanoseconds()) / float64(r.N)
			case "B/op":
				v = float64(r.AllocedBytesPerOp())
			default:
				v = r.Extra[metric]
			}
			values[i] = append(values[i], v)
			bytesOp[i] = append(bytesOp[i], float64(r.AllocedBytesPerOp()))
			allocsOp[i] = append(allocsOp[i], float64(r.AllocsPerOp()))
		}
	}
	out := make([]result, len(benches))
	for i := range benches {
		out[i] = result{median(values[i]), int64(median(bytesOp[i])), int64(median(allocsOp[i]))}
	}
	return out
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// measureClones returns, for each size, the median ns/op of each clone kind.
func measureClones(c config, w io.Writer) [][]result {
	var out [][]result
	for _, n := range c.sizes {
		benches := make([]func(b *testing.B), len(benchmarks.CloneKinds))
		for i, k := range benchmarks.CloneKinds {
			benches[i] = k.Setup(n)
		}
		row := measure(c.reps, "", benches)
		out = append(out, row)
		fmt.Fprintf(w, "clone+first write n=%-9d", n)
		for i, k := range benchmarks.CloneKinds {
			fmt.Fprintf(w, "  %s %s", k.Name, ns(row[i].value))
		}
		fmt.Fprintln(w)
		runtime.GC()
	}
	return out
}

// measureBtree returns, for each B-tree op, the median of each
// implementation.
func measureBtree(c config, w io.Writer) [][]result {
	var out [][]result
	for _, op := range benchmarks.BtreeOps {
		benches := make([]func(b *testing.B), len(benchmarks.Impls))
		for i, im := range benchmarks.Impls {
			benches[i] = op.Setup(im, c.btreeN)
		}
		row := measure(c.reps, op.Metric, benches)
		out = append(out, row)
		fmt.Fprintf(w, "btree %-17s", op.Name)
		for i, im := range benchmarks.Impls {
			fmt.Fprintf(w, "  %s %.4g", im.Name, row[i].value)
		}
		fmt.Fprintln(w)
		runtime.GC()
	}
	return out
}

// measureTargets measures each docs/DESIGN.md target's pair, interleaved.
func measureTargets(c config, w io.Writer) [][]result {
	var out [][]result
	for _, t := range benchmarks.Targets {
		benches := []func(b *testing.B){t.Ours()}
		if t.Base != nil {
			benches = append([]func(b *testing.B){t.Base()}, benches...)
		}
		row := measure(c.reps, t.Metric, benches)
		out = append(out, row)
		fmt.Fprintf(w, "target %-70s", t.Name)
		for _, r := range row {
			fmt.Fprintf(w, "  %s", value(r.value, t.Metric))
		}
		fmt.Fprintln(w)
		runtime.GC()
	}
	return out
}

// targetTable lists every docs/DESIGN.md target with what this run
// measured and whether it is met.
func targetTable(res [][]result, ops [][]result, btreeN int) string {
	var b strings.Builder
	b.WriteString("| what | target | baseline | cowkit | ratio | met |\n|---|---|---|---|---|---|\n")
	verdict := func(ok bool) string {
		if ok {
			return "**met**"
		}
		return "**missed**"
	}
	for i, t := range benchmarks.Targets {
		row := res[i]
		ours := row[len(row)-1]
		base, ratio := "", ""
		r := 0.0
		if t.Base != nil {
			r = ours.value / row[0].value
			base, ratio = value(row[0].value, t.Metric), fmt.Sprintf("%.3gx", r)
		}
		met := "(no target)"
		if t.Met != nil {
			met = verdict(t.Met(ours.value, r) && (t.Allocs < 0 || ours.allocs <= t.Allocs))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s, %d allocs | %s | %s |\n", t.Name, t.Goal, base, value(ours.value, t.Metric), ours.allocs, ratio, met)
	}
	last := len(benchmarks.Impls) - 1
	for oi, op := range benchmarks.BtreeOps {
		tw, ck := ops[oi][0], ops[oi][last]
		r := ck.value / tw.value
		goal, ok := "<= 1.00x tidwall/btree", r <= 1
		unit := op.Metric
		if unit == "" {
			unit = "ns/op"
		}
		switch op.Name {
		case "Clone_1000Writes":
			goal, ok = "(no target)", false
		case "Clone_firstWrite":
			rb := float64(ck.bytes) / float64(tw.bytes)
			goal, ok = fmt.Sprintf("<= 1.00x time and bytes (bytes: %.3gx)", rb), r <= 1 && rb <= 1
		case "heapPerItem":
			goal = "<= tidwall/btree's"
		}
		met := verdict(ok)
		if goal == "(no target)" {
			met = goal
		}
		fmt.Fprintf(&b, "| btree %s (%s, %s keys) | %s | %.4g | %.4g | %.3gx | %s |\n", op.Name, unit, count(btreeN), goal, tw.value, ck.value, r, met)
	}
	return b.String()
}

func cloneTable(c config, res [][]result) string {
	var b strings.Builder
	b.WriteString("| n |")
	for _, k := range benchmarks.CloneKinds {
		fmt.Fprintf(&b, " %s |", k.Name)
	}
	b.WriteString("\n|---|")
	for range benchmarks.CloneKinds {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for si, n := range c.sizes {
		fmt.Fprintf(&b, "| %s |", count(n))
		for ki := range benchmarks.CloneKinds {
			r := res[si][ki]
			fmt.Fprintf(&b, " %s (%.3gx) |", ns(r.value), r.value/res[si][0].value)
		}
		b.WriteString("\n")
	}
	b.WriteString("\nIn parentheses: the ratio to the eager copy, slices.Clone, at the same n.\n")
	return b.String()
}

func btreeTable(res [][]result) string {
	var b strings.Builder
	b.WriteString("| operation | unit |")
	for _, im := range benchmarks.Impls {
		fmt.Fprintf(&b, " %s |", im.Name)
	}
	b.WriteString(" cowkit / tidwall |\n|---|---|")
	for range benchmarks.Impls {
		b.WriteString("---|")
	}
	b.WriteString("---|\n")
	last := len(benchmarks.Impls) - 1
	for oi, op := range benchmarks.BtreeOps {
		unit := op.Metric
		if unit == "" {
			unit = "ns/op"
		}
		fmt.Fprintf(&b, "| %s | %s |", op.Name, unit)
		for ii := range benchmarks.Impls {
			fmt.Fprintf(&b, " %.4g |", res[oi][ii].value)
		}
		fmt.Fprintf(&b, " %.2fx |\n", res[oi][last].value/res[oi][0].value)
	}
	return b.String()
}

// value formats v, a measurement of metric ("" for ns/op): times as ns
// does, bytes in B, KiB or MiB.
func value(v float64, metric string) string {
	switch {
	case metric == "":
		return ns(v)
	case strings.HasPrefix(metric, "ns/"):
		return ns(v) + strings.TrimPrefix(metric, "ns")
	case strings.HasPrefix(metric, "B/"):
		per := strings.TrimPrefix(metric, "B")
		switch {
		case v >= mib:
			return fmt.Sprintf("%.3g MiB%s", v/mib, per)
		case v >= 10*kib:
			return fmt.Sprintf("%.3g KiB%s", v/kib, per)
		}
		return fmt.Sprintf("%.4g B%s", v, per)
	}
	return fmt.Sprintf("%.4g %s", v, metric)
}

const kib, mib = 1 << 10, 1 << 20

func ns(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.3g ms", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.3g µs", v/1e3)
	}
	return fmt.Sprintf("%.3g ns", v)
}

func count(n int) string {
	e := 0
	for m := n; m >= 10 && m%10 == 0; m /= 10 {
		e++
	}
	if n == pow10(e) {
		return fmt.Sprintf("1e%d", e)
	}
	return fmt.Sprint(n)
}

func pow10(e int) int {
	p := 1
	for range e {
		p *= 10
	}
	return p
}

// cpuModel returns the CPU's model name from /proc/cpuinfo, or GOARCH.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	return runtime.GOARCH
}

// gridResult is the grid: [op][key type][size] -> the implementations'
// medians, tidwall first.
type gridResult [][2][][]result

var keyTypes = [2]string{"int", "string"}

// measureGrid measures every cell of the grid, the implementations
// interleaved within each cell.
func measureGrid(c config, w io.Writer) gridResult {
	out := make(gridResult, len(benchmarks.GridOps))
	for oi, op := range benchmarks.GridOps {
		for ki := range keyTypes {
			for _, n := range c.gridSizes {
				var benches []func(b *testing.B)
				if ki == 0 {
					for _, im := range benchmarks.GridImpls[int]() {
						benches = append(benches, op.Int(im, n))
					}
				} else {
					for _, im := range benchmarks.GridImpls[string]() {
						benches = append(benches, op.String(im, n))
					}
				}
				row := measure(c.reps, op.Metric, benches)
				out[oi][ki] = append(out[oi][ki], row)
				fmt.Fprintf(w, "grid %-16s %-6s n=%-8s tidwall %.4g  cowkit %.4g  %.2fx\n", op.Name, keyTypes[ki], count(n), row[0].value, row[1].value, row[1].value/row[0].value)
			}
			runtime.GC()
		}
	}
	return out
}

// sizesHeader writes the header of a table with a column per size.
func sizesHeader(b *strings.Builder, sizes []int) {
	b.WriteString("| op |")
	for _, n := range sizes {
		fmt.Fprintf(b, " n=%s |", count(n))
	}
	b.WriteString("\n|---|")
	for range sizes {
		b.WriteString("---|")
	}
	b.WriteString("\n")
}

func gridTable(c config, res gridResult) string {
	var b strings.Builder
	var misses []string
	for ki, kt := range keyTypes {
		fmt.Fprintf(&b, "%s keys:\n\n", kt)
		sizesHeader(&b, c.gridSizes)
		for oi, op := range benchmarks.GridOps {
			unit := op.Metric
			if unit == "" {
				unit = "ns/op"
			}
			fmt.Fprintf(&b, "| %s (%s) |", op.Name, unit)
			for si, n := range c.gridSizes {
				row := res[oi][ki][si]
				r := row[1].value / row[0].value
				cell := fmt.Sprintf("%.2fx (%.4g)", r, row[1].value)
				if r > 1 {
					cell = "**" + cell + "**"
					misses = append(misses, fmt.Sprintf("%s, %s keys, n=%s: %.2fx", op.Name, kt, count(n), r))
				}
				fmt.Fprintf(&b, " %s |", cell)
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	if len(misses) == 0 {
		b.WriteString("Every cell meets the target.\n")
	} else {
		fmt.Fprintf(&b, "Cells that miss the target (%d of %d): %s.\n", len(misses), 2*len(benchmarks.GridOps)*len(c.gridSizes), strings.Join(misses, "; "))
	}
	return b.String()
}

// measureItemSet measures the item-set workload: [op][size] -> google,
// cowkit.
func measureItemSet(c config, w io.Writer) [][][]result {
	out := make([][][]result, len(benchmarks.ItemSetOps))
	for oi, op := range benchmarks.ItemSetOps {
		for _, n := range c.gridSizes {
			var benches []func(b *testing.B)
			for _, im := range benchmarks.ItemSetImpls {
				benches = append(benches, op.Setup(im, n))
			}
			row := measure(c.reps, "", benches)
			out[oi] = append(out[oi], row)
			fmt.Fprintf(w, "items %-26s n=%-8s google %.4g  cowkit %.4g  %.2fx\n", op.Name, count(n), row[0].value, row[1].value, row[1].value/row[0].value)
		}
		runtime.GC()
	}
	return out
}

func itemTable(c config, res [][][]result) string {
	var b strings.Builder
	sizesHeader(&b, c.gridSizes)
	for oi, op := range benchmarks.ItemSetOps {
		fmt.Fprintf(&b, "| %s |", op.Name)
		for si := range c.gridSizes {
			row := res[oi][si]
			r := row[1].value / row[0].value
			cell := fmt.Sprintf("%.2fx (%s)", r, ns(row[1].value))
			if r > 1 {
				cell = "**" + cell + "**"
			}
			fmt.Fprintf(&b, " %s |", cell)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// measureRope measures the rope grid: [op][size] -> each implementation's
// median, interleaved within each cell.
func measureRope(c config, w io.Writer) [][][]result {
	out := make([][][]result, len(benchmarks.RopeOps))
	for oi, op := range benchmarks.RopeOps {
		for _, n := range c.gridSizes {
			benches := make([]func(b *testing.B), len(op.Impls))
			for i, im := range op.Impls {
				benches[i] = im.Setup(n)
			}
			row := measure(c.reps, op.Metric, benches)
			out[oi] = append(out[oi], row)
			fmt.Fprintf(w, "rope %-16s n=%-8s", op.Name, count(n))
			for i, im := range op.Impls {
				fmt.Fprintf(w, "  %s %s", im.Name, value(row[i].value, op.Metric))
			}
			fmt.Fprintln(w)
			runtime.GC()
		}
	}
	return out
}

// ropeTable writes the rope grid: a row per op and implementation, a
// column per size.
func ropeTable(c config, res [][][]result) string {
	var b strings.Builder
	b.WriteString("| op | impl |")
	for _, n := range c.gridSizes {
		fmt.Fprintf(&b, " n=%s |", count(n))
	}
	b.WriteString("\n|---|---|")
	for range c.gridSizes {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	var goals, misses []string
	checked := 0
	for oi, op := range benchmarks.RopeOps {
		unit := op.Metric
		if unit == "" {
			unit = "ns/op"
		}
		if op.Met != nil {
			goals = append(goals, fmt.Sprintf("%s: %s", op.Name, op.Goal))
		}
		last := len(op.Impls) - 1
		for ii, im := range op.Impls {
			name := ""
			if ii == 0 {
				name = fmt.Sprintf("%s (%s)", op.Name, unit)
			}
			fmt.Fprintf(&b, "| %s | %s |", name, im.Name)
			for si, n := range c.gridSizes {
				row := res[oi][si]
				v, r := row[ii].value, row[ii].value/row[0].value
				cell := value(v, op.Metric)
				if ii > 0 {
					cell = fmt.Sprintf("%.3gx (%s)", r, cell)
				}
				if ii == last && op.Met != nil {
					checked++
					if !op.Met(v, r) {
						cell = "**" + cell + "**"
						misses = append(misses, fmt.Sprintf("%s, n=%s: %.3gx (%s)", op.Name, count(n), r, value(v, op.Metric)))
					}
				}
				fmt.Fprintf(&b, " %s |", cell)
			}
			b.WriteString("\n")
		}
	}
	fmt.Fprintf(&b, "\nThe targets at every size: %s.", strings.Join(goals, "; "))
	if len(misses) == 0 {
		b.WriteString(" Every rope cell meets its target.\n")
	} else {
		fmt.Fprintf(&b, " Cells that miss their target (%d of %d): %s.\n", len(misses), checked, strings.Join(misses, "; "))
	}
	return b.String()
}
