package pagearena

import (
	"bytes"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
)

// TestDedupeContract: Dedupe may run while other goroutines read arenas of
// its pool, fork them and release forks (only writes must wait).
func TestDedupeContract(t *testing.T) {
	const ps, pages = 512, 512
	a := mustNew(t, pages*ps, WithPageSize(ps))
	for pg := range int64(pages) {
		mustWrite(t, a, fill(byte(pg%7), ps), pg*ps)
	}
	others := []*Arena{a.Fork(), a.Fork()}
	for i, o := range others {
		for pg := range int64(pages / 4) {
			mustWrite(t, o, fill(byte(int(pg%5)+i), ps), pg*ps)
		}
	}
	snapshot := [][]byte{read(t, others[0], 0, pages*ps), read(t, others[1], 0, pages*ps)}
	var wg sync.WaitGroup
	for i, o := range others {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got := make([]byte, pages*ps)
			for range 30 {
				o.ReadAt(got, 0)
				if !bytes.Equal(got, snapshot[i]) {
					t.Errorf("arena %d changed while another arena deduplicated", i)
					return
				}
				o.Fork().Release()
			}
		}()
	}
	before := read(t, a, 0, pages*ps)
	freed := a.Dedupe()
	wg.Wait()
	if !bytes.Equal(read(t, a, 0, pages*ps), before) {
		t.Fatal("Dedupe changed the bytes of the arena it ran on")
	}
	if freed == 0 {
		t.Fatal("Dedupe freed nothing, though most pages repeat")
	}
	mustCheck(t, a, others[0], others[1])
}

// TestSimultaneousFirstWrites: forks of one arena, which are its pages'
// only holders, make their first writes at the same moment and to the same
// page, so that they shadow the same page-table nodes and copy the same
// frame at once. Copy first, then drop: a shadow (of a node or of a frame)
// that dropped its share before copying would let the last fork to arrive
// find it unshared and write it in place while the others are still
// copying it. Run with -race, which reports that in almost every round.
func TestSimultaneousFirstWrites(t *testing.T) {
	const ps, pages, workers, rounds = 512, 300, 8, 60
	rng := rand.New(rand.NewPCG(6, 6))
	for round := range rounds {
		base := mustNew(t, pages*ps, WithPageSize(ps))
		for pg := range int64(pages) {
			mustWrite(t, base, fill(byte(pg), ps), pg*ps)
		}
		want := read(t, base, 0, pages*ps)
		forks := make([]*Arena, workers)
		for g := range forks {
			forks[g] = base.Fork()
		}
		base.Release() // the forks are the only holders
		off := int64(rng.IntN(pages*ps - 16))
		far := (off + pages*ps/2) % (pages*ps - 16) // under another page-table leaf
		var ready, done sync.WaitGroup
		ready.Add(workers)
		done.Add(workers)
		start := make(chan struct{})
		for g, f := range forks {
			go func() {
				defer done.Done()
				ready.Done()
				<-start
				f.WriteAt([]byte{byte(g), byte(g)}, off) // part of a shared page: a copy
				f.WriteAt([]byte{byte(g)}, far)
			}()
		}
		ready.Wait()
		close(start)
		done.Wait()
		for g, f := range forks {
			model := bytes.Clone(want)
			model[off], model[off+1], model[far] = byte(g), byte(g), byte(g)
			if got := read(t, f, 0, pages*ps); !bytes.Equal(got, model) {
				t.Fatalf("round %d: fork %d does not hold its own writes alone", round, g)
			}
		}
		mustCheck(t, forks...)
		for _, f := range forks {
			f.Release()
		}
	}
}

// TestCollectionWhileWriting: forks dropped without Release are collected,
// and their cleanups run on the runtime's goroutine, while other forks of
// the same pool are written, read and forked on goroutines of their own.
// Each live fork keeps its own bytes, and in the end the pool counts
// exactly the frames of the live arenas.
func TestCollectionWhileWriting(t *testing.T) {
	const ps, pages, workers = 512, 128, 3
	base := mustNew(t, pages*ps, WithPageSize(ps))
	for pg := range int64(pages) {
		mustWrite(t, base, fill(byte(pg), ps), pg*ps)
	}
	want := read(t, base, 0, pages*ps)
	stop := make(chan struct{})
	var gc sync.WaitGroup
	gc.Add(1)
	go func() {
		defer gc.Done()
		for {
			select {
			case <-stop:
				return
			default:
				runtime.GC()
			}
		}
	}()
	live := make([]*Arena, workers)
	var wg sync.WaitGroup
	for w := range live {
		live[w] = base.Fork()
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := live[w]
			rng := rand.New(rand.NewPCG(uint64(w), 9))
			model := bytes.Clone(want)
			for range 1500 {
				off := rng.IntN(pages*ps - 4)
				b := []byte{byte(w + 1), byte(off)}
				f.WriteAt(b, int64(off))
				copy(model[off:], b)
				g := f.Fork() // dropped without Release after one write
				g.WriteAt([]byte{0xFF}, int64(rng.IntN(pages*ps)))
			}
			if got := read(t, f, 0, pages*ps); !bytes.Equal(got, model) {
				t.Errorf("fork %d differs from its model", w)
			}
		}()
	}
	wg.Wait()
	close(stop)
	gc.Wait()
	reached := map[*frame]bool{}
	for _, a := range append([]*Arena{base}, live...) {
		a.t.eachFrame(func(_ int64, f *frame) { reached[f] = true })
	}
	if !collect(base.pool, int64(len(reached))) {
		t.Fatalf("the pool counts %d frames, but its live arenas reach %d", base.pool.frames.Load(), len(reached))
	}
	mustCheck(t, append([]*Arena{base}, live...)...)
}

// TestDedupeWhileCollecting: Dedupe runs while the cleanups of dropped
// forks release their tables and frames, as Release on another goroutine
// may; the index ends up with the live frames only.
func TestDedupeWhileCollecting(t *testing.T) {
	const ps, pages = 512, 256
	a := mustNew(t, pages*ps, WithPageSize(ps))
	for pg := range int64(pages) {
		mustWrite(t, a, fill(byte(pg%9), ps), pg*ps)
	}
	for i := range 300 {
		f := a.Fork()
		mustWrite(t, f, fill(byte(i%9), ps), int64(i%pages)*ps)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 20 {
			runtime.GC()
		}
	}()
	before := read(t, a, 0, pages*ps)
	a.Dedupe()
	<-done
	if !bytes.Equal(read(t, a, 0, pages*ps), before) {
		t.Fatal("Dedupe changed the bytes of the arena it ran on")
	}
	if !collect(a.pool, 8) { // one frame per non-zero content is left
		t.Fatalf("the pool counts %d frames, want 8", a.pool.frames.Load())
	}
	mustCheck(t, a)
}
