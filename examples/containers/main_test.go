package main

import (
	"bytes"
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/cowkit/cowkit/examples/internal/report"
	"github.com/google/go-cmp/cmp"
)

// small is the example at a size a test runs in a blink.
var small = config{
	baseFiles: 400, appFiles: 100, dbSize: 300_000,
	containers: 6, deepCopies: 1,
	taxSizes: []int64{20_000, 300_000}, firstWrites: 2, nextWrites: 3,
}

// files returns the paths and contents of l's tree.
func files(l *layer) map[string]string {
	m := make(map[string]string)
	for path, f := range l.files.All() {
		m[path] = f.data.String()
	}
	return m
}

func TestRun(t *testing.T) {
	var out bytes.Buffer
	r := run(&out, small)
	got := out.String()
	t.Log("\n" + got)

	if r.before != r.after {
		t.Error("the containers' writes changed the image")
	}
	if n := r.image.top().files.Len(); n != small.baseFiles+small.appFiles {
		t.Errorf("the image has %d files, want %d", n, small.baseFiles+small.appFiles)
	}
	if _, ok := r.image.top().files.Get(motd); !ok {
		t.Errorf("the image lost %s, which the containers deleted", motd)
	}

	// Every operation copied exactly what copy-up should: nothing but the
	// log, and the log whole.
	for j, name := range opNames {
		for i, copied := range r.fleet.copied[j] {
			c := r.fleet.containers[i]
			var want int64
			if j == 1 { // the append: copy-up of the log as the image has it
				want = int64(len(r.image.top().mustRead(logOf(c.name))))
			}
			if copied != want {
				t.Errorf("%s: %q copied %d bytes, want %d", c.name, name, copied, want)
			}
		}
	}
	if a := r.fleet.alloc[0]; report.Median(a) != 0 {
		t.Errorf("reading a file allocated %v bytes, want 0 (median)", a)
	}

	// The tax rows: the image's files copy all of themselves up, the
	// block-level fork one page, the volume nothing.
	if len(r.tax) != len(small.taxSizes)+2 {
		t.Fatalf("%d tax rows, want %d", len(r.tax), len(small.taxSizes)+2)
	}
	for i, row := range r.tax {
		want := row.size
		switch i {
		case len(small.taxSizes):
			want = 4096
		case len(small.taxSizes) + 1:
			want = 0
		}
		if row.copied != want {
			t.Errorf("tax row %q, size %d: copied %d, want %d", row.where, row.size, row.copied, want)
		}
	}

	wantDiff := []string{"D " + motd, "A " + pidFile("web-01"), "C " + webLog}
	if d := cmp.Diff(wantDiff, r.diff); d != "" {
		t.Errorf("docker diff web-01 (-want +got):\n%s", d)
	}
	if _, ok := r.committed.top().files.Get(pidFile("web-01")); !ok {
		t.Error("the committed image lacks the container's new file")
	}
	if _, ok := r.image.top().files.Get(pidFile("web-01")); ok {
		t.Error("the original image has the container's new file")
	}
	if want := r.image.top().mustRead(webLog) + "web-01 GET /health 200\n"; r.committed.top().mustRead(webLog) != want {
		t.Error("the committed image's log is not the container's log at commit time")
	}
	if want := int64(len(r.committed.top().mustRead(webLog))); r.copiedAgain != want {
		t.Errorf("the container's first write after the commit copied %d bytes up, want its log's %d", r.copiedAgain, want)
	}

	// The build table: each layer's changes against the one below,
	// computed here from the files themselves.
	below := map[string]string{}
	for i, l := range r.image.layers {
		now := files(l)
		var want changes
		for path, data := range now {
			old, ok := below[path]
			switch {
			case !ok:
				want.added++
				want.written += int64(len(data))
			case old != data:
				want.changed++
				want.written += int64(len(data))
				want.dropped += int64(len(old))
				want.copiedUp += int64(len(old))
			}
		}
		if r.build[i] != want {
			t.Errorf("layer %s: changes %+v, want %+v", l.name, r.build[i], want)
		}
		below = now
	}

	// The stats of a web and a worker container, from their files.
	image := files(r.image.top())
	for _, s := range r.stats {
		if s.name != "web-02" && s.name != "worker-01" {
			continue
		}
		log := logOf(s.name)
		want := changes{added: 1, changed: 1, deleted: 1,
			written:  int64(len(pidFileData) + len(image[log]) + len(s.name+" GET /health 200\n")),
			dropped:  int64(len(image[log]) + len(image[motd])),
			copiedUp: int64(len(image[log]))}
		if s.changes != want {
			t.Errorf("%s stats: %+v, want %+v", s.name, s.changes, want)
		}
	}

	for _, s := range r.stats {
		c := s.changes
		switch s.name {
		case "db-1": // also copied the database up
			if c.added != 1 || c.changed != 2 || c.deleted != 1 || c.written < small.dbSize {
				t.Errorf("db-1 stats %+v: want A1 C2 D1 and the database among its private bytes", c)
			}
		case "db-2": // its database is in the volume
			if c.added != 1 || c.changed != 1 || c.deleted != 1 || c.written >= small.dbSize || s.volume < small.dbSize {
				t.Errorf("db-2 stats %+v, volume %d: want A1 C1 D1, the database in the volume", c, s.volume)
			}
		default:
			if c.added != 1 || c.changed != 1 || c.deleted != 1 || s.volume != 0 {
				t.Errorf("%s stats %+v, volume %d: want A1 C1 D1, no volume", s.name, c, s.volume)
			}
		}
	}

	for _, want := range []string{
		"copy-on-write starts a container",
		"the image afterwards: unchanged, byte for byte",
		"/etc/motd: deleted in 6 of 6 containers, still in the image: true",
		"docker diff web-01: 3 changes",
		"/tmp/web-01.pid in app:web-01: true, in app:latest: false",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

// TestCopyUp checks the filesystem model's sharing: what a container
// writes, only it sees; what it did not write, it shares with the image,
// handle for handle.
func TestCopyUp(t *testing.T) {
	im := buildImage(50, 10, 1000)
	want := files(im.top())
	a, b := im.run("a"), im.run("b")

	if got, err := a.read(osRelease); err != nil || got != want[osRelease] {
		t.Fatalf("read = %q, %v; want %q", got, err, want[osRelease])
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = a.read(osRelease) }); n != 0 {
		t.Errorf("a read allocated %v times, want 0", n)
	}

	copied, err := a.appendFile(webLog, []byte("one\n"))
	if err != nil || copied != int64(len(want[webLog])) {
		t.Errorf("first append: copied %d, %v; want the whole log, %d bytes", copied, err, len(want[webLog]))
	}
	copied, err = a.appendFile(webLog, []byte("two\n"))
	if err != nil || copied != 0 {
		t.Errorf("second append: copied %d, %v; want 0 (the log is a's own now)", copied, err)
	}
	if err := a.create(pidFile("a"), []byte("1\n")); err != nil {
		t.Fatal(err)
	}
	if err := a.remove(motd); err != nil {
		t.Fatal(err)
	}

	if d := cmp.Diff(want, files(im.top())); d != "" {
		t.Errorf("a's writes changed the image (-want +got):\n%s", d)
	}
	if d := cmp.Diff(want, files(b.rw)); d != "" {
		t.Errorf("a's writes changed container b (-want +got):\n%s", d)
	}
	wantA := make(map[string]string)
	for k, v := range want {
		wantA[k] = v
	}
	wantA[webLog] += "one\ntwo\n"
	wantA[pidFile("a")] = "1\n"
	delete(wantA, motd)
	if d := cmp.Diff(wantA, files(a.rw)); d != "" {
		t.Errorf("container a (-want +got):\n%s", d)
	}

	// Only the log was copied: every other file is the image's own handle.
	for path, f := range a.rw.files.All() {
		g, ok := im.top().files.Get(path)
		if shared := ok && f.data == g.data; shared == (path == webLog || path == pidFile("a")) {
			t.Errorf("%s: shared with the image = %v", path, shared)
		}
	}

	if _, err := a.read(motd); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("read of a deleted file: %v, want ErrNotExist", err)
	}
	if _, err := a.appendFile("/no/such/file", nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("append to a missing file: %v, want ErrNotExist", err)
	}
	if err := a.create(osRelease, nil); !errors.Is(err, fs.ErrExist) {
		t.Errorf("create of an existing file: %v, want ErrExist", err)
	}
	if err := a.remove(motd); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("second remove: %v, want ErrNotExist", err)
	}
	if d := cmp.Diff(wantA, files(a.rw)); d != "" {
		t.Errorf("failed calls changed container a (-want +got):\n%s", d)
	}
}

