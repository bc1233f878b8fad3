package kv

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"testing"

	"github.com/cowkit/cowkit/codec"
	"github.com/hashicorp/raft"
	"pgregory.net/rapid"
)

// memSink is a raft.SnapshotSink in memory. The tests in this file test the
// FSM alone, with no raft around it, so nothing else would hand them a
// sink; cluster_test.go persists through raft's FileSnapshotStore.
type memSink struct {
	bytes.Buffer
	closed, cancelled bool
}

func (s *memSink) ID() string    { return "mem" }
func (s *memSink) Cancel() error { s.cancelled = true; return nil }
func (s *memSink) Close() error  { s.closed = true; return nil }

// tb is what the helpers need of a *testing.T or a *rapid.T.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

func entry(index uint64, cmd []byte) *raft.Log {
	return &raft.Log{Index: index, Term: 1, Type: raft.LogCommand, Data: cmd}
}

// persist takes a snapshot of sm and writes it to memory.
func persist(t tb, sm StateMachine) []byte {
	t.Helper()
	s, err := sm.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	var sink memSink
	if err := s.Persist(&sink); err != nil {
		t.Fatal(err)
	}
	if !sink.closed || sink.cancelled {
		t.Fatalf("sink closed %v, cancelled %v after a Persist that succeeded", sink.closed, sink.cancelled)
	}
	return sink.Bytes()
}

// contents returns what f holds, read through its btree.
func contents(f *FSM) map[string][]byte {
	m := f.Clone()
	defer m.Release()
	out := make(map[string][]byte, m.Len())
	for k, v := range m.All() {
		out[k] = v
	}
	return out
}

func sameState(t tb, f *FSM, model *MapFSM) {
	t.Helper()
	got, want := contents(f), model.Map()
	if !maps.EqualFunc(got, want, bytes.Equal) {
		t.Fatalf("FSM holds %d keys, model %d; they differ\nFSM:   %q\nmodel: %q", len(got), len(want), got, want)
	}
	if f.Len() != len(want) || f.Index() != model.Index() {
		t.Fatalf("FSM Len %d Index %d, model Len %d Index %d", f.Len(), f.Index(), len(want), model.Index())
	}
}

func TestCommandsRoundTrip(t *testing.T) {
	var b Batch
	b.Put("a", []byte("1"))
	b.Put("", nil)
	b.Put("c", []byte{})
	cases := []struct {
		cmd  []byte
		want command
	}{
		{Put("k", []byte("v")), command{op: opPut, key: []byte("k"), val: []byte("v")}},
		{Put("", nil), command{op: opPut, key: []byte{}, val: []byte{}}},
		{Delete("k"), command{op: opDelete, key: []byte("k")}},
		{CAS("k", nil, []byte("n")), command{op: opCAS, key: []byte("k"), flags: casNew, old: []byte{}, val: []byte("n")}},
		{CAS("k", []byte("o"), nil), command{op: opCAS, key: []byte("k"), flags: casOld, old: []byte("o"), val: []byte{}}},
		{CAS("k", []byte{}, []byte{}), command{op: opCAS, key: []byte("k"), flags: casOld | casNew, old: []byte{}, val: []byte{}}},
		{b.Bytes(), command{op: opBatch, batch: []pair{{[]byte("a"), []byte("1")}, {[]byte{}, []byte{}}, {[]byte("c"), []byte{}}}}},
		{new(Batch).Bytes(), command{op: opBatch}},
	}
	for _, c := range cases {
		got, err := decode(c.cmd)
		if err != nil {
			t.Fatalf("decode(%q): %v", c.cmd, err)
		}
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", c.want) {
			t.Errorf("decode(%q) = %q, want %q", c.cmd, got, c.want)
		}
	}
	if b.Len() != 3 {
		t.Errorf("Batch.Len = %d, want 3", b.Len())
	}
	b.Reset()
	b.Put("x", []byte("y"))
	if got, err := decode(b.Bytes()); err != nil || len(got.batch) != 1 || string(got.batch[0].key) != "x" {
		t.Errorf("a batch reused after Reset decodes as %q, %v", got, err)
	}
}

