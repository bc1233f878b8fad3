package main

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cowkit/cowkit/btree"
	"github.com/cowkit/cowkit/codec"
	"github.com/google/go-cmp/cmp"
)

// small is the example at a size a test runs in a blink: 2,000 accounts,
// 50 transfers (at most 100 changed accounts) a round.
var small = config{accounts: 2000, transfers: 50, rounds: 3, interval: 2 * time.Millisecond}

func TestRun(t *testing.T) {
	goroutines := runtime.NumGoroutine()
	var out bytes.Buffer
	if err := run(&out, small); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	t.Log("\n" + out.String())
	for _, want := range []string{
		"the replica's Receive: truncated (errors.Is io.ErrUnexpectedEOF and codec.ErrCorrupt)",
		"the replica's Receive: corrupt (errors.Is codec.ErrCorrupt)",
		"the replica's Receive: refused (errors.Is codec.ErrBase)",
		"0 entries differ from before the fault, total 2,000,000",
		"replica equals primary: 2,000 entries",
		"rounds it applied: 0 with a wrong total or count",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	waitGoroutines(t, goroutines)
}

// waitGoroutines fails t if more than n goroutines are still running a
// second from now.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	for deadline := time.Now().Add(time.Second); runtime.NumGoroutine() > n; {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(time.Millisecond)
	}
}

// TestFaults drives the cluster round by round: each fault must be caught
// as its kind, leave the replica's entries as they were, and be followed by
// an incremental round against the round the replica kept.
func TestFaults(t *testing.T) {
	c, err := start(small)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	shipRounds(t, c, small.rounds)

	other, err := stray(small.accounts)
	if err != nil {
		t.Fatal(err)
	}
	defer other.base.Release()
	for _, tt := range []struct {
		name       string
		fault      func() fault
		is, isNot  error
		reconnects bool
	}{
		{"cut", func() fault { return cut(c.last.bytes / 2) }, io.ErrUnexpectedEOF, nil, true},
		{"flip", func() fault { return flip(firstKey) }, codec.ErrCorrupt, io.ErrUnexpectedEOF, true},
		{"stray", func() fault { return other }, codec.ErrBase, codec.ErrCorrupt, false},
	} {
		held, before := entries(c.replica)
		r, err := c.round(tt.fault(), small.transfers)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if err := r.outcome.err; !errors.Is(err, tt.is) || tt.isNot != nil && errors.Is(err, tt.isNot) {
			t.Errorf("%s: Receive = %v, want an error that is %v and not %v", tt.name, err, tt.is, tt.isNot)
		}
		if tt.is == io.ErrUnexpectedEOF && !errors.Is(r.outcome.err, codec.ErrCorrupt) {
			t.Errorf("%s: Receive = %v, want it to be codec.ErrCorrupt too", tt.name, r.outcome.err)
		}
		if r.answered {
			t.Errorf("%s: the primary heard round %d was applied", tt.name, r.n)
		}
		n, after := entries(c.replica)
		if d := cmp.Diff(before, after); n != held || d != "" {
			t.Errorf("%s: the replica went from round %d to %d (-before +after):\n%s", tt.name, held, n, d)
		}

		next, err := c.round(fault{}, small.transfers)
		if err != nil {
			t.Fatalf("%s: the round after: %v", tt.name, err)
		}
		if !next.applied() || next.against != held || next.hello != tt.reconnects {
			t.Errorf("%s: the round after: applied %v, against round %d, reconnected %v; want true, %d, %v (Receive: %v)",
				tt.name, next.applied(), next.against, next.hello, held, tt.reconnects, next.outcome.err)
		}
	}

	last, err := c.round(fault{}, 0)
	if err != nil || !last.applied() {
		t.Fatalf("the last round: %v, %v", err, last.outcome.err)
	}
	primary := c.bank.snapshot()
	defer primary.Release()
	_, got := entries(c.replica)
	if d := cmp.Diff(maps.Collect(primary.All()), got); d != "" || len(got) != small.accounts {
		t.Errorf("the replica is not the primary (-primary +replica):\n%s", d)
	}

	c.close()
	if c.auditor.checks != c.applied || c.auditor.wrong != 0 {
		t.Errorf("the auditor checked %d rounds of %d applied, %d wrong; want all, none wrong", c.auditor.checks, c.applied, c.auditor.wrong)
	}
}

