//go:build !race

package cowtest_test

const raceEnabled = false
