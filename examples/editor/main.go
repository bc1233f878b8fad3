// Command editor is an editor's buffer with undo and redo kept as a
// history of clones: each edit clones the current version and edits the
// clone, every version is kept, and undo steps back through the versions,
// redo forward. It makes the same edits to the same generated document
// (mostly a few bytes typed at a cursor that moves, some deletions, a few
// whole lines) with four representations of the text, checks that every
// version still reads exactly as it did when it was made, and measures
// the heap the history holds and the time an edit takes.
//
// A rope.Rope[byte] copies on write per block: an edit of a clone copies
// only the nodes on the path to what it changes, one per level of the
// tree, and shares the rest, so a version costs what its edit changed (a
// few KiB here), not the document. A cowstring.String or a Go string
// copies on write per buffer: each version costs a whole copy of the
// document. A cowslice.Slice of lines is in between: versions share the
// lines' strings, but each copies the slice of them, a string header per
// line.
//
//	go run ./examples/editor [-edits 1000] [-size 102400]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/cowkit/cowkit/examples/internal/report"
	"github.com/cowkit/cowkit/rope"
)

type config struct {
	edits int // edits made, each a new version
	size  int // bytes in the document before the first edit
}

var defaults = config{edits: 1000, size: 100 << 10}

func main() {
	cfg := defaults
	flag.IntVar(&cfg.edits, "edits", defaults.edits, "edits to make, each a new version")
	flag.IntVar(&cfg.size, "size", defaults.size, "bytes in the document before the first edit")
	flag.Parse()
	if cfg.edits < 1 || cfg.size < 0 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "editor: -edits must be at least 1 and -size at least 0, and there are no arguments")
		flag.Usage()
		os.Exit(2)
	}
	if !run(os.Stdout, cfg) {
		fmt.Fprintln(os.Stderr, "editor: a version did not read as it should (see above)")
		os.Exit(1)
	}
}

// run prints the report and reports whether every check in it held: undo
// and redo reached the right versions, all representations read the same,
// every version of every history was intact, and undoing every edit gave
// back the document.
func run(w io.Writer, cfg config) bool {
	doc := document(cfg.size, 1)
	s := writeScript(doc, cfg.edits, 2)
	fmt.Fprintf(w, "cowkit editor: %s edits to a document of %s in %s lines, every version kept for undo and redo\n\n",
		report.Count(cfg.edits), report.Bytes(int64(len(doc))), report.Count(strings.Count(doc, "\n")))
	describeEdits(w, s)
	ok := undoRedo(w, doc)
	for _, m := range histories(w, doc, s) {
		ok = ok && m.intact == len(s.edits)+1 && m.undone
	}
	ropeSharing(w, doc, s)
	return ok
}

// describeEdits prints how many edits of each kind the script makes, and
// how many bytes each inserts or deletes.
func describeEdits(w io.Writer, s script) {
	var count, least, most [kinds]int
	for _, e := range s.edits {
		k, n := e.kind, e.size()
		if count[k] == 0 || n < least[k] {
			least[k] = n
		}
		most[k] = max(most[k], n)
		count[k]++
	}
	fmt.Fprintf(w, "The edits: the cursor moves before %s of the %s, a few lines away or anywhere\n",
		report.Count(s.moves), report.Count(len(s.edits)))
	t := report.NewTable("lrl")
	for k := range kinds {
		if count[k] > 0 {
			t.Row(k, report.Count(count[k]), fmt.Sprintf("%d to %d bytes", least[k], most[k]))
		}
	}
	t.Write(w, "  ")
	fmt.Fprintln(w)
}

// A step is one of undoRedo's: an edit to do, or an undo or a redo, which
// reports whether it did what it should.
type step struct {
	what string
	edit *edit
	move func(h *History) bool
}

