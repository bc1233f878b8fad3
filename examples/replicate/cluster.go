package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"time"
)

// A cluster is a primary, a replica following it over TCP on 127.0.0.1,
// and an auditor reading the replica, all in one process. Its methods are
// used by one goroutine.
type cluster struct {
	cfg     config
	bank    *bank
	writer  *rand.Rand // the transfers', used by one goroutine at a time
	ln      *net.TCPListener
	primary *primary
	replica *replica
	auditor *auditor
	tick    *time.Ticker
	cancel  context.CancelFunc // stops the replica, and then the auditor
	done    sync.WaitGroup

	last    round // the last round shipped
	applied int   // rounds the replica applied
}

// start opens the bank, listens, and starts the replica and its auditor.
func start(cfg config) (*cluster, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &cluster{
		cfg:     cfg,
		bank:    openBank(cfg.accounts),
		writer:  rand.New(rand.NewPCG(1, 2)),
		ln:      ln.(*net.TCPListener),
		primary: newPrimary(ln.(*net.TCPListener)),
		replica: newReplica(),
		auditor: &auditor{accounts: cfg.accounts, total: int64(cfg.accounts) * balance},
		tick:    time.NewTicker(cfg.interval),
		cancel:  cancel,
	}
	c.done.Add(2)
	go func() {
		defer c.done.Done()
		c.replica.follow(ctx, ln.Addr().String())
	}()
	go func() {
		defer c.done.Done()
		c.auditor.run(c.replica)
	}()
	return c, nil
}

// A round is one stream from the primary to the replica, as each saw it.
type round struct {
	shipment         // the primary's side
	full     int64   // bytes of a full stream of the same snapshot
	outcome  outcome // the replica's side
}

// applied reports whether the replica applied the round and said so.
func (r round) applied() bool { return r.answered && r.outcome.err == nil }

// round waits for the next tick, then ships the bank's newest snapshot,
// with fault f, while the bank commits transfers more transfers.
func (c *cluster) round(f fault, transfers int) (round, error) {
	<-c.tick.C
	snap := c.bank.snapshot()
	full := counter{}
	if err := snap.Send(&full, nil, keyCodec, valueCodec); err != nil {
		snap.Release()
		return round{}, err
	}
	committed := make(chan struct{})
	go func() {
		defer close(committed)
		c.bank.transfers(c.writer, transfers)
	}()
	s, err := c.primary.ship(snap, f)
	<-committed
	if err != nil {
		return round{}, err
	}
	o, err := c.outcome(s.n)
	if err != nil {
		return round{}, err
	}
	r := round{shipment: s, full: full.n, outcome: o}
	c.last = r
	if r.applied() {
		c.applied++
	}
	return r, nil
}

// outcome waits for the replica's outcome of round n.
func (c *cluster) outcome(n uint64) (outcome, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case o := <-c.replica.outcomes:
		if o.n != n {
			return o, fmt.Errorf("the replica read round %d, the primary sent %d", o.n, n)
		}
		return o, nil
	case <-t.C:
		return outcome{}, fmt.Errorf("the replica read no round %d in %s", n, timeout)
	}
}

// close stops the replica and the auditor, and waits for them; then it
// closes the primary. Closing twice is harmless.
func (c *cluster) close() {
	if c.cancel == nil {
		return
	}
	c.cancel()
	c.cancel = nil
	c.done.Wait()
	c.primary.close()
	c.ln.Close() // nothing waits on it any more
	c.tick.Stop()
}

// An auditor reads the replica as its clients would: after each round the
// replica applies, it sums the balances of the snapshot the replica holds,
// which must have every account and the total they opened with.
type auditor struct {
	accounts int
	total    int64
	checks   int // read once run has returned
	wrong    int
}

// run audits each round r applies, until r stops following.
func (a *auditor) run(r *replica) {
	for range r.applied {
		_, m := r.view()
		sum, n := total(m)
		m.Release()
		a.checks++
		if sum != a.total || n != a.accounts {
			a.wrong++
		}
	}
}
