package main

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cowkit/cowkit/btree"
	"github.com/cowkit/cowkit/codec"
	"github.com/google/go-cmp/cmp"
)

var small = config{accounts: 2000, readers: 2, scans: 5, committedScans: 2, versions: 50, diffSpan: 5}

func TestRun(t *testing.T) {
	var out bytes.Buffer
	r := run(&out, small)
	t.Log("\n" + out.String())

	if r.scans != small.readers*small.scans || r.badScans != 0 {
		t.Errorf("%d of %d snapshot scans saw a wrong total, want 0 of %d", r.badScans, r.scans, small.readers*small.scans)
	}
	if r.committed != small.committedScans {
		t.Errorf("%d scans without snapshots, want %d", r.committed, small.committedScans)
	}
	if r.backupKeys != small.accounts || r.backupDiff != 0 {
		t.Errorf("the restored backup has %d keys and %d differences from its snapshot, want %d and 0", r.backupKeys, r.backupDiff, small.accounts)
	}
	if r.incrementDiff != 0 {
		t.Errorf("the backup restored with the increment has %d differences from the increment's version, want 0", r.incrementDiff)
	}
	if !errors.Is(r.incrementAlone, codec.ErrBase) {
		t.Errorf("restoring the increment alone: %v, want codec.ErrBase", r.incrementAlone)
	}
	for i, ok := range r.historyOK {
		if !ok {
			t.Errorf("undo/redo step %d did not do what it should", i)
		}
	}
	if !r.undoneToStart {
		t.Error("undoing every version did not give back the opening balances")
	}
	if len(r.diff) == 0 || len(r.diff) > 2*small.diffSpan {
		t.Errorf("Diff over %d transfers found %d changes, want 1 to %d", small.diffSpan, len(r.diff), 2*small.diffSpan)
	}
	if d := cmp.Diff(r.diffNaive, r.diff); d != "" {
		t.Errorf("Diff against a full merge (-merge +Diff):\n%s", d)
	}
	for _, want := range []string{
		"scans of all 2,000 accounts: 0 with a wrong total",
		"restored and diffed against the snapshot: 0 differences; its total: 2,000,000",
		"restored with the increment: 0 differences from version",
		"v3  delete title (a new edit: the old v3 is dropped)  {owner=ana}",
		"take it back to version 0, equal to the opening balances: true",
		"the same changes: true",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

// TestUpdateIsAtomic checks, without relying on goroutine scheduling, that
// readers never see part of a transaction: snapshots and Gets taken while
// a transaction is half done see the version before it.
func TestUpdateIsAtomic(t *testing.T) {
	const n = 10
	s := NewStore(openAccounts(n))
	err := s.Update(func(tx *btree.Map[string, int64]) error {
		tx.Set(account(0), 0) // the money is gone from 0, not yet in 1
		snap := s.Snapshot()
		defer snap.Release()
		if sum, _ := total(snap.All()); sum != n*balance {
			t.Errorf("a snapshot in the middle of a transaction sums to %d, want %d", sum, n*balance)
		}
		if v, _ := s.Get(account(0)); v != balance {
			t.Errorf("Get in the middle of a transaction = %d, want %d", v, balance)
		}
		tx.Set(account(1), 2*balance)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	snap := s.Snapshot()
	defer snap.Release()
	if sum, _ := total(snap.All()); sum != n*balance {
		t.Errorf("after the commit the total is %d, want %d", sum, n*balance)
	}
	if v, _ := snap.Get(account(1)); v != 2*balance || snap.Version != 1 {
		t.Errorf("after the commit: %s = %d at version %d, want %d at version 1", account(1), v, snap.Version, 2*balance)
	}
}

// committer is an io.Writer that commits a transfer to a store on every
// Write, so that a backup written to it runs while the store changes,
// deterministically.
type committer struct {
	bytes.Buffer
	store *Store
	rng   *rand.Rand
	n     int
}

func (c *committer) Write(p []byte) (int, error) {
	for range 100 {
		if c.store.Update(randomTransfer(c.rng, c.n)) == nil {
			return c.Buffer.Write(p)
		}
	}
	return 0, errors.New("100 transfers in a row failed")
}

func TestBackupWhileWriting(t *testing.T) {
	const n = 2000
	s := NewStore(openAccounts(n))
	snap := s.Snapshot()
	defer snap.Release()
	want := collect(snap.Map)

	full := &committer{store: s, rng: rand.New(rand.NewPCG(1, 1)), n: n}
	if err := backup(full, snap.Map, nil); err != nil {
		t.Fatal(err)
	}

	now := s.Snapshot()
	defer now.Release()
	if now.Version <= snap.Version+1 {
		t.Fatalf("only %d commits while the backup ran; the test wants several", now.Version-snap.Version)
	}
	restored, err := restore(bytes.NewReader(full.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, collect(restored)); d != "" {
		t.Errorf("the backup is not the snapshot it started from (-want +got):\n%s", d)
	}
	if d := cmp.Diff(want, collect(now.Map)); d == "" {
		t.Error("the store did not change while the backup ran")
	}
	if sum, _ := total(now.All()); sum != n*balance {
		t.Errorf("the store's total is %d, want %d", sum, n*balance)
	}

	// An increment against the backup restores to now, on top of it only.
	var incr bytes.Buffer
	if err := backup(&incr, now.Map, snap.Map); err != nil {
		t.Fatal(err)
	}
	if incr.Len()*10 > full.Len() {
		t.Errorf("the increment of %d transfers is %d bytes, the full backup %d: want a tenth at most", now.Version-snap.Version, incr.Len(), full.Len())
	}
	if err := restored.Receive(bytes.NewReader(incr.Bytes()), codec.String[string](), codec.Int[int64]()); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(collect(now.Map), collect(restored)); d != "" {
		t.Errorf("the backup and its increment are not the version the increment was made of (-want +got):\n%s", d)
	}
	if _, err := restore(bytes.NewReader(incr.Bytes())); !errors.Is(err, codec.ErrBase) {
		t.Errorf("the increment alone: %v, want codec.ErrBase", err)
	}
	unnamed := now.Clone()
	unnamed.Set(account(0), 0) // a write: no backup holds this version
	if err := backup(io.Discard, now.Map, unnamed); !errors.Is(err, codec.ErrBase) {
		t.Errorf("an increment against a version never backed up: %v, want codec.ErrBase", err)
	}
	unnamed.Release()

	// A damaged backup restores nothing.
	bad := bytes.Clone(full.Bytes())
	bad[len(bad)/2] ^= 1
	if m, err := restore(bytes.NewReader(bad)); !errors.Is(err, codec.ErrCorrupt) || m != nil {
		t.Errorf("a backup with a flipped bit: %v, want codec.ErrCorrupt and no map", err)
	}
}

func collect[V any](m *btree.Map[string, V]) map[string]V {
	return maps.Collect(m.All())
}

func TestStore(t *testing.T) {
	s := NewStore(openAccounts(3))
	before := s.Snapshot()
	want := collect(before.Map)

	if err := s.Update(func(tx *btree.Map[string, int64]) error { return transfer(tx, account(0), account(1), 300) }); err != nil {
		t.Fatal(err)
	}
	err := s.Update(func(tx *btree.Map[string, int64]) error {
		tx.Set(account(2), 0) // written, then rolled back
		return transfer(tx, account(0), account(1), 5000)
	})
	if !errors.Is(err, errInsufficient) {
		t.Fatalf("an overdraft: %v, want errInsufficient", err)
	}

	after := s.Snapshot()
	if after.Version != before.Version+1 {
		t.Errorf("versions %d -> %d: want one commit, the rollback not counted", before.Version, after.Version)
	}
	if d := cmp.Diff(want, collect(before.Map)); d != "" {
		t.Errorf("the snapshot changed after later commits (-want +got):\n%s", d)
	}
	wantAfter := map[string]int64{account(0): 700, account(1): 1300, account(2): 1000}
	if d := cmp.Diff(wantAfter, collect(after.Map)); d != "" {
		t.Errorf("after a commit and a rollback (-want +got):\n%s", d)
	}
	if v, _ := s.Get(account(2)); v != 1000 {
		t.Errorf("Get(%s) = %d: the rolled-back write is visible", account(2), v)
	}

	// A snapshot reader may write to its own clone without touching the store.
	mine := after.Clone()
	mine.Set(account(0), 0)
	if v, _ := s.Get(account(0)); v != 700 {
		t.Errorf("a write to a clone of a snapshot reached the store: %d", v)
	}
	mine.Release()
	before.Release()
	after.Release()
}

func TestHistory(t *testing.T) {
	h := NewHistory(btree.New[string, int]())
	set := func(k string, v int) func(*btree.Map[string, int]) {
		return func(m *btree.Map[string, int]) { m.Set(k, v) }
	}
	if h.Undo() || h.Redo() {
		t.Fatal("undo or redo of a new history did something")
	}
	h.Do(set("a", 1))
	h.Do(set("b", 2))
	h.Do(set("a", 3))
	states := []map[string]int{{}, {"a": 1}, {"a": 1, "b": 2}, {"a": 3, "b": 2}}
	for i := len(states) - 1; i >= 0; i-- {
		if d := cmp.Diff(states[i], collect(h.Current())); h.Version() != i || d != "" {
			t.Errorf("version %d, want %d (-want +got):\n%s", h.Version(), i, d)
		}
		if got := h.Undo(); got != (i > 0) {
			t.Errorf("Undo at version %d = %v", i, got)
		}
	}
	h.Redo()
	h.Redo()
	old3 := h.At(3)
	h.Do(set("c", 4)) // drops the old version 3
	if h.Len() != 4 || h.Redo() {
		t.Errorf("after a new edit: %d versions, redo possible: want 4 and none", h.Len())
	}
	if old3.Len() != 0 {
		t.Error("the dropped version was not released")
	}
	if d := cmp.Diff(map[string]int{"a": 1, "b": 2, "c": 4}, collect(h.Current())); d != "" {
		t.Errorf("after the new edit (-want +got):\n%s", d)
	}
	for i, want := range states[:3] {
		if d := cmp.Diff(want, collect(h.At(i))); d != "" {
			t.Errorf("version %d changed (-want +got):\n%s", i, d)
		}
	}
}

// TestMergeDiff checks the baseline against btree Diff on maps that share
// nothing, with every kind of change.
func TestMergeDiff(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		a, b := btree.New[string, int64](), btree.New[string, int64]()
		for range rng.IntN(300) {
			a.Set(account(rng.IntN(200)), rng.Int64N(3))
		}
		for range rng.IntN(300) {
			b.Set(account(rng.IntN(200)), rng.Int64N(3))
		}
		var want []btree.Change[string, int64]
		for c := range b.Diff(a, func(x, y int64) bool { return x == y }) {
			want = append(want, c)
		}
		if d := cmp.Diff(want, mergeDiff(b, a)); d != "" {
			t.Fatalf("mergeDiff against Diff (-Diff +merge):\n%s", d)
		}
	}
}
