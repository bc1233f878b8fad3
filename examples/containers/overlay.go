package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/cowkit/cowkit/btree"
	"github.com/cowkit/cowkit/examples/internal/report"
)

// With -overlayfs the program runs a container's steps twice: on cowkit's
// model, and on a real overlayfs mount whose lower dir holds the image's
// files, so that each of cowkit's numbers stands beside the kernel's.

// errNoOverlay says that overlayfs cannot be mounted here, and so the
// comparison did not run: not Linux, not root, or the mount failed.
var errNoOverlay = errors.New("no overlayfs mount here")

// A rootfs is a container's root filesystem as the steps use it: cowkit's
// model (modelFS) or an overlayfs mount (mountFS). Paths are absolute, as
// the image has them.
type rootfs interface {
	read(path string) error
	appendTo(path string, data []byte) error
	create(path string, data []byte) error
	remove(path string) error
	// copiedUp returns the bytes of the image's files the root filesystem
	// holds its own copy of: what its copy-ups copied so far. It is not
	// timed.
	copiedUp() int64
}

// A backend starts root filesystems from the image and makes eager copies
// of it.
type backend interface {
	// start starts container i's root filesystem and says how long the
	// start itself took: for a mount, the mount call, not the dirs made
	// for it.
	start(i int) (fsys rootfs, took time.Duration, err error)
	// stop stops a root filesystem start returned.
	stop(fsys rootfs) error
	// eagerCopy copies the whole image, and says how long it took.
	eagerCopy(ctx context.Context) (time.Duration, error)
}

// An action is one step each container does; times is how often it does
// it in a row, each timed.
type action struct {
	name  string
	times int
	do    func(fsys rootfs) error
}

// containerSteps returns what each container does in the comparison:
// after its start, a first append to a file of about 1 KiB and to the
// database, both copy-ups, more appends to the database, a read, a create
// and a delete. The eager copy comes after all of them.
func containerSteps(im *image, cfg config) []action {
	small, size := fileNear(im.top().files, 1<<10)
	line := []byte("GET /health 200\n")
	record := []byte("INSERT INTO visits VALUES (3);\n")
	return []action{
		{fmt.Sprintf("first append to a %s file (copy-up)", report.Bytes(size)), 1,
			func(fsys rootfs) error { return fsys.appendTo(small, line) }},
		{fmt.Sprintf("first append to the %s database (copy-up)", report.Bytes(cfg.dbSize)), 1,
			func(fsys rootfs) error { return fsys.appendTo(dbFile, record) }},
		{fmt.Sprintf("the next append to it (median of %d)", cfg.nextWrites), cfg.nextWrites,
			func(fsys rootfs) error { return fsys.appendTo(dbFile, record) }},
		{"read " + osRelease, 1, func(fsys rootfs) error { return fsys.read(osRelease) }},
		{"create /tmp/<name>.pid", 1, func(fsys rootfs) error { return fsys.create(pidFile("c"), []byte(pidFileData)) }},
		{"delete " + motd + " (overlayfs: a whiteout)", 1, func(fsys rootfs) error { return fsys.remove(motd) }},
	}
}

// fileNear returns the smallest file of m with at least size bytes, and its
// size.
func fileNear(m *btree.Map[string, file], size int) (path string, n int64) {
	best := -1
	for p, f := range m.All() {
		if l := f.data.Len(); l >= size && (best < 0 || l < best) {
			path, best = p, l
		}
	}
	if best < 0 {
		panic(fmt.Sprintf("containers: no file of %d bytes or more", size))
	}
	return path, int64(best)
}

// A column is one backend's measurements, a row per step, with the start
// first and the eager copy last: the median time, and the bytes copied.
type column struct {
	took   []time.Duration
	copied []int64
}