// demoSteps edits the line that starts at at, and undoes and redoes.
func demoSteps(at int) []step {
	return []step{
		{what: `type "Note: "`, edit: &edit{typing, at, at, "Note: "}},
		{what: `type "draft "`, edit: &edit{typing, at + 6, at + 6, "draft "}},
		{what: `delete "Note: "`, edit: &edit{selection, at, at + 6, ""}},
		{what: "undo", move: (*History).Undo},
		{what: "undo", move: (*History).Undo},
		{what: "redo", move: (*History).Redo},
		{what: "insert a line (a new edit: the old v3 is dropped)", edit: &edit{newLine, at, at, "A line typed above.\n"}},
		{what: "redo: nothing to redo", move: func(h *History) bool { return !h.Redo() }},
	}
}

// undoRedo runs demoSteps on the document's fourth line (or its last, if
// it has fewer) with each representation and shows the steps of the
// first. It reports whether, with every representation, every undo and
// redo did what it should and the version it reached read what it did when
// it was made, and whether all the representations read the same text at
// every step.
func undoRedo(w io.Writer, doc string) bool {
	row := min(3, strings.Count(doc, "\n")) // the line edited, from 0
	steps := demoSteps(lineStart(doc, row))
	t := report.NewTable("lll")
	t.Row("VERSION", fmt.Sprintf("LINE %d", row+1), fmt.Sprintf("LINE %d", row+2))
	show := func(h *History, what, text string) {
		t.Row(fmt.Sprintf("v%d  %s", h.Version(), what), excerpt(text, row), excerpt(text, row+1))
	}
	ok := true
	var seen []string // the text at each step, with the first representation
	for i, rep := range representations {
		h := NewHistory(rep.new(doc))
		made := []string{text(h.Current())} // made[k]: version k's text when made
		if i == 0 {
			seen = append(seen, made[0])
			show(h, "the document", made[0])
		}
		for si, st := range steps {
			if st.edit != nil {
				h.Do(*st.edit)
				made = append(made[:h.Version()], text(h.Current()))
			} else if !st.move(h) {
				ok = false
			}
			now := text(h.Current())
			if now != made[h.Version()] {
				ok = false
			}
			if i == 0 {
				seen = append(seen, now)
				show(h, st.what, now)
			} else if now != seen[si+1] {
				ok = false
			}
		}
		h.Release()
	}
	fmt.Fprintf(w, "Undo and redo on a %s: each edit is a new version, a clone of the current one plus the edit\n", representations[0].name)
	t.Write(w, "  ")
	fmt.Fprintf(w, "  with all %d representations, every undo and redo reached a version that reads what it read when made, and all read the same: %v\n\n",
		len(representations), ok)
	return ok
}

// lineStart returns the offset of line n (from 0) of text: len(text) if
// text has n lines, -1 if it has fewer.
func lineStart(text string, n int) int {
	at := 0
	for range n {
		i := strings.IndexByte(text[at:], '\n')
		if i < 0 {
			return -1
		}
		at += i + 1
	}
	return at
}

// excerpt returns the start of line n of text, without its '\n', or ""
// if text has no line n.
func excerpt(text string, n int) string {
	const width = 36
	at := lineStart(text, n)
	if at < 0 {
		return ""
	}
	l, _, _ := strings.Cut(text[at:], "\n")
	if len(l) > width {
		return l[:width] + "…"
	}
	return l
}

// A measurement is what one representation's history held and took.
type measurement struct {
	first  int64         // heap bytes the first version holds: the document
	later  int64         // heap bytes the later versions hold, all together
	median time.Duration // of an edit: a Clone of the current version and the edit
	total  time.Duration // of all the edits
	intact int           // versions that read, at the end, what they read when made and what the script says
	undone bool          // undoing every edit went back to a version that reads as the document
}

