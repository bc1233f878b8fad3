package kv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc64"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cowkit/cowkit/codec"
	"github.com/hashicorp/raft"
)

// These tests run real raft clusters: BoltDB stores, FileSnapshotStores and
// TCP transports on 127.0.0.1, each node in its own directory under
// t.TempDir(). They wait with deadlines, never with fixed sleeps for an
// outcome.

const wait = 20 * time.Second // the most any one step may take (-race, 2 cores)

// testTune makes elections quick and leaves snapshots to the tests.
func testTune(c *raft.Config) {
	c.HeartbeatTimeout = 400 * time.Millisecond
	c.ElectionTimeout = 400 * time.Millisecond
	c.LeaderLeaseTimeout = 200 * time.Millisecond
	c.CommitTimeout = 5 * time.Millisecond
	c.SnapshotThreshold = 1 << 40
	c.SnapshotInterval = time.Hour
}

func startCluster(t *testing.T, size int, tune func(*raft.Config)) *Cluster {
	t.Helper()
	c, err := StartCluster(ClusterConfig{Dir: t.TempDir(), Size: size, Tune: tune})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.Leader(wait); err != nil {
		t.Fatal(err)
	}
	return c
}

func mustApply(t *testing.T, c *Cluster, cmd []byte) (any, uint64) {
	t.Helper()
	res, index, err := c.Apply(cmd, wait)
	if err != nil {
		t.Fatal(err)
	}
	return res, index
}

// linearGet reads key through the current leader, retrying while
// leadership moves.
func linearGet(c *Cluster, key string) ([]byte, bool, error) {
	deadline := time.Now().Add(wait)
	for {
		l, err := c.Leader(time.Until(deadline))
		if err != nil {
			return nil, false, err
		}
		v, ok, err := l.Get(key, wait)
		if err == nil || !Retryable(err) || time.Now().After(deadline) {
			return v, ok, err
		}
	}
}

// sameData fails unless every live node holds what the leader holds.
func sameData(t *testing.T, c *Cluster, index uint64) {
	t.Helper()
	if err := c.WaitApplied(index, wait); err != nil {
		t.Fatal(err)
	}
	l, err := c.Leader(wait)
	if err != nil {
		t.Fatal(err)
	}
	ref := l.FSM.(*FSM).Clone()
	defer ref.Release()
	for _, n := range c.Live() {
		m := n.FSM.(*FSM).Clone()
		changes := 0
		for ch := range m.Diff(ref, bytes.Equal) {
			if changes < 5 {
				t.Errorf("%s differs from the leader %s: %v %q", n.ID, l.ID, ch.Op, ch.Key)
			}
			changes++
		}
		m.Release()
		if changes > 0 {
			t.Fatalf("%s differs from the leader %s in %d keys", n.ID, l.ID, changes)
		}
	}
}

// TestLinearizableReads: writers put increasing counters to their own keys;
// readers, through the leader, must see at least the counter acknowledged
// before their read began, and never one not yet written.
func TestLinearizableReads(t *testing.T) {
	c := startCluster(t, 3, testTune)
	const writers, writes = 3, 60
	var acked, issued [writers]atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, writers+2)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := int64(1); s <= writes; s++ {
				issued[w].Store(s)
				if _, _, err := c.Apply(Put(fmt.Sprint("w", w), []byte(strconv.FormatInt(s, 10))), wait); err != nil {
					errs <- err
					return
				}
				acked[w].Store(s)
			}
		}()
	}
	done := make(chan struct{})
	var reads atomic.Int64
	var rg sync.WaitGroup
	for r := range 2 {
		rg.Add(1)
		go func() {
			defer rg.Done()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				w := (i + r) % writers
				floor := acked[w].Load()
				v, ok, err := linearGet(c, fmt.Sprint("w", w))
				if err != nil {
					errs <- err
					return
				}
				ceil := issued[w].Load()
				got := int64(0)
				if ok {
					got, _ = strconv.ParseInt(string(v), 10, 64)
				}
				if got < floor || got > ceil {
					errs <- fmt.Errorf("read w%d = %d after %d was acknowledged, with %d issued", w, got, floor, ceil)
					return
				}
				reads.Add(1)
			}
		}()
	}
	wg.Wait()
	close(done)
	rg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if reads.Load() == 0 {
		t.Fatal("no read completed")
	}
	// A follower cannot commit the barrier, so it refuses to read rather
	// than answer from a state that may lag.
	l, _ := c.Leader(wait)
	for _, n := range c.Live() {
		if n == l {
			continue
		}
		if _, _, err := n.Get("w0", wait); !errors.Is(err, raft.ErrNotLeader) && !n.IsLeader() {
			t.Fatalf("Get on the follower %s returned %v, want raft.ErrNotLeader", n.ID, err)
		}
	}
	t.Logf("%d linearizable reads checked", reads.Load())
}

