// Command containers reproduces `docker run` in one process: an image of
// about 20,000 files built in layers, 50 containers started from it in
// nanoseconds each, copy-up on the first write to a file, whiteouts, the
// copy-up tax of a big file and the volume that avoids it, `docker diff`,
// `docker commit` and a `docker stats` table of private against shared bytes.
//
// A layer's filesystem is a btree.Map from path to file, and a file's bytes
// are a cowstring.String. A layer starts as a clone of the layer below, so
// starting a container copies nothing; a write copies one path of the tree
// and, the first time a container writes to a file of the image, that whole
// file, as overlayfs does.
//
//	go run ./examples/containers
//
// With -overlayfs, run as root on Linux, it also runs a container's steps
// on a real overlayfs mount under a temp dir, whose lower dir holds the
// image's files, and prints the kernel's times beside cowkit's; elsewhere
// it prints why it skipped them.
//
//	sudo go run ./examples/containers -overlayfs
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cowkit/cowkit/btree"
	"github.com/cowkit/cowkit/cowstring"
	"github.com/cowkit/cowkit/examples/internal/report"
)

type config struct {
	baseFiles, appFiles int     // files of the base layer, files the app layer adds
	dbSize              int64   // the database file in the image
	containers          int     // containers started; the last two run databases
	deepCopies          int     // deep copies timed, as the baseline of a start
	taxSizes            []int64 // database sizes in the copy-up tax table
	firstWrites         int     // first writes timed per tax row, each by a new writer
	nextWrites          int     // writes timed after the first, per tax row
	overlayfs           bool    // also run the steps on real overlayfs mounts, beside cowkit's (-overlayfs)
}

var defaults = config{
	baseFiles: 16_000, appFiles: 4_000, dbSize: 50_000_000,
	containers: 50, deepCopies: 3,
	taxSizes: []int64{1_000_000, 10_000_000, 50_000_000}, firstWrites: 3, nextWrites: 100,
}

func main() {
	flag.BoolVar(&defaults.overlayfs, "overlayfs", false,
		"also run a container's steps on a real overlayfs mount and print the kernel's times beside cowkit's (root on Linux)")
	flag.Parse()
	run(os.Stdout, defaults)
}

// Each container does these four things to the image's files.
var opNames = []string{
	"read " + osRelease,
	"append a line to its log",
	"create /tmp/<name>.pid",
	"delete " + motd,
}

// logOf returns the log a container appends to: a web server's or a
// worker's.
func logOf(name string) string {
	if strings.HasPrefix(name, "web-") {
		return webLog
	}
	return workerLog
}

// pidFile is the file a container creates, holding pidFileData.
func pidFile(name string) string { return "/tmp/" + name + ".pid" }

const pidFileData = "1\n"

// fleetResult is what starting the containers and their four operations
// measured.
type fleetResult struct {
	containers []*container
	start      []time.Duration // per container
	deep       []time.Duration // per deep copy
	took       [][]time.Duration
	alloc      [][]int64
	copied     [][]int64 // file bytes each operation's copy-up copied
	allocated  []int64   // heap each container's writes allocated
	heapBefore int64     // live heap before the containers started
}

// result is everything run measured, for the tests.
type result struct {
	image         *image
	build         []changes // each layer's, against the one below
	before, after uint64    // checksums of the image's files before and after the containers ran
	fleet         fleetResult
	tax           []taxRow
	diff          []string
	committed     *image
	copiedAgain   int64 // what the committed container's next write copied up
	stats         []statRow
	kept          int64 // heap the containers keep, measured after a GC
}

