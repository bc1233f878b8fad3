package btree_test

import (
	"fmt"
	"strings"

	"github.com/cowkit/cowkit/btree"
)

func Example() {
	m := btree.New[string, int]()
	m.Set("carol", 3)
	m.Set("alice", 1)
	m.Set("bob", 2)
	for k, v := range m.All() {
		fmt.Println(k, v)
	}
	// Output:
	// alice 1
	// bob 2
	// carol 3
}

// A clone is an O(1) snapshot. Writes to either side copy only the nodes on
// the written path, so the two stay independent.
func ExampleMap_Clone() {
	prices := btree.New[string, int]()
	prices.Set("apple", 120)
	prices.Set("pear", 90)

	snapshot := prices.Clone() // O(1): shares every node
	prices.Set("apple", 150)   // copies the path to "apple", then writes
	prices.Delete("pear")

	v, _ := snapshot.Get("apple")
	fmt.Println("snapshot:", v, snapshot.Len())
	v, _ = prices.Get("apple")
	fmt.Println("prices:  ", v, prices.Len())

	snapshot.Release() // prices writes in place again from here on
	// Output:
	// snapshot: 120 2
	// prices:   150 1
}

// Diff lists what changed between two versions, in key order. It skips the
// subtrees the versions still share, so on big maps it costs in proportion
// to the changes, not to the size.
func ExampleMap_Diff() {
	v1 := btree.New[int, string]()
	for i := range 100000 {
		v1.Set(i, "x")
	}
	v2 := v1.Clone()
	v2.Set(42, "y")
	v2.Delete(7)
	v2.Set(100000, "new")

	for c := range v2.Diff(v1, func(a, b string) bool { return a == b }) {
		fmt.Printf("%-7v %6d  %q -> %q\n", c.Op, c.Key, c.Old, c.New)
	}
	// Output:
	// Removed      7  "x" -> ""
	// Updated     42  "x" -> "y"
	// Added   100000  "" -> "new"
}

// Scan visits the keys in [lo, hi), here every word starting with "ca".
func ExampleMap_Scan() {
	words := btree.New[string, int]()
	for _, w := range strings.Fields("cab bat cat car dog cap cyan can") {
		words.Set(w, len(w))
	}
	for w := range words.Scan("ca", "cb") {
		fmt.Print(w, " ")
	}
	fmt.Println()
	// Output:
	// cab can cap car cat
}

// NewFunc orders keys by any comparison; here, case-insensitively and
// newest version first.
func ExampleNewFunc() {
	type version struct {
		name  string
		major int
	}
	m := btree.NewFunc[version, string](func(a, b version) int {
		if c := strings.Compare(strings.ToLower(a.name), strings.ToLower(b.name)); c != 0 {
			return c
		}
		return b.major - a.major
	})
	m.Set(version{"Go", 1}, "old")
	m.Set(version{"go", 2}, "new") // a different key: the major differs
	m.Set(version{"Alpine", 3}, "base")
	for k, v := range m.All() {
		fmt.Println(k.name, k.major, v)
	}
	// Output:
	// Alpine 3 base
	// go 2 new
	// Go 1 old
}

// A loop may write to the map it ranges over: it goes on over the entries as
// they were when it started.
func ExampleMap_All() {
	m := btree.New[int, string]()
	m.Set(1, "a")
	m.Set(2, "b")
	for k, v := range m.All() {
		m.Delete(k)
		m.Set(k*10, strings.ToUpper(v))
	}
	for k, v := range m.All() {
		fmt.Println(k, v)
	}
	// Output:
	// 10 A
	// 20 B
}
