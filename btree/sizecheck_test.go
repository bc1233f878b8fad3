package btree

import (
	"math/rand/v2"
	"testing"
	"unsafe"
)

// TestNodeSizes holds size.go's claims about node sizes for int keys.
func TestNodeSizes(t *testing.T) {
	if maxLeaf != 63 || maxInner != 9 {
		t.Skip("small nodes")
	}
	if got := unsafe.Sizeof(leaf[int, int]{}); got != 1024 {
		t.Errorf("leaf[int, int] is %d bytes, want 1024", got)
	}
	if got := unsafe.Sizeof(inner[int, int]{}); got != 248 {
		t.Errorf("inner[int, int] is %d bytes, want 248", got)
	}
}

// TestWriteCosts holds the numbers in Set's and Stats's docs, for int keys
// in nodes of the default size: an insert allocates about once every 45
// random inserts and once every 55 ascending ones, and a map filled in
// random order has about one inner node per 300 entries.
func TestWriteCosts(t *testing.T) {
	if maxLeaf != 63 || maxInner != 9 {
		t.Skip("small nodes")
	}
	const n = 200000
	keys := rand.Perm(n)
	m := New[int, int]()
	perAlloc := float64(n) / testing.AllocsPerRun(1, func() {
		m.Release()
		for _, k := range keys {
			m.Set(k, k)
		}
	})
	if perAlloc < 40 || perAlloc > 50 {
		t.Errorf("random inserts: one allocation per %.1f, want about 45", perAlloc)
	}
	st := m.Stats()
	if per := float64(n) / float64(st.Nodes-countLeaves(m)); per < 250 || per > 350 {
		t.Errorf("random inserts: one inner node per %.0f entries, want about 300", per)
	}
	perAlloc = float64(n) / testing.AllocsPerRun(1, func() {
		m.Release()
		for k := range n {
			m.Set(k, k)
		}
	})
	if perAlloc < 52 || perAlloc > 58 {
		t.Errorf("ascending inserts: one allocation per %.1f, want about 55", perAlloc)
	}
}
