// Command snapshot shows a btree.Map as the heart of an in-memory key-value
// store: reader goroutines get consistent snapshots in O(1) while a writer
// keeps committing transactions; a point-in-time backup, a btree snapshot
// stream, runs while writes go on, and an incremental one carries only what
// changed since; undo and redo are a history of clones; and Diff tells what changed
// between two versions in time that grows with the change, not the store.
//
// The store holds bank accounts, and every transaction moves money between
// two of them, so the total never changes: a reader whose sum is off saw
// parts of different versions.
//
//	go run ./examples/snapshot
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cowkit/cowkit/btree"
	"github.com/cowkit/cowkit/codec"
	"github.com/cowkit/cowkit/examples/internal/report"
)

type config struct {
	accounts       int // accounts in the store, 1,000 each
	readers        int // goroutines scanning snapshots
	scans          int // scans per reader
	committedScans int // scans by the reader without a snapshot
	versions       int // versions kept in the undo history
	diffSpan       int // versions between the two that are diffed
}

var defaults = config{accounts: 100_000, readers: 3, scans: 40, committedScans: 10, versions: 1000, diffSpan: 10}

const balance = 1000 // every account's opening balance

func main() {
	run(os.Stdout, defaults)
}

func account(i int) string { return fmt.Sprintf("acct/%06d", i) }

// openAccounts returns a map of n accounts at the opening balance.
func openAccounts(n int) *btree.Map[string, int64] {
	m := btree.New[string, int64]()
	for i := range n {
		m.Set(account(i), balance)
	}
	return m
}

var errInsufficient = errors.New("insufficient funds")

// transfer moves amount from a to b in tx, or fails and changes nothing.
func transfer(tx *btree.Map[string, int64], a, b string, amount int64) error {
	va, _ := tx.Get(a)
	if va < amount {
		return errInsufficient
	}
	vb, _ := tx.Get(b)
	tx.Set(a, va-amount)
	tx.Set(b, vb+amount)
	return nil
}

// randomTransfer makes a random transfer in tx.
func randomTransfer(rng *rand.Rand, n int) func(tx *btree.Map[string, int64]) error {
	a, b := rng.IntN(n), rng.IntN(n-1)
	if b >= a {
		b++
	}
	amount := int64(1 + rng.IntN(balance))
	return func(tx *btree.Map[string, int64]) error { return transfer(tx, account(a), account(b), amount) }
}

// total sums the balances of one version, and counts its accounts.
func total(entries iter.Seq2[string, int64]) (sum int64, count int) {
	for _, v := range entries {
		sum += v
		count++
	}
	return sum, count
}

// result is what run measured, for the tests.
type result struct {
	want            int64 // the total every consistent read must see
	scans, badScans int   // scans of snapshots, and those with a wrong total
	committed       int   // scans without a snapshot
	backupKeys      int
	backupDiff      int   // differences between the restored backup and its snapshot
	incrementDiff   int   // and between it restored with the increment, and the increment's version
	incrementAlone  error // restoring the increment without the backup under it
	historyOK       []bool
	undoneToStart   bool // undoing every version gave back version 0
	diff            []btree.Change[string, int64]
	diffNaive       []btree.Change[string, int64]
}

func run(w io.Writer, cfg config) *result {
	r := &result{want: int64(cfg.accounts) * balance}
	fmt.Fprintf(w, "cowkit snapshot: a key-value store of %s accounts on a btree, %s each (total %s)\n\n",
		report.Count(cfg.accounts), report.Count(balance), report.Count(r.want))
	store := NewStore(openAccounts(cfg.accounts))

	readWhileWriting(w, store, cfg, r)
	backupWhileWriting(w, store, cfg, r)
	undoRedo(w, r)
	historyAndDiff(w, cfg, r)
	return r
}

// writeUntil commits random transfers until stop is closed; it returns the
// commits and rollbacks.
func writeUntil(store *Store, n int, seed uint64, stop <-chan struct{}) (txs, rollbacks int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	for {
		select {
		case <-stop:
			return txs, rollbacks
		default:
		}
		if err := store.Update(randomTransfer(rng, n)); err != nil {
			rollbacks++
		} else {
			txs++
		}
	}
}

