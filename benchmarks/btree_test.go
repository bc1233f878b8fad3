package benchmarks

// go test -run '^$' -bench Btree -count 6 > btree.txt
// go run golang.org/x/perf/cmd/benchstat@latest -col /impl btree.txt
//
// btree.Map against tidwall/btree, google/btree and benbjohnson/immutable
// (see Impls) at 1e6 random int keys, one sub-benchmark per
// implementation. cmd/report runs the same functions, interleaved.

import "testing"

const benchN = 1_000_000

func BenchmarkBtree(b *testing.B) {
	for _, op := range BtreeOps {
		b.Run(op.Name, func(b *testing.B) {
			for _, im := range Impls {
				b.Run("impl="+im.Name, op.Setup(im, benchN))
			}
		})
	}
}