// shipRounds ships n rounds and checks that the first is full and every
// later one is against the one before and much smaller than a full stream.
func shipRounds(t *testing.T, c *cluster, n int) {
	t.Helper()
	for i := range n {
		prev := c.last.n
		r, err := c.round(fault{}, small.transfers)
		if err != nil {
			t.Fatal(err)
		}
		if !r.applied() {
			t.Fatalf("round %d not applied: %v", r.n, r.outcome.err)
		}
		if i == 0 {
			if r.against != 0 || r.changes != small.accounts {
				t.Errorf("round %d: against %d with %d changes, want a full stream of %d", r.n, r.against, r.changes, small.accounts)
			}
			continue
		}
		if r.against != prev || r.changes == 0 || r.changes > 2*small.transfers {
			t.Errorf("round %d: against %d with %d changes, want against %d with 1 to %d", r.n, r.against, r.changes, prev, 2*small.transfers)
		}
		if r.bytes*10 > r.full {
			t.Errorf("round %d: %d bytes sent, a full stream %d: want a tenth at most", r.n, r.bytes, r.full)
		}
	}
}

// entries returns the round the replica holds and its entries.
func entries(r *replica) (uint64, map[string]int64) {
	n, m := r.view()
	defer m.Release()
	return n, maps.Collect(m.All())
}

// holdsTests walks the primary's choice of base: what it knows, what the
// replica says, and the round the next stream goes against.
var holdsTests = []struct {
	name           string
	held, sent     uint64 // the primary's: the round answered, the one sent since
	sentBase       uint64
	answer         bool   // the replica's word is an answer to sent, not a hello
	says, wantBase uint64 // what the replica says it holds; what the next round goes against
	wantApplied    bool
}{
	{"applied", 4, 5, 4, true, 5, 5, true},
	{"refused for a stray base", 4, 5, 0, true, 4, 4, false},
	{"refused against the round it named", 4, 5, 4, true, 4, 0, false},
	{"hello: the round sent was not applied", 4, 5, 4, false, 4, 4, false},
	{"hello: the round sent was applied, its answer lost", 4, 5, 4, false, 5, 5, false},
	{"hello: nothing", 4, 5, 4, false, 0, 0, false},
	{"hello: a round the primary no longer has", 4, 5, 4, false, 2, 0, false},
	{"first hello", 0, 0, 0, false, 0, 0, false},
}

func TestHolds(t *testing.T) {
	for _, tt := range holdsTests {
		p := &primary{}
		if tt.held != 0 {
			p.held = version{n: tt.held, snap: btree.New[string, int64]()}
		}
		if tt.sent != 0 {
			p.sent = version{n: tt.sent, snap: btree.New[string, int64](), base: tt.sentBase}
		}
		applied := false
		if tt.answer {
			applied = p.answered(tt.says)
		} else {
			p.holds(tt.says)
		}
		if p.held.n != tt.wantBase || (p.held.snap == nil) != (tt.wantBase == 0) || p.sent != (version{}) || applied != tt.wantApplied {
			t.Errorf("%s: next against %d (snapshot %v), sent %+v, applied %v; want %d, none sent, applied %v",
				tt.name, p.held.n, p.held.snap != nil, p.sent, applied, tt.wantBase, tt.wantApplied)
		}
	}
}

func TestFlipWriter(t *testing.T) {
	var out bytes.Buffer
	f := &flipWriter{w: &out, at: 5}
	p, q := []byte("abc"), []byte("defg")
	for _, b := range [][]byte{p, q} {
		if _, err := f.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if want := "abcde" + string('f'^0x08) + "g"; out.String() != want || string(q) != "defg" {
		t.Errorf("wrote %q (the caller's %q), want %q (and the caller's unchanged)", out.String(), q, want)
	}
}