// readWhileWriting runs snapshot readers, and one reader without
// snapshots, while a writer commits transfers.
func readWhileWriting(w io.Writer, store *Store, cfg config, r *result) {
	stop := make(chan struct{})
	var txs, rollbacks int
	writerDone := make(chan struct{})
	go func() {
		txs, rollbacks = writeUntil(store, cfg.accounts, 1, stop)
		close(writerDone)
	}()

	var wg sync.WaitGroup
	var scans, bad, committed, badCommitted atomic.Int64
	clones := make([][]time.Duration, cfg.readers)
	start := time.Now()
	for i := range cfg.readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range cfg.scans {
				t0 := time.Now()
				snap := store.Snapshot()
				clones[i] = append(clones[i], time.Since(t0))
				if sum, n := total(snap.All()); sum != r.want || n != cfg.accounts {
					bad.Add(1)
				}
				snap.Release()
				scans.Add(1)
			}
		}()
	}
	wg.Add(1)
	go func() { // read committed: each key at its newest version
		defer wg.Done()
		for range cfg.committedScans {
			var sum int64
			for i := range cfg.accounts {
				v, _ := store.Get(account(i))
				sum += v
			}
			if sum != r.want {
				badCommitted.Add(1)
			}
			committed.Add(1)
		}
	}()
	wg.Wait()
	took := time.Since(start)
	close(stop)
	<-writerDone

	r.scans, r.badScans = int(scans.Load()), int(bad.Load())
	r.committed = int(committed.Load())
	var all []time.Duration
	for _, c := range clones {
		all = append(all, c...)
	}
	fmt.Fprintf(w, "Readers and a writer at once, for %s\n", report.Duration(took))
	t := report.NewTable("lrl")
	t.Row("writer", report.Count(txs), fmt.Sprintf("transfers committed, %s rolled back (insufficient funds)", report.Count(rollbacks)))
	t.Row(fmt.Sprintf("%d snapshot readers", cfg.readers), report.Count(r.scans),
		fmt.Sprintf("scans of all %s accounts: %s with a wrong total", report.Count(cfg.accounts), report.Count(r.badScans)))
	t.Row("1 reader without snapshots", report.Count(r.committed),
		fmt.Sprintf("scans, each key at its newest version: %s with a wrong total", report.Count(badCommitted.Load())))
	t.Write(w, "  ")
	fmt.Fprintf(w, "  a snapshot costs a lock and a Clone: %s (median of %d), whatever the store's size\n\n",
		report.Duration(report.Median(all)), len(all))
}

// backupWhileWriting backs a snapshot up as a full snapshot stream while
// the writer goes on, then backs the version the store reached meanwhile up
// as an increment against it; it restores both and compares each restore
// with its version.
func backupWhileWriting(w io.Writer, store *Store, cfg config, r *result) {
	snap := store.Snapshot()
	defer snap.Release()

	stop := make(chan struct{})
	writerDone := make(chan struct{})
	go func() {
		writeUntil(store, cfg.accounts, 2, stop)
		close(writerDone)
	}()
	var full bytes.Buffer
	var err error
	took := report.Time(func() { err = backup(&full, snap.Map, nil) })
	if err != nil {
		panic(err) // a bytes.Buffer does not fail
	}
	// The version the store reached while the backup ran.
	later := store.Snapshot()
	defer later.Release()
	close(stop)
	<-writerDone

	var incr bytes.Buffer
	if err := backup(&incr, later.Map, snap.Map); err != nil {
		panic(err) // snap has been backed up, so it has a name
	}
	fmt.Fprintf(w, "A point-in-time backup of version %s while the writer goes on, as btree snapshot streams\n", report.Count(snap.Version))
	fmt.Fprintf(w, "  full: %s accounts, a stream of %s, written in %s; meanwhile %s transfers were committed\n",
		report.Count(snap.Len()), report.Bytes(int64(full.Len())), report.Duration(took), report.Count(later.Version-snap.Version))
	fmt.Fprintf(w, "  incremental, version %s against it: %s accounts changed, a stream of %s (%.1f%% of the full one)\n",
		report.Count(later.Version), report.Count(differences(later.Map, snap.Map)), report.Bytes(int64(incr.Len())),
		100*float64(incr.Len())/float64(full.Len()))
	checkRestores(w, full.Bytes(), incr.Bytes(), snap, later, r)
}

