// Command raftkv runs a replicated key-value store on hashicorp/raft whose
// state machine is a cowkit btree.Map, and shows why copy-on-write suits
// raft's FSM contract: Snapshot() must return quickly, because raft calls
// it on the goroutine that applies entries, and Persist then writes the
// snapshot while new entries keep being applied.
//
// It starts a 3-node cluster in one process (each node with a BoltDB log,
// a FileSnapshotStore and a TCP transport on 127.0.0.1, its data in a temp
// directory removed at the end), loads keys through the leader, and then
// measures puts from several goroutines with no snapshot running and while
// snapshots of every key are taken and persisted. It compares Snapshot()
// (a btree Clone) with Persist, and with the Snapshot() of a baseline FSM
// over a Go map, which must copy the map under its lock. Then it kills the
// leader, keeps writing through the new one, restarts the old leader from
// its data directory and shows with btree's Diff that all three nodes hold
// the same data.
//
//	cd examples/raftkv && go run . [-keys 1000000] [-writers 16] [-window 2s] [-v] [-cpuprofile file]
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"slices"
	"sync"
	"time"

	"github.com/cowkit/cowkit/examples/internal/report"
	"github.com/cowkit/cowkit/examples/raftkv/kv"
	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
)

type config struct {
	keys    int           // keys loaded before the measurements
	writers int           // goroutines putting through the leader
	window  time.Duration // how long puts run with no snapshot, in all rounds
	verbose bool          // raft's own log to stderr
	profile string        // write a CPU profile of the run here
}

var defaults = config{keys: 1_000_000, writers: 16, window: 2 * time.Second}

