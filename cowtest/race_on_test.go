//go:build race

package cowtest_test

// raceEnabled: the test binary was built with -race.
const raceEnabled = true
