package pagearena

import (
	"errors"
	"runtime"
	"testing"
	"time"
	"unsafe"
)

// collect runs the garbage collector until the pool's frame count is want
// and reports whether it got there. Cleanups run on a goroutine of their
// own after a collection, so it polls, a bounded number of times.
func collect(p *pool, want int64) bool {
	for range 500 {
		runtime.GC()
		if p.frames.Load() == want {
			return true
		}
		time.Sleep(time.Millisecond)
	}
	return false
}

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestDroppedForksAreCollected is the defect of a pool that kept its
// arenas alive: 20,000 forks, each writing one page, dropped without
// Release. Once the collector has run their cleanups, the pool counts the
// parent's frames again and the heap is back near where it started.
func TestDroppedForksAreCollected(t *testing.T) {
	const ps = DefaultPageSize
	a := mustNew(t, 256*ps)
	for pg := range int64(16) {
		mustWrite(t, a, fill(byte(pg+1), ps), pg*ps)
	}
	heap0 := heapAlloc()
	page := fill(0xAB, ps)
	for i := range 20_000 {
		f := a.Fork()
		mustWrite(t, f, page, int64(i%256)*ps)
	}
	if !collect(a.pool, 16) {
		t.Fatalf("after 500 collections the pool still counts %d frames, want the parent's 16", a.pool.frames.Load())
	}
	heap1 := heapAlloc()
	if heap1 > heap0+4*mib {
		t.Errorf("heap after collection: %d MiB, %d MiB more than before the forks (want at most 4)", heap1>>20, (heap1-heap0)>>20)
	}
	if s := a.Stats(); s.Private != 16 || s.Shared != 0 || s.Frames != 16 {
		t.Errorf("the parent after its forks were collected: %+v, want 16 private pages", s)
	}
	mustCheck(t, a)
	runtime.KeepAlive(a)
}

// TestCollectedForksFreeTheLimit: a fork/write/drop loop in a pool with a
// limit far below the frames it writes in all never gets ErrNoSpace, as
// long as the collector runs now and then.
func TestCollectedForksFreeTheLimit(t *testing.T) {
	const ps = DefaultPageSize
	a := mustNew(t, 64*ps, WithLimit(16+200))
	for pg := range int64(16) {
		mustWrite(t, a, fill(1, ps), pg*ps)
	}
	for i := range 5000 {
		if i%100 == 0 && !collect(a.pool, 16) { // the 100 forks of the last round are gone
			t.Fatalf("round %d: the pool still counts %d frames", i/100, a.pool.frames.Load())
		}
		f := a.Fork()
		if _, err := f.WriteAt([]byte{2}, int64(i%64)*ps); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	runtime.KeepAlive(a)
}

// TestReleaseIsPrompt: Release gives frames back at once, with no
// collection, and a released arena that is then collected gives nothing
// back twice.
func TestReleaseIsPrompt(t *testing.T) {
	const ps = DefaultPageSize
	a := mustNew(t, 64*ps, WithLimit(8))
	mustWrite(t, a, fill(1, 4*ps), 0)
	f := a.Fork()
	mustWrite(t, f, fill(2, 4*ps), 0)
	g := a.Fork()
	if _, err := g.WriteAt([]byte{1}, 10*ps); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("a ninth frame: %v, want ErrNoSpace", err)
	}
	f.Release()
	if got := a.pool.frames.Load(); got != 4 {
		t.Fatalf("right after Release the pool counts %d frames, want 4", got)
	}
	mustWrite(t, g, []byte{1}, 10*ps)
	g.Release()
	f, g = nil, nil
	if collect(a.pool, 3) || a.pool.frames.Load() != 4 {
		t.Fatal("collecting a released arena gave its frames back a second time")
	}
	mustCheck(t, a)
}

// TestReachableForksAreKept: forks kept in a slice are never collected,
// however often the collector runs, and forks dropped beside them are;
// Dedupe afterwards sees only the live ones.
func TestReachableForksAreKept(t *testing.T) {
	const ps = DefaultPageSize
	a := mustNew(t, 64*ps)
	mustWrite(t, a, fill(1, ps), 0)
	var kept []*Arena
	for i := range 200 {
		f := a.Fork()
		mustWrite(t, f, fill(byte(i), ps), ps) // kept and dropped forks write the same bytes
		if i%2 == 0 {
			kept = append(kept, f)
		}
	}
	// The parent's frame, and one frame for each kept fork.
	if !collect(a.pool, 1+100) {
		t.Fatalf("the pool counts %d frames, want 101", a.pool.frames.Load())
	}
	for range 20 {
		runtime.GC()
	}
	for i, f := range kept {
		if got := read(t, f, ps, 1); got[0] != byte(2*i) {
			t.Fatalf("kept fork %d reads %d, want %d", i, got[0], 2*i)
		}
	}
	mustCheck(t, append([]*Arena{a}, kept...)...)
	// The dropped forks' bytes are gone with them: a write of the bytes
	// that only dropped fork 1 held merges with nothing.
	mustWrite(t, a, fill(1, ps), 2*ps)
	mustWrite(t, a, fill(3, ps), ps)
	if freed := a.Dedupe(); freed != 1 { // page 2 joins page 0's frame; page 1 has no twin
		t.Fatalf("Dedupe freed %d, want 1", freed)
	}
	if a.lookup(1) == nil || a.lookup(1).shares.Shared() {
		t.Fatal("page 1 was merged with a frame of a collected fork")
	}
	mustCheck(t, append([]*Arena{a}, kept...)...)
}

// TestFrameSize: a frame is what a write in place touches, kept to 48
// bytes (see frame).
func TestFrameSize(t *testing.T) {
	if got := unsafe.Sizeof(frame{}); got != 48 {
		t.Errorf("a frame is %d bytes, want 48", got)
	}
}
