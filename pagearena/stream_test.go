package pagearena

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cowkit/cowkit/codec"
	"github.com/cowkit/cowkit/internal/stream"
	"pgregory.net/rapid"
)

func sendArena(t interface{ Fatalf(string, ...any) }, a, base *Arena) []byte {
	var b bytes.Buffer
	if err := a.Send(&b, base); err != nil {
		t.Fatalf("Send: %v", err)
	}
	return b.Bytes()
}

// scribble writes and discards random ranges of a.
func scribble(t *rapid.T, a *Arena) {
	for range rapid.IntRange(0, 12).Draw(t, "writes") {
		off, n := drawRange(t, int(a.Size()))
		if rapid.IntRange(0, 4).Draw(t, "discard") == 0 {
			if err := a.Discard(int64(off), int64(n)); err != nil {
				t.Fatalf("Discard: %v", err)
			}
			continue
		}
		p := make([]byte, n)
		for i := range p {
			p[i] = byte(rapid.IntRange(0, 3).Draw(t, "byte")) // zeros now and then
		}
		if _, err := a.WriteAt(p, int64(off)); err != nil {
			t.Fatalf("WriteAt: %v", err)
		}
	}
}

func drawArena(t *rapid.T) (size int64, ps int) {
	ps = rapid.SampledFrom([]int{512, 1024, 4096}).Draw(t, "page size")
	return int64(rapid.IntRange(0, 40*ps+ps/2).Draw(t, "size")), ps
}

// TestArenaStreamChain sends a full stream and then a chain of
// incremental ones from a primary to a replica, with old streams and
// locally written replicas refused.
func TestArenaStreamChain(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		size, ps := drawArena(t)
		primary, _ := New(size, WithPageSize(ps))
		replica, _ := New(size, WithPageSize(ps))
		scribble(t, primary)
		prev := primary.Fork()
		if err := replica.Receive(bytes.NewReader(sendArena(t, prev, nil))); err != nil {
			t.Fatalf("full Receive: %v", err)
		}
		if !bytes.Equal(readAll(primary), readAll(replica)) {
			t.Fatal("a full stream's replica differs")
		}
		var streams [][]byte
		for round := range rapid.IntRange(1, 5).Draw(t, "rounds") {
			scribble(t, primary)
			snap := primary.Fork()
			s := sendArena(t, snap, prev)
			streams = append(streams, s)
			prev.Release()
			prev = snap
			before := readAll(replica)
			if round > 0 {
				old := streams[rapid.IntRange(0, len(streams)-2).Draw(t, "old")]
				if err := replica.Receive(bytes.NewReader(old)); !errors.Is(err, codec.ErrBase) {
					t.Fatalf("an old stream: err = %v, want ErrBase", err)
				}
			}
			if size > 0 {
				local := replica.Fork()
				local.WriteAt([]byte{9}, 0)
				if err := local.Receive(bytes.NewReader(s)); !errors.Is(err, codec.ErrBase) {
					t.Fatalf("a locally written replica: err = %v, want ErrBase", err)
				}
				local.Release()
			}
			if !bytes.Equal(before, readAll(replica)) {
				t.Fatal("a refused stream changed the replica")
			}
			if err := replica.Receive(bytes.NewReader(s)); err != nil {
				t.Fatalf("round %d: Receive: %v", round, err)
			}
			if !bytes.Equal(readAll(primary), readAll(replica)) {
				t.Fatalf("round %d: the replica differs from the primary", round)
			}
			if err := checkPool([]*Arena{primary, prev}); err != nil {
				t.Fatal(err)
			}
			if err := checkPool([]*Arena{replica}); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestArenaStreamSkipsZeroPages(t *testing.T) {
	a, _ := New(1 << 30)
	p := bytes.Repeat([]byte{1}, 4096)
	for i := range 256 { // 1 MiB written, spread over the arena
		a.WriteAt(p, int64(i)*(1<<22))
	}
	s := sendArena(t, a, nil)
	if want := 256 * 4096; len(s) < want || float64(len(s)) > 1.01*float64(want) {
		t.Fatalf("a full stream of 1 MiB written in 1 GiB: %d bytes", len(s))
	}
	b := a.Fork()
	b.WriteAt([]byte{2}, 5<<22)
	if inc := sendArena(t, b, a); len(inc) > 4096+200 {
		t.Fatalf("an incremental stream of one page: %d bytes", len(inc))
	}
}

func TestArenaStreamMismatch(t *testing.T) {
	a, _ := New(10000)
	a.WriteAt([]byte{1}, 0)
	s := sendArena(t, a, nil)
	for _, opts := range [][]Option{{WithPageSize(512)}, nil} {
		size := int64(10000)
		if opts == nil {
			size = 10001
		}
		r, _ := New(size, opts...)
		if err := r.Receive(bytes.NewReader(s)); !errors.Is(err, codec.ErrMismatch) {
			t.Fatalf("Receive of another shape: err = %v, want ErrMismatch", err)
		}
	}
	u, _ := New(10000)
	if err := u.Fork().Send(io.Discard, u); !errors.Is(err, codec.ErrBase) {
		t.Fatalf("Send against an unnamed base: err = %v", err)
	}
	if err := new(Arena).Receive(bytes.NewReader(s)); !errors.Is(err, codec.ErrMismatch) {
		t.Fatalf("Receive into a zero Arena: err = %v", err)
	}
}

// TestArenaReceiveNoSpace checks that a Receive that would pass the
// pool's limit fails with ErrNoSpace and changes nothing.
func TestArenaReceiveNoSpace(t *testing.T) {
	a, _ := New(64 * 4096)
	for i := range 20 {
		a.WriteAt([]byte{byte(i + 1)}, int64(i)*4096)
	}
	s := sendArena(t, a, nil)
	r, _ := New(64*4096, WithLimit(30))
	for i := range 15 {
		r.WriteAt([]byte{7}, int64(i)*4096)
	}
	before := readAll(r)
	if err := r.Receive(bytes.NewReader(s)); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("Receive past the limit: err = %v, want ErrNoSpace", err)
	}
	if !bytes.Equal(before, readAll(r)) || r.Stats().Frames != 15 {
		t.Fatalf("a failed Receive changed the arena (Frames %d)", r.Stats().Frames)
	}
	r.Discard(0, 10*4096)
	if err := r.Receive(bytes.NewReader(s)); err != nil {
		t.Fatalf("Receive within the limit: %v", err)
	}
	if !bytes.Equal(readAll(a), readAll(r)) || r.Stats().Frames != 20 {
		t.Fatalf("Receive within the limit: contents differ or Frames %d", r.Stats().Frames)
	}
}

func arenaStreams(t interface{ Fatalf(string, ...any) }) (full, inc []byte, base *Arena) {
	a, _ := New(6*512+100, WithPageSize(512))
	for i := range 7 {
		a.WriteAt([]byte{byte(i + 1), 2, 3}, int64(i)*512)
	}
	full = sendArena(t, a, nil)
	base = a.Fork()
	a.WriteAt([]byte{9}, 1000)
	a.Discard(2*512, 512)
	inc = sendArena(t, a, base)
	a.Release()
	return full, inc, base
}

func TestArenaStreamHostile(t *testing.T) {
	full, inc, base := arenaStreams(t)
	empty, _ := New(6*512+100, WithPageSize(512))
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name string
		s    []byte
		into *Arena
	}{{"full", full, empty}, {"incremental", inc, base}} {
		want := readAll(tc.into)
		try := func(s []byte, what string) {
			r := tc.into.Fork()
			if err := r.Receive(bytes.NewReader(s)); err == nil {
				t.Fatalf("%s %s: Receive accepted it", tc.name, what)
			}
			if !bytes.Equal(want, readAll(r)) {
				t.Fatalf("%s %s: a failed Receive changed the arena", tc.name, what)
			}
			r.Release()
		}
		for i := range len(tc.s) {
			try(tc.s[:i], "truncated")
			c := slices.Clone(tc.s)
			c[i] ^= byte(1 + rng.IntN(255))
			try(c, "corrupted")
		}
	}
	for _, a := range []*Arena{empty, base} {
		if err := checkPool([]*Arena{a}); err != nil {
			t.Fatal(err)
		}
	}
}