// measure runs steps on containers of b, each started afresh after one
// started untimed to warm up, and times copies eager copies. It stops
// early if ctx is done.
func measure(ctx context.Context, b backend, steps []action, containers, copies int, imageBytes int64) (column, error) {
	took := make([][]time.Duration, len(steps)+2)
	copied := make([]int64, len(steps)+2)
	for i := range containers + 1 {
		if err := ctx.Err(); err != nil {
			return column{}, err
		}
		ds, err := runContainer(ctx, b, i, steps, copied)
		if err != nil {
			return column{}, err
		}
		if i == 0 {
			continue // the warm-up
		}
		for j, d := range ds {
			took[j] = append(took[j], d...)
		}
	}
	for range copies {
		d, err := b.eagerCopy(ctx)
		if err != nil {
			return column{}, err
		}
		took[len(took)-1] = append(took[len(took)-1], d)
	}
	copied[len(copied)-1] = imageBytes
	col := column{copied: copied}
	for _, ds := range took {
		col.took = append(col.took, report.Median(ds))
	}
	return col, nil
}

// runContainer starts container i of b, runs steps in it and stops it. It
// returns the times, the start's first and then each step's, and sets
// copied[1+j] to what step j copied up.
func runContainer(ctx context.Context, b backend, i int, steps []action, copied []int64) (took [][]time.Duration, err error) {
	fsys, d, err := b.start(i)
	if err != nil {
		return nil, err
	}
	defer func() {
		if stopErr := b.stop(fsys); err == nil {
			err = stopErr
		}
	}()
	took = append(took, []time.Duration{d})
	for j, s := range steps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		before := fsys.copiedUp()
		ds := make([]time.Duration, s.times)
		for k := range ds {
			var err error
			ds[k] = report.Time(func() { err = s.do(fsys) })
			if err != nil {
				return nil, fmt.Errorf("%s: %w", s.name, err)
			}
		}
		took = append(took, ds)
		copied[1+j] = fsys.copiedUp() - before
	}
	return took, nil
}

// modelFS is a container of cowkit's model as a rootfs.
type modelFS struct{ c *container }

func (m modelFS) read(path string) error {
	_, err := m.c.read(path)
	return err
}

func (m modelFS) appendTo(path string, data []byte) error {
	_, err := m.c.appendFile(path, data)
	return err
}

func (m modelFS) create(path string, data []byte) error { return m.c.create(path, data) }
func (m modelFS) remove(path string) error              { return m.c.remove(path) }
func (m modelFS) copiedUp() int64                       { return m.c.copiedUp() }

// A model is the backend of cowkit's containers: a start clones the
// image's tree, and the eager copy is a deep copy.
type model struct{ im *image }

func (m model) start(i int) (rootfs, time.Duration, error) {
	var c *container
	took := report.Time(func() { c = m.im.run(fmt.Sprintf("c-%d", i+1)) })
	return modelFS{c}, took, nil
}

func (model) stop(rootfs) error { return nil }

func (m model) eagerCopy(context.Context) (time.Duration, error) {
	return report.Time(func() { deepCopy(m.im.top().files) }), nil
}

// mountFS is a container's root filesystem on an overlayfs mount: the
// image's files in a lower dir, the container's own in its upper dir.
type mountFS struct {
	merged, upper string
	im            *image
}

func (m *mountFS) path(p string) string { return filepath.Join(m.merged, filepath.FromSlash(p)) }

func (m *mountFS) read(path string) error {
	_, err := os.ReadFile(m.path(path))
	return err
}

func (m *mountFS) appendTo(path string, data []byte) error {
	return writeFile(m.path(path), os.O_WRONLY|os.O_APPEND, data)
}

func (m *mountFS) create(path string, data []byte) error {
	return writeFile(m.path(path), os.O_WRONLY|os.O_CREATE|os.O_EXCL, data)
}

func (m *mountFS) remove(path string) error { return os.Remove(m.path(path)) }

// copiedUp sums the image's sizes of the regular files in the upper dir
// that the image has too: those the kernel copied up.
func (m *mountFS) copiedUp() int64 {
	var n int64
	err := filepath.WalkDir(m.upper, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(m.upper, p)
		if err != nil {
			return err
		}
		if f, ok := m.im.top().files.Get("/" + filepath.ToSlash(rel)); ok {
			n += int64(f.data.Len())
		}
		return nil
	})
	if err != nil {
		panic(err) // the upper dir is ours, under the comparison's temp dir
	}
	return n
}

