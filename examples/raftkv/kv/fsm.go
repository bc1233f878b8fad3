package kv

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/cowkit/cowkit/btree"
	"github.com/cowkit/cowkit/codec"
	"github.com/hashicorp/raft"
)

// StateMachine is what a Node replicates: a raft.FSM that can also be read.
// FSM is the cowkit one; MapFSM is the baseline that copies under a lock.
type StateMachine interface {
	raft.FSM
	// Get returns a copy of key's value in the local state, which may lag
	// the leader's (Node.Get reads through the leader).
	Get(key string) ([]byte, bool)
	// Len returns the number of keys in the local state.
	Len() int
	// Index returns the index of the last log entry raft handed the FSM
	// (commands, and for a raft.BatchingFSM such as FSM configuration
	// entries too; raft never hands it barriers or no-ops), or the one
	// recorded in the snapshot last restored; 0 before either. It can
	// therefore be below raft's own AppliedIndex.
	Index() uint64
	// LastSnapshot reports the last snapshot taken and persisted.
	LastSnapshot() SnapshotStats
}

// SnapshotStats reports one snapshot: how long Snapshot() held up the FSM
// (raft calls it on the goroutine that applies entries, so Apply waits for
// it) and how long Persist took to write it, on its own goroutine.
type SnapshotStats struct {
	At      time.Time     // when Snapshot() was called
	Index   uint64        // the FSM's Index when Snapshot() was called
	Keys    int           // keys in the snapshot
	Take    time.Duration // the Snapshot() call
	Began   time.Time     // when Persist began
	Persist time.Duration // the Persist call, from start to the sink's Close
	Bytes   int64         // bytes Persist wrote to the sink
}

// FSM is a raft.FSM whose state is a btree.Map[string, []byte].
//
// Snapshot is a btree Clone: O(1), whatever the map holds, so Apply resumes
// at once, and Persist then writes the clone with Map.Send on raft's
// snapshot goroutine while Apply goes on writing the live map, which copies
// only the paths it touches. Restore reads with Map.Receive into a new map,
// published only if the whole stream checked out, so a bad snapshot leaves
// the FSM as it was.
//
// Values are shared between the live map and its snapshots (btree shares
// values shallowly), so the FSM treats them as immutable: Apply copies each
// value out of the log entry, and Get returns a copy.
type FSM struct {
	mu    sync.RWMutex // Apply and Restore write under it, Get reads
	m     *btree.Map[string, []byte]
	index uint64

	stats statsBox
}

var _ raft.BatchingFSM = (*FSM)(nil)

// NewFSM returns an FSM holding no keys.
func NewFSM() *FSM { return &FSM{m: btree.New[string, []byte]()} }

// Apply applies one committed log entry. Its answer, which Raft.Apply's
// future returns, is nil for Put, Delete and Batch, a bool for CAS, and an
// error wrapping ErrCommand for a malformed entry (which changes nothing).
func (f *FSM) Apply(l *raft.Log) any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.apply(l)
}

// ApplyBatch applies a batch of committed entries under one lock.
func (f *FSM) ApplyBatch(logs []*raft.Log) []any {
	out := make([]any, len(logs))
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, l := range logs {
		out[i] = f.apply(l)
	}
	return out
}

func (f *FSM) apply(l *raft.Log) any {
	f.index = l.Index
	if l.Type != raft.LogCommand {
		return nil
	}
	c, err := decode(l.Data)
	if err != nil {
		return err
	}
	return run(treeStore{f.m}, c)
}

// Get returns a copy of key's value in the local state.
func (f *FSM) Get(key string) ([]byte, bool) {
	f.mu.RLock()
	v, ok := f.m.Get(key)
	f.mu.RUnlock()
	return bytes.Clone(v), ok
}

// Len returns the number of keys.
func (f *FSM) Len() int {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.m.Len()
}

// Index returns the last applied or restored index.
func (f *FSM) Index() uint64 {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.index
}

// Clone returns an O(1) snapshot of the state, for reading at leisure (the
// demo and tests compare nodes with Map.Diff). The caller owns it: Release
// it when done, and do not modify the values.
func (f *FSM) Clone() *btree.Map[string, []byte] {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.m.Clone()
}

// LastSnapshot reports the last snapshot persisted.
func (f *FSM) LastSnapshot() SnapshotStats { return f.stats.load() }

