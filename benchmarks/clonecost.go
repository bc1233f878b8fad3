package benchmarks

import (
	"slices"
	"testing"

	"github.com/cowkit/cowkit/btree"
	"github.com/cowkit/cowkit/cowmap"
	"github.com/cowkit/cowkit/cowslice"
	"github.com/cowkit/cowkit/pagearena"
	"github.com/cowkit/cowkit/rope"
)

// CloneKind is one way to take a copy of n ints and write one of them: the
// cost of a clone followed by its first write, against n. Setup builds the
// original and returns the benchmark.
type CloneKind struct {
	Name   string
	Family string // "eager copy", "whole-buffer copy-on-write", "structural copy-on-write"
	Setup  func(n int) func(b *testing.B)
}

// CloneKinds are the kinds compared in the clone-cost chart: the
// file-level versus block-level copy-up lesson in one picture.
var CloneKinds = []CloneKind{
	{"slices.Clone", "eager copy", func(n int) func(b *testing.B) {
		s, i := make([]int, n), 0
		return func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c := slices.Clone(s)
				c[i%n] = 1
				SinkInts = c
				i++
			}
		}
	}},
	{"cowslice", "whole-buffer copy-on-write", func(n int) func(b *testing.B) {
		s, i := cowslice.New(make([]int, n)...), 0
		return func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c := s.Clone()
				c.Set(i%n, 1)
				c.Release()
				i++
			}
		}
	}},
	{"cowmap", "whole-buffer copy-on-write", func(n int) func(b *testing.B) {
		m, i := cowmap.New[int, int](), 0
		for k := range n {
			m.Set(k, k)
		}
		return func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c := m.Clone()
				c.Set(i%n, 1)
				c.Release()
				i++
			}
		}
	}},
	{"btree", "structural copy-on-write", func(n int) func(b *testing.B) {
		m, i := btree.New[int, int](), 0
		for k := range n {
			m.Set(k, k)
		}
		return func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c := m.Clone()
				c.Set(i%n, 1)
				c.Release()
				i++
			}
		}
	}},
	{"pagearena", "structural copy-on-write", func(n int) func(b *testing.B) {
		size := int64(n) * 8
		a, err := pagearena.New(size)
		if err == nil {
			_, err = a.WriteAt(make([]byte, size), 0)
		}
		if err != nil {
			panic(err)
		}
		one, i := []byte{1, 0, 0, 0, 0, 0, 0, 0}, int64(0)
		return func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				f := a.Fork()
				f.WriteAt(one, i%int64(n)*8)
				f.Release()
				i++
			}
		}
	}},
	{"rope", "structural copy-on-write", func(n int) func(b *testing.B) {
		r, i := rope.New(make([]int, n)...), 0
		return func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c := r.Clone()
				c.Set(i%n, 1)
				c.Release()
				i++
			}
		}
	}},
}

var SinkInts []int // see Sink
