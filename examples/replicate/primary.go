package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/cowkit/cowkit/btree"
)

// A primary sends rounds to one replica at a time, each the newest snapshot
// of its bank as a stream against the round the replica holds (see
// protocol.go). It is used by one goroutine.
type primary struct {
	ln   *net.TCPListener
	conn net.Conn // nil until a replica connects, and again once it fails
	bw   *bufio.Writer
	next uint64  // the next round's number; 0 names no round
	held version // the round the replica holds, as far as the primary knows
	sent version // the round sent since, not yet answered
}

// A version is a snapshot the primary sent, under the number the replica
// knows it by.
type version struct {
	n    uint64
	snap *btree.Map[string, int64] // nil for none
	base uint64                    // the round it was sent against, 0 for none
}

func (v version) release() {
	if v.snap != nil {
		v.snap.Release()
	}
}

// A shipment is one round as the primary saw it.
type shipment struct {
	n        uint64
	against  uint64 // the round it was sent against, 0 for a full stream or a stray base
	hello    bool   // the replica connected for this round
	changes  int    // entries the stream adds, updates or removes
	bytes    int64  // on the wire: the round's number and its stream
	took     time.Duration
	answered bool  // the replica answered it holds this round
	lost     error // the connection failed after the round went out
}

func newPrimary(ln *net.TCPListener) *primary {
	return &primary{ln: ln, bw: bufio.NewWriterSize(nil, 64<<10), next: 1}
}

// A fault is what goes wrong with one round; the zero fault is none.
type fault struct {
	// wire, if not nil, returns what the primary writes the round to, in
	// place of conn.
	wire func(conn net.Conn) io.Writer
	// base, if not nil, is sent against in place of the round the replica
	// holds. It must have been sent or received, so that it has a name.
	base *btree.Map[string, int64]
}

// ship sends snap, which it takes over, as the next round, and waits for
// the replica's answer. It returns an error only if no round went out; a
// connection that fails afterwards is the shipment's lost.
func (p *primary) ship(snap *btree.Map[string, int64], f fault) (shipment, error) {
	var s shipment
	if p.conn == nil {
		if err := p.accept(); err != nil {
			snap.Release()
			return s, err
		}
		s.hello = true
	}
	base := p.held
	if f.base != nil {
		base = version{snap: f.base}
	}
	s.n, s.against, s.changes = p.next, base.n, changes(snap, base.snap)
	p.next++
	p.sent = version{n: s.n, snap: snap, base: base.n}

	wire := &counter{w: p.conn}
	if f.wire != nil {
		wire.w = f.wire(p.conn)
	}
	start := time.Now()
	answer, err := p.write(wire, s.n, snap, base.snap)
	s.took, s.bytes = time.Since(start), wire.n
	if err != nil {
		s.lost = err
		p.hangUp()
		return s, nil
	}
	s.answered = p.answered(answer)
	return s, nil
}

// accept waits for the replica to connect and reads its hello.
func (p *primary) accept() error {
	if err := p.ln.SetDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	conn, err := p.ln.Accept()
	if err != nil {
		return fmt.Errorf("no replica connected: %w", err)
	}
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		conn.Close()
		return err
	}
	n, err := readNumber(conn)
	if err != nil {
		conn.Close()
		return fmt.Errorf("the replica's hello: %w", err)
	}
	p.conn = conn
	p.holds(n)
	return nil
}

// write writes round n, snap against base, to w, and reads the answer.
func (p *primary) write(w io.Writer, n uint64, snap, base *btree.Map[string, int64]) (uint64, error) {
	if err := p.conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return 0, err
	}
	p.bw.Reset(w)
	if err := writeNumber(p.bw, n); err != nil {
		return 0, err
	}
	if err := snap.Send(p.bw, base, keyCodec, valueCodec); err != nil {
		return 0, err
	}
	if err := p.bw.Flush(); err != nil {
		return 0, err
	}
	return readNumber(p.conn)
}

// answered records the replica's answer to the round sent: the round it
// holds now. It reports whether that is the round sent.
func (p *primary) answered(n uint64) bool {
	applied := n == p.sent.n
	if !applied && n == p.sent.base {
		// Refused against the very round the replica says it holds: its
		// word is wrong, so start again from a full stream.
		n = 0
	}
	p.holds(n)
	return applied
}

// holds records that the replica holds round n (0: none). The next round
// goes against it if the primary still has it, and is full if not.
func (p *primary) holds(n uint64) {
	sent := p.sent
	p.sent = version{}
	switch n {
	case sent.n:
		p.held.release()
		p.held = sent
	case p.held.n:
		sent.release()
	default:
		p.held.release()
		sent.release()
		p.held = version{}
	}
}

// hangUp drops a connection that has failed; the next round waits for the
// replica to connect again.
func (p *primary) hangUp() {
	p.conn.Close() // it has failed already: its Close error says nothing new
	p.conn = nil
}

// close hangs up and releases the snapshots the primary keeps.
func (p *primary) close() {
	if p.conn != nil {
		p.hangUp()
	}
	p.held.release()
	p.sent.release()
	p.held, p.sent = version{}, version{}
}

// changes counts the entries a stream of snap against base carries: all of
// snap's for a full stream.
func changes(snap, base *btree.Map[string, int64]) int {
	if base == nil {
		return snap.Len()
	}
	n := 0
	for range snap.Diff(base, func(a, b int64) bool { return a == b }) {
		n++
	}
	return n
}

// A counter counts the bytes written through it to w, or only counts them
// if w is nil.
type counter struct {
	w io.Writer
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	if c.w == nil {
		c.n += int64(len(p))
		return len(p), nil
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
