package btree

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"maps"
	"runtime"
	"slices"
	"testing"

	"github.com/cowkit/cowkit/codec"
	"github.com/cowkit/cowkit/internal/stream"
	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

var ic = codec.Int[int]()

func entries(m *Map[int, int]) [][2]int { return collect(m.All()) }

type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

func send(t fataler, m, base *Map[int, int]) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := m.Send(&b, base, ic, ic); err != nil {
		t.Fatalf("Send: %v", err)
	}
	return b.Bytes()
}

// randomEdits writes to m and its model.
func randomEdits(t *rapid.T, m *Map[int, int], model map[int]int, maxKey int) {
	for range rapid.IntRange(0, 40).Draw(t, "edits") {
		k := rapid.IntRange(-maxKey, maxKey).Draw(t, "k")
		switch rapid.IntRange(0, 3).Draw(t, "op") {
		case 0:
			m.Delete(k)
			delete(model, k)
		case 1:
			lo := rapid.IntRange(-maxKey, maxKey).Draw(t, "lo")
			hi := lo + rapid.IntRange(0, 30).Draw(t, "n")
			m.DeleteRange(lo, hi)
			maps.DeleteFunc(model, func(key, _ int) bool { return key >= lo && key < hi })
		default:
			v := rapid.Int().Draw(t, "v")
			m.Set(k, v)
			model[k] = v
		}
	}
}

func TestStreamRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		src := New[int, int]()
		model := map[int]int{}
		for range rapid.IntRange(0, 3000).Draw(t, "n") {
			k, v := rapid.Int().Draw(t, "k"), rapid.Int().Draw(t, "v")
			src.Set(k, v)
			model[k] = v
		}
		dst := New[int, int]()
		dst.Set(1, 1) // a full stream replaces what dst held
		if err := dst.Receive(bytes.NewReader(send(t, src, nil)), ic, ic); err != nil {
			t.Fatalf("Receive: %v", err)
		}
		if d := cmp.Diff(sortedEntries(model), entries(dst)); d != "" {
			t.Fatalf("received map (-want +got):\n%s", d)
		}
		if err := checkMaps([]*Map[int, int]{src, dst}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestStreamChain sends a chain of incremental streams from a primary to
// a replica, and checks that streams applied out of order, twice, or to a
// replica written locally are refused and change nothing.
func TestStreamChain(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		primary := New[int, int]()
		model := map[int]int{}
		replica := New[int, int]()
		prev := primary.Clone()
		if err := replica.Receive(bytes.NewReader(send(t, prev, nil)), ic, ic); err != nil {
			t.Fatalf("first Receive: %v", err)
		}
		var streams [][]byte
		for round := range rapid.IntRange(1, 8).Draw(t, "rounds") {
			randomEdits(t, primary, model, 300)
			snap := primary.Clone()
			s := send(t, snap, prev)
			streams = append(streams, s)
			prev.Release()
			prev = snap
			before := entries(replica)
			if round > 0 && rapid.Bool().Draw(t, "replay an old stream") {
				old := streams[rapid.IntRange(0, len(streams)-2).Draw(t, "old")]
				if err := replica.Receive(bytes.NewReader(old), ic, ic); !errors.Is(err, codec.ErrBase) {
					t.Fatalf("an old stream: err = %v, want ErrBase", err)
				}
				if d := cmp.Diff(before, entries(replica)); d != "" {
					t.Fatalf("a refused stream changed the replica (-before +after):\n%s", d)
				}
			}
			if rapid.Bool().Draw(t, "write the replica locally") {
				local := replica.Clone()
				local.Set(1<<40, 1)
				if err := local.Receive(bytes.NewReader(s), ic, ic); !errors.Is(err, codec.ErrBase) {
					t.Fatalf("a locally written replica: err = %v, want ErrBase", err)
				}
				if v, ok := local.Get(1 << 40); !ok || v != 1 || local.Len() != len(before)+1 {
					t.Fatalf("a refused stream changed the local replica")
				}
				local.Release()
			}
			if err := replica.Receive(bytes.NewReader(s), ic, ic); err != nil {
				t.Fatalf("round %d: Receive: %v", round, err)
			}
			if d := cmp.Diff(sortedEntries(model), entries(replica)); d != "" {
				t.Fatalf("round %d: replica (-primary +replica):\n%s", round, d)
			}
			if err := replica.Receive(bytes.NewReader(s), ic, ic); !errors.Is(err, codec.ErrBase) {
				t.Fatalf("the same stream twice: err = %v, want ErrBase", err)
			}
			if err := checkMaps([]*Map[int, int]{primary, prev, replica}); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestStreamNames(t *testing.T) {
	m := New[int, int]()
	m.Set(1, 1)
	base := m.Clone()
	if err := m.Send(io.Discard, base, ic, ic); !errors.Is(err, codec.ErrBase) {
		t.Fatalf("Send against a base never sent: err = %v, want ErrBase", err)
	}
	send(t, base, nil)
	c := base.Clone()
	if c.snap.Load() == nil || *c.snap.Load() != *base.snap.Load() {
		t.Fatal("Clone did not copy the snapshot's name")
	}
	for name, write := range map[string]func(*Map[int, int]){
		"Set":         func(m *Map[int, int]) { m.Set(2, 2) },
		"Delete":      func(m *Map[int, int]) { m.Delete(1) },
		"PopMin":      func(m *Map[int, int]) { m.PopMin() },
		"PopMax":      func(m *Map[int, int]) { m.PopMax() },
		"DeleteRange": func(m *Map[int, int]) { m.DeleteRange(0, 5) },
		"Insert":      func(m *Map[int, int]) { m.Insert(maps.All(map[int]int{9: 9})) },
		"Release":     func(m *Map[int, int]) { m.Release() },
	} {
		w := base.Clone()
		write(w)
		if w.snap.Load() != nil {
			t.Errorf("%s kept the snapshot's name", name)
		}
		if err := m.Send(io.Discard, w, ic, ic); !errors.Is(err, codec.ErrBase) {
			t.Errorf("Send against a base written by %s: err = %v, want ErrBase", name, err)
		}
	}
	if base.snap.Load() == nil {
		t.Fatal("a write to a clone cleared the name of base")
	}
}

// hostileStreams returns a full and an incremental stream, and the
// receivers each applies to.
func hostileStreams(t fataler, n int) (full, inc []byte, base *Map[int, int]) {
	m := New[int, int]()
	for i := range n {
		m.Set(i*3, i)
	}
	full = send(t, m, nil)
	base = m.Clone()
	for i := range 10 {
		m.Set(i*31+1, i)
		m.Delete(i * 30)
	}
	inc = send(t, m, base)
	m.Release()
	return full, inc, base
}

// mustRefuse checks that Receive of s into a clone of into errors and
// changes nothing.
func mustRefuse(t *testing.T, into *Map[int, int], s []byte, what string) {
	t.Helper()
	r := into.Clone()
	before := entries(r)
	err := r.Receive(bytes.NewReader(s), ic, ic)
	if err == nil {
		t.Fatalf("%s: Receive accepted it", what)
	}
	if d := cmp.Diff(before, entries(r)); d != "" {
		t.Fatalf("%s: a failed Receive changed the map (-before +after):\n%s", what, d)
	}
	r.Release()
}

func TestStreamHostile(t *testing.T) {
	full, inc, base := hostileStreams(t, 500)
	empty := New[int, int]()
	for _, tc := range []struct {
		name string
		s    []byte
		into *Map[int, int]
	}{{"full", full, empty}, {"incremental", inc, base}} {
		for i := range len(tc.s) {
			mustRefuse(t, tc.into, tc.s[:i], tc.name+": truncated")
		}
		for i := range len(tc.s) {
			c := slices.Clone(tc.s)
			c[i] ^= byte(1 + i%255)
			mustRefuse(t, tc.into, c, tc.name+": a corrupted byte")
		}
	}
	if err := empty.Receive(bytes.NewReader(nil), ic, ic); err != io.EOF {
		t.Fatalf("an empty reader: err = %v, want io.EOF", err)
	}
}

// forge returns a stream with the given records, chunk by chunk, framed
// correctly (valid checksums) with the trailer's counts given.
func forge(chunks [][]byte, recs []uint32, count, extra uint64) []byte {
	var b bytes.Buffer
	sw, _ := stream.NewWriter(&b, stream.Header{Kind: stream.KindMap, ID: *stream.NewID()})
	sw.Close(0)
	b.Truncate(68) // the header alone
	tab := crc32.MakeTable(crc32.Castagnoli)
	whole := crc32.Checksum(b.Bytes(), tab)
	for i, c := range chunks {
		var h [12]byte
		binary.LittleEndian.PutUint32(h[0:], uint32(len(c)))
		binary.LittleEndian.PutUint32(h[4:], recs[i])
		binary.LittleEndian.PutUint32(h[8:], crc32.Update(crc32.Checksum(h[:8], tab), tab, c))
		whole = crc32.Update(whole, tab, h[:])
		b.Write(h[:])
		b.Write(c)
	}
	var e [12 + 20]byte
	binary.LittleEndian.PutUint32(e[8:], crc32.Checksum(e[:8], tab))
	whole = crc32.Update(whole, tab, e[:12])
	binary.LittleEndian.PutUint64(e[12:], count)
	binary.LittleEndian.PutUint64(e[20:], extra)
	binary.LittleEndian.PutUint32(e[28:], crc32.Update(whole, tab, e[12:28]))
	b.Write(e[:])
	return b.Bytes()
}

func TestStreamForged(t *testing.T) {
	rec := func(k, v int) []byte {
		b := []byte{opAdded}
		b = appendField(b, ic.Append, k)
		return appendField(b, ic.Append, v)
	}
	good := forge([][]byte{append(rec(1, 1), rec(2, 2)...)}, []uint32{2}, 2, 2)
	m := New[int, int]()
	if err := m.Receive(bytes.NewReader(good), ic, ic); err != nil || m.Len() != 2 {
		t.Fatalf("a well-forged stream: err = %v, Len %d", err, m.Len())
	}
	huge := binary.AppendUvarint([]byte{opAdded}, 1<<40)
	bad := map[string][]byte{
		"2^62 records in the trailer":  forge([][]byte{rec(1, 1)}, []uint32{1}, 1<<62, 1),
		"2^62 entries in the trailer":  forge([][]byte{rec(1, 1)}, []uint32{1}, 1, 1<<62),
		"more records than bytes":      forge([][]byte{rec(1, 1)}, []uint32{1 << 31}, 1<<31, 1),
		"fewer records than the chunk": forge([][]byte{append(rec(1, 1), rec(2, 2)...)}, []uint32{1}, 1, 1),
		"a 2^40-byte key":              forge([][]byte{huge}, []uint32{1}, 1, 1),
		"keys out of order":            forge([][]byte{append(rec(2, 2), rec(1, 1)...)}, []uint32{2}, 2, 2),
		"a key twice":                  forge([][]byte{append(rec(2, 2), rec(2, 1)...)}, []uint32{2}, 2, 2),
		"an unknown op":                forge([][]byte{{9, 1, 2, 1, 2}}, []uint32{1}, 1, 1),
		"a removal in a full stream":   forge([][]byte{{opRemoved, 1, 2}}, []uint32{1}, 1, 0),
		"a value that does not decode": forge([][]byte{{opAdded, 1, 2, 2, 0x80, 0x80}}, []uint32{1}, 1, 1),
	}
	var params bytes.Buffer
	sw, _ := stream.NewWriter(&params, stream.Header{Kind: stream.KindMap, ID: *stream.NewID(), A: 4096})
	sw.Close(0)
	bad["page size in a map stream"] = params.Bytes()
	for name, s := range bad {
		mustRefuse(t, m, s, name)
	}
	// A chunk that claims 1 GiB and then ends: the reader must not
	// allocate what the chunk claims.
	claim := forge([][]byte{rec(1, 1)}, []uint32{1}, 1, 1)
	binary.LittleEndian.PutUint32(claim[68:], 1<<30)
	claim = append(claim[:68+12], make([]byte, 100)...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	mustRefuse(t, m, claim, "a chunk that claims 1 GiB")
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
		t.Fatalf("a truncated 1 GiB chunk allocated %d bytes", got)
	}
}

func FuzzReceive(f *testing.F) {
	full, inc, _ := hostileStreams(f, 100)
	f.Add(full, false)
	f.Add(inc, true)
	f.Fuzz(func(t *testing.T, s []byte, incremental bool) {
		_, _, base := hostileStreams(t, 100)
		into := New[int, int]()
		if incremental {
			into = base
		}
		before := entries(into)
		if err := into.Receive(bytes.NewReader(s), ic, ic); err != nil {
			if d := cmp.Diff(before, entries(into)); d != "" {
				t.Fatalf("a failed Receive changed the map (-before +after):\n%s", d)
			}
		}
		if err := checkMaps([]*Map[int, int]{into}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestStreamBuildsEverySize receives full streams of maps of many sizes,
// so that the bulk builder ends its levels in every state.
func TestStreamBuildsEverySize(t *testing.T) {
	sizes := []int{}
	for n := range 400 {
		sizes = append(sizes, n)
	}
	for _, n := range []int{maxLeaf * (maxInner + 1), maxLeaf*(maxInner+1) + 1, maxLeaf*(maxInner+1)*(maxInner+1) + 1, 5000, 40000, 63*10*10*10 + 1} {
		sizes = append(sizes, n-1, n, n+1)
	}
	for _, n := range sizes {
		m := New[int, int]()
		for i := range n {
			m.Set(i, -i)
		}
		r := New[int, int]()
		if err := r.Receive(bytes.NewReader(send(t, m, nil)), ic, ic); err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if err := checkMaps([]*Map[int, int]{r}); err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if r.Len() != n || !slices.Equal(entries(m), entries(r)) {
			t.Fatalf("n=%d: the received map differs", n)
		}
		r.Set(-1, 0) // the built tree takes writes
		r.DeleteRange(0, n/2)
		if err := checkMaps([]*Map[int, int]{r}); err != nil {
			t.Fatalf("n=%d after writes: %v", n, err)
		}
	}
}

// TestStreamRace sends clones of a map on other goroutines while it is
// written, two of them sending the same clone at once, and receives the
// streams on a third: under -race, a shared node written, or a name
// recorded without synchronisation, is reported.
func TestStreamRace(t *testing.T) {
	m := New[int, int]()
	for i := range 5000 {
		m.Set(i, i)
	}
	snaps := make(chan *Map[int, int])
	streams := make(chan []byte, 4)
	done := make(chan error, 1)
	go func() { // the sender
		defer close(streams)
		var prev *Map[int, int]
		for s := range snaps {
			var a, b bytes.Buffer
			errs := make(chan error, 1)
			go func() { errs <- s.Send(&b, prev, ic, ic) }()
			if err := s.Send(&a, prev, ic, ic); err != nil {
				t.Error(err)
			}
			if err := <-errs; err != nil || !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Errorf("two Sends of one snapshot at once differ (err %v)", err)
			}
			streams <- a.Bytes()
			if prev != nil {
				prev.Release()
			}
			prev = s
		}
	}()
	go func() { // the receiver
		r := New[int, int]()
		var err error
		for s := range streams {
			if e := r.Receive(bytes.NewReader(s), ic, ic); e != nil && err == nil {
				err = e
			}
		}
		if err == nil && !slices.Equal(entries(r), entries(m)) { // m is not written after the last clone
			err = errors.New("the replica differs from the primary")
		}
		done <- err
	}()
	for round := range 20 {
		for i := range 200 {
			m.Set((round*7919+i*31)%6000, round)
			m.Delete((round*104729 + i) % 6000)
		}
		snaps <- m.Clone()
	}
	close(snaps)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// writeOnWrite runs do in its first Write: a writer that writes to the
// map being sent.
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

// TestStreamWriterWritesTheMap checks that a Send whose writer writes to
// the map being sent streams the contents its name stands for.
func TestStreamWriterWritesTheMap(t *testing.T) {
	for _, incremental := range []bool{false, true} {
		m := New[int, int]()
		m.Set(1, 1)
		send(t, m, nil) // names m
		base := m.Clone()
		var against *Map[int, int]
		if incremental {
			m.Set(2, 2)
			against = base
			send(t, m, base) // names m anew
		}
		snap := m.Clone()
		w := &writeOnWrite{do: func() { m.Set(1, 99) }}
		if err := m.Send(w, against, ic, ic); err != nil {
			t.Fatal(err)
		}
		r := base.Clone()
		if err := r.Receive(bytes.NewReader(w.Bytes()), ic, ic); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(entries(snap), entries(r)); d != "" {
			t.Fatalf("incremental %v: the stream is not the snapshot it names (-want +got):\n%s", incremental, d)
		}
		next := snap.Clone()
		next.Set(3, 3)
		if err := r.Receive(bytes.NewReader(send(t, next, snap)), ic, ic); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(entries(next), entries(r)); d != "" {
			t.Fatalf("incremental %v: the replica drifted (-want +got):\n%s", incremental, d)
		}
	}
}
