package pagearena

// go test -run '^$' -bench . -count 6 ./pagearena > new.txt
// go run golang.org/x/perf/cmd/benchstat@latest -col /impl new.txt

import (
	"encoding/binary"
	"fmt"
	"testing"
)

// BenchmarkArena_Fork forks an arena with 16 MiB written: flat in the
// arena's size. release=yes releases the fork, which stops its cleanup;
// release=no drops it, so that the garbage collector runs the cleanup,
// whose cost is part of the measurement.
func BenchmarkArena_Fork(b *testing.B) {
	for _, size := range []int64{64 * mib, gib} {
		for _, release := range []bool{true, false} {
			name := fmt.Sprintf("size=%dMiB/release=yes", size/mib)
			if !release {
				name = fmt.Sprintf("size=%dMiB/release=no", size/mib)
			}
			b.Run(name, func(b *testing.B) {
				a := mustNew(b, size)
				page := fill(1, DefaultPageSize)
				for off := int64(0); off < 16*mib; off += DefaultPageSize {
					mustWrite(b, a, page, off*(size/(16*mib))) // spread over the arena
				}
				b.ReportAllocs()
				for b.Loop() {
					if f := a.Fork(); release {
						f.Release()
					}
				}
			})
		}
	}
}

// BenchmarkArena_Dedupe: a Dedupe after k pages were written in a pool of
// 4096 frames (an arena and a fork of it, 2048 pages each). The cost
// follows k, not the pool: each call hashes only the frames written since
// the last one. The writes, of bytes no other page has, are not timed.
func BenchmarkArena_Dedupe(b *testing.B) {
	const ps, pages = DefaultPageSize, 2048
	for _, k := range []int{1, 64, 4096} {
		b.Run(fmt.Sprintf("k=%d", k), func(b *testing.B) {
			a := mustNew(b, pages*ps)
			page := fill(1, ps)
			for pg := range int64(pages) {
				binary.LittleEndian.PutUint64(page, uint64(pg))
				mustWrite(b, a, page, pg*ps)
			}
			c := a.Fork()
			for pg := range int64(pages) {
				binary.LittleEndian.PutUint64(page, uint64(pages+pg))
				mustWrite(b, c, page, pg*ps)
			}
			a.Dedupe()
			if s := a.Stats(); s.Frames != 2*pages {
				b.Fatalf("the pool holds %d frames, want %d", s.Frames, 2*pages)
			}
			stamp := uint64(2 * pages)
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				for i := range k { // k/2 pages of each arena, 1 page of a for k = 1
					x, pg := a, int64(i/2)
					if i%2 == 1 {
						x = c
					}
					stamp++
					binary.LittleEndian.PutUint64(page, stamp)
					mustWrite(b, x, page, pg*ps)
				}
				b.StartTimer()
				a.Dedupe()
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