func TestMalformedCommands(t *testing.T) {
	bad := [][]byte{
		nil,
		{0},
		{9, 'k'},
		{opPut},                     // no key length
		{opPut, 5, 'a'},             // key longer than the entry
		{opPut, 0x80},               // truncated uvarint
		{opCAS, 1, 'k'},             // no flags
		{opCAS, 1, 'k', 4, 0},       // unknown flag
		{opCAS, 1, 'k', 0, 1, 'o'},  // old given, flagged absent
		{opCAS, 1, 'k', 0, 0, 'n'},  // new given, flagged absent
		{opCAS, 1, 'k', casOld, 3},  // old longer than the entry
		{opBatch, 1, 'k'},           // key without a value
		{opBatch, 1, 'k', 2, 'v'},   // value longer than the entry
		{opBatch, 0xff, 0xff, 0xff}, // truncated length
	}
	for _, cmd := range bad {
		f, model := NewFSM(), NewMapFSM()
		f.Apply(entry(1, Put("keep", []byte("me"))))
		model.Apply(entry(1, Put("keep", []byte("me"))))
		res := f.Apply(entry(2, cmd))
		if err, ok := res.(error); !ok || !errors.Is(err, ErrCommand) {
			t.Errorf("Apply(%q) = %v, want an error wrapping ErrCommand", cmd, res)
		}
		model.Apply(entry(2, cmd))
		sameState(t, f, model)
	}
}

// TestValuesAreCopied: a value is copied out of the log entry on Apply and
// out of the state on Get, so neither raft's buffer nor a caller can change
// what a snapshot holds.
func TestValuesAreCopied(t *testing.T) {
	var b Batch
	b.Put("k", []byte("value"))
	for name, cmd := range map[string][]byte{
		"Put":   Put("k", []byte("value")),
		"Batch": b.Bytes(),
		"CAS":   CAS("k", nil, []byte("value")),
	} {
		f := NewFSM()
		f.Apply(entry(1, cmd))
		snap := f.Clone()
		for i := range cmd {
			cmd[i] = 'X'
		}
		v, _ := f.Get("k")
		v[0] = 'Y'
		if got, _ := snap.Get("k"); string(got) != "value" {
			t.Fatalf("%s: the snapshot's value is %q, want %q", name, got, "value")
		}
		if got, _ := f.Get("k"); string(got) != "value" {
			t.Fatalf("%s: the value is %q, want %q", name, got, "value")
		}
		snap.Release()
	}
}

func TestCAS(t *testing.T) {
	f := NewFSM()
	steps := []struct {
		cmd  []byte
		want bool
		val  string // "" with ok false: absent
		ok   bool
	}{
		{CAS("k", []byte("x"), []byte("a")), false, "", false}, // absent, expected x
		{CAS("k", nil, []byte("a")), true, "a", true},          // create
		{CAS("k", nil, []byte("b")), false, "a", true},         // exists, expected absent
		{CAS("k", []byte("b"), []byte("c")), false, "a", true}, // wrong old
		{CAS("k", []byte("a"), []byte{}), true, "", true},      // to an empty value
		{CAS("k", nil, nil), false, "", true},                  // empty is not absent
		{CAS("k", []byte{}, nil), true, "", false},             // delete
		{CAS("k", nil, nil), true, "", false},                  // absent stays absent
	}
	for i, s := range steps {
		if got := f.Apply(entry(uint64(i+1), s.cmd)); got != s.want {
			t.Fatalf("step %d: CAS answered %v, want %v", i, got, s.want)
		}
		v, ok := f.Get("k")
		if ok != s.ok || string(v) != s.val {
			t.Fatalf("step %d: k = %q, %v; want %q, %v", i, v, ok, s.val, s.ok)
		}
	}
}

