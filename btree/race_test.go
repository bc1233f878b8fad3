package btree

import (
	"maps"
	"math/rand/v2"
	"sync"
	"testing"
)

// snapshot is a clone handed from the writer to a reader, with the entry
// count and value sum the writer had when it took the clone.
type snapshot struct {
	m          *Map[int, int]
	count, sum int
}

// TestConcurrentSnapshots is the Qt promise under -race: one goroutine keeps
// writing to its map and hands clones to reader goroutines, which iterate
// them, and write to clones of them, with no locks. Every reader must see
// exactly the snapshot it was given.
func TestConcurrentSnapshots(t *testing.T) {
	const keySpace, writes, every, readers = 20000, 20000, 500, 3
	w := build(rand.Perm(keySpace / 2))
	count, sum := w.Len(), 0
	for _, v := range w.All() {
		sum += v
	}

	snaps := make(chan snapshot)
	var wg sync.WaitGroup
	errs := make(chan string, readers)
	for r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(r), 1))
			// On an error a reader reports it and then only drains snaps, so
			// that the writer never blocks on a reader that gave up.
			defer func() {
				for range snaps {
				}
			}()
			for s := range snaps {
				n, total, prev := 0, 0, -1
				for k, v := range s.m.All() {
					if k <= prev {
						errs <- "keys out of order"
						return
					}
					prev = k
					n++
					total += v
				}
				if n != s.count || total != s.sum || s.m.Len() != s.count {
					errs <- "a reader saw a snapshot change under it"
					return
				}
				// Write to a clone of the snapshot, racing the writer for
				// the nodes both still share.
				c := s.m.Clone()
				for range 50 {
					c.Set(rng.IntN(keySpace), -1)
				}
				c.Release()
				if s.m.Len() != s.count {
					errs <- "a clone's writes reached the snapshot"
					return
				}
				s.m.Release()
			}
		}()
	}

	rng := rand.New(rand.NewPCG(9, 9))
	for i := range writes {
		k := rng.IntN(keySpace)
		if rng.IntN(4) == 0 {
			if old, ok := w.Get(k); ok {
				w.Delete(k)
				count--
				sum -= old
			}
		} else {
			v := rng.IntN(1000)
			if old, ok := w.Get(k); ok {
				sum -= old
			} else {
				count++
			}
			w.Set(k, v)
			sum += v
		}
		if i%every == 0 {
			snaps <- snapshot{w.Clone(), count, sum}
		}
	}
	close(snaps)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	mustCheck(t, w)
	if shared(w) {
		t.Fatal("every snapshot was released, but the writer's map is still shared")
	}
}

// TestConcurrentWritersOnClones: goroutines each write to their own clone
// of one map at once, shadowing the same shared nodes concurrently.
func TestConcurrentWritersOnClones(t *testing.T) {
	const workers = 4
	keys := rand.Perm(30000)
	base := build(keys)
	want := collectMap(base)

	clones := make([]*Map[int, int], workers)
	models := make([]map[int]int, workers)
	for i := range clones {
		clones[i] = base.Clone()
		models[i] = maps.Clone(want)
	}
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 2))
			m, model := clones[i], models[i]
			for range 5000 {
				k := rng.IntN(40000)
				if rng.IntN(3) == 0 {
					m.Delete(k)
					delete(model, k)
				} else {
					m.Set(k, i)
					model[k] = i
				}
			}
		}()
	}
	// Meanwhile, concurrent reads of the shared base handle itself.
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				n := 0
				for range base.All() {
					n++
				}
				if n != len(want) {
					t.Errorf("a reader of base saw %d entries, want %d", n, len(want))
				}
				base.Clone().Release()
			}
		}()
	}
	wg.Wait()

	live := append([]*Map[int, int]{base}, clones...)
	mustCheck(t, live...)
	if got := collectMap(base); !maps.Equal(got, want) {
		t.Fatal("the clones' writes reached base")
	}
	for i, m := range clones {
		if got := collectMap(m); !maps.Equal(got, models[i]) {
			t.Fatalf("clone %d differs from its model", i)
		}
		m.Release()
	}
	mustCheck(t, base)
	if shared(base) {
		t.Fatal("every clone was released, but base is still shared")
	}
}

// TestSimultaneousFirstWrites: clones of one map, which are its only
// holders, make their first writes at the same moment and to the same
// leaf, so that they shadow the same nodes at once. Copy first, then drop:
// a shadow that dropped its share of a node before copying it would let the
// last clone to arrive find the node unshared and write it in place while
// the others are still copying it. Run with -race, which reports that in
// almost every round; without -race, a clone can end up with another's
// write or a wrong Len.
func TestSimultaneousFirstWrites(t *testing.T) {
	const workers, rounds, n = 8, 60, 3000
	rng := rand.New(rand.NewPCG(5, 5))
	for round := range rounds {
		base := build(rand.Perm(n))
		want := collectMap(base)
		clones := make([]*Map[int, int], workers)
		for g := range clones {
			clones[g] = base.Clone()
		}
		base.Release() // the clones are the nodes' only holders
		k := rng.IntN(n - 1)
		var ready, done sync.WaitGroup
		ready.Add(workers)
		done.Add(workers)
		start := make(chan struct{})
		for g, m := range clones {
			go func() {
				defer done.Done()
				ready.Done()
				<-start
				m.Set(k, -1-g) // an overwrite in the shared leaf
				m.Delete(k + 1)
				m.Set(n+g, g) // an insert at the end, down another path
			}()
		}
		ready.Wait()
		close(start)
		done.Wait()
		for g, m := range clones {
			model := maps.Clone(want)
			model[k] = -1 - g
			delete(model, k+1)
			model[n+g] = g
			if got := collectMap(m); !maps.Equal(got, model) || m.Len() != len(model) {
				t.Fatalf("round %d: clone %d has %d entries (Len %d), not its own writes alone", round, g, len(got), m.Len())
			}
		}
		mustCheck(t, clones...)
		for _, m := range clones {
			m.Release()
		}
	}
}
