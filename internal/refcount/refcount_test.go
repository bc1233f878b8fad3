package refcount

import (
	"slices"
	"sync"
	"testing"
)

func TestRefLifecycle(t *testing.T) {
	var z Ref[[]int]
	if z.Unique() || z.Shared() || z.Count() != nil {
		t.Fatalf("zero Ref: Unique=%v Shared=%v Count=%v, want false false nil", z.Unique(), z.Shared(), z.Count())
	}
	a := Own([]int{1, 2, 3})
	if !a.Unique() || a.Shared() || a.Count().Load() != 1 {
		t.Fatalf("Own: Unique=%v Shared=%v Load=%d, want true false 1", a.Unique(), a.Shared(), a.Count().Load())
	}
	b := a.Share()
	if a.Unique() || !a.Shared() || !b.Shared() || a.Count() != b.Count() || a.Count().Load() != 2 {
		t.Fatalf("after Share: a.Unique=%v a.Shared=%v b.Shared=%v Load=%d", a.Unique(), a.Shared(), b.Shared(), a.Count().Load())
	}
	old := a.Count()
	// Copy-up: b builds its copy, then Replace drops the old share.
	b.Replace(append(slices.Clone(b.Data), 4))
	if b.Count() == old || !b.Unique() || !a.Unique() || old.Load() != 1 {
		t.Fatalf("after copy-up: b has a new count=%v, b.Unique=%v a.Unique=%v old=%d", b.Count() != old, b.Unique(), a.Unique(), old.Load())
	}
	if !slices.Equal(a.Data, []int{1, 2, 3}) || !slices.Equal(b.Data, []int{1, 2, 3, 4}) {
		t.Fatalf("a=%v b=%v", a.Data, b.Data)
	}
	// Replacing unique data keeps the count and allocates nothing.
	kept := b.Count()
	d := make([]int, 1)
	if n := testing.AllocsPerRun(10, func() { b.Replace(d) }); n != 0 {
		t.Errorf("Replace of unique data: %v allocs, want 0", n)
	}
	if b.Count() != kept {
		t.Errorf("Replace of unique data changed the count")
	}
	// Replace on a zero Ref gives it a count.
	z.Replace([]int{9})
	if !z.Unique() || z.Count() == nil {
		t.Errorf("zero Ref after Replace: Unique=%v", z.Unique())
	}
	c := a.Share()
	c.Drop()
	if c.Count() != nil || c.Data != nil || !a.Unique() {
		t.Errorf("after Drop: c=%+v, a.Unique=%v", c, a.Unique())
	}
	c.Drop() // twice is harmless
	if !a.Unique() {
		t.Errorf("a second Drop of an empty Ref changed a's count")
	}
}

func TestReleaseBelowZeroPanics(t *testing.T) {
	c := NewCount()
	if !c.Release() {
		t.Fatal("Release of the only holder did not report last")
	}
	defer func() {
		if r := recover(); r != "refcount: count released below zero" {
			t.Errorf("panic = %v", r)
		}
	}()
	c.Release()
}

// Concurrent Share and copy-up of distinct Refs to one buffer: the count ends
// at exactly the number of Refs that kept the buffer. Run with -race.
func TestConcurrentShareAndReplace(t *testing.T) {
	src := Own(make([]int, 64))
	const goroutines = 8
	refs := make([]Ref[[]int], goroutines)
	for i := range refs {
		refs[i] = src.Share()
	}
	var wg sync.WaitGroup
	for i := range refs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &refs[i]
			for range 100 {
				x := r.Share()
				x.Drop()
			}
			if i%2 == 0 {
				if !r.Unique() {
					r.Replace(slices.Clone(r.Data))
				}
				r.Data[0] = i
			}
		}()
	}
	wg.Wait()
	if got, want := src.Count().Load(), 1+goroutines/2; got != want {
		t.Errorf("count = %d, want %d", got, want)
	}
	if src.Data[0] != 0 {
		t.Errorf("a copy-up wrote the shared buffer: %d", src.Data[0])
	}
}
