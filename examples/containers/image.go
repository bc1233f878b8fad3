package main

import (
	"fmt"
	"hash/maphash"
	"math"
	"math/rand/v2"

	"github.com/cowkit/cowkit/btree"
)

// Paths the example's containers use.
const (
	osRelease = "/etc/os-release"
	motd      = "/etc/motd"
	passwd    = "/etc/passwd"
	webLog    = "/var/log/nginx/access.log"
	workerLog = "/var/log/app/worker.log"
	dbDir     = "/var/lib/app"
	dbFile    = dbDir + "/data.db"
)

// A step is one Dockerfile instruction's worth of files: count files under
// dirs, sizes spread log-uniformly from minSize to maxSize bytes, as real
// trees have many small files and a few big ones.
type step struct {
	dirs             []string
	count            int
	minSize, maxSize int
}

var baseStep = step{
	dirs: []string{
		"/usr/bin/tool-%05d",
		"/usr/lib/x86_64-linux-gnu/lib%05d.so",
		"/usr/share/doc/pkg-%05d/copyright",
		"/usr/share/locale/de/LC_MESSAGES/pkg-%05d.mo",
		"/usr/share/zoneinfo/Zone%05d",
		"/usr/share/man/man1/tool-%05d.1.gz",
		"/var/lib/dpkg/info/pkg-%05d.list",
		"/etc/conf.d/pkg-%05d.conf",
	},
	minSize: 32, maxSize: 8 << 10,
}

var appStep = step{
	dirs: []string{
		"/srv/app/src/module_%05d.py",
		"/srv/app/static/chunk-%05d.js",
		"/srv/app/templates/page-%05d.html",
		"/usr/local/lib/python3.12/site-packages/dep/mod_%05d.py",
	},
	minSize: 64, maxSize: 16 << 10,
}

// A builder makes file contents: a header naming the file, then bytes
// drawn from a fixed random pool, so building is fast and repeatable.
type builder struct {
	rng     *rand.Rand
	pool    []byte
	scratch []byte
}

func newBuilder() *builder {
	b := &builder{rng: rand.New(rand.NewPCG(7, 11)), pool: make([]byte, 1<<20)}
	seed := [32]byte{'c', 'o', 'w', 'k', 'i', 't'}
	rand.NewChaCha8(seed).Read(b.pool)
	return b
}

// content returns size bytes for path, valid until the next call.
func (b *builder) content(path string, size int) []byte {
	b.scratch = fmt.Appendf(b.scratch[:0], "# %s\n", path)
	for len(b.scratch) < size {
		off := b.rng.IntN(len(b.pool))
		end := min(len(b.pool), off+size-len(b.scratch))
		b.scratch = append(b.scratch, b.pool[off:end]...)
	}
	return b.scratch[:size]
}

// add runs s against l: s.count new files.
func (b *builder) add(l *layer, s step) {
	ratio := float64(s.maxSize) / float64(s.minSize)
	for i := range s.count {
		path := fmt.Sprintf(s.dirs[i%len(s.dirs)], i)
		size := int(float64(s.minSize) * math.Pow(ratio, b.rng.Float64()))
		b.create(l, path, b.content(path, size))
	}
}

func (b *builder) create(l *layer, path string, data []byte) {
	if _, err := l.write(path, data, false); err != nil {
		panic(err) // the build's paths are distinct by construction
	}
}

// buildImage builds app:latest the way this Dockerfile would, one layer
// per step, each a clone of the layer below plus the step's changes:
//
//	FROM debian:bookworm-slim            # base: baseFiles files
//	COPY . /srv/app                      # app: appFiles-1 files
//	RUN useradd app                      # user: changes /etc/passwd (a copy-up)
//	COPY data.db /var/lib/app/data.db    # db: the dbSize database
func buildImage(baseFiles, appFiles int, dbSize int64) *image {
	b := newBuilder()
	base := newLayer("base")
	base.step = "FROM debian:bookworm-slim"
	b.create(base, osRelease, []byte("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n"))
	b.create(base, motd, []byte("The programs included with the Debian GNU/Linux system are free software.\n"))
	b.create(base, passwd, []byte("root:x:0:0:root:/root:/bin/bash\n"))
	b.create(base, webLog, b.content(webLog, 48<<10))
	b.create(base, workerLog, b.content(workerLog, 12<<10))
	s := baseStep
	s.count = baseFiles - base.files.Len()
	b.add(base, s)

	app := base.on("app")
	app.step = "COPY . /srv/app"
	s = appStep
	s.count = appFiles - 1
	b.add(app, s)

	user := app.on("user")
	user.step = "RUN useradd app"
	if _, err := user.write(passwd, []byte("app:x:1000:1000::/srv/app:/bin/sh\n"), true); err != nil {
		panic(err)
	}

	db := user.on("db")
	db.step = "COPY data.db " + dbFile
	b.create(db, dbFile, database(b, dbSize))
	return &image{name: "app:latest", layers: []*layer{base, app, user, db}}
}

// database returns size bytes of a database file.
func database(b *builder, size int64) []byte {
	data := make([]byte, size)
	for off := 0; off < len(data); off += len(b.pool) {
		copy(data[off:], b.pool)
	}
	copy(data, "SQLite format 3\x00")
	return data
}

// checksum hashes every path and file of m: equal checksums mean equal
// trees, byte for byte (within one process).
func checksum(m *btree.Map[string, file]) uint64 {
	var h maphash.Hash
	h.SetSeed(checksumSeed)
	for path, f := range m.All() {
		h.WriteString(path)
		h.WriteByte(0)
		h.WriteString(f.data.String())
		h.WriteByte(0)
	}
	return h.Sum64()
}

var checksumSeed = maphash.MakeSeed()