// genCommand draws a command over a small key space, so that Put, Delete
// and CAS meet the same keys, and CAS sometimes guesses right.
func genCommand(t *rapid.T) []byte {
	key := func() string { return rapid.SampledFrom([]string{"", "a", "b", "c", "d", "e"}).Draw(t, "key") }
	val := func() []byte {
		return rapid.SampledFrom([][]byte{nil, {}, []byte("1"), []byte("2"), []byte("long value")}).Draw(t, "val")
	}
	switch rapid.IntRange(0, 5).Draw(t, "op") {
	case 0:
		return Put(key(), val())
	case 1:
		return Delete(key())
	case 2:
		return CAS(key(), val(), val())
	case 3:
		var b Batch
		for range rapid.IntRange(0, 5).Draw(t, "n") {
			b.Put(key(), val())
		}
		return b.Bytes()
	case 4:
		return rapid.SliceOfN(rapid.Byte(), 0, 8).Draw(t, "garbage")
	default:
		return []byte{opBatch, 1, 'k'}
	}
}

// TestFSMAgainstModel applies random commands, one at a time and in
// batches, to the FSM and to MapFSM, and at random points takes snapshots,
// persists them after more entries were applied, and restores them into
// new FSMs: each restored FSM must hold exactly the state at its snapshot's
// index, and the live FSM must go on matching the model.
func TestFSMAgainstModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		f, model := NewFSM(), NewMapFSM()
		type pending struct {
			snap  raft.FSMSnapshot
			state map[string][]byte
			index uint64
		}
		var snaps []pending
		defer func() {
			for _, p := range snaps {
				p.snap.Release()
			}
		}()
		index := uint64(0)
		for range rapid.IntRange(1, 60).Draw(t, "steps") {
			switch rapid.IntRange(0, 9).Draw(t, "action") {
			case 0, 1, 2, 3:
				index++
				cmd := genCommand(t)
				got, want := f.Apply(entry(index, cmd)), model.Apply(entry(index, cmd))
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("Apply(%q) answered %v, model %v", cmd, got, want)
				}
			case 4, 5:
				var logs []*raft.Log
				for range rapid.IntRange(0, 4).Draw(t, "batch") {
					index++
					l := entry(index, genCommand(t))
					if rapid.Bool().Draw(t, "config") {
						l.Type, l.Data = raft.LogConfiguration, nil
					}
					logs = append(logs, l)
				}
				got := f.ApplyBatch(logs)
				for i, l := range logs {
					if want := model.Apply(l); fmt.Sprint(got[i]) != fmt.Sprint(want) {
						t.Fatalf("ApplyBatch answer %d (%q) is %v, model %v", i, l.Data, got[i], want)
					}
				}
			case 6, 7:
				s, err := f.Snapshot()
				if err != nil {
					t.Fatal(err)
				}
				snaps = append(snaps, pending{s, model.Map(), model.Index()})
			case 8:
				if len(snaps) == 0 {
					continue
				}
				i := rapid.IntRange(0, len(snaps)-1).Draw(t, "snap")
				p := snaps[i]
				snaps = append(snaps[:i], snaps[i+1:]...)
				var sink memSink
				if err := p.snap.Persist(&sink); err != nil {
					t.Fatal(err)
				}
				p.snap.Release()
				r := NewFSM()
				if err := r.Restore(io.NopCloser(&sink)); err != nil {
					t.Fatal(err)
				}
				if got := contents(r); !maps.EqualFunc(got, p.state, bytes.Equal) || r.Index() != p.index {
					t.Fatalf("restored %q at index %d, snapshot held %q at index %d", got, r.Index(), p.state, p.index)
				}
			case 9:
				// Restore the live FSM from the model's state.
				data := persist(t, model)
				m2 := NewMapFSM()
				if err := m2.Restore(io.NopCloser(bytes.NewReader(data))); err != nil {
					t.Fatal(err)
				}
				data = persist(t, f)
				if err := f.Restore(io.NopCloser(bytes.NewReader(data))); err != nil {
					t.Fatal(err)
				}
				sameState(t, f, m2)
			}
			sameState(t, f, model)
		}
	})
}