func FuzzArenaReceive(f *testing.F) {
	full, inc, _ := arenaStreams(f)
	f.Add(full, false)
	f.Add(inc, true)
	f.Fuzz(func(t *testing.T, s []byte, incremental bool) {
		_, _, base := arenaStreams(t)
		into, _ := New(6*512+100, WithPageSize(512))
		if incremental {
			into = base
		}
		before := readAll(into)
		if err := into.Receive(bytes.NewReader(s)); err != nil && !bytes.Equal(before, readAll(into)) {
			t.Fatal("a failed Receive changed the arena")
		}
		if err := checkPool([]*Arena{into}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestArenaStreamRace sends forks of an arena on another goroutine while
// it is written, and receives them on a third.
func TestArenaStreamRace(t *testing.T) {
	a, _ := New(64 * 1024)
	r, _ := New(64 * 1024)
	forks := make(chan *Arena)
	streams := make(chan []byte, 4)
	done := make(chan error, 1)
	go func() {
		defer close(streams)
		var prev *Arena
		for f := range forks {
			var b bytes.Buffer
			if err := f.Send(&b, prev); err != nil {
				t.Error(err)
			}
			streams <- b.Bytes()
			if prev != nil {
				prev.Release()
			}
			prev = f
		}
	}()
	go func() {
		var err error
		for s := range streams {
			if e := r.Receive(bytes.NewReader(s)); e != nil && err == nil {
				err = e
			}
		}
		done <- err
	}()
	for round := range 20 {
		for i := range 8 {
			a.WriteAt([]byte{byte(round), byte(i)}, int64((round*7+i*3)%16)*4096+int64(i))
		}
		forks <- a.Fork()
	}
	close(forks)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readAll(a), readAll(r)) {
		t.Fatal("the replica differs")
	}
}

// TestArenaStreamForged receives streams framed correctly, with valid
// checksums, whose records lie.
func TestArenaStreamForged(t *testing.T) {
	const ps = 512
	forge := func(incremental bool, n int, payload []byte) []byte {
		var b bytes.Buffer
		h := stream.Header{Kind: stream.KindArena, ID: *stream.NewID(), A: ps, B: 4 * ps}
		if incremental {
			h.Base = *stream.NewID()
		}
		w, _ := stream.NewWriter(&b, h)
		w.Chunk(n, append(make([]byte, stream.ChunkHead), payload...))
		w.Close(1)
		return b.Bytes()
	}
	page := bytes.Repeat([]byte{1}, ps)
	rec := func(op byte, pg uint64) []byte { return binary.AppendUvarint([]byte{op}, pg) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	r, _ := New(4*ps, WithPageSize(ps))
	if err := r.Receive(bytes.NewReader(forge(false, 1, cat(rec(opData, 3), page)))); err != nil {
		t.Fatalf("a well-forged stream: %v", err)
	}
	for name, s := range map[string][]byte{
		"page 2^62":                 forge(false, 1, cat(rec(opData, 1<<62), page)),
		"page past the end":         forge(false, 1, cat(rec(opData, 4), page)),
		"pages descending":          forge(false, 2, cat(rec(opData, 2), rec(opData, 1), page, page)),
		"a page twice":              forge(false, 2, cat(rec(opData, 1), rec(opData, 1), page, page)),
		"a byte short":              forge(false, 1, cat(rec(opData, 1), page[1:])),
		"a byte over":               forge(false, 1, cat(rec(opData, 1), page, []byte{0})),
		"more records than a table": forge(false, 100, cat(rec(opData, 1), page)),
		"a zero page in full":       forge(false, 1, rec(opZero, 1)),
		"an unknown op":             forge(false, 1, cat(rec(7, 1), page)),
	} {
		before := readAll(r)
		if err := r.Receive(bytes.NewReader(s)); !errors.Is(err, codec.ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", name, err)
		}
		if !bytes.Equal(before, readAll(r)) {
			t.Errorf("%s: a failed Receive changed the arena", name)
		}
	}
	if err := r.Receive(bytes.NewReader(forge(true, 1, rec(opZero, 1)))); !errors.Is(err, codec.ErrBase) {
		t.Errorf("an incremental stream for another base: err = %v, want ErrBase", err)
	}
}

// TestArenaStreamHugePages sends, against a base, zero pages and then a
// page of 1 GiB, the largest page size: the chunk that holds the big
// page must stay within what a receiver accepts. The pages are never
// touched, so the memory is the operating system's zero pages.
func TestArenaStreamHugePages(t *testing.T) {
	const ps = 1 << 30
	base, _ := New(64*ps, WithPageSize(ps))
	for pg := range int64(40) {
		base.WriteAt([]byte{1}, pg*ps)
	}
	base.snap.Store(stream.NewID()) // as if it had been sent
	f := base.Fork()
	f.Discard(0, 40*ps) // 40 zero-page records
	f.WriteAt([]byte{2}, 50*ps)
	var c countWriter
	if err := f.Send(&c, base); err != nil {
		t.Fatal(err)
	}
	if c.n < ps || c.n > ps+4096 {
		t.Fatalf("the stream is %d bytes, want a page and a little", c.n)
	}
	f.Release()
	base.Release()
}

type countWriter struct{ n int }

func (c *countWriter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }

type writeOnWrite struct {
	bytes.Buffer
	do func()
}

func (w *writeOnWrite) Write(p []byte) (int, error) {
	if w.do != nil {
		w.do()
		w.do = nil
	}
	return w.Buffer.Write(p)
}

// TestArenaStreamWriterWritesTheArena checks that a Send whose writer
// writes to the arena being sent streams the contents its name stands for.
func TestArenaStreamWriterWritesTheArena(t *testing.T) {
	for _, incremental := range []bool{false, true} {
		a, _ := New(4 * 4096)
		a.WriteAt([]byte{1}, 0)
		sendArena(t, a, nil)
		base := a.Fork()
		var against *Arena
		if incremental {
			a.WriteAt([]byte{2}, 4096)
			against = base
			sendArena(t, a, base)
		}
		want := readAll(a)
		w := &writeOnWrite{do: func() { a.WriteAt([]byte{99}, 0) }}
		if err := a.Send(w, against); err != nil {
			t.Fatal(err)
		}
		r := base.Fork()
		if err := r.Receive(bytes.NewReader(w.Bytes())); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(want, readAll(r)) {
			t.Fatalf("incremental %v: the stream is not the snapshot it names", incremental)
		}
	}
}