// measureHistory makes the script's edits with rep, one version each, and
// measures the heap the history holds (HeapAlloc after a collection, before
// and after) and the time of each edit. Then it reads every version again
// and checks it, and undoes every edit.
func measureHistory(rep representation, doc string, s script) measurement {
	took := make([]time.Duration, len(s.edits))
	made := make([]uint64, 0, len(s.edits)+1) // made[k]: version k's digest when made

	heap0 := report.HeapInUse()
	h := NewHistory(rep.new(doc))
	heap1 := report.HeapInUse()
	made = append(made, digest(h.Current()))
	for i, e := range s.edits {
		took[i] = report.Time(func() { h.Do(e) })
		made = append(made, digest(h.Current()))
	}
	heap2 := report.HeapInUse()

	m := measurement{first: heap1 - heap0, later: heap2 - heap1, median: report.Median(took)}
	for _, d := range took {
		m.total += d
	}
	for k := range h.Len() {
		if d := digest(h.At(k)); d == made[k] && d == s.want[k] {
			m.intact++
		}
	}
	for h.Undo() {
	}
	m.undone = h.Version() == 0 && digest(h.Current()) == s.want[0]
	h.Release()
	return m
}

// histories measures a history of the script's edits with every
// representation and prints what each held and took.
func histories(w io.Writer, doc string, s script) []measurement {
	ms := make([]measurement, len(representations))
	for i, rep := range representations {
		ms[i] = measureHistory(rep, doc, s)
	}
	n := int64(len(s.edits))
	naive := ms[len(ms)-1]
	versions := report.Count(n + 1)
	fmt.Fprintf(w, "A history of %s versions, one per edit, with each representation\n", versions)
	t := report.NewTable("lrrrrrrl")
	t.Row("REPRESENTATION", "VERSION 0", "EACH LATER VERSION", "ALL "+report.Count(n)+" LATER", "OF NAIVE'S",
		"EDIT, MEDIAN", "EDIT, MEAN", "VERSIONS INTACT")
	undone := true
	for i, m := range ms {
		t.Row(representations[i].name, report.Bytes(m.first), report.Bytes(m.later/n), report.Bytes(m.later),
			fmt.Sprintf("%.1f%%", 100*float64(m.later)/float64(naive.later)),
			report.Duration(m.median), report.Duration(m.total/time.Duration(n)),
			report.Count(m.intact)+" of "+versions)
		undone = undone && m.undone
	}
	t.Write(w, "  ")
	fmt.Fprintf(w, "  heap: HeapAlloc after runtime.GC, with the first version only and then with all; each later version is their difference / %s\n", report.Count(n))
	fmt.Fprintf(w, "  an edit: a Clone of the current version and the edit on it; the median of the %s, and their total / %s (the collector's work included)\n",
		report.Count(n), report.Count(n))
	fmt.Fprintln(w, "  intact: the versions that read, after the last edit, exactly what they read when made and what a plain []byte given the same edits read")
	fmt.Fprintf(w, "  undoing all %s edits gives back the document, with every representation: %v\n\n", report.Count(n), undone)
	return ms
}

// ropeSharing makes the script's edits on a rope history and asks
// rope.Stats, after each, what the new version holds alone, shared with
// no earlier version: the nodes its edit copied or made. It returns the
// median of those bytes.
func ropeSharing(w io.Writer, doc string, s script) int64 {
	h := NewHistory(newRopeBuffer(doc))
	defer h.Release()
	var nodes, alone []int64
	var last rope.Stats
	for _, e := range s.edits {
		h.Do(e)
		last = h.Current().(ropeBuffer).r.Stats()
		nodes = append(nodes, int64(last.Nodes-last.SharedNodes))
		alone = append(alone, last.Bytes-last.SharedBytes)
	}
	fmt.Fprintf(w, "What rope.Stats says of each new rope version: it holds alone (shares with no earlier version) %s nodes, %s, median of %s;\n",
		report.Count(report.Median(nodes)), report.Bytes(report.Median(alone)), report.Count(len(s.edits)))
	fmt.Fprintf(w, "  the last version's tree has %s nodes, %s, in %d levels: the rest it shares with the versions before it\n",
		report.Count(last.Nodes), report.Bytes(last.Bytes), last.Height+1)
	return report.Median(alone)
}