// TestNoQuorumNoRead: a leader whose followers are gone cannot commit the
// read's barrier, so Get fails instead of answering from a state that a
// new majority elsewhere might already have moved past.
func TestNoQuorumNoRead(t *testing.T) {
	c := startCluster(t, 3, testTune)
	mustApply(t, c, Put("k", []byte("v")))
	l, _ := c.Leader(wait)
	for _, n := range c.Live() {
		if n != l {
			if err := c.Kill(c.Index(n)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if v, ok, err := l.Get("k", wait); err == nil {
		t.Fatalf("Get without a quorum returned %q, %v and no error", v, ok)
	}
}

// TestSnapshotDuringApplies: a snapshot taken while writers apply entries
// restores to exactly the state at its index, which the test rebuilds by
// replaying the leader's log up to that index into the model.
func TestSnapshotDuringApplies(t *testing.T) {
	c := startCluster(t, 3, testTune)
	l, _ := c.Leader(wait)
	var b Batch
	for i := range 2000 {
		b.Put(fmt.Sprintf("k%05d", i), []byte("initial"))
	}
	mustApply(t, c, b.Bytes())

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := fmt.Sprintf("k%05d", (i*7+w*500)%2000)
				var cmd []byte
				switch i % 3 {
				case 0:
					cmd = Put(k, []byte(fmt.Sprint(w, "-", i)))
				case 1:
					cmd = Delete(k)
				default:
					cmd = CAS(k, nil, []byte("back"))
				}
				if _, _, err := c.Apply(cmd, wait); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	// Let the writers get going, then snapshot in their midst.
	deadline := time.Now().Add(wait)
	for start := l.FSM.Index(); l.FSM.Index() < start+50; {
		if time.Now().After(deadline) {
			t.Fatal("the writers applied nothing")
		}
		time.Sleep(time.Millisecond)
	}
	f := l.Raft.Snapshot()
	if err := f.Error(); err != nil {
		t.Fatal(err)
	}
	for start := l.FSM.Index(); l.FSM.Index() < start+50; {
		if time.Now().After(deadline) {
			t.Fatal("the writers stopped after the snapshot")
		}
		time.Sleep(time.Millisecond)
	}
	close(stop)
	wg.Wait()

	meta, rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	restored := NewFSM()
	if err := restored.Restore(rc); err != nil {
		t.Fatal(err)
	}
	model := NewMapFSM()
	lastCmd := uint64(0)
	first, _ := l.bolt.FirstIndex()
	if first != 1 {
		t.Fatalf("the log starts at %d: compacted, cannot rebuild the state", first)
	}
	for i := uint64(1); i <= meta.Index; i++ {
		var e raft.Log
		if err := l.bolt.GetLog(i, &e); err != nil {
			t.Fatal(err)
		}
		if e.Type == raft.LogCommand {
			model.Apply(&e)
			lastCmd = i
		}
	}
	if l.FSM.Index() <= meta.Index {
		t.Fatalf("the FSM is at %d, the snapshot at %d: no entry was applied after it", l.FSM.Index(), meta.Index)
	}
	if restored.Index() < lastCmd || restored.Index() > meta.Index {
		t.Fatalf("restored index %d, want between the last command %d and the snapshot's %d", restored.Index(), lastCmd, meta.Index)
	}
	if got, want := contents(restored), model.Map(); !mapsEqual(got, want) {
		t.Fatalf("the snapshot at index %d restored %d keys, the log up to it makes %d; they differ", meta.Index, len(got), len(want))
	}
	t.Logf("snapshot at index %d of %d, %d keys", meta.Index, l.FSM.Index(), restored.Len())
}

func mapsEqual(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !bytes.Equal(v, w) {
			return false
		}
	}
	return true
}

// TestFailoverKeepsAcknowledgedWrites: writers put unique keys while the
// leader is killed; every put that was acknowledged is there afterwards,
// read through the new leader.
func TestFailoverKeepsAcknowledgedWrites(t *testing.T) {
	c := startCluster(t, 3, testTune)
	var mu sync.Mutex
	var acked []string
	var afterKill atomic.Int64
	var killed atomic.Bool
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := fmt.Sprintf("w%d-%d", w, i)
				if _, _, err := c.Apply(Put(k, []byte(k)), wait); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				acked = append(acked, k)
				mu.Unlock()
				if killed.Load() {
					afterKill.Add(1)
				}
			}
		}()
	}
	waitFor(t, "puts before the kill", func() bool { mu.Lock(); defer mu.Unlock(); return len(acked) >= 50 })
	old, _ := c.Leader(wait)
	if err := c.Kill(c.Index(old)); err != nil {
		t.Fatal(err)
	}
	killed.Store(true)
	l, err := c.Leader(wait)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "puts after the kill", func() bool { return afterKill.Load() >= 50 })
	close(stop)
	wg.Wait()
	for _, k := range acked {
		v, ok, err := linearGet(c, k)
		if err != nil {
			t.Fatal(err)
		}
		if !ok || string(v) != k {
			t.Fatalf("acknowledged put of %s lost after failover from %s to %s (got %q, %v)", k, old.ID, l.ID, v, ok)
		}
	}
	t.Logf("%d acknowledged puts, %d after %s was killed, all on %s", len(acked), afterKill.Load(), old.ID, l.ID)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func putMany(t *testing.T, c *Cluster, prefix string, n int) uint64 {
	t.Helper()
	var b Batch
	for i := range n {
		b.Put(fmt.Sprintf("%s%04d", prefix, i), []byte(prefix))
	}
	mustApply(t, c, b.Bytes())
	_, index := mustApply(t, c, Delete(fmt.Sprintf("%s%04d", prefix, 0)))
	return index
}