func main() {
	cfg := defaults
	flag.IntVar(&cfg.keys, "keys", cfg.keys, "keys loaded before the measurements")
	flag.IntVar(&cfg.writers, "writers", cfg.writers, "goroutines putting through the leader")
	flag.DurationVar(&cfg.window, "window", cfg.window, "how long puts run with no snapshot, in all rounds")
	flag.BoolVar(&cfg.verbose, "v", false, "print raft's log (warnings and errors) to stderr")
	flag.StringVar(&cfg.profile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if cfg.profile != "" {
		f, err := os.Create(cfg.profile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "raftkv:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(os.Stdout, cfg); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "raftkv:", err)
		os.Exit(1)
	}
}

const (
	valueSize = 32
	batchKeys = 1000 // keys per load entry
	rounds    = 3    // of puts with no snapshot, with one, and with a control
	timeout   = 10 * time.Second
)

// tune makes failover quick on loopback and leaves snapshots to the demo:
// raft's own thresholds would start one at a moment the demo does not pick.
func tune(c *raft.Config) {
	c.HeartbeatTimeout = 500 * time.Millisecond
	c.ElectionTimeout = 500 * time.Millisecond
	c.LeaderLeaseTimeout = 250 * time.Millisecond
	c.SnapshotThreshold = 1 << 40
	c.SnapshotInterval = time.Hour
}

func key(i int) string { return fmt.Sprintf("key%08d", i) }

func value(seed uint64) []byte {
	v := make([]byte, valueSize)
	copy(v, fmt.Sprintf("v%016x", seed))
	return v
}

func run(w io.Writer, cfg config) error {
	if cfg.keys < 2 || cfg.writers < 1 || cfg.window <= 0 {
		return errors.New("want at least 2 keys, 1 writer and a window above 0")
	}
	dir, err := os.MkdirTemp("", "raftkv-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var logger hclog.Logger
	if cfg.verbose {
		logger = hclog.New(&hclog.LoggerOptions{Name: "raft", Level: hclog.Warn, Output: os.Stderr})
	}
	start := time.Now()
	c, err := kv.StartCluster(kv.ClusterConfig{Dir: dir, Size: 3, Logger: logger, Tune: tune})
	if err != nil {
		return err
	}
	defer c.Close()
	leader, err := c.Leader(timeout)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "cowkit raftkv: 3 raft nodes in one process on %s; BoltDB logs, file snapshots, in %s\n",
		addrs(c), dir)
	fmt.Fprintf(w, "leader: %s, elected %s after start\n", leader.ID, report.Duration(time.Since(start)))
	took, err := load(c, leader, cfg.keys)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "loaded %s keys of %d B through it in %s (%s entries of %s keys; every node applied them)\n\n",
		report.Count(cfg.keys), valueSize, report.Duration(took),
		report.Count((cfg.keys+batchKeys-1)/batchKeys), report.Count(batchKeys))
	if err := snapshot(w, c, cfg); err != nil {
		return err
	}
	if err := failover(w, c, cfg); err != nil {
		return err
	}
	fmt.Fprintf(w, "\ndone in %s\n", report.Duration(time.Since(start)))
	return nil
}

func addrs(c *kv.Cluster) string {
	var s []string
	for _, n := range c.Live() {
		s = append(s, string(n.Addr))
	}
	return fmt.Sprint(s)
}

// load puts keys through the leader, batchKeys to a log entry, with many
// entries in flight, and waits until every node has applied them.
func load(c *kv.Cluster, leader *kv.Node, keys int) (time.Duration, error) {
	start := time.Now()
	type entry struct {
		f   raft.ApplyFuture
		cmd []byte
	}
	var inflight []entry
	var last uint64
	// wait waits for one entry; if leadership moved, it puts the batch
	// again through the new leader (puts may apply twice).
	wait := func(e entry) error {
		err := e.f.Error()
		index := e.f.Index()
		if err != nil && kv.Retryable(err) {
			_, index, err = c.Apply(e.cmd, timeout)
		}
		if err != nil {
			return fmt.Errorf("load: %w", err)
		}
		last = max(last, index)
		return nil
	}
	var b kv.Batch
	for i := 0; i < keys; i += batchKeys {
		b.Reset()
		for j := i; j < min(i+batchKeys, keys); j++ {
			b.Put(key(j), value(uint64(j)))
		}
		// raft keeps the command's bytes (in its log cache, for
		// replication), so each entry gets its own copy.
		cmd := slices.Clone(b.Bytes())
		inflight = append(inflight, entry{leader.Raft.Apply(cmd, timeout), cmd})
		if len(inflight) == 64 {
			if err := wait(inflight[0]); err != nil {
				return 0, err
			}
			inflight = inflight[1:]
		}
	}
	for _, f := range inflight {
		if err := wait(f); err != nil {
			return 0, err
		}
	}
	if err := c.WaitApplied(last, timeout); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// puts runs cfg.writers goroutines that put random keys through the
// cluster's leader until stop is closed, and returns when each put ended.
type puts struct {
	mu   sync.Mutex
	done []time.Time
	last uint64 // the highest index acknowledged
}

func (p *puts) run(c *kv.Cluster, writers, keys int, stop <-chan struct{}) (wait func() error) {
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), uint64(time.Now().UnixNano())))
			var done []time.Time
			var last uint64
			defer func() {
				p.mu.Lock()
				p.done = append(p.done, done...)
				p.last = max(p.last, last)
				p.mu.Unlock()
			}()
			for {
				select {
				case <-stop:
					return
				default:
				}
				// Keys 0 and 1 are left to the failover's Delete and CAS.
				_, index, err := c.Apply(kv.Put(key(2+rng.IntN(keys-2)), value(rng.Uint64())), timeout)
				if err != nil {
					errs[g] = err
					return
				}
				done = append(done, time.Now())
				last = max(last, index)
			}
		}()
	}
	return func() error {
		wg.Wait()
		return errors.Join(errs...)
	}
}

// rate returns the puts that ended in [from, to) per second, and the
// longest time in that span with none ending.
func (p *puts) rate(from, to time.Time) (perSec float64, gap time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	slices.SortFunc(p.done, func(a, b time.Time) int { return a.Compare(b) })
	n := 0
	prev := from
	for _, t := range p.done {
		if t.Before(from) || !t.Before(to) {
			continue
		}
		n++
		gap = max(gap, t.Sub(prev))
		prev = t
	}
	gap = max(gap, to.Sub(prev))
	return float64(n) / to.Sub(from).Seconds(), gap
}