// checkRestores restores the full backup of snap, then it and the
// increment to later, and the increment alone, and compares each with its
// version.
func checkRestores(w io.Writer, full, incr []byte, snap, later Snapshot, r *result) {
	restored, err := restore(bytes.NewReader(full))
	if err != nil {
		panic(err) // backup wrote it just now
	}
	r.backupKeys, r.backupDiff = restored.Len(), differences(restored, snap.Map)
	sum, _ := total(restored.All())
	restored.Release()
	fmt.Fprintf(w, "  restored and diffed against the snapshot: %d differences; its total: %s\n", r.backupDiff, report.Count(sum))

	restored, err = restore(bytes.NewReader(full), bytes.NewReader(incr))
	if err != nil {
		panic(err)
	}
	r.incrementDiff = differences(restored, later.Map)
	sum, _ = total(restored.All())
	restored.Release()
	fmt.Fprintf(w, "  restored with the increment: %d differences from version %s; its total: %s\n",
		r.incrementDiff, report.Count(later.Version), report.Count(sum))

	_, r.incrementAlone = restore(bytes.NewReader(incr))
	fmt.Fprintf(w, "  the increment without the full backup under it: %v\n\n", r.incrementAlone)
}

// backup writes m to w as a snapshot stream (btree's Send): a full one, every
// entry in key order, if base is nil; else an increment against base, an
// earlier backup, with only the entries that changed since. Every chunk of
// the stream carries a checksum. Send reads only m, so writes to the store
// may go on meanwhile; it names m, so that a later backup can be an
// increment against it. Send writes a chunk of about 64 KiB at a time, so w
// needs no buffer of its own.
func backup(w io.Writer, m, base *btree.Map[string, int64]) error {
	return m.Send(w, base, codec.String[string](), codec.Int[int64]())
}

// restore reads a full backup and then the increments after it, in order,
// into a new map. Receive checks every checksum and count, and applies an
// increment only to the very backup it was made against; otherwise its
// error wraps codec.ErrBase.
func restore(backups ...io.Reader) (*btree.Map[string, int64], error) {
	m := btree.New[string, int64]()
	for _, b := range backups {
		if err := m.Receive(b, codec.String[string](), codec.Int[int64]()); err != nil {
			m.Release()
			return nil, err
		}
	}
	return m, nil
}

// differences counts the entries that differ between m and base.
func differences(m, base *btree.Map[string, int64]) int {
	n := 0
	for range m.Diff(base, func(a, b int64) bool { return a == b }) {
		n++
	}
	return n
}

// undoRedo edits a small document with undo and redo.
func undoRedo(w io.Writer, r *result) {
	h := NewHistory(btree.New[string, string]())
	t := report.NewTable("ll")
	show := func(what string) {
		var parts []string
		for k, v := range h.Current().All() {
			parts = append(parts, k+"="+v)
		}
		t.Row(fmt.Sprintf("v%d  %s", h.Version(), what), "{"+strings.Join(parts, " ")+"}")
	}
	set := func(k, v string) func(m *btree.Map[string, string]) {
		return func(m *btree.Map[string, string]) { m.Set(k, v) }
	}
	show("empty")
	h.Do(set("title", "Draft"))
	show("set title=Draft")
	h.Do(set("owner", "ana"))
	show("set owner=ana")
	h.Do(set("title", "Final"))
	show("set title=Final")
	r.historyOK = append(r.historyOK, h.Undo())
	show("undo")
	r.historyOK = append(r.historyOK, h.Undo())
	show("undo")
	r.historyOK = append(r.historyOK, h.Redo())
	show("redo")
	h.Do(func(m *btree.Map[string, string]) { m.Delete("title") })
	show("delete title (a new edit: the old v3 is dropped)")
	r.historyOK = append(r.historyOK, !h.Redo())
	show("redo: nothing to redo")

	fmt.Fprintln(w, "Undo and redo: each edit is a new version, a clone of the current one plus the edit")
	t.Write(w, "  ")
	fmt.Fprintln(w)
}

