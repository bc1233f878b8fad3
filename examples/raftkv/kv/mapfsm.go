package kv

import (
	"bufio"
	"bytes"
	"encoding/gob"
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
// meanwhile. Persist then writes the copy with encoding/gob.
//
// It applies the same commands as FSM with the same code, which makes it
// the tests' model of what FSM must hold.
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
	err := gob.NewEncoder(bw).Encode(mapFile{Index: s.index, M: s.m})
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

type mapFile struct {
	Index uint64
	M     map[string][]byte
}

// Restore replaces the state with a snapshot's, decoded beside it first.
func (f *MapFSM) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	var mf mapFile
	if err := gob.NewDecoder(bufio.NewReader(rc)).Decode(&mf); err != nil {
		return fmt.Errorf("kv: restore: %w", err)
	}
	if mf.M == nil {
		mf.M = make(map[string][]byte)
	}
	f.mu.Lock()
	f.m, f.index = mf.M, mf.Index
	f.mu.Unlock()
	return nil
}
