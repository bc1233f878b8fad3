package rope_test

import (
	"fmt"
	"os"

	"github.com/cowkit/cowkit/rope"
)

// A Clone is O(1), and the first write after it copies only the nodes on
// its path: the versions share everything else.
func Example() {
	doc := rope.New([]byte("copy-on-write shares everything")...)
	v1 := doc.Clone()
	doc.Insert(0, []byte("block-level ")...)
	doc.Delete(doc.Len()-10, doc.Len())
	doc.Append([]byte("all it can")...)
	fmt.Println(v1.String())
	fmt.Println(doc.String())
	// Output:
	// copy-on-write shares everything
	// block-level copy-on-write shares all it can
}

// Slice and Concat are O(log n): a slice shares every node it does not
// cut, and Concat shares the nodes it appends.
func ExampleRope_Slice() {
	r := rope.New(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
	mid := r.Slice(3, 7)
	mid.Concat(r.Slice(0, 2))
	mid.Set(0, 30)
	fmt.Println(mid, r)
	// Output: [30 4 5 6 0 1] [0 1 2 3 4 5 6 7 8 9]
}

// WriteTo and Reader read a text rope without copying it; String copies it.
func ExampleRope_WriteTo() {
	r := rope.New([]byte("hello, rope\n")...)
	r.WriteTo(os.Stdout)
	rd := r.Reader()
	defer rd.Close()
	r.Set(0, 'j') // the reader reads the snapshot it was made from
	buf := make([]byte, 5)
	rd.Read(buf)
	fmt.Printf("%s %s\n", buf, r.Slice(0, 5))
	// Output:
	// hello, rope
	// hello jello
}
