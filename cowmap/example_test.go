package cowmap_test

import (
	"encoding/json"
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

// A Map is written as the Go map it holds, members sorted by name, so a
// struct field can change from map[string]string to *cowmap.Map without
// changing its JSON.
func ExampleMap_MarshalJSON() {
	type container struct {
		Image string                      `json:"image"`
		Env   *cowmap.Map[string, string] `json:"env"`
	}
	base := cowmap.From(map[string]string{"PATH": "/bin", "LANG": "C"})
	env := base.Clone() // O(1); marshaling copies nothing either
	env.Set("DEBUG", "1")
	out, err := json.Marshal(container{Image: "alpine", Env: env})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(out))

	var back container
	if err := json.Unmarshal(out, &back); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(back.Env, base)
	// Output:
	// {"image":"alpine","env":{"DEBUG":"1","LANG":"C","PATH":"/bin"}}
	// map[DEBUG:1 LANG:C PATH:/bin] map[LANG:C PATH:/bin]
}

func ExampleCollect() {
	squares := cowmap.Collect(func(yield func(int, int) bool) {
		for i := range 4 {
			if !yield(i, i*i) {
				return
			}
		}
	})
	snapshot := squares.Clone()
	squares.Insert(maps.All(map[int]int{4: 16, 0: -1})) // copies once: squares is shared
	fmt.Println(squares)
	fmt.Println(snapshot)
	// Output:
	// map[0:-1 1:1 2:4 3:9 4:16]
	// map[0:0 1:1 2:4 3:9]
}