func run(w io.Writer, cfg config) *result {
	r := &result{}
	fmt.Fprintf(w, "cowkit containers: an image, %d containers, copy-up, volumes, diff, commit and stats\n\n", cfg.containers)

	r.image = buildImage(cfg.baseFiles, cfg.appFiles, cfg.dbSize)
	r.build = printBuild(w, r.image)
	r.before = checksum(r.image.top().files)

	r.fleet = startFleet(r.image, cfg)
	printFleet(w, r.image, cfg, &r.fleet)
	r.after = checksum(r.image.top().files)
	same := "unchanged, byte for byte"
	if r.after != r.before {
		same = "CHANGED: a container's write leaked into it"
	}
	fmt.Fprintf(w, "  the image afterwards: %s (a checksum of all its files)\n", same)
	gone := 0
	for _, c := range r.fleet.containers {
		if _, err := c.read(motd); err != nil {
			gone++
		}
	}
	_, kept := r.image.top().files.Get(motd)
	fmt.Fprintf(w, "  %s: deleted in %d of %d containers, still in the image: %v (each delete is a whiteout)\n\n",
		motd, gone, len(r.fleet.containers), kept)

	r.tax = copyUpTax(cfg)
	printTax(w, r.tax)

	r.diff, r.committed, r.copiedAgain = diffAndCommit(w, &r.fleet, 0)

	r.kept = report.HeapInUse() - r.fleet.heapBefore
	r.stats = stats(r.image, &r.fleet)
	printStats(w, r.image, r.stats, r.kept)
	if cfg.overlayfs {
		fmt.Fprintln(w)
		besideOverlayfs(w, r.image, cfg)
	}
	return r
}

func printBuild(w io.Writer, im *image) []changes {
	fmt.Fprintf(w, "docker build: %s, one layer per Dockerfile step, each a clone of the one below plus its changes\n", im.name)
	t := report.NewTable("llrrrr")
	t.Row("LAYER", "STEP", "FILES", "ADDED", "CHANGED", "SIZE")
	var all []changes
	below := newLayer("")
	for _, l := range im.layers {
		c := l.changesSince(below)
		all = append(all, c)
		t.Row(l.name, l.step, report.Count(l.files.Len()), report.Count(c.added), report.Count(c.changed), report.Bytes(c.written))
		below = l
	}
	t.Row(im.name, "", report.Count(im.top().files.Len()), "", "", report.Bytes(im.top().bytes()))
	t.Write(w, "  ")
	fmt.Fprintln(w, "  SIZE: the bytes of the files the layer added or changed, as `docker history` shows them")
	fmt.Fprintln(w)
	return all
}

// startFleet starts cfg.containers containers from im and has each do the
// four operations. The last two run a database: db-1 appends to the one in
// the image, db-2 keeps it in a volume.
func startFleet(im *image, cfg config) fleetResult {
	var f fleetResult
	for i := range cfg.deepCopies {
		start := time.Now()
		c := deepCopy(im.top().files)
		f.deep = append(f.deep, time.Since(start))
		if i == 0 && c.Len() != im.top().files.Len() {
			panic("containers: a deep copy lost files")
		}
	}

	f.heapBefore = report.HeapInUse()
	web, worker := 0, 0
	for i := range cfg.containers {
		var name string
		switch {
		case i == cfg.containers-2:
			name = "db-1"
		case i == cfg.containers-1:
			name = "db-2"
		case i%4 == 3:
			worker++
			name = fmt.Sprintf("worker-%02d", worker)
		default:
			web++
			name = fmt.Sprintf("web-%02d", web)
		}
		start := time.Now()
		c := im.run(name)
		f.start = append(f.start, time.Since(start))
		f.containers = append(f.containers, c)
	}

	f.took = make([][]time.Duration, len(opNames))
	f.alloc = make([][]int64, len(opNames))
	f.copied = make([][]int64, len(opNames))
	f.allocated = make([]int64, len(f.containers))
	for i, c := range f.containers {
		line := fmt.Appendf(nil, "%s GET /health 200\n", c.name)
		ops := []func() error{
			func() error { _, err := c.read(osRelease); return err },
			func() error { _, err := c.appendFile(logOf(c.name), line); return err },
			func() error { return c.create(pidFile(c.name), []byte(pidFileData)) },
			func() error { return c.remove(motd) },
		}
		for j, op := range ops {
			// The bytes copied up are measured, untimed, as the growth of
			// what the container holds its own copy of (btree Diff).
			copiedBefore := c.copiedUp()
			var err error
			took, alloc := report.Measure(func() { err = op() })
			if err != nil {
				panic(err) // the image has every file the operations use
			}
			f.took[j] = append(f.took[j], took)
			f.alloc[j] = append(f.alloc[j], alloc)
			f.copied[j] = append(f.copied[j], c.copiedUp()-copiedBefore)
			f.allocated[i] += alloc
		}
		var err error
		_, alloc := report.Measure(func() { err = runDatabase(im, c) })
		if err != nil {
			panic(err) // the image has the database, and the volume has room for it
		}
		f.allocated[i] += alloc
	}
	return f
}

