//go:build !race

package cowslice

const raceEnabled = false