// writeFile opens name with flag, writes data and closes it.
func writeFile(name string, flag int, data []byte) error {
	f, err := os.OpenFile(name, flag, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	return errors.Join(err, f.Close())
}

// A kernel is the backend of overlayfs mounts of lower, each container
// with its own upper, work and mount dirs under dir; the eager copy is
// `cp -a` of lower.
type kernel struct {
	dir, lower string
	im         *image
}

// upperDir returns container i's upper dir.
func (k kernel) upperDir(i int) string {
	return filepath.Join(k.dir, fmt.Sprintf("c-%d", i+1), "upper")
}

func (k kernel) start(i int) (rootfs, time.Duration, error) {
	upper := k.upperDir(i)
	work := filepath.Join(filepath.Dir(upper), "work")
	merged := filepath.Join(filepath.Dir(upper), "merged")
	for _, d := range []string{upper, work, merged} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, 0, err
		}
	}
	var err error
	took := report.Time(func() { err = mountOverlay(k.lower, upper, work, merged) })
	if err != nil {
		return nil, 0, err
	}
	return &mountFS{merged: merged, upper: upper, im: k.im}, took, nil
}

func (kernel) stop(fsys rootfs) error { return unmount(fsys.(*mountFS).merged) }

func (k kernel) eagerCopy(ctx context.Context) (time.Duration, error) {
	dst := filepath.Join(k.dir, "copy")
	var out []byte
	var err error
	took := report.Time(func() { out, err = exec.CommandContext(ctx, "cp", "-a", k.lower, dst).CombinedOutput() })
	if err != nil {
		return 0, fmt.Errorf("cp -a: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return took, os.RemoveAll(dst)
}

// writeLower writes the files of m under dir, as a container runtime
// unpacks an image for overlayfs's lower dir, with an empty /tmp.
func writeLower(ctx context.Context, dir string, m *btree.Map[string, file]) error {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o755); err != nil {
		return err
	}
	for path, f := range m.All() {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := filepath.Join(dir, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return err
		}
		// A strings.Reader writes itself to an *os.File without a copy.
		out, err := os.Create(name)
		if err != nil {
			return err
		}
		_, err = io.Copy(out, f.data.Reader())
		if err := errors.Join(err, out.Close()); err != nil {
			return err
		}
	}
	return nil
}

// A comparison is what compareOverlayfs measured, for printing.
type comparison struct {
	containers    int // containers measured on each side, after one to warm up
	copies        int // deep copies timed; cp -a runs once
	steps         []action
	model, kernel column
	files         int
	bytes         int64
	lowerTook     time.Duration // writing the lower dir
	whiteout      bool          // the kernel's delete left a whiteout in the upper dir
}

// compareOverlayfs runs the steps on cowkit's model of im and on
// overlayfs mounts under dir, which must exist and be empty; it leaves
// the lower dir and each container's upper dir there, and nothing mounted.
// It returns an error wrapping errNoOverlay if it cannot mount overlayfs.
func compareOverlayfs(ctx context.Context, im *image, cfg config, dir string) (*comparison, error) {
	if err := probeOverlay(dir); err != nil {
		return nil, err
	}
	c := &comparison{containers: cfg.firstWrites, copies: cfg.deepCopies, steps: containerSteps(im, cfg), files: im.top().files.Len(), bytes: im.top().bytes()}
	var err error
	c.model, err = measure(ctx, model{im}, c.steps, cfg.firstWrites, cfg.deepCopies, c.bytes)
	if err != nil {
		return nil, err
	}

	k := kernel{dir: dir, lower: filepath.Join(dir, "lower"), im: im}
	c.lowerTook = report.Time(func() { err = writeLower(ctx, k.lower, im.top().files) })
	if err != nil {
		return nil, err
	}
	// One cp -a: it creates every file anew, which takes seconds on some disks.
	if c.kernel, err = measure(ctx, k, c.steps, cfg.firstWrites, 1, c.bytes); err != nil {
		return nil, err
	}
	c.whiteout = isWhiteout(filepath.Join(k.upperDir(0), filepath.FromSlash(motd)))
	return c, nil
}

// probeOverlay mounts an overlayfs of empty dirs under dir, and unmounts
// it: the cheapest way to find out whether the mount works here.
func probeOverlay(dir string) error {
	if runtime.GOOS != "linux" {
		return fmt.Errorf("%w: overlayfs is Linux's, and this is %s", errNoOverlay, runtime.GOOS)
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("%w: mounting needs root, and this runs as uid %d", errNoOverlay, os.Geteuid())
	}
	probe := filepath.Join(dir, "probe")
	var dirs []string
	for _, d := range []string{"lower", "upper", "work", "merged"} {
		dirs = append(dirs, filepath.Join(probe, d))
		if err := os.MkdirAll(dirs[len(dirs)-1], 0o755); err != nil {
			return err
		}
	}
	if err := mountOverlay(dirs[0], dirs[1], dirs[2], dirs[3]); err != nil {
		return fmt.Errorf("%w: %w", errNoOverlay, err)
	}
	if err := unmount(dirs[3]); err != nil {
		return err
	}
	return os.RemoveAll(probe)
}

// besideOverlayfs compares cowkit's containers with overlayfs mounts in a
// temp dir, and prints the two columns side by side, or one line saying
// why it could not. It leaves nothing mounted and removes the temp dir,
// also if it is interrupted (SIGINT, SIGTERM).
func besideOverlayfs(w io.Writer, im *image, cfg config) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c, err := inTempDir(func(dir string) (*comparison, error) { return compareOverlayfs(ctx, im, cfg, dir) })
	switch {
	case errors.Is(err, errNoOverlay):
		fmt.Fprintf(w, "-overlayfs: skipped, %v\n", err)
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(w, "-overlayfs: interrupted; nothing is left mounted, and the temp dir is removed")
	case err != nil:
		fmt.Fprintf(w, "-overlayfs: failed: %v\n", err)
	default:
		printComparison(w, im, c)
	}
}