func filled(n int) *FSM {
	f := NewFSM()
	var b Batch
	for i := range n {
		b.Put(fmt.Sprintf("key%05d", i), []byte(fmt.Sprint(i)))
	}
	f.Apply(entry(1, b.Bytes()))
	return f
}

// TestRestoreRejectsDamage: a snapshot truncated anywhere, with any byte
// changed, with stray bytes after it or of another FSM fails Restore with
// an error, and the FSM keeps the state it had.
func TestRestoreRejectsDamage(t *testing.T) {
	data := persist(t, filled(300))
	f := filled(7)
	before := contents(f)
	check := func(what string, b []byte, want error) {
		t.Helper()
		err := f.Restore(io.NopCloser(bytes.NewReader(b)))
		if err == nil {
			t.Fatalf("%s: Restore returned nil", what)
		}
		if want != nil && !errors.Is(err, want) {
			t.Fatalf("%s: Restore returned %v, want an error wrapping %v", what, err, want)
		}
		if got := contents(f); !maps.EqualFunc(got, before, bytes.Equal) || f.Index() != 1 {
			t.Fatalf("%s: the failed Restore changed the FSM: %d keys, index %d", what, len(got), f.Index())
		}
	}
	for n := 0; n < len(data); n += 1 + n/8 {
		check(fmt.Sprintf("truncated to %d of %d bytes", n, len(data)), data[:n], nil)
	}
	for i := snapHeader; i < len(data); i += 1 + i/16 {
		b := bytes.Clone(data)
		b[i] ^= 0x10
		check(fmt.Sprintf("byte %d flipped", i), b, codec.ErrCorrupt)
	}
	b := bytes.Clone(data)
	b[0] = 'R'
	check("another magic", b, ErrSnapshot)
	check("a stray byte after the stream", append(bytes.Clone(data), 0), ErrSnapshot)
	check("a MapFSM snapshot", persist(t, NewMapFSM()), ErrSnapshot)

	if err := f.Restore(io.NopCloser(bytes.NewReader(data))); err != nil || f.Len() != 300 {
		t.Fatalf("the undamaged snapshot: Restore returned %v and left %d keys, want 300", err, f.Len())
	}
}

// TestMapRestoreRejectsDamage: the baseline's reader, too, refuses a
// truncated snapshot, a forged length and stray bytes, and keeps its state.
func TestMapRestoreRejectsDamage(t *testing.T) {
	src := NewMapFSM()
	var b Batch
	for i := range 50 {
		b.Put(fmt.Sprint("k", i), bytes.Repeat([]byte{byte(i)}, i))
	}
	src.Apply(entry(1, b.Bytes()))
	data := persist(t, src)
	f := NewMapFSM()
	f.Apply(entry(1, Put("keep", []byte("me"))))
	check := func(what string, b []byte) {
		t.Helper()
		if err := f.Restore(io.NopCloser(bytes.NewReader(b))); err == nil {
			t.Fatalf("%s: Restore returned nil", what)
		}
		if v, ok := f.Get("keep"); f.Len() != 1 || !ok || string(v) != "me" {
			t.Fatalf("%s: the failed Restore changed the state", what)
		}
	}
	for n := range len(data) {
		check(fmt.Sprintf("truncated to %d of %d bytes", n, len(data)), data[:n])
	}
	check("a stray byte", append(bytes.Clone(data), 0))
	forged := append(bytes.Clone(data[:24]), 0, 0xff, 0xff, 0xff, 0xff, 0x0f) // a 4 GiB value
	check("a forged length", forged)
	dup := bytes.Clone(data)
	dup[23]++ // one entry more than the file holds
	check("a count too high", dup)
	if err := f.Restore(io.NopCloser(bytes.NewReader(data))); err != nil || !maps.EqualFunc(f.Map(), src.Map(), bytes.Equal) {
		t.Fatalf("the undamaged snapshot: %v", err)
	}
}

