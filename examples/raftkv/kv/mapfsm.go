package kv

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"maps"
	"sync"
	"time"

	"github.com/hashicorp/raft"
)

// MapFSM is the baseline: the FSM most raft users write, a Go map under a
// mutex. A Go map has no snapshot, so Snapshot must copy the whole map
// (maps.Clone) before it returns, and raft's apply goroutine waits for the
// copy: the time it takes grows with the map, and no entry is applied
// meanwhile. Persist then writes the copy out, a length-prefixed key and
// value at a time.
//
// It applies the same commands as FSM with the same code, which makes it
// the tests' model of what FSM must hold. It is not a raft.BatchingFSM,
// so raft does not hand it configuration entries, and its Index can be
// below FSM's on the same log.
type MapFSM struct {
	mu    sync.RWMutex
	m     map[string][]byte
	index uint64

	stats statsBox
}

var _ StateMachine = (*MapFSM)(nil)

// NewMapFSM returns a MapFSM holding no keys.
func NewMapFSM() *MapFSM { return &MapFSM{m: make(map[string][]byte)} }

// Apply applies one committed entry; its answer is FSM.Apply's.
func (f *MapFSM) Apply(l *raft.Log) any {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.index = l.Index
	if l.Type != raft.LogCommand {
		return nil
	}
	c, err := decode(l.Data)
	if err != nil {
		return err
	}
	return run(mapStore(f.m), c)
}

// Get returns a copy of key's value.
func (f *MapFSM) Get(key string) ([]byte, bool) {
	f.mu.RLock()
	v, ok := f.m[key]
	f.mu.RUnlock()
	return bytes.Clone(v), ok
}

// Len returns the number of keys.
func (f *MapFSM) Len() int {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return len(f.m)
}

// Index returns the last applied or restored index.
func (f *MapFSM) Index() uint64 {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.index
}

// Map returns a copy of the state (the values shared, not copied).
func (f *MapFSM) Map() map[string][]byte {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return maps.Clone(f.m)
}

// LastSnapshot reports the last snapshot persisted.
func (f *MapFSM) LastSnapshot() SnapshotStats { return f.stats.load() }

// Snapshot copies the map under the lock: O(n), with Apply waiting.
func (f *MapFSM) Snapshot() (raft.FSMSnapshot, error) {
	start := time.Now()
	f.mu.RLock()
	s := &mapSnapshot{m: maps.Clone(f.m), index: f.index, stats: &f.stats}
	f.mu.RUnlock()
	s.st = SnapshotStats{At: start, Index: s.index, Keys: len(s.m), Take: time.Since(start)}
	return s, nil
}

type mapSnapshot struct {
	m     map[string][]byte
	index uint64
	st    SnapshotStats
	stats *statsBox
}

func (s *mapSnapshot) Persist(sink raft.SnapshotSink) error {
	start := time.Now()
	cw := &countWriter{w: sink}
	bw := bufio.NewWriterSize(cw, 256<<10)
	err := writeMap(bw, s.index, s.m)
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

func (s *mapSnapshot) Release() {}

// The baseline's snapshot file, the simplest a careful raft user writes: a
// header (a magic, the index, the number of entries), then each entry as
// its key and its value, each prefixed with its length as a uvarint, in
// map order. It has no checksum of its own: FileSnapshotStore's CRC-64
// covers the file.
var mapMagic = [8]byte{'r', 'a', 'f', 't', 'k', 'v', 'm', 1}

func writeMap(w *bufio.Writer, index uint64, m map[string][]byte) error {
	var h [24]byte
	copy(h[:], mapMagic[:])
	binary.BigEndian.PutUint64(h[8:], index)
	binary.BigEndian.PutUint64(h[16:], uint64(len(m)))
	w.Write(h[:])
	var n [binary.MaxVarintLen64]byte
	for k, v := range m {
		w.Write(n[:binary.PutUvarint(n[:], uint64(len(k)))])
		w.WriteString(k)
		w.Write(n[:binary.PutUvarint(n[:], uint64(len(v)))])
		if _, err := w.Write(v); err != nil {
			return err
		}
	}
	return nil
}

// maxField bounds one key or value a snapshot may hold; readField never
// allocates more than the bytes that arrived, whatever a length claims.
const maxField = 64 << 20

func readField(r *bufio.Reader) ([]byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, err
	}
	if n > maxField {
		return nil, fmt.Errorf("%w: a field of %d bytes", ErrSnapshot, n)
	}
	if n <= 64<<10 {
		b := make([]byte, n)
		_, err := io.ReadFull(r, b)
		return b, err
	}
	var buf bytes.Buffer
	if _, err := io.CopyN(&buf, r, int64(n)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Restore replaces the state with a snapshot's, decoded beside it first:
// on any error the state is unchanged.
func (f *MapFSM) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	index, m, err := readMap(bufio.NewReaderSize(rc, 256<<10))
	if err != nil {
		return fmt.Errorf("kv: restore: %w", err)
	}
	f.mu.Lock()
	f.m, f.index = m, index
	f.mu.Unlock()
	return nil
}

func readMap(r *bufio.Reader) (uint64, map[string][]byte, error) {
	var h [24]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, nil, fmt.Errorf("%w: header: %w", ErrSnapshot, err)
	}
	if !bytes.Equal(h[:8], mapMagic[:]) {
		return 0, nil, fmt.Errorf("%w: bad magic %q", ErrSnapshot, h[:8])
	}
	index, count := binary.BigEndian.Uint64(h[8:]), binary.BigEndian.Uint64(h[16:])
	m := make(map[string][]byte, min(count, 1024)) // count is unchecked: grow as entries arrive
	for i := uint64(0); i < count; i++ {
		k, err := readField(r)
		if err != nil {
			return 0, nil, unexpected(err)
		}
		v, err := readField(r)
		if err != nil {
			return 0, nil, unexpected(err)
		}
		m[string(k)] = v
	}
	if uint64(len(m)) != count {
		return 0, nil, fmt.Errorf("%w: %d entries under %d keys", ErrSnapshot, count, len(m))
	}
	if err := atEOF(r); err != nil {
		return 0, nil, err
	}
	return index, m, nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
