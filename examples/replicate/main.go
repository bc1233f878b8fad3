// Command replicate ships a btree.Map from a primary to a replica over TCP
// as snapshot streams: a full stream first, then every round a stream
// against the round the replica holds, whose size follows the change, not
// the map. The primary holds bank accounts and commits transfers between
// them while it sends, so the total never changes, and an auditor on the
// replica checks it after every round the replica applies.
//
// Then it breaks things: it cuts the connection in the middle of a stream,
// flips a bit of one, and sends one against a snapshot the replica never
// received. Each time the replica's Receive returns the error that says
// why, the replica keeps the snapshot it had, and the next round recovers.
// At the end the replica equals the primary.
//
// The primary and the replica run in one process, over a real TCP
// connection on 127.0.0.1; protocol.go gives their protocol.
//
//	go run ./examples/replicate [-accounts 100000] [-transfers 1000] [-rounds 8] [-interval 100ms]
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/cowkit/cowkit/examples/internal/report"
)

type config struct {
	accounts  int           // accounts at the primary, 1,000 each
	transfers int           // transfers the primary commits per round
	rounds    int           // rounds before the faults
	interval  time.Duration // between rounds
}

var defaults = config{accounts: 100_000, transfers: 1000, rounds: 8, interval: 100 * time.Millisecond}

func main() {
	cfg := defaults
	flag.IntVar(&cfg.accounts, "accounts", cfg.accounts, "accounts at the primary")
	flag.IntVar(&cfg.transfers, "transfers", cfg.transfers, "transfers the primary commits per round")
	flag.IntVar(&cfg.rounds, "rounds", cfg.rounds, "rounds before the faults")
	flag.DurationVar(&cfg.interval, "interval", cfg.interval, "time between rounds")
	flag.Parse()
	if err := run(os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "replicate:", err)
		os.Exit(1)
	}
}

func (cfg config) check() error {
	if cfg.accounts < 2 || cfg.transfers < 1 || cfg.rounds < 2 || cfg.interval <= 0 {
		return errors.New("want at least 2 accounts, 1 transfer, 2 rounds and an interval above 0")
	}
	return nil
}

func run(w io.Writer, cfg config) error {
	if err := cfg.check(); err != nil {
		return err
	}
	c, err := start(cfg)
	if err != nil {
		return err
	}
	defer c.close()
	fmt.Fprintf(w, "cowkit replicate: a primary and a replica over TCP on 127.0.0.1; %s accounts of %s (total %s), %s transfers a round\n\n",
		report.Count(cfg.accounts), report.Count(balance), report.Count(int64(cfg.accounts)*balance), report.Count(cfg.transfers))
	if err := steady(w, c); err != nil {
		return err
	}
	if err := faults(w, c); err != nil {
		return err
	}
	if err := finish(w, c); err != nil {
		return err
	}
	return audit(w, c)
}

// steady ships the rounds before the faults, a row each.
func steady(w io.Writer, c *cluster) error {
	fmt.Fprintf(w, "Rounds, one every %s: the newest snapshot, against the round the replica holds\n", report.Duration(c.cfg.interval))
	t := report.NewTable("rlrrrrr")
	t.Row("round", "against", "changes", "sent", "full", "sent/full", "send+receive")
	for range c.cfg.rounds {
		r, err := c.round(fault{}, c.cfg.transfers)
		if err != nil {
			return err
		}
		if !r.applied() {
			return fmt.Errorf("round %d was not applied: %v", r.n, r.outcome.err)
		}
		t.Row(r.cells()...)
	}
	t.Write(w, "  ")
	fmt.Fprintln(w, "  sent: the bytes on the wire, the round's number and its stream")
	fmt.Fprintln(w, "  full: a full stream of the same snapshot, measured every round by a Send into a byte counter")
	fmt.Fprintln(w, "  send+receive: from the primary's first byte to the replica's answer, the round applied,")
	fmt.Fprintln(w, "    while the primary commits the next round's transfers")
	return nil
}

func (r round) cells() []any {
	against := "full"
	if r.against != 0 {
		against = fmt.Sprint(r.against)
	}
	return []any{r.n, against, report.Count(r.changes), report.Bytes(r.bytes), report.Bytes(r.full),
		percent(r.bytes, r.full), report.Duration(r.took)}
}

func percent(part, whole int64) string {
	return fmt.Sprintf("%.1f%%", 100*float64(part)/float64(whole))
}

// faults injects each fault and checks that the replica caught it, kept
// what it had, and recovered.
func faults(w io.Writer, c *cluster) error {
	fmt.Fprintln(w, "\nFaults, each followed by the round that recovers from it")
	for _, inject := range []func(*cluster) (incident, error){cutMidStream, flipBit, strayBase} {
		inc, err := inject(c)
		if err != nil {
			return err
		}
		inc.write(w)
		if err := inc.check(); err != nil {
			return err
		}
	}
	return nil
}

// finish ships a last round once the primary stops writing, and compares
// the replica with the primary, entry by entry.
func finish(w io.Writer, c *cluster) error {
	r, err := c.round(fault{}, 0)
	if err != nil {
		return err
	}
	if !r.applied() {
		return fmt.Errorf("the last round, %d, was not applied: %v", r.n, r.outcome.err)
	}
	primary := c.bank.snapshot()
	defer primary.Release()
	_, replica := c.replica.view()
	defer replica.Release()
	// The two trees share no node, so Diff compares every entry.
	if n := changes(replica, primary); n != 0 {
		return fmt.Errorf("replica differs from primary: %d entries", n)
	}
	fmt.Fprintf(w, "\nThe last round, %d, once the primary stopped writing: %s changes, %s\n",
		r.n, report.Count(r.changes), report.Bytes(r.bytes))
	fmt.Fprintf(w, "replica equals primary: %s entries\n", report.Count(replica.Len()))
	return nil
}

// audit stops the cluster and reports what the auditor saw.
func audit(w io.Writer, c *cluster) error {
	c.close()
	a := c.auditor
	fmt.Fprintf(w, "The auditor summed the replica's snapshot after each of the %d rounds it applied: %d with a wrong total or count\n",
		a.checks, a.wrong)
	if a.checks != c.applied || a.wrong != 0 {
		return fmt.Errorf("the auditor checked %d of %d rounds, %d wrong", a.checks, c.applied, a.wrong)
	}
	return nil
}
