package cowslice_test

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/cowkit/cowkit/cowslice"
)

func ExampleSlice_Clone() {
	a := cowslice.New("base", "app")
	b := a.Clone() // O(1): a and b share one array
	fmt.Println(a.Shared(), b.Shared())

	b.Set(1, "patched") // b copies the array first, then writes
	fmt.Println(a.Shared(), b.Shared())
	fmt.Println(slices.Collect(a.Values()), slices.Collect(b.Values()))
	// Output:
	// true true
	// false false
	// [base app] [base patched]
}

func ExampleSlice_Mutable() {
	a := cowslice.New(1, 2, 3)
	b := a.Clone()

	m := b.Mutable() // b is shared, so Mutable copies first
	for i := range m {
		m[i] *= 10
	}
	fmt.Println(slices.Collect(a.Values()), slices.Collect(b.Values()))
	// Output: [1 2 3] [10 20 30]
}

func ExampleSlice_Release() {
	a := cowslice.New(1, 2, 3)
	b := a.Clone()
	b.Release() // b is empty now, and a owns its array alone again
	fmt.Println(a.Shared(), b.Len())

	a.Set(0, 100) // in place: no copy
	b.Append(7)   // a released handle stays usable
	fmt.Println(slices.Collect(a.Values()), slices.Collect(b.Values()))
	// Output:
	// false 0
	// [100 2 3] [7]
}

func ExampleSlice_Append() {
	a := cowslice.New(1, 2)
	b := a.Clone()
	a.Append(3) // shared: copies [1 2] and appends in one go
	b.Append(4) // b now owns the old array alone: appends in place
	fmt.Println(slices.Collect(a.Values()), slices.Collect(b.Values()))
	// Output: [1 2 3] [1 2 4]
}

// Snapshots of a log: each snapshot is O(1), and only the live log pays for
// the copy, once, on its next write.
func Example_snapshot() {
	log := cowslice.New[string]()
	var snapshots []*cowslice.Slice[string]
	for _, event := range []string{"start", "load", "serve"} {
		log.Append(event)
		snapshots = append(snapshots, log.Clone())
	}
	for i, s := range snapshots {
		fmt.Println(i, slices.Collect(s.Values()))
	}
	// Output:
	// 0 [start]
	// 1 [start load]
	// 2 [start load serve]
}

// A Slice is written as the []T it holds, so a struct field can change from
// []string to *cowslice.Slice[string] without changing its JSON.
func ExampleSlice_MarshalJSON() {
	type image struct {
		Layers *cowslice.Slice[string] `json:"layers"`
		Digest *cowslice.Slice[byte]   `json:"digest"` // base64, as a []byte
	}
	base := cowslice.New("alpine", "python")
	app := base.Clone() // O(1); marshaling copies nothing either
	app.Append("app")
	out, err := json.Marshal(image{Layers: app, Digest: cowslice.New[byte](0xca, 0xfe)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(out))

	var back image
	if err := json.Unmarshal(out, &back); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(back.Layers, back.Digest)
	fmt.Printf("%q %x\n", back.Layers, back.Digest)
	// Output:
	// {"layers":["alpine","python","app"],"digest":"yv4="}
	// [alpine python app] [202 254]
	// ["alpine" "python" "app"] cafe
}

func ExampleCollect() {
	evens := cowslice.Collect(func(yield func(int) bool) {
		for i := 0; i < 10; i += 2 {
			if !yield(i) {
				return
			}
		}
	})
	evens.AppendSeq(evens.Values()) // a snapshot: appends the five values once
	fmt.Println(evens, evens.Len())
	// Output: [0 2 4 6 8 0 2 4 6 8] 10
}
