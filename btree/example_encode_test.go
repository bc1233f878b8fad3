package btree_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cowkit/cowkit/btree"
)

// A Map marshals as a JSON object in its own key order: integer keys come
// out in numeric order, where json orders a Go map's by name ("10" < "9").
func ExampleMap_MarshalJSON() {
	m := btree.New[int, string]()
	m.Set(10, "ten")
	m.Set(9, "nine")
	m.Set(-1, "minus one")
	data, err := json.Marshal(m)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(data))
	goMap, _ := json.Marshal(map[int]string{10: "ten", 9: "nine", -1: "minus one"})
	fmt.Println(string(goMap))
	// Output:
	// {"-1":"minus one","9":"nine","10":"ten"}
	// {"-1":"minus one","10":"ten","9":"nine"}
}

// A Map needs its ordering before it is decoded, so a *Map field is set
// with New before json.Unmarshal fills its struct; a nil field gets a zero
// Map from json, which refuses to decode.
func ExampleMap_UnmarshalJSON() {
	type config struct {
		Name  string
		Ports *btree.Map[string, int]
	}
	input := []byte(`{"Name":"web","Ports":{"https":443,"http":80}}`)

	c := config{Ports: btree.New[string, int]()}
	if err := json.Unmarshal(input, &c); err != nil {
		fmt.Println(err)
		return
	}
	for name, port := range c.Ports.All() {
		fmt.Println(name, port)
	}

	var unset config
	err := json.Unmarshal(input, &unset)
	fmt.Println(errors.Is(err, btree.ErrNoOrdering))
	// Output:
	// http 80
	// https 443
	// true
}

// fmt prints a Map as it prints a Go map, in the map's key order, with
// the verb and flags applied to every key and value.
func ExampleMap_Format() {
	type pos struct{ X, Y int }
	m := btree.New[string, pos]()
	m.Set("b", pos{3, 4})
	m.Set("a", pos{1, 2})
	fmt.Println(m)
	fmt.Printf("%+v\n", m)

	names := btree.New[int, string]()
	names.Set(2, "two")
	names.Set(1, "one")
	fmt.Printf("%#v\n", names)
	// Output:
	// map[a:{1 2} b:{3 4}]
	// map[a:{X:1 Y:2} b:{X:3 Y:4}]
	// map[int]string{1:"one", 2:"two"}
}