// Snapshot returns a clone of the state, taken in O(1).
func (f *FSM) Snapshot() (raft.FSMSnapshot, error) {
	start := time.Now()
	f.mu.RLock()
	s := &treeSnapshot{m: f.m.Clone(), index: f.index, stats: &f.stats}
	f.mu.RUnlock()
	s.st = SnapshotStats{At: start, Index: s.index, Keys: s.m.Len(), Take: time.Since(start)}
	return s, nil
}

type treeSnapshot struct {
	m     *btree.Map[string, []byte]
	index uint64
	st    SnapshotStats
	stats *statsBox
}

// The snapshot file: a 16-byte header (the magic and the FSM's index,
// big-endian), then the map as one full btree stream. The stream checks
// itself (CRC-32C per chunk, counts, a trailer); raft's FileSnapshotStore
// adds a CRC-64 over the whole file, header included.
var (
	keyCodec = codec.String[string]()
	valCodec = codec.Bytes()
)

var snapMagic = [8]byte{'r', 'a', 'f', 't', 'k', 'v', 0, 1}

const snapHeader = 16

func (s *treeSnapshot) Persist(sink raft.SnapshotSink) error {
	start := time.Now()
	cw := &countWriter{w: sink}
	bw := bufio.NewWriterSize(cw, 256<<10)
	err := writeHeader(bw, s.index)
	if err == nil {
		err = s.m.Send(bw, nil, keyCodec, valCodec)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		sink.Cancel()
		return fmt.Errorf("kv: persist: %w", err)
	}
	if err := sink.Close(); err != nil {
		return fmt.Errorf("kv: persist: %w", err)
	}
	s.st.Began, s.st.Persist, s.st.Bytes = start, time.Since(start), cw.n
	s.stats.store(s.st)
	return nil
}

func (s *treeSnapshot) Release() { s.m.Release() }

// Restore replaces the state with a snapshot's. It reads into a new map and
// swaps it in only once the stream has been read whole and every check
// passed; on any error the FSM keeps its state and the error wraps
// codec.ErrCorrupt (or ErrSnapshot for a file that is not a snapshot of
// this FSM).
func (f *FSM) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 256<<10)
	index, err := readHeader(br)
	if err != nil {
		return err
	}
	m := btree.New[string, []byte]()
	if err := m.Receive(br, keyCodec, valCodec); err != nil {
		m.Release()
		return fmt.Errorf("kv: restore: %w", err)
	}
	if err := atEOF(br); err != nil {
		m.Release()
		return err
	}
	f.mu.Lock()
	old := f.m
	f.m, f.index = m, index
	f.mu.Unlock()
	old.Release()
	return nil
}

// ErrSnapshot is the error Restore returns for a snapshot this FSM did not
// write (another magic) or one followed by stray bytes.
var ErrSnapshot = errors.New("kv: not a raftkv snapshot")

func writeHeader(w io.Writer, index uint64) error {
	var h [snapHeader]byte
	copy(h[:], snapMagic[:])
	binary.BigEndian.PutUint64(h[8:], index)
	_, err := w.Write(h[:])
	return err
}

func readHeader(r io.Reader) (uint64, error) {
	var h [snapHeader]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, fmt.Errorf("%w: header: %w", ErrSnapshot, err)
	}
	if !bytes.Equal(h[:8], snapMagic[:]) {
		return 0, fmt.Errorf("%w: bad magic %q", ErrSnapshot, h[:8])
	}
	return binary.BigEndian.Uint64(h[8:]), nil
}

func atEOF(br *bufio.Reader) error {
	switch _, err := br.ReadByte(); err {
	case io.EOF:
		return nil
	case nil:
		return fmt.Errorf("%w: bytes after the stream", ErrSnapshot)
	default:
		return fmt.Errorf("kv: restore: %w", err)
	}
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// statsBox holds the last SnapshotStats: Persist stores on raft's snapshot
// goroutine while the demo reads on another.
type statsBox struct {
	mu sync.Mutex
	st SnapshotStats
}

func (b *statsBox) store(st SnapshotStats) {
	b.mu.Lock()
	b.st = st
	b.mu.Unlock()
}

func (b *statsBox) load() SnapshotStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.st
}