// runDatabase has the database containers write a record: db-1 to the
// database inside the image, which copies all of it up; db-2 to its own
// copy in a volume (docker run -v dbdata:/var/lib/app).
func runDatabase(im *image, c *container) error {
	record := []byte("INSERT INTO visits VALUES (1);\n")
	switch c.name {
	case "db-1":
	case "db-2":
		c.mount(newVolume("dbdata", dbDir)) // hides the image's /var/lib/app
		// Restore the database into the volume, once, as a stream.
		if err := c.create(dbFile, nil); err != nil {
			return err
		}
		src, err := im.top().open(dbFile)
		if err != nil {
			return err
		}
		if _, err := io.Copy(c.appender(dbFile), src); err != nil {
			return err
		}
	default:
		return nil
	}
	_, err := c.appendFile(dbFile, record)
	return err
}

// deepCopy copies a tree and every file in it: what starting a container
// costs without copy-on-write (Docker's vfs storage driver works this way).
func deepCopy(files *btree.Map[string, file]) *btree.Map[string, file] {
	m := btree.New[string, file]()
	l := &layer{files: m}
	for path, f := range files.All() {
		m.Set(path, file{data: cowstring.New(f.data.String()), layer: l})
	}
	return m
}

func printFleet(w io.Writer, im *image, cfg config, f *fleetResult) {
	start, deep := report.Median(f.start), report.Median(f.deep)
	fmt.Fprintf(w, "docker run: %d containers from %s (%s files, %s)\n", len(f.containers), im.name,
		report.Count(im.top().files.Len()), report.Bytes(im.top().bytes()))
	t := report.NewTable("lr")
	t.Row("start a container (clone the image's tree)", report.Duration(start)+fmt.Sprintf("  median of %d", len(f.start)))
	t.Row("deep-copy the image instead", report.Duration(deep)+fmt.Sprintf("  median of %d", len(f.deep)))
	t.Write(w, "  ")
	fmt.Fprintf(w, "  copy-on-write starts a container %s faster\n\n", report.Ratio(deep, start))

	fmt.Fprintf(w, "Inside each container, medians over %d containers\n", len(f.containers))
	t = report.NewTable("lrrr")
	t.Row("OPERATION", "TOOK", "FILE BYTES COPIED", "HEAP ALLOCATED")
	for j, name := range opNames {
		t.Row(name, report.Duration(report.Median(f.took[j])), report.Bytes(report.Median(f.copied[j])), report.Bytes(report.Median(f.alloc[j])))
	}
	t.Write(w, "  ")
	fmt.Fprintln(w, "  (a write copies one root-to-leaf path of the tree, a few KiB; a copy-up also copies the")
	fmt.Fprintln(w, "  whole file, with room to grow)")
}

// A taxRow is one line of the copy-up tax table: the first write to a
// database file the container did not make, and the writes after it.
type taxRow struct {
	where       string
	size        int64
	first, next time.Duration
	copied      int64
}