// TestCommit checks that a committed image is frozen: the container goes on
// writing without changing it, and containers of the new image see the
// committed files.
func TestCommit(t *testing.T) {
	im := buildImage(50, 10, 1000)
	c := im.run("c")
	if _, err := c.appendFile(webLog, []byte("before\n")); err != nil {
		t.Fatal(err)
	}
	if err := c.create(pidFile("c"), []byte("1\n")); err != nil {
		t.Fatal(err)
	}
	img := c.commit("app:c")
	frozen := files(img.top())

	copied, err := c.appendFile(webLog, []byte("after\n"))
	if err != nil || copied == 0 {
		t.Errorf("the first append after commit copied %d, %v; want a copy-up", copied, err)
	}
	if err := c.remove(pidFile("c")); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(frozen, files(img.top())); d != "" {
		t.Errorf("writes after the commit changed the new image (-want +got):\n%s", d)
	}
	if !strings.HasSuffix(frozen[webLog], "before\n") || frozen[pidFile("c")] != "1\n" {
		t.Error("the new image lacks what the container wrote before the commit")
	}
	if len(img.layers) != len(im.layers)+1 || img.layers[0] != im.layers[0] {
		t.Error("the new image is not the old image's layers plus one")
	}

	d := img.run("d")
	if got, err := d.read(pidFile("c")); err != nil || got != "1\n" {
		t.Errorf("a container of the new image reads %q, %v", got, err)
	}
	if got := c.diff(); !slices.Equal(got, []string{"C " + webLog}) {
		t.Errorf("diff after commit and remove = %q, want only the log changed against %s", got, im.name)
	}
}

