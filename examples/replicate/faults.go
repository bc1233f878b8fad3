package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"slices"

	"github.com/cowkit/cowkit/codec"
	"github.com/cowkit/cowkit/examples/internal/report"
)

// An incident is one fault and the round after it, as the replica saw them.
type incident struct {
	what     string // what went wrong, for the report
	want     string // the class of error Receive must return (see class)
	bad      round  // the round the fault hit
	held     uint64 // the round the replica held before it
	after    uint64 // and after it
	differ   int    // entries that differ between the two
	sum      int64  // the total of the replica's balances after it
	recovery round  // the round after it
}

// inject ships a round with fault f, then a round without, and records what
// the replica held before and after the first.
func (c *cluster) inject(f fault) (incident, error) {
	var inc incident
	n, before := c.replica.view()
	defer before.Release()
	bad, err := c.round(f, c.cfg.transfers)
	if err != nil {
		return inc, err
	}
	m, after := c.replica.view()
	defer after.Release()
	inc.bad, inc.held, inc.after = bad, n, m
	inc.differ = changes(after, before)
	inc.sum, _ = total(after)
	inc.recovery, err = c.round(fault{}, c.cfg.transfers)
	return inc, err
}

// cutMidStream closes the connection halfway through a round's stream (as
// far as the last round's size tells).
func cutMidStream(c *cluster) (incident, error) {
	at := c.last.bytes / 2
	inc, err := c.inject(cut(at))
	inc.what = fmt.Sprintf("cut: the connection closed after %s of the %s bytes of round %d",
		report.Count(at), report.Count(inc.bad.bytes), inc.bad.n)
	inc.want = "truncated"
	return inc, err
}

// firstKey is the offset in a round of its stream's first key: past the
// round's number (8 bytes), the stream's header (68) and its first chunk's
// header (12), and the record's op and key length (1 byte each for these
// keys). The codec package's doc gives the layout.
const firstKey = 8 + 68 + 12 + 2

// flipBit flips one bit of a round's stream, in its first key.
func flipBit(c *cluster) (incident, error) {
	inc, err := c.inject(flip(firstKey))
	inc.what = fmt.Sprintf("flip: one bit of byte %d of round %d flipped in flight, in the stream's first key", firstKey, inc.bad.n)
	inc.want = "corrupt"
	return inc, err
}

// strayBase sends a round against a snapshot the replica never received:
// the opening balances, as sent to another replica.
func strayBase(c *cluster) (incident, error) {
	f, err := stray(c.cfg.accounts)
	if err != nil {
		return incident{}, err
	}
	defer f.base.Release()
	inc, err := c.inject(f)
	inc.what = fmt.Sprintf("stray base: round %d sent against the opening balances as another replica got them, a snapshot this one never received", inc.bad.n)
	inc.want = "refused"
	return inc, err
}

// classIs says what errors.Is matches for each class of Receive error.
var classIs = map[string]string{
	"truncated": "io.ErrUnexpectedEOF and codec.ErrCorrupt",
	"corrupt":   "codec.ErrCorrupt",
	"refused":   "codec.ErrBase",
}

// class names the kind of error Receive returned, as errors.Is tells them
// apart.
func class(err error) string {
	switch {
	case err == nil:
		return "applied"
	case errors.Is(err, io.ErrUnexpectedEOF): // also codec.ErrCorrupt
		return "truncated"
	case errors.Is(err, codec.ErrCorrupt):
		return "corrupt"
	case errors.Is(err, codec.ErrBase):
		return "refused"
	}
	return "failed"
}

// check returns an error if the fault was not caught as it should be, the
// replica changed, or the next round did not apply.
func (inc incident) check() error {
	switch got := class(inc.bad.outcome.err); {
	case got != inc.want:
		return fmt.Errorf("%s: the replica's Receive: %s (%v), want %s", inc.what, got, inc.bad.outcome.err, inc.want)
	case inc.bad.answered:
		return fmt.Errorf("%s: the primary heard the round was applied", inc.what)
	case inc.after != inc.held || inc.differ != 0:
		return fmt.Errorf("%s: the replica went from round %d to %d, %d entries changed", inc.what, inc.held, inc.after, inc.differ)
	case !inc.recovery.applied():
		return fmt.Errorf("%s: round %d after it was not applied: %v", inc.what, inc.recovery.n, inc.recovery.outcome.err)
	}
	return nil
}

func (inc incident) write(w io.Writer) {
	fmt.Fprintf(w, "  %s\n", inc.what)
	got := class(inc.bad.outcome.err)
	if is, ok := classIs[got]; ok {
		got += " (errors.Is " + is + ")"
	}
	fmt.Fprintf(w, "    the replica's Receive: %s: %v\n", got, inc.bad.outcome.err)
	fmt.Fprintf(w, "    the replica still holds round %d: %d entries differ from before the fault, total %s\n",
		inc.after, inc.differ, report.Count(inc.sum))
	r := inc.recovery
	how := fmt.Sprintf("round %d, the one the replica answered it holds", r.against)
	if r.hello {
		how = fmt.Sprintf("round %d, the one the replica said it holds when it connected again", r.against)
	}
	if r.against == 0 {
		how = "nothing: a full stream"
	}
	fmt.Fprintf(w, "    round %d went against %s: %s changes, %s (%s of full), %s\n",
		r.n, how, report.Count(r.changes), report.Bytes(r.bytes), percent(r.bytes, r.full), class(r.outcome.err))
}

// cut returns the fault of a connection that dies after at bytes of a
// round.
func cut(at int64) fault {
	return fault{wire: func(conn net.Conn) io.Writer { return &cutWriter{conn: conn, left: at} }}
}

// flip returns the fault of one bit flipped in byte at of a round.
func flip(at int64) fault {
	return fault{wire: func(conn net.Conn) io.Writer { return &flipWriter{w: conn, at: at} }}
}

// stray returns the fault of a round sent against a snapshot the replica
// never received: the opening balances of n accounts, sent to another
// replica (io.Discard), which names them. Release its base when done.
func stray(n int) (fault, error) {
	other := openAccounts(n)
	if err := other.Send(io.Discard, nil, keyCodec, valueCodec); err != nil {
		other.Release()
		return fault{}, err
	}
	return fault{base: other}, nil
}

// A cutWriter passes the first left bytes to conn and then closes it, as a
// link that dies would; it takes what comes after without error and drops
// it, as a kernel's send buffer takes writes for a link that has died.
type cutWriter struct {
	conn net.Conn
	left int64
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if c.left <= 0 {
		return len(p), nil
	}
	n := min(int64(len(p)), c.left)
	if _, err := c.conn.Write(p[:n]); err != nil {
		return 0, err
	}
	if c.left -= n; c.left == 0 {
		if err := c.conn.Close(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// A flipWriter passes what is written to w, with one bit of byte at (from
// the first byte written) flipped.
type flipWriter struct {
	w   io.Writer
	at  int64
	off int64 // bytes written so far
}

func (f *flipWriter) Write(p []byte) (int, error) {
	if i := f.at - f.off; i >= 0 && i < int64(len(p)) {
		p = slices.Clone(p) // not the caller's bytes
		p[i] ^= 0x08
	}
	n, err := f.w.Write(p)
	f.off += int64(n)
	return n, err
}
