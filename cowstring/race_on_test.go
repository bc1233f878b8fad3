//go:build race

package cowstring

// raceEnabled: the race detector is on. It makes sync.Pool drop objects at
// random, so allocation counts of code that pools (encoding/json) vary.
const raceEnabled = true