// snapshot measures puts in rounds: a window with no snapshot running,
// a user snapshot of every key on the leader (Snapshot(), then Persist),
// and a control window as long as that snapshot in which one goroutine
// only burns CPU, as Persist does. It compares Snapshot() with Persist and
// with the baseline FSM's Snapshot().
func snapshot(w io.Writer, c *kv.Cluster, cfg config) error {
	var p puts
	stop := make(chan struct{})
	wait := p.run(c, cfg.writers, cfg.keys, stop)
	time.Sleep(200 * time.Millisecond) // warm up
	type span struct{ from, to time.Time }
	var steady, during, control []span
	var snaps []kv.SnapshotStats
	var leader *kv.Node
	var err error
	for range rounds {
		from := time.Now()
		time.Sleep(cfg.window / rounds)
		steady = append(steady, span{from, time.Now()})
		if leader, err = c.Leader(timeout); err != nil {
			break
		}
		if err = leader.Raft.Snapshot().Error(); err != nil {
			break
		}
		st := leader.FSM.LastSnapshot()
		snaps = append(snaps, st)
		end := st.Began.Add(st.Persist)
		during = append(during, span{st.At, end})
		time.Sleep(50 * time.Millisecond)
		from = time.Now()
		burn(end.Sub(st.At))
		control = append(control, span{from, time.Now()})
		time.Sleep(50 * time.Millisecond)
	}
	close(stop)
	if werr := wait(); err != nil || werr != nil {
		return fmt.Errorf("snapshot: %w", errors.Join(err, werr))
	}
	metas, err := leader.Snaps.List()
	if err != nil || len(metas) == 0 {
		return fmt.Errorf("snapshot: list: %v (%d snapshots)", err, len(metas))
	}
	base, err := baselineTake(leader)
	if err != nil {
		return err
	}
	var takes, persists []time.Duration
	for _, st := range snaps {
		takes = append(takes, st.Take)
		persists = append(persists, st.Persist)
	}
	take, persist := report.Median(takes), report.Median(persists)
	last := snaps[len(snaps)-1]

	fmt.Fprintf(w, "%d snapshots of %s keys on the leader, medians:\n", len(snaps), report.Count(last.Keys))
	t := report.NewTable("lrl")
	t.Row("Snapshot(), a btree Clone", report.Duration(take), "raft's apply goroutine waits this long")
	t.Row("Snapshot() of the baseline FSM", report.Duration(base), "a Go map of the same keys copied under its lock: "+report.Ratio(base, take)+" longer")
	t.Row("Persist, btree Send to the file store", report.Duration(persist), fmt.Sprintf("%s written, %s on disk; puts go on meanwhile", report.Bytes(last.Bytes), report.Bytes(metas[0].Size)))
	t.Write(w, "  ")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "puts through the leader from %d goroutines, each waiting for a quorum to commit it; %d rounds:\n", cfg.writers, rounds)
	t = report.NewTable("lrlr")
	t.Row("", "puts/s, median", "range", "longest with none done")
	for _, row := range []struct {
		name  string
		spans []span
	}{
		{"no snapshot running", steady},
		{"from Snapshot() to the end of Persist", during},
		{"control: a goroutine burning CPU as long", control},
	} {
		var rates []int64
		var gap time.Duration
		for _, s := range row.spans {
			r, g := p.rate(s.from, s.to)
			rates = append(rates, int64(r))
			gap = max(gap, g)
		}
		t.Row(row.name, report.Count(report.Median(rates)),
			report.Count(slices.Min(rates))+" to "+report.Count(slices.Max(rates)), report.Duration(gap))
	}
	t.Write(w, "  ")
	fmt.Fprintln(w)
	return nil
}

// burn keeps one goroutine busy for d, as a Persist keeps one core busy.
func burn(d time.Duration) {
	end := time.Now().Add(d)
	buf := make([]byte, 64<<10)
	for time.Now().Before(end) {
		crc32.ChecksumIEEE(buf)
	}
}

