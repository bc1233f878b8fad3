//go:build race

package btree

// raceEnabled: the race detector is on. It makes sync.Pool drop items at
// random, so allocation counts of code that uses a pool (encoding/json)
// mean nothing.
const raceEnabled = true
