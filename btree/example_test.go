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

// Ascend starts at a key and goes up; break ends the loop. Here: a page of
// a leaderboard ordered by score, from the first score of at least 50.
func ExampleMap_Ascend() {
	scores := btree.New[int, string]()
	for i, name := range []string{"ana", "ben", "cy", "dee", "eve", "fay"} {
		scores.Set(20*i, name) // 0, 20, 40, 60, 80, 100
	}
	n := 0
	for score, name := range scores.Ascend(50) {
		fmt.Println(score, name)
		if n++; n == 3 {
			break
		}
	}
	// Output:
	// 60 dee
	// 80 eve
	// 100 fay
}

// Descend starts at a key and goes down: "the previous page".
func ExampleMap_Descend() {
	m := btree.New[string, int]()
	for i, k := range []string{"apple", "banana", "cherry", "damson", "elder"} {
		m.Set(k, i)
	}
	for k := range m.Descend("d") { // keys <= "d": damson sorts after "d"
		fmt.Println(k)
	}
	// Output:
	// cherry
	// banana
	// apple
}

// A cursor is a snapshot you can walk both ways from any key. Seek lands on
// the first key >= its argument; Prev from there finds the one before.
func ExampleMap_Cursor() {
	m := btree.New[int, string]()
	for _, k := range []int{10, 20, 30, 40} {
		m.Set(k, fmt.Sprint("v", k))
	}
	c := m.Cursor()
	defer c.Release()

	m.Delete(30) // the cursor keeps the map as it was when it was made

	c.Seek(25)
	fmt.Println("seek 25:", c.Key(), c.Value())
	c.Prev()
	fmt.Println("prev:   ", c.Key())
	for c.Next() {
		fmt.Println("next:   ", c.Key())
	}
	// Output:
	// seek 25: 30 v30
	// prev:    20
	// next:    30
	// next:    40
}

// DeleteRange removes a key range in one call. On a shared map it copies
// only the two boundary paths: the snapshot keeps everything.
func ExampleMap_DeleteRange() {
	log := btree.New[int, string]()
	for t := range 100000 {
		log.Set(t, "event")
	}
	snapshot := log.Clone()

	removed := log.DeleteRange(0, 99990) // keep the last 10
	first, _, _ := log.Min()
	fmt.Println(removed, log.Len(), first)
	fmt.Println(snapshot.Len())
	s := log.Stats()
	fmt.Println("nodes the trim copied:", s.Nodes-s.SharedNodes <= 2*(s.Height+1))
	// Output:
	// 99990 10 99990
	// 100000
	// nodes the trim copied: true
}

// Rank and At turn keys into positions and back in O(log n): the rank of a
// player, and the player at a rank.
func ExampleMap_Rank() {
	m := btree.New[int, string]()
	for i, name := range []string{"ana", "ben", "cy", "dee"} {
		m.Set(10*(i+1), name) // 10 ana, 20 ben, 30 cy, 40 dee
	}
	fmt.Println(m.Rank(30)) // keys below 30
	k, v := m.At(m.Len() - 1)
	fmt.Println(k, v)
	fmt.Println(m.Rank(35)) // where 35 would go
	// Output:
	// 2
	// 40 dee
	// 3
}

// Collect builds a map from any iterator. Sorted input is appended to the
// last leaf without a search, so the leaves come out full.
func ExampleCollect() {
	squares := btree.Collect(func(yield func(int, int) bool) {
		for i := range 1000 {
			if !yield(i, i*i) {
				return
			}
		}
	})
	v, _ := squares.Get(12)
	fmt.Println(squares.Len(), v)
	k, _ := squares.At(500)
	fmt.Println(k)
	// Output:
	// 1000 144
	// 500
}

// A map used as an ordered set of items, as google/btree's BTreeG is: the
// items are the keys, ordered by a field, and struct{} values cost nothing.
// Lookup finds the stored item from a probe that has only the field set,
// and Pop returns the item it removed.
func ExampleMap_itemSet() {
	type session struct {
		id   int
		user string
		hits int
	}
	byID := func(a, b *session) int { return a.id - b.id }
	set := btree.NewFunc[*session, struct{}](byID)
	for i, u := range []string{"ana", "ben", "cy"} {
		set.Set(&session{id: 100 + i, user: u}, struct{}{})
	}

	if s, _, ok := set.Lookup(&session{id: 101}); ok {
		s.hits++ // the stored item itself
	}
	s, _, _ := set.Lookup(&session{id: 101})
	fmt.Println(s.user, s.hits)

	// Set stores the key it is given: replacing an item replaces the object.
	set.Set(&session{id: 101, user: "ben", hits: 7}, struct{}{})
	s, _, _ = set.Pop(&session{id: 101})
	fmt.Println(s.user, s.hits, set.Len())
	// Output:
	// ben 1
	// ben 7 2
}
