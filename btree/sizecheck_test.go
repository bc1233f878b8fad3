package btree

import (
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
