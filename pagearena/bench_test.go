package pagearena

// go test -run '^$' -bench . -count 6 ./pagearena > new.txt
// go run golang.org/x/perf/cmd/benchstat@latest -col /impl new.txt

import (
	"fmt"
	"testing"
)

// BenchmarkArena_Fork forks an arena with 16 MiB written (and releases the
// fork, which wrote nothing): flat in the arena's size.
func BenchmarkArena_Fork(b *testing.B) {
	for _, size := range []int64{64 * mib, gib} {
		b.Run(fmt.Sprintf("size=%dMiB", size/mib), func(b *testing.B) {
			a := mustNew(b, size)
			page := fill(1, DefaultPageSize)
			for off := int64(0); off < 16*mib; off += DefaultPageSize {
				mustWrite(b, a, page, off*(size/(16*mib))) // spread over the arena
			}
			b.ReportAllocs()
			for b.Loop() {
				a.Fork().Release()
			}
		})
	}
}

// BenchmarkArena_firstWrite: the first write of one byte to a page that a
// fork shares, which copies the page, against allocating and copying a
// page. The fork writes each page of a 64 MiB arena once, then is renewed
// outside the timing.
func BenchmarkArena_firstWrite(b *testing.B) {
	const ps = DefaultPageSize
	src := fill(1, ps)
	b.Run("impl=makecopy", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p := make([]byte, ps)
			copy(p, src)
			p[7] = 2
			sinkBytes = p
		}
	})
	b.Run("impl=cowkit", func(b *testing.B) {
		const size = 64 * mib
		a := mustNew(b, size)
		for off := int64(0); off < size; off += ps {
			mustWrite(b, a, src, off)
		}
		f := a.Fork()
		off := int64(0)
		b.ReportAllocs()
		for b.Loop() {
			if off == size {
				b.StopTimer()
				f.Release()
				f, off = a.Fork(), 0
				b.StartTimer()
			}
			f.WriteAt([]byte{2}, off+7)
			off += ps
		}
	})
}

var sinkBytes []byte

// BenchmarkArena_sequential writes and reads 64 MiB of private pages in
// 1 MiB calls, against copy() to and from a plain 64 MiB slice.
func BenchmarkArena_sequential(b *testing.B) {
	const size, chunk = 64 * mib, mib
	buf := fill(3, chunk)
	b.Run("op=write/impl=copy", func(b *testing.B) {
		mem := make([]byte, size)
		b.SetBytes(size)
		for b.Loop() {
			for off := 0; off < size; off += chunk {
				copy(mem[off:], buf)
			}
		}
	})
	b.Run("op=write/impl=cowkit", func(b *testing.B) {
		a := mustNew(b, size)
		mustWrite(b, a, make([]byte, size), 0) // every page private
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			for off := int64(0); off < size; off += chunk {
				a.WriteAt(buf, off)
			}
		}
	})
	b.Run("op=read/impl=copy", func(b *testing.B) {
		mem := fill(4, size)
		b.SetBytes(size)
		for b.Loop() {
			for off := 0; off < size; off += chunk {
				copy(buf, mem[off:])
			}
		}
	})
	b.Run("op=read/impl=cowkit", func(b *testing.B) {
		a := mustNew(b, size)
		mustWrite(b, a, fill(4, size), 0)
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			for off := int64(0); off < size; off += chunk {
				a.ReadAt(buf, off)
			}
		}
	})
}

// BenchmarkArena_readUntouched sweeps an untouched 1 GiB arena in 1 MiB
// reads: all zero pages, no frame.
func BenchmarkArena_readUntouched(b *testing.B) {
	a := mustNew(b, gib)
	buf := make([]byte, mib)
	b.SetBytes(gib)
	b.ReportAllocs()
	for b.Loop() {
		for off := int64(0); off < gib; off += mib {
			a.ReadAt(buf, off)
		}
	}
}

// BenchmarkArena_smallPrivateWrite writes 64 bytes at a time to private
// pages: WriteAt's one-walk path.
func BenchmarkArena_smallPrivateWrite(b *testing.B) {
	const size = 64 * mib
	a := mustNew(b, size)
	mustWrite(b, a, make([]byte, size), 0)
	p := make([]byte, 64)
	off := int64(0)
	b.ReportAllocs()
	for b.Loop() {
		a.WriteAt(p, off)
		off = (off + DefaultPageSize + 64) % (size - 64)
	}
}
