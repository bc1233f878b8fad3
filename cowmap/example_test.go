package cowmap_test

import (
	"fmt"
	"maps"
	"slices"

	"github.com/cowkit/cowkit/cowmap"
)

func ExampleMap_Clone() {
	image := cowmap.From(map[string]string{"/etc/hostname": "base"})
	container := image.Clone() // O(1): one map, two handles
	fmt.Println(image.Shared(), container.Shared())

	container.Set("/etc/hostname", "web-1") // copies the map, then writes
	v, _ := image.Get("/etc/hostname")
	w, _ := container.Get("/etc/hostname")
	fmt.Println(v, w, image.Shared())
	// Output:
	// true true
	// base web-1 false
}

func ExampleMap_Delete() {
	m := cowmap.From(map[string]int{"a": 1, "b": 2})
	c := m.Clone()
	fmt.Println(c.Delete("zzz"), c.Shared()) // absent: nothing to copy
	fmt.Println(c.Delete("a"), c.Shared())   // present: copies, then deletes
	fmt.Println(slices.Sorted(maps.Keys(maps.Collect(m.All()))), slices.Sorted(c.Keys()))
	// Output:
	// false true
	// true false
	// [a b] [b]
}

func ExampleMap_Release() {
	m := cowmap.From(map[string]int{"n": 1})
	snap := m.Clone()
	snap.Release() // m owns its map alone again: the next Set writes in place
	m.Set("n", 2)
	v, _ := m.Get("n")
	fmt.Println(v, snap.Len(), m.Shared())
	// Output: 2 0 false
}
