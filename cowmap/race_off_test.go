//go:build !race

package cowmap

const raceEnabled = false
