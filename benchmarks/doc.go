// Package benchmarks measures cowkit against peer libraries, side by side in
// one run. It is a module of its own, so that the peers never enter
// cowkit's go.mod. Every comparison is a benchmark with one sub-benchmark
// per implementation, the peer first:
//
//	cd benchmarks
//	go test -run '^$' -bench . -count 6 > new.txt
//	go run golang.org/x/perf/cmd/benchstat@latest -col /impl new.txt
package benchmarks
