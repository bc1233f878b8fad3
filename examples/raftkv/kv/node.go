package kv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
)

// Config says where a Node keeps its state and how it talks to its peers.
type Config struct {
	ID   string // the raft server ID
	Dir  string // the data directory: raft.db (log and stable store), snapshots/
	Addr string // the TCP address to listen on; "127.0.0.1:0" picks a port

	// FSM is the state machine; nil means NewFSM().
	FSM StateMachine
	// Logger gets raft's log; nil means none.
	Logger hclog.Logger
	// Tune, if not nil, adjusts raft's configuration (raft.DefaultConfig
	// with LocalID and Logger set) before the node starts.
	Tune func(*raft.Config)
}

// Node is one raft server with real stores: a BoltDB file for the log and
// the stable store (raft-boltdb), a FileSnapshotStore and a TCP transport.
type Node struct {
	ID    string
	Addr  raft.ServerAddress // where it listens, to restart it on the same one
	Dir   string
	Raft  *raft.Raft
	FSM   StateMachine
	Snaps *raft.FileSnapshotStore

	bolt      *raftboltdb.BoltStore
	closed    chan struct{} // closed when Close begins
	closeOnce sync.Once
	closeErr  error
}

// Open starts a node from cfg.Dir. As raft does on start, it restores the
// newest snapshot into the FSM before it returns (an older one if the
// newest fails); the log after the snapshot is applied once the node
// learns from a leader how much of it is committed. A node whose directory
// holds no state waits for a leader (or for Bootstrap). If raft cannot start
// (a snapshot that fails to restore, say) Open closes what it opened and
// returns the error.
func Open(cfg Config) (*Node, error) {
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, err
	}
	logger := cfg.Logger
	if logger == nil {
		logger = hclog.NewNullLogger()
	}
	fsm := cfg.FSM
	if fsm == nil {
		fsm = NewFSM()
	}
	bolt, err := raftboltdb.NewBoltStore(filepath.Join(cfg.Dir, "raft.db"))
	if err != nil {
		return nil, err
	}
	snaps, err := raft.NewFileSnapshotStoreWithLogger(cfg.Dir, 2, logger)
	if err != nil {
		bolt.Close()
		return nil, err
	}
	trans, err := raft.NewTCPTransportWithLogger(cfg.Addr, nil, 3, 10*time.Second, logger)
	if err != nil {
		bolt.Close()
		return nil, err
	}
	rc := raft.DefaultConfig()
	rc.LocalID = raft.ServerID(cfg.ID)
	rc.Logger = logger
	if cfg.Tune != nil {
		cfg.Tune(rc)
	}
	logs, err := raft.NewLogCache(512, bolt)
	if err != nil {
		trans.Close()
		bolt.Close()
		return nil, err
	}
	r, err := raft.NewRaft(rc, fsm, logs, bolt, snaps, trans)
	if err != nil {
		trans.Close()
		bolt.Close()
		return nil, fmt.Errorf("kv: node %s: %w", cfg.ID, err)
	}
	return &Node{
		ID: cfg.ID, Addr: trans.LocalAddr(), Dir: cfg.Dir,
		Raft: r, FSM: fsm, Snaps: snaps, bolt: bolt, closed: make(chan struct{}),
	}, nil
}

// Server returns the node's entry in a raft configuration.
func (n *Node) Server() raft.Server {
	return raft.Server{Suffrage: raft.Voter, ID: raft.ServerID(n.ID), Address: n.Addr}
}

// Close shuts raft down (which closes the transport) and closes the log
// store, leaving the data directory for a later Open. Later calls return
// the first one's error.
func (n *Node) Close() error {
	n.closeOnce.Do(func() {
		close(n.closed)
		err := n.Raft.Shutdown().Error()
		n.closeErr = errors.Join(err, n.bolt.Close())
	})
	return n.closeErr
}

// IsLeader reports whether the node is the leader now.
func (n *Node) IsLeader() bool { return n.Raft.State() == raft.Leader }

// Apply proposes cmd and waits until it is committed and applied, returning
// the FSM's answer and the entry's log index. It fails with
// raft.ErrNotLeader on a follower; with raft.ErrLeadershipLost if
// leadership changed before the entry committed, with raft.ErrRaftShutdown
// if the node was closed meanwhile and with ErrTimeout if no answer came
// within timeout: in those three cases the entry may or may not be applied.
//
// raft keeps cmd (in its log cache, from which it replicates), so cmd must
// not be modified afterwards, even once Apply has returned.
func (n *Node) Apply(cmd []byte, timeout time.Duration) (res any, index uint64, err error) {
	deadline := time.Now().Add(timeout)
	f := n.Raft.Apply(cmd, timeout)
	if err := n.wait(f, deadline); err != nil {
		return nil, 0, err
	}
	if err, ok := f.Response().(error); ok {
		return nil, f.Index(), err
	}
	return f.Response(), f.Index(), nil
}

// ErrTimeout is returned by a call that got no answer from raft in time.
var ErrTimeout = errors.New("kv: timed out waiting for raft")

// wait waits for f, but no longer than until deadline or until the node is
// closed. hashicorp/raft can leave a future unanswered forever when the node
// shuts down with the entry in flight (hashicorp/raft#498, open), so a plain
// f.Error() could hang a client for good. Such a future's goroutine stays
// blocked; it is one per entry lost at a shutdown.
func (n *Node) wait(f raft.Future, deadline time.Time) error {
	done := make(chan error, 1)
	go func() { done <- f.Error() }()
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-n.closed:
		return raft.ErrRaftShutdown
	case <-timer.C:
		return ErrTimeout
	}
}

// Put sets key to value through raft.
func (n *Node) Put(key string, value []byte, timeout time.Duration) error {
	_, _, err := n.Apply(Put(key, value), timeout)
	return err
}

// Delete removes key through raft.
func (n *Node) Delete(key string, timeout time.Duration) error {
	_, _, err := n.Apply(Delete(key), timeout)
	return err
}

// CAS sets key to new if it holds old (nil: absent), through raft; a nil
// new deletes it. It reports whether it swapped.
func (n *Node) CAS(key string, old, new []byte, timeout time.Duration) (bool, error) {
	res, _, err := n.Apply(CAS(key, old, new), timeout)
	if err != nil {
		return false, err
	}
	return res.(bool), nil
}

// Get is a linearizable read: it commits a barrier through raft and reads
// the local state once every entry before the barrier is applied, so it
// sees every write acknowledged before it was called. Only the leader can
// commit the barrier, and a deposed leader cannot, so a stale read is an
// error (raft.ErrNotLeader or raft.ErrLeadershipLost), never a wrong value.
func (n *Node) Get(key string, timeout time.Duration) ([]byte, bool, error) {
	deadline := time.Now().Add(timeout)
	if err := n.wait(n.Raft.Barrier(timeout), deadline); err != nil {
		return nil, false, err
	}
	v, ok := n.FSM.Get(key)
	return v, ok, nil
}