// copyUpTax appends a record to a database file of each size in the image,
// where the first write copies the whole file up; then to one in block-level
// copy-on-write storage, where it copies a page; then to one in a volume.
func copyUpTax(cfg config) []taxRow {
	record := []byte("INSERT INTO visits VALUES (2);\n")
	b := newBuilder()
	var rows []taxRow
	for _, size := range cfg.taxSizes {
		l := newLayer("db")
		b.create(l, dbFile, database(b, size))
		im := &image{name: "db", layers: []*layer{l}}
		where := "in the image"
		if len(rows) == 0 {
			where = "in the image (overlayfs: copy-up of the whole file)"
		}
		rows = append(rows, taxOf(cfg, where, size, func() (func(), func() int64) {
			c := im.run("db") // a new container: its first write copies up
			var copied int64
			return func() { copied, _ = c.appendFile(dbFile, record) }, func() int64 { return copied }
		}))
	}
	size := cfg.taxSizes[len(cfg.taxSizes)-1]
	data := database(b, size)

	img := newBlockFile(data)
	rows = append(rows, taxOf(cfg, "in the image, block-level copy-on-write (btrfs, ZFS)", size, func() (func(), func() int64) {
		own := img.fork() // a new container's view of the file
		shared := own.disk.Stats().Shared
		return func() { _, _ = own.append(record) },
			func() int64 { return (shared - own.disk.Stats().Shared) * int64(own.disk.PageSize()) }
	}))

	v := newVolume("dbdata", dbDir)
	rows = append(rows, taxOf(cfg, "in a volume (outside the image, private)", size, func() (func(), func() int64) {
		_ = v.remove(dbFile)
		if err := v.create(dbFile, data); err != nil { // a new volume with the database restored
			panic(err)
		}
		var copied int64
		return func() { copied, _ = v.appendFile(dbFile, record) }, func() int64 { return copied }
	}))
	return rows
}

// taxOf measures one row of the copy-up table: the first write of each of
// cfg.firstWrites new writers (median), and cfg.nextWrites writes by the
// last one after its first (median). newWriter prepares a writer and
// returns its write, and a function that reports the bytes the first
// write copied, called untimed.
func taxOf(cfg config, where string, size int64, newWriter func() (write func(), copied func() int64)) taxRow {
	row := taxRow{where: where, size: size}
	firsts := make([]time.Duration, cfg.firstWrites)
	var write func()
	for i := range firsts {
		var copied func() int64
		write, copied = newWriter()
		firsts[i] = report.Time(write)
		row.copied = copied()
	}
	row.first = report.Median(firsts)
	row.next = medianOf(cfg.nextWrites, write)
	return row
}

func medianOf(n int, f func()) time.Duration {
	ds := make([]time.Duration, n)
	for i := range ds {
		ds[i] = report.Time(f)
	}
	return report.Median(ds)
}

func printTax(w io.Writer, rows []taxRow) {
	fmt.Fprintln(w, "The copy-up tax: a container appends a record to a database file (medians)")
	t := report.NewTable("lrrrr")
	t.Row("WHERE THE FILE IS", "SIZE", "FIRST WRITE", "COPIED", "NEXT WRITES")
	for _, r := range rows {
		t.Row(r.where, report.Bytes(r.size), report.Duration(r.first), report.Bytes(r.copied), report.Duration(r.next))
	}
	t.Write(w, "  ")
	fmt.Fprintln(w, "  (the first write to a file of the image copies all of it, so its cost grows with the")
	fmt.Fprintln(w, "  file; a volume keeps the database out of the image, and every write is in place)")
	fmt.Fprintln(w)
}

