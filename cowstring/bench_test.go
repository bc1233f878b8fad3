package cowstring_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cowkit/cowkit/cowstring"
)

// Comparisons run strings.Builder first, as impl=builder, so that
// `benchstat -col /impl` prints the others as ratios to it.

var (
	sinkString string
	sinkCow    *cowstring.String
)

const piece = "0123456789"

// BenchmarkWriteString builds a string of 1000 pieces from empty.
func BenchmarkWriteString(b *testing.B) {
	const n = 1000
	b.Run("impl=builder", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var sb strings.Builder
			for range n {
				sb.WriteString(piece)
			}
			sinkString = sb.String()
		}
	})
	b.Run("impl=buffer", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var bb bytes.Buffer
			for range n {
				bb.WriteString(piece)
			}
			sinkString = bb.String()
		}
	})
	b.Run("impl=cowstring", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s := new(cowstring.String)
			for range n {
				s.WriteString(piece)
			}
			sinkString = s.String()
		}
	})
}

// BenchmarkWriteStringString appends a piece and takes String after every
// append, n times. ns/append must stay flat as n grows: the loop is
// amortized linear, because String pins bytes and appends write past them.
func BenchmarkWriteStringString(b *testing.B) {
	for _, n := range []struct {
		name string
		n    int
	}{{"n=1e3", 1e3}, {"n=1e5", 1e5}} {
		b.Run(n.name+"/impl=builder", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var sb strings.Builder
				for range n.n {
					sb.WriteString(piece)
					sinkString = sb.String()
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n.n), "ns/append")
		})
		b.Run(n.name+"/impl=cowstring", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s := new(cowstring.String)
				for range n.n {
					s.WriteString(piece)
					sinkString = s.String()
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n.n), "ns/append")
		})
	}
}

func BenchmarkClone(b *testing.B) {
	s := cowstring.New(strings.Repeat("x", 1e6))
	b.ReportAllocs()
	for b.Loop() {
		sinkCow = s.Clone()
	}
}

func BenchmarkString(b *testing.B) {
	s := cowstring.New(strings.Repeat("x", 1e6))
	b.ReportAllocs()
	for b.Loop() {
		sinkString = s.String()
	}
}