// baselineTake fills a MapFSM with the leader's state and returns the
// median time of three of its Snapshot() calls.
func baselineTake(leader *kv.Node) (time.Duration, error) {
	m := kv.NewMapFSM()
	snap := leader.FSM.(*kv.FSM).Clone()
	defer snap.Release()
	var b kv.Batch
	var index uint64
	flush := func() {
		index++
		m.Apply(&raft.Log{Index: index, Type: raft.LogCommand, Data: b.Bytes()})
		b.Reset()
	}
	for k, v := range snap.All() {
		b.Put(k, v)
		if b.Len() == batchKeys {
			flush()
		}
	}
	flush()
	if m.Len() != snap.Len() {
		return 0, fmt.Errorf("baseline: %d keys, want %d", m.Len(), snap.Len())
	}
	var ds []time.Duration
	for range 3 {
		var s raft.FSMSnapshot
		var err error
		ds = append(ds, report.Time(func() { s, err = m.Snapshot() }))
		if err != nil {
			return 0, err
		}
		s.Release()
	}
	return report.Median(ds), nil
}

// failover kills the leader, keeps writing through the new one, restarts
// the old leader from its data directory and compares every node's data.
func failover(w io.Writer, c *kv.Cluster, cfg config) error {
	var p puts
	stop := make(chan struct{})
	wait := p.run(c, cfg.writers, cfg.keys, stop)
	time.Sleep(200 * time.Millisecond)
	old, err := c.Leader(timeout)
	if err != nil {
		return err
	}
	i := c.Index(old)
	killed := time.Now()
	if err := c.Kill(i); err != nil {
		return err
	}
	leader, err := c.Leader(timeout)
	if err != nil {
		return err
	}
	elected := time.Since(killed)
	time.Sleep(500 * time.Millisecond)
	close(stop)
	if err := wait(); err != nil {
		return fmt.Errorf("failover: %w", err)
	}
	fmt.Fprintf(w, "killed the leader %s (Shutdown); %s took over after %s; %s puts acknowledged meanwhile\n",
		old.ID, leader.ID, report.Duration(elected), report.Count(len(p.done)))

	// A few more writes of every kind while the old leader is down. The
	// CAS is sent once, to the leader: a CAS retried after an error that
	// leaves its outcome unknown could apply twice.
	if _, _, err := c.Apply(kv.Delete(key(0)), timeout); err != nil {
		return err
	}
	if leader, err = c.Leader(timeout); err != nil {
		return err
	}
	res, last, err := leader.Apply(kv.CAS(key(1), value(1), []byte("swapped")), timeout)
	if err != nil {
		return err
	}
	cas := res.(bool)

	snaps, err := old.Snaps.List()
	if err != nil {
		return err
	}
	restart := time.Now()
	n, err := c.Restart(i)
	if err != nil {
		return err
	}
	opened := time.Since(restart)
	if err := c.WaitApplied(last, timeout); err != nil {
		return err
	}
	caught := time.Since(restart)
	restored := "it had no snapshot to restore"
	if len(snaps) > 0 {
		restored = fmt.Sprintf("raft restored its snapshot of index %d (btree Receive) as it opened, in %s", snaps[0].Index, report.Duration(opened))
	}
	fmt.Fprintf(w, "restarted %s from its data directory: %s; it replayed its log and caught up in %s\n",
		n.ID, restored, report.Duration(caught))
	fmt.Fprintf(w, "(deleted %s; CAS of %s swapped: %v)\n\n", key(0), key(1), cas)

	return compare(w, c)
}

// compare shows with btree's Diff that every node holds the same data.
func compare(w io.Writer, c *kv.Cluster) error {
	nodes := c.Live()
	ref := nodes[0].FSM.(*kv.FSM).Clone()
	defer ref.Release()
	t := report.NewTable("lrrr")
	t.Row("node", "keys", "applied index", "changes against "+nodes[0].ID)
	var bad error
	for _, n := range nodes {
		m := n.FSM.(*kv.FSM).Clone()
		changes := 0
		for range m.Diff(ref, bytes.Equal) {
			changes++
		}
		if changes != 0 {
			bad = fmt.Errorf("%s differs from %s in %d keys", n.ID, nodes[0].ID, changes)
		}
		t.Row(n.ID, report.Count(m.Len()), n.FSM.Index(), changes)
		m.Release()
	}
	fmt.Fprintln(w, "every node, compared with btree Diff:")
	t.Write(w, "  ")
	return bad
}