// inTempDir calls f with a new temp dir, and then removes it: after
// unmounting whatever f left mounted there, should it have failed to.
func inTempDir(f func(dir string) (*comparison, error)) (c *comparison, err error) {
	dir, err := os.MkdirTemp("", "cowkit-overlayfs-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if unErr := unmountUnder(dir); unErr != nil {
			err = errors.Join(err, fmt.Errorf("%w; left %s as it is", unErr, dir))
			return
		}
		err = errors.Join(err, os.RemoveAll(dir))
	}()
	return f(dir)
}

func printComparison(w io.Writer, im *image, c *comparison) {
	fmt.Fprintf(w, "Beside the real thing (-overlayfs): the same steps on a Linux overlayfs mount, medians of %d containers after one to warm up\n", c.containers)
	fmt.Fprintf(w, "  its lower dir: the %s files (%s) of %s, written in %s\n",
		report.Count(c.files), report.Bytes(c.bytes), im.name, report.Duration(c.lowerTook))
	t := report.NewTable("lrrrr")
	t.Row("STEP", "COWKIT", "COPIED", "OVERLAYFS", "COPIED")
	names := []string{"start a container: clone the tree | mount"}
	for _, s := range c.steps {
		names = append(names, s.name)
	}
	names = append(names, fmt.Sprintf("eager copy: deep copy (median of %d) | cp -a (once)", c.copies))
	for i, name := range names {
		t.Row(name, report.Duration(c.model.took[i]), report.Bytes(c.model.copied[i]),
			report.Duration(c.kernel.took[i]), report.Bytes(c.kernel.copied[i]))
	}
	t.Write(w, "  ")
	fmt.Fprintf(w, "  the kernel's delete left a whiteout in the upper dir (%s, a character device 0:0): %v\n", motd, c.whiteout)
	fmt.Fprintln(w, "  (each time is one call on a container just started, so cowkit's take longer here than in")
	fmt.Fprintln(w, "  the medians over many containers above)")
}
