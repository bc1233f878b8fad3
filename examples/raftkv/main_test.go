package main

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestRun runs the whole demo, small: a 3-node cluster, the load, the
// snapshots under puts, the failover and the restart, and checks that it
// reports what it promises, ending with every node equal to the others.
func TestRun(t *testing.T) {
	var out strings.Builder
	if err := run(&out, config{keys: 20_000, writers: 4, window: 300 * time.Millisecond}); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	s := out.String()
	for _, want := range []string{
		"loaded 20,000 keys",
		"3 snapshots of 20,000 keys",
		"Snapshot(), a btree Clone",
		"Snapshot() of the baseline FSM",
		"Persist, btree Send to the file store",
		"no snapshot running",
		"from Snapshot() to the end of Persist",
		"control: a goroutine burning CPU",
		"killed the leader",
		"caught up in",
		"CAS of key00000001 swapped: true",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the output lacks %q:\n%s", want, s)
		}
	}
	rows := regexp.MustCompile(`(?m)^  node\d\s+19,999\s+\d+\s+0$`).FindAllString(s, -1)
	if len(rows) != 3 {
		t.Errorf("want 3 nodes with 19,999 keys and 0 changes, found %d:\n%s", len(rows), s)
	}
}