// diffAndCommit shows `docker diff` of the i-th container, then `docker
// commit`, and checks that the new image has the container's changes, the
// old image has none, and the container's next write copies up again
// rather than change the new image. That write's heap counts in the
// container's stats. It returns the diff, the new image and what that
// write copied up.
func diffAndCommit(w io.Writer, f *fleetResult, i int) (diff []string, img *image, copiedAgain int64) {
	c := f.containers[i]
	took := report.Time(func() { diff = c.diff() })
	fmt.Fprintf(w, "docker diff %s: %d changes among %s files, found by btree Diff in %s\n",
		c.name, len(diff), report.Count(c.rw.files.Len()), report.Duration(took))
	for _, line := range diff {
		fmt.Fprintf(w, "  %s\n", line)
	}
	fmt.Fprintln(w)

	took = report.Time(func() { img = c.commit("app:" + c.name) })
	ch := img.top().changesSince(c.image.top())
	fmt.Fprintf(w, "docker commit %s %s: %s; the new layer adds %s and shares the other %s files with %s\n",
		c.name, img.name, report.Duration(took), report.Bytes(ch.written),
		report.Count(img.top().files.Len()-ch.added-ch.changed), c.image.name)
	pid := pidFile(c.name)
	_, inNew := img.top().files.Get(pid)
	_, inOld := c.image.top().files.Get(pid)
	fmt.Fprintf(w, "  %s in %s: %v, in %s: %v\n", pid, img.name, inNew, c.image.name, inOld)

	log := img.top().mustRead(webLog)
	var err error
	_, alloc := report.Measure(func() { copiedAgain, err = c.appendFile(webLog, []byte("after the commit\n")) })
	if err != nil {
		panic(err) // the container has its log
	}
	f.allocated[i] += alloc
	kept := img.top().mustRead(webLog) == log
	fmt.Fprintf(w, "  %s writes its log again: it copies the log up again (%s), and %s keeps its %s: %v\n\n",
		c.name, report.Bytes(copiedAgain), img.name, report.Bytes(int64(len(log))), kept)
	return diff, img, copiedAgain
}

// A statRow is one container's line of the stats table.
type statRow struct {
	name    string
	files   int
	changes changes
	heap    int64 // measured: what the container's writes allocated
	volume  int64
}

func stats(im *image, f *fleetResult) []statRow {
	var rows []statRow
	for i, c := range f.containers {
		r := statRow{name: c.name, files: c.rw.files.Len(), changes: c.rw.changesSince(im.top()), heap: f.allocated[i]}
		if c.volume != nil {
			r.volume = c.volume.bytes()
		}
		rows = append(rows, r)
	}
	return rows
}

func printStats(w io.Writer, im *image, rows []statRow, kept int64) {
	total := im.top().bytes()
	fmt.Fprintln(w, "docker stats: each container's private bytes against the bytes it shares with the image")
	var cells [][]string
	var files, heap, vol int64
	for _, r := range slices.SortedStableFunc(slices.Values(rows), func(a, b statRow) int { return kindOrder(a.name) - kindOrder(b.name) }) {
		c := r.changes
		volume := "-"
		if r.volume > 0 {
			volume = report.Bytes(r.volume)
		}
		cells = append(cells, []string{r.name, report.Count(r.files), fmt.Sprintf("A%d C%d D%d", c.added, c.changed, c.deleted),
			report.Bytes(c.written), report.Bytes(r.heap), report.Bytes(total - c.dropped), volume})
		files += c.written
		heap += r.heap
		vol += r.volume
	}
	t := report.NewTable("lrlrrrr")
	t.Row("NAME", "FILES", "CHANGES", "PRIVATE", "ALLOCATED", "SHARED", "VOLUME")
	t.Rows(report.Runs(cells))
	t.Row(fmt.Sprintf("all %d", len(rows)), "", "", report.Bytes(files), report.Bytes(heap), report.Bytes(total)+" once", report.Bytes(vol))
	t.Write(w, "  ")
	fmt.Fprintln(w, "  CHANGES: files added, changed (copied up), deleted (whited out), from btree Diff against the image.")
	fmt.Fprintln(w, "  PRIVATE: the bytes of the files the container added or changed: only it holds them.")
	fmt.Fprintln(w, "  SHARED: the bytes of the image's files the container still shows, shared with the image.")
	fmt.Fprintln(w, "  ALLOCATED: heap its writes allocated (measured): its private files, with room to grow, the")
	fmt.Fprintln(w, "  tree paths its writes copied, and its volume's pages (db-2's VOLUME is in its ALLOCATED).")
	fmt.Fprintf(w, "  The %d containers keep %s of heap in all (measured after a GC); deep copies would hold %s.\n",
		len(rows), report.Bytes(kept), report.Bytes(int64(len(rows))*total))
}

// kindOrder sorts the stats table: web containers, workers, databases.
func kindOrder(name string) int {
	switch {
	case strings.HasPrefix(name, "web-"):
		return 0
	case strings.HasPrefix(name, "worker-"):
		return 1
	default:
		return 2
	}
}