// TestRestartCatchesUp: a follower that snapshotted, went down and missed
// writes comes back from its directory with its snapshot restored (before
// raft even talks to the leader) and its log replayed, then catches up.
func TestRestartCatchesUp(t *testing.T) {
	c := startCluster(t, 3, testTune)
	l, _ := c.Leader(wait)
	putMany(t, c, "a", 500)
	i := (c.Index(l) + 1) % 3
	f := c.Node(i)
	if err := c.WaitApplied(l.FSM.Index(), wait); err != nil {
		t.Fatal(err)
	}
	if err := f.Raft.Snapshot().Error(); err != nil {
		t.Fatal(err)
	}
	snapIndex := f.FSM.LastSnapshot().Index
	putMany(t, c, "b", 100) // in the follower's log, after its snapshot
	if err := c.WaitApplied(l.FSM.Index(), wait); err != nil {
		t.Fatal(err)
	}
	if err := c.Kill(i); err != nil {
		t.Fatal(err)
	}
	last := putMany(t, c, "c", 100) // missed
	n, err := c.Restart(i)
	if err != nil {
		t.Fatal(err)
	}
	if got := n.FSM.Index(); got < snapIndex {
		t.Fatalf("restarted at index %d, below its snapshot's %d: the snapshot was not restored", got, snapIndex)
	}
	sameData(t, c, last)
}

