package benchmarks

// go test -run '^$' -bench CloneFirstWrite -count 6

import (
	"fmt"
	"testing"
)

func BenchmarkCloneFirstWrite(b *testing.B) {
	for _, n := range []int{1e3, 1e5} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for _, k := range CloneKinds {
				b.Run("kind="+k.Name, k.Setup(n))
			}
		})
	}
}
