//go:build !race

package cowstring

const raceEnabled = false