// TestSnapshotIsO1: Snapshot allocates the same, and no more than a few
// objects, whatever the FSM holds.
func TestSnapshotIsO1(t *testing.T) {
	for _, n := range []int{10, 100_000} {
		f := filled(n)
		allocs := testing.AllocsPerRun(100, func() {
			s, _ := f.Snapshot()
			s.Release()
		})
		if allocs != 2 {
			t.Errorf("Snapshot of %d keys: %v allocations, want 2 (the FSMSnapshot and the clone's handle)", n, allocs)
		}
	}
}

// FuzzRestore: any bytes are restored or refused without a panic; a
// refused snapshot leaves the FSM as it was, and a restored one re-persists
// to the same bytes.
func FuzzRestore(f *testing.F) {
	good := persist(f, filled(20))
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(persist(f, NewFSM()))
	f.Add(persist(f, NewMapFSM()))
	f.Fuzz(func(t *testing.T, b []byte) {
		fsm := filled(3)
		before := contents(fsm)
		if err := fsm.Restore(io.NopCloser(bytes.NewReader(b))); err != nil {
			if got := contents(fsm); !maps.EqualFunc(got, before, bytes.Equal) || fsm.Index() != 1 {
				t.Fatalf("a refused snapshot changed the FSM: %v", err)
			}
			return
		}
		if again := persist(t, fsm); !bytes.Equal(again[:snapHeader], b[:snapHeader]) {
			t.Fatalf("a restored snapshot re-persists with another header")
		}
	})
}

// FuzzMapRestore: the baseline's reader refuses bad bytes without a panic
// and keeps its state; what it accepts re-persists to an equal state.
func FuzzMapRestore(f *testing.F) {
	src := NewMapFSM()
	src.Apply(entry(1, Put("a", []byte("1"))))
	src.Apply(entry(2, Put("b", nil)))
	good := persist(f, src)
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add(persist(f, NewFSM()))
	f.Fuzz(func(t *testing.T, b []byte) {
		m := NewMapFSM()
		m.Apply(entry(1, Put("keep", []byte("me"))))
		if err := m.Restore(io.NopCloser(bytes.NewReader(b))); err != nil {
			if v, ok := m.Get("keep"); m.Len() != 1 || !ok || string(v) != "me" {
				t.Fatalf("a refused snapshot changed the state: %v", err)
			}
			return
		}
		m2 := NewMapFSM()
		if err := m2.Restore(io.NopCloser(bytes.NewReader(persist(t, m)))); err != nil || !maps.EqualFunc(m2.Map(), m.Map(), bytes.Equal) {
			t.Fatalf("an accepted snapshot does not round-trip: %v", err)
		}
	})
}

// FuzzApply: any log entry is applied or refused without a panic, and the
// FSM and the model agree on the answer and the state.
func FuzzApply(f *testing.F) {
	var b Batch
	b.Put("a", []byte("1"))
	for _, seed := range [][]byte{Put("k", []byte("v")), Delete("k"), CAS("k", nil, []byte("v")), b.Bytes(), {opCAS, 1, 'k', 3, 0}} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, cmd []byte) {
		fsm, model := NewFSM(), NewMapFSM()
		fsm.Apply(entry(1, Put("k", []byte("v"))))
		model.Apply(entry(1, Put("k", []byte("v"))))
		got, want := fsm.Apply(entry(2, cmd)), model.Apply(entry(2, cmd))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("answers differ: %v, model %v", got, want)
		}
		sameState(t, fsm, model)
	})
}
