package cowstring_test

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/cowkit/cowkit/cowstring"
)

func ExampleString_String() {
	s := cowstring.New("hello world")
	hw := s.String() // O(1): views s's buffer, and pins those bytes

	s.Delete(5, 11)    // a truncation moves nothing
	s.WriteString("!") // would overwrite a byte hw views: s copies first
	fmt.Println(hw)
	fmt.Println(s)
	// Output:
	// hello world
	// hello!
}

func ExampleString_Substr() {
	s := cowstring.New("container-1234")
	id := s.Substr(10, 14) // O(1): shares s's buffer
	fmt.Println(id, id.Shared())

	id.WriteString("-b") // a write detaches the substring
	fmt.Println(id, s, id.Shared())
	// Output:
	// 1234 true
	// 1234-b container-1234 false
}

func ExampleString_Clone() {
	base := cowstring.New("FROM alpine\n")
	app := base.Clone()
	fmt.Fprintf(app, "RUN apk add %s\n", "curl") // String is an io.Writer
	fmt.Print(base, "---\n", app)
	// Output:
	// FROM alpine
	// ---
	// FROM alpine
	// RUN apk add curl
}

func ExampleString_Reader() {
	s := cowstring.New("v1")
	r := s.Reader() // a snapshot: later writes to s do not reach it
	s.Insert(0, "config ")
	b, _ := io.ReadAll(r)
	fmt.Printf("%s | %s\n", b, s)
	// Output: v1 | config v1
}

// A String is written as the Go string it holds, so a struct field can
// change from string to *cowstring.String without changing its JSON.
func ExampleString_MarshalJSON() {
	type file struct {
		Path *cowstring.String `json:"path"`
		Body *cowstring.String `json:"body"`
	}
	base := cowstring.New("FROM alpine\n")
	body := base.Clone() // O(1); marshaling copies the text only into the JSON
	body.WriteString("RUN <setup>\n")
	out, err := json.Marshal(file{Path: cowstring.New("Dockerfile"), Body: body})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(out))

	var back file
	if err := json.Unmarshal(out, &back); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %q\n", back.Path, back.Body)
	// Output:
	// {"path":"Dockerfile","body":"FROM alpine\nRUN \u003csetup\u003e\n"}
	// Dockerfile: "FROM alpine\nRUN <setup>\n"
}
