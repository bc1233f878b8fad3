// Command quickstart shows copy-on-write with cowslice in a dozen lines:
// a clone shares its source's elements until the first write, which copies
// them once ("copy-up"); the source never changes.
//
//	go run ./examples/quickstart
package main

import (
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/cowkit/cowkit/cowslice"
)

func main() {
	run(os.Stdout)
}

func run(w io.Writer) {
	show := func(label string, format string, args ...any) {
		fmt.Fprintf(w, "%-28s "+format+"\n", append([]any{label}, args...)...)
	}
	list := func(s *cowslice.Slice[string]) []string { return slices.Collect(s.Values()) }

	image := cowslice.New("bin", "etc", "usr")
	show("image:", "%v", list(image))

	container := image.Clone() // O(1): nothing is copied yet
	show("after Clone:", "image.Shared()=%v container.Shared()=%v", image.Shared(), container.Shared())

	container.Append("var/log/app.log") // the first write copies the elements, then writes
	show("after the container wrote:", "image.Shared()=%v container.Shared()=%v", image.Shared(), container.Shared())
	show("image:", "%v (unchanged)", list(image))
	show("container:", "%v", list(container))

	container.Set(0, "sbin") // unshared now: writes in place, no copy
	show("container after Set:", "%v", list(container))
	show("image:", "%v (still unchanged)", list(image))
}