// TestVolume checks that a volume hides the image's directory below its
// mount point, is private, and copies nothing up.
func TestVolume(t *testing.T) {
	im := buildImage(50, 10, 5000)
	before := files(im.top())
	c := im.run("c")
	c.mount(newVolume("v", dbDir))
	if _, err := c.read(dbFile); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("read of the image's file under the mount: %v, want ErrNotExist", err)
	}
	if err := c.create(dbFile, []byte("hello ")); err != nil {
		t.Fatal(err)
	}
	copied, err := c.appendFile(dbFile, []byte("world"))
	if err != nil || copied != 0 {
		t.Errorf("append in a volume copied %d, %v; want 0", copied, err)
	}
	if got, err := c.read(dbFile); err != nil || got != "hello world" {
		t.Errorf("read = %q, %v; want %q", got, err, "hello world")
	}
	if d := cmp.Diff(before, files(im.top())); d != "" {
		t.Errorf("the volume's writes changed the image (-want +got):\n%s", d)
	}
	if diff := c.diff(); len(diff) != 0 {
		t.Errorf("docker diff = %q, want nothing: volumes are not in the container's layer", diff)
	}
	if err := c.remove(dbFile); err != nil {
		t.Fatal(err)
	}
	if _, err := c.read(dbFile); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("read after remove: %v, want ErrNotExist", err)
	}
}

// TestBlockFileFork checks block-level copy-on-write: a fork shares every
// page and copies one on its first write there.
func TestBlockFileFork(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 5000) // 50,000 bytes, 13 pages
	img := newBlockFile(data)
	own := img.fork()
	if s := own.disk.Stats(); s.Shared != 13 || s.Frames != 13 {
		t.Fatalf("after fork: %+v, want 13 shared pages and frames", s)
	}
	if _, err := own.append([]byte("x")); err != nil {
		t.Fatal(err)
	}
	if s := own.disk.Stats(); s.Shared != 12 || s.Private != 1 || s.Frames != 14 {
		t.Errorf("after one append: %+v, want 12 shared, 1 private, 14 frames", s)
	}
	got := make([]byte, img.n)
	if _, err := img.disk.ReadAt(got, 0); err != nil || !bytes.Equal(got, data) {
		t.Errorf("the fork's write changed the original (%v)", err)
	}
}

func TestDeepCopy(t *testing.T) {
	im := buildImage(50, 10, 1000)
	c := deepCopy(im.top().files)
	if checksum(c) != checksum(im.top().files) {
		t.Fatal("the deep copy differs from the image")
	}
	for path, f := range c.All() {
		if g, _ := im.top().files.Get(path); g.data == f.data {
			t.Fatalf("%s: the deep copy shares its handle with the image", path)
		}
	}
}

func TestFrozenLayer(t *testing.T) {
	im := buildImage(50, 10, 1000)
	c := im.run("c")
	for name, write := range map[string]func(){
		"write":  func() { _, _ = im.top().write(webLog, []byte("x"), true) },
		"remove": func() { _ = im.top().remove(motd) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s to the image's top layer under a running container did not panic", name)
				}
			}()
			write()
		}()
	}
	if _, err := c.appendFile(webLog, []byte("x")); err != nil {
		t.Errorf("the container's own layer is writable: %v", err)
	}
}
