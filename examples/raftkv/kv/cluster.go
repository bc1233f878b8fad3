package kv

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
)

// Cluster runs n nodes in one process, each with its own data directory
// under Dir and its own TCP port on 127.0.0.1.
//
// Its methods may be called from several goroutines at once (the demo's
// writers call Apply while it kills and restarts nodes).
type Cluster struct {
	Dir string

	mu    sync.Mutex
	nodes []*Node // nil for a node that is down

	newFSM func() StateMachine
	logger hclog.Logger
	tune   func(*raft.Config)
	addrs  []string // each node's address, kept for its restart
}

// ClusterConfig configures StartCluster.
type ClusterConfig struct {
	Dir    string              // each node gets Dir/node<i>
	Size   int                 // number of nodes
	NewFSM func() StateMachine // nil: NewFSM
	Logger hclog.Logger        // nil: none
	Tune   func(*raft.Config)  // as in Config
}

// StartCluster starts the nodes, bootstraps them all with the same
// configuration (which raft allows, and which lets any of them win the
// first election) and returns without waiting for a leader.
func StartCluster(cc ClusterConfig) (*Cluster, error) {
	c := &Cluster{Dir: cc.Dir, newFSM: cc.NewFSM, logger: cc.Logger, tune: cc.Tune}
	if c.newFSM == nil {
		c.newFSM = func() StateMachine { return NewFSM() }
	}
	var conf raft.Configuration
	for i := range cc.Size {
		n, err := c.open(i, "127.0.0.1:0")
		if err != nil {
			c.Close()
			return nil, err
		}
		c.nodes = append(c.nodes, n)
		c.addrs = append(c.addrs, string(n.Addr))
		conf.Servers = append(conf.Servers, n.Server())
	}
	for _, n := range c.nodes {
		if err := n.Raft.BootstrapCluster(conf).Error(); err != nil {
			c.Close()
			return nil, fmt.Errorf("kv: bootstrap %s: %w", n.ID, err)
		}
	}
	return c, nil
}

func (c *Cluster) open(i int, addr string) (*Node, error) {
	id := fmt.Sprintf("node%d", i)
	logger := c.logger
	if logger != nil {
		logger = logger.Named(id)
	}
	return Open(Config{
		ID: id, Dir: filepath.Join(c.Dir, id), Addr: addr,
		FSM: c.newFSM(), Logger: logger, Tune: c.tune,
	})
}

// Node returns node i, or nil if it is down.
func (c *Cluster) Node(i int) *Node {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nodes[i]
}

// Live returns the nodes that are up.
func (c *Cluster) Live() []*Node {
	c.mu.Lock()
	defer c.mu.Unlock()
	var live []*Node
	for _, n := range c.nodes {
		if n != nil {
			live = append(live, n)
		}
	}
	return live
}

// Index returns the position of n in the cluster, or -1.
func (c *Cluster) Index(n *Node) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Index(c.nodes, n)
}

// Leader waits until one live node is the leader and returns it.
func (c *Cluster) Leader(timeout time.Duration) (*Node, error) {
	deadline := time.Now().Add(timeout)
	for {
		for _, n := range c.Live() {
			if n.IsLeader() {
				return n, nil
			}
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("kv: no leader after %v", timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Kill shuts node i down (raft.Shutdown, then its stores closed), leaving
// its data directory.
func (c *Cluster) Kill(i int) error {
	c.mu.Lock()
	n := c.nodes[i]
	c.nodes[i] = nil
	c.mu.Unlock()
	if n == nil {
		return fmt.Errorf("kv: node%d is down", i)
	}
	return n.Close()
}

// Restart opens node i again from its data directory, on its old address,
// with a new, empty FSM: raft restores the newest snapshot into it and
// replays the log after the snapshot, then catches up from the leader.
func (c *Cluster) Restart(i int) (*Node, error) {
	if c.Node(i) != nil {
		return nil, fmt.Errorf("kv: node%d is running", i)
	}
	n, err := c.open(i, c.addrs[i])
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.nodes[i] = n
	c.mu.Unlock()
	return n, nil
}

// WaitApplied waits until every live node's FSM has applied index.
func (c *Cluster) WaitApplied(index uint64, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		behind := ""
		for _, n := range c.Live() {
			if n.FSM.Index() < index {
				behind = n.ID
				break
			}
		}
		if behind == "" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("kv: %s has not applied index %d after %v", behind, index, timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Apply proposes cmd through the leader, waiting for one if there is none,
// and retries while the node it asked is not (or no longer) the leader.
// Retrying is right only for commands that may apply twice, such as Put and
// Delete; an error from a CAS may mean it applied.
func (c *Cluster) Apply(cmd []byte, timeout time.Duration) (res any, index uint64, err error) {
	deadline := time.Now().Add(timeout)
	for {
		l, err := c.Leader(time.Until(deadline))
		if err != nil {
			return nil, 0, err
		}
		res, index, err := l.Apply(cmd, time.Until(deadline))
		if err == nil || !Retryable(err) || time.Now().After(deadline) {
			return res, index, err
		}
	}
}

// Retryable reports whether err means the node asked was not the leader or
// stopped being it, so that another may take the command.
func Retryable(err error) bool {
	return errors.Is(err, raft.ErrNotLeader) || errors.Is(err, raft.ErrLeadershipLost) ||
		errors.Is(err, raft.ErrRaftShutdown) || errors.Is(err, raft.ErrEnqueueTimeout)
}

// Close shuts every live node down.
func (c *Cluster) Close() error {
	var errs []error
	for i := range c.addrs {
		if c.Node(i) != nil {
			errs = append(errs, c.Kill(i))
		}
	}
	return errors.Join(errs...)
}
