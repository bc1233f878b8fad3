package benchmarks

import (
	"bytes"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/cowkit/cowkit/btree"
	"github.com/cowkit/cowkit/codec"
	"github.com/cowkit/cowkit/pagearena"
)

// The snapshot-stream targets of the second round.
func init() {
	ic := codec.Int[int]()
	Targets = append(Targets, []Target{
		{
			Name: "btree full Send + Receive of 1e6 int->int vs varint-encoding and decoding two []int64", Goal: "<= 2.0x", Allocs: -1, Met: ratioAtMost(2),
			Base: func() func(b *testing.B) {
				keys, vals := make([]int64, tn), make([]int64, tn)
				for i := range tn {
					keys[i], vals[i] = int64(i)*3, int64(i)
				}
				var buf []byte
				return func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						buf = buf[:0]
						for i := range keys {
							buf = binary.AppendVarint(binary.AppendVarint(buf, keys[i]), vals[i])
						}
						k, v := make([]int64, 0, tn), make([]int64, 0, tn)
						for p := buf; len(p) > 0; {
							x, n := binary.Varint(p)
							y, m := binary.Varint(p[n:])
							k, v = append(k, x), append(v, y)
							p = p[n+m:]
						}
						SinkAny = [2][]int64{k, v}
					}
				}
			},
			Ours: func() func(b *testing.B) {
				m := btree.New[int, int]()
				for i := range tn {
					m.Set(i*3, i)
				}
				var buf bytes.Buffer
				return func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						buf.Reset()
						if err := m.Send(&buf, nil, ic, ic); err != nil {
							b.Fatal(err)
						}
						r := btree.New[int, int]()
						if err := r.Receive(&buf, ic, ic); err != nil || r.Len() != tn {
							b.Fatal(err)
						}
						SinkAny = r
					}
				}
			},
		},
		{
			Name: "btree incremental Send of 10 changes between 1e6-entry snapshots vs a full Send", Goal: ">= 1000x faster (<= 0.001x)", Allocs: -1, Met: ratioAtMost(0.001),
			Base: func() func(b *testing.B) { return incrementalBench(false, "") },
			Ours: func() func(b *testing.B) { return incrementalBench(true, "") },
		},
		{
			Name: "btree incremental Send of 10 changes between 1e6-entry snapshots vs a full Send: bytes", Goal: ">= 1000x smaller (<= 0.001x)", Metric: "B/stream", Allocs: -1, Met: ratioAtMost(0.001),
			Base: func() func(b *testing.B) { return incrementalBench(false, "B/stream") },
			Ours: func() func(b *testing.B) { return incrementalBench(true, "B/stream") },
		},
		{
			Name: "pagearena Send of a 1 GiB arena with 16 MiB written vs io.Copy of 16 MiB", Goal: "<= 1.5x", Allocs: -1, Met: ratioAtMost(1.5),
			Base: func() func(b *testing.B) {
				src := make([]byte, 16*mib)
				for i := range src {
					src[i] = byte(i)
				}
				var buf bytes.Buffer
				return func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						buf.Reset()
						io.Copy(&buf, bytes.NewReader(src))
					}
				}
			},
			Ours: func() func(b *testing.B) { return arenaSendBench("") },
		},
		{
			Name: "pagearena Send of a 1 GiB arena with 16 MiB written: bytes on the wire", Goal: "<= 1.01 x 16 MiB", Metric: "MiB", Allocs: -1,
			Met:  func(v, _ float64) bool { return v <= 1.01*16 },
			Ours: func() func(b *testing.B) { return arenaSendBench("MiB") },
		},
	}...)
}

// incrementalBench sends a million-entry map that made 10 changes since
// a snapshot that was sent: in full, or against the snapshot.
func incrementalBench(incremental bool, metric string) func(b *testing.B) {
	ic := codec.Int[int]()
	m := btree.New[int, int]()
	for i := range tn {
		m.Set(i, i)
	}
	base := m.Clone()
	if err := base.Send(io.Discard, nil, ic, ic); err != nil {
		panic(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 10 {
		m.Set(r.IntN(tn), -1)
	}
	var against *btree.Map[int, int]
	if incremental {
		against = base
	}
	var buf bytes.Buffer
	return func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf.Reset()
			if err := m.Send(&buf, against, ic, ic); err != nil {
				b.Fatal(err)
			}
		}
		if metric != "" {
			b.ReportMetric(float64(buf.Len()), metric)
		}
	}
}

// arenaSendBench sends, in full, a 1 GiB arena with 16 MiB written in
// pages spread over it.
func arenaSendBench(metric string) func(b *testing.B) {
	a, _ := pagearena.New(gib)
	r := rand.New(rand.NewPCG(7, 8))
	p := make([]byte, page)
	seen := map[int64]bool{}
	for len(seen) < 16*mib/page {
		pg := r.Int64N(gib / page)
		if seen[pg] {
			continue
		}
		seen[pg] = true
		for i := range p {
			p[i] = byte(r.Uint32())
		}
		a.WriteAt(p, pg*page)
	}
	var buf bytes.Buffer
	return func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf.Reset()
			if err := a.Send(&buf, nil); err != nil {
				b.Fatal(err)
			}
		}
		if metric != "" {
			b.ReportMetric(float64(buf.Len())/mib, metric)
		}
	}
}
