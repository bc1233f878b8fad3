package main

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"github.com/cowkit/cowkit/btree"
	"github.com/cowkit/cowkit/codec"
)

// A replica follows a primary over TCP. It holds the last round it applied
// and serves reads of it to any number of goroutines while it receives the
// next: a round is received into a clone of the one held (O(1)), and
// replaces it only once Receive has applied the whole stream. Receive
// changes nothing when it fails, so a failed round leaves the replica as it
// was.
type replica struct {
	mu   sync.Mutex
	held *btree.Map[string, int64] // replaced whole, never written: readers clone it
	n    uint64                    // held's round, 0 for none

	outcomes chan outcome // one per stream the replica reads
	applied  chan uint64  // each round applied, for the auditor; closed when follow returns
}

// An outcome is one round as the replica saw it.
type outcome struct {
	n    uint64
	err  error // Receive's; nil if the round was applied
	took time.Duration
}

// redial is how long the replica waits before it tries again to connect.
const redial = 10 * time.Millisecond

func newReplica() *replica {
	return &replica{
		held:     btree.New[string, int64](),
		outcomes: make(chan outcome, 1),
		applied:  make(chan uint64),
	}
}

// view returns the round the replica holds, and a handle on it of the
// caller's own: release it when done. It is O(1).
func (r *replica) view() (uint64, *btree.Map[string, int64]) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n, r.held.Clone()
}

// follow connects to the primary at addr and applies its rounds until ctx
// is done, connecting again whenever the connection fails.
func (r *replica) follow(ctx context.Context, addr string) {
	defer close(r.applied)
	var d net.Dialer
	for ctx.Err() == nil {
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			pause(ctx, redial)
			continue
		}
		stop := context.AfterFunc(ctx, func() { conn.Close() })
		r.serve(ctx, conn)
		stop()
		conn.Close() // serve has seen it fail, or given it up
	}
}

// pause waits for d, or until ctx is done.
func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// serve says hello, then receives rounds and answers each, until the
// connection fails or a stream leaves it where the next round's start
// cannot be found.
func (r *replica) serve(ctx context.Context, conn net.Conn) {
	if writeNumber(conn, r.current()) != nil {
		return
	}
	for {
		n, err := readNumber(conn)
		if err != nil {
			return // the primary hung up
		}
		o := r.receive(conn, n)
		select {
		case r.outcomes <- o:
		case <-ctx.Done():
			return
		}
		if o.err != nil && !errors.Is(o.err, codec.ErrBase) {
			return // the rest of the stream is still in conn
		}
		if writeNumber(conn, r.current()) != nil {
			return
		}
	}
}

// current returns the round the replica holds, 0 for none.
func (r *replica) current() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// receive reads round n's stream from conn and applies it.
func (r *replica) receive(conn io.Reader, n uint64) outcome {
	start := time.Now()
	_, next := r.view()
	// Receive reads exactly the stream's bytes, so conn is left at the
	// next round's number.
	if err := next.Receive(conn, keyCodec, valueCodec); err != nil {
		next.Release()
		return outcome{n: n, err: err, took: time.Since(start)}
	}
	took := time.Since(start)
	r.mu.Lock()
	old := r.held
	r.held, r.n = next, n
	r.mu.Unlock()
	old.Release()
	r.applied <- n
	return outcome{n: n, took: took}
}