// TestRestartAfterCompaction: when the leader has compacted away the
// entries a restarted follower lacks, raft sends it the leader's snapshot
// over TCP (InstallSnapshot), which the follower's FSM restores with
// Receive.
func TestRestartAfterCompaction(t *testing.T) {
	c := startCluster(t, 3, func(rc *raft.Config) {
		testTune(rc)
		rc.TrailingLogs = 2
	})
	l, _ := c.Leader(wait)
	putMany(t, c, "a", 300)
	i := (c.Index(l) + 1) % 3
	if err := c.Kill(i); err != nil {
		t.Fatal(err)
	}
	for r := range 5 {
		putMany(t, c, fmt.Sprint("r", r), 50)
	}
	// Snapshot (and so compact) both live nodes, whichever leads by now.
	for _, n := range c.Live() {
		if err := n.Raft.Snapshot().Error(); err != nil {
			t.Fatal(err)
		}
	}
	last := putMany(t, c, "z", 10)
	n, err := c.Restart(i)
	if err != nil {
		t.Fatal(err)
	}
	sameData(t, c, last)
	snaps, err := n.Snaps.List()
	if err != nil || len(snaps) == 0 {
		t.Fatalf("the follower holds no snapshot (%v): it did not catch up through InstallSnapshot", err)
	}
}

// TestCorruptSnapshotFailsStart: a node whose only snapshot is damaged does
// not come up, and its FSM holds nothing of the snapshot. A flipped byte is
// caught by FileSnapshotStore's CRC-64 before the FSM sees it; a forged
// file, its CRC-64 recomputed, reaches Restore, whose stream checks refuse
// it with codec.ErrCorrupt.
func TestCorruptSnapshotFailsStart(t *testing.T) {
	for _, forge := range []bool{false, true} {
		t.Run(fmt.Sprint("forged=", forge), func(t *testing.T) {
			c := startCluster(t, 1, testTune)
			putMany(t, c, "a", 300)
			n := c.Node(0)
			if err := n.Raft.Snapshot().Error(); err != nil {
				t.Fatal(err)
			}
			metas, err := n.Snaps.List()
			if err != nil || len(metas) != 1 {
				t.Fatalf("want 1 snapshot, have %d (%v)", len(metas), err)
			}
			if err := c.Kill(0); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(n.Dir, "snapshots", metas[0].ID)
			state := filepath.Join(dir, "state.bin")
			b, err := os.ReadFile(state)
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)/2] ^= 0x01
			if err := os.WriteFile(state, b, 0o644); err != nil {
				t.Fatal(err)
			}
			if forge {
				reCRC(t, filepath.Join(dir, "meta.json"), b)
				_, rc, err := n.Snaps.Open(metas[0].ID)
				if err != nil {
					t.Fatalf("the forged file does not pass FileSnapshotStore's check: %v", err)
				}
				if err := NewFSM().Restore(rc); !errors.Is(err, codec.ErrCorrupt) {
					t.Fatalf("Restore of the forged snapshot returned %v, want an error wrapping codec.ErrCorrupt", err)
				}
			}
			fsm := &restoreSpy{FSM: NewFSM()}
			c.newFSM = func() StateMachine { return fsm }
			_, err = c.Restart(0)
			if err == nil || !strings.Contains(err.Error(), "failed to load any existing snapshots") {
				t.Fatalf("the node with a corrupted snapshot started, or failed for another reason: %v", err)
			}
			if forge && !errors.Is(fsm.err, codec.ErrCorrupt) {
				t.Fatalf("the forged snapshot reached Restore, which returned %v, want an error wrapping codec.ErrCorrupt", fsm.err)
			}
			if !forge && fsm.calls != 0 {
				t.Fatalf("FileSnapshotStore passed a file with a bad CRC-64 to Restore")
			}
			if fsm.Len() != 0 || fsm.Index() != 0 {
				t.Fatalf("the node that failed to start holds %d keys at index %d", fsm.Len(), fsm.Index())
			}
		})
	}
}

// restoreSpy records what Restore did.
type restoreSpy struct {
	*FSM
	calls int
	err   error
}

func (s *restoreSpy) Restore(rc io.ReadCloser) error {
	s.calls++
	s.err = s.FSM.Restore(rc)
	return s.err
}

// reCRC rewrites a FileSnapshotStore meta file with the CRC-64 of state.
func reCRC(t *testing.T, path string, state []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var meta map[string]any
	if err := json.Unmarshal(b, &meta); err != nil {
		t.Fatal(err)
	}
	h := crc64.New(crc64.MakeTable(crc64.ECMA))
	h.Write(state)
	meta["CRC"] = h.Sum(nil)
	if b, err = json.Marshal(meta); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