// historyAndDiff keeps a version per transfer, measures what they cost,
// undoes them all, and diffs two versions.
func historyAndDiff(w io.Writer, cfg config, r *result) {
	heap0 := report.HeapInUse()
	h := NewHistory(openAccounts(cfg.accounts))
	heap1 := report.HeapInUse()
	rng := rand.New(rand.NewPCG(3, 1))
	for h.Len() <= cfg.versions {
		tr := randomTransfer(rng, cfg.accounts)
		h.Do(func(m *btree.Map[string, int64]) { _ = tr(m) })
	}
	heap2 := report.HeapInUse()
	perVersion := (heap2 - heap1) / int64(cfg.versions)
	fmt.Fprintf(w, "A history of %s versions, one per transfer\n", report.Count(cfg.versions))
	fmt.Fprintf(w, "  heap, measured: the first version %s, each later one %s (the paths its transfer copied)\n",
		report.Bytes(heap1-heap0), report.Bytes(perVersion))
	fmt.Fprintf(w, "  all %s later versions: %s, where as many copies would take %s\n",
		report.Count(cfg.versions), report.Bytes(heap2-heap1), report.Bytes(int64(cfg.versions)*(heap1-heap0)))

	undos := 0
	took := report.Time(func() {
		for h.Undo() {
			undos++
		}
	})
	first := h.Current()
	r.undoneToStart = true
	for range first.Diff(openAccounts(cfg.accounts), func(a, b int64) bool { return a == b }) {
		r.undoneToStart = false
	}
	fmt.Fprintf(w, "  %s undos in %s take it back to version 0, equal to the opening balances: %v\n\n",
		report.Count(undos), report.Duration(took), r.undoneToStart)

	// Diff two versions diffSpan transfers apart.
	from := cfg.versions / 2
	a, b := h.At(from), h.At(from+cfg.diffSpan)
	eq := func(x, y int64) bool { return x == y }
	diffTook := report.Time(func() {
		for c := range b.Diff(a, eq) {
			r.diff = append(r.diff, c)
		}
	})
	naiveTook := report.Time(func() { r.diffNaive = mergeDiff(b, a) })
	fmt.Fprintf(w, "Diff of version %s against version %s: %d accounts changed\n", report.Count(from+cfg.diffSpan), report.Count(from), len(r.diff))
	t := report.NewTable("llrlr")
	for i, c := range r.diff {
		if i == 6 {
			t.Row(fmt.Sprintf("… %d more", len(r.diff)-i))
			break
		}
		t.Row(c.Op, c.Key, report.Count(c.Old), "->", report.Count(c.New))
	}
	t.Write(w, "  ")
	fmt.Fprintf(w, "  btree Diff: %s; a full ordered merge of both versions: %s (%s slower), the same changes: %v\n",
		report.Duration(diffTook), report.Duration(naiveTook), report.Ratio(naiveTook, diffTook), slices.Equal(r.diff, r.diffNaive))
}

// mergeDiff compares two maps entry by entry, in one ordered pass over
// both: what a diff costs without shared structure to skip.
func mergeDiff(m, base *btree.Map[string, int64]) []btree.Change[string, int64] {
	var out []btree.Change[string, int64]
	next, stop := iter.Pull2(base.All())
	defer stop()
	bk, bv, ok := next()
	for k, v := range m.All() {
		for ok && bk < k {
			out = append(out, btree.Change[string, int64]{Op: btree.Removed, Key: bk, Old: bv})
			bk, bv, ok = next()
		}
		switch {
		case ok && bk == k:
			if bv != v {
				out = append(out, btree.Change[string, int64]{Op: btree.Updated, Key: k, Old: bv, New: v})
			}
			bk, bv, ok = next()
		default:
			out = append(out, btree.Change[string, int64]{Op: btree.Added, Key: k, New: v})
		}
	}
	for ; ok; bk, bv, ok = next() {
		out = append(out, btree.Change[string, int64]{Op: btree.Removed, Key: bk, Old: bv})
	}
	return out
}
