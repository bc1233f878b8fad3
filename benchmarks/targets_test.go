package benchmarks

// go test -run '^$' -bench Targets -count 6
// go run golang.org/x/perf/cmd/benchstat@latest -col /impl new.txt

import (
	"strings"
	"testing"
)

// BenchmarkTargets runs every docs/DESIGN.md target of Targets: the
// baseline as impl=base, then impl=cowkit.
func BenchmarkTargets(b *testing.B) {
	for _, t := range Targets {
		name := strings.NewReplacer(" ", "_", ",", "").Replace(t.Name)
		b.Run(name, func(b *testing.B) {
			if t.Base != nil {
				b.Run("impl=base", t.Base())
			}
			b.Run("impl=cowkit", t.Ours())
		})
	}
}
