// Command quickstart shows copy-on-write in a few lines: a cowslice clone
// shares its source's elements until the first write, which copies them once
// ("copy-up"), and the source never changes; then the same with a cowmap
// snapshot, and a cowstring whose handed-out strings stay frozen.
//
//	go run ./examples/quickstart
package main

import (
	"fmt"
	"slices"

	"github.com/cowkit/cowkit/cowmap"
	"github.com/cowkit/cowkit/cowslice"
	"github.com/cowkit/cowkit/cowstring"
)

func main() {
	show := func(label string, format string, args ...any) {
		fmt.Printf("%-28s "+format+"\n", append([]any{label}, args...)...)
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

	config := cowmap.From(map[string]string{"env": "prod"})
	snapshot := config.Clone() // O(1) snapshot of the whole map
	config.Set("env", "staging")
	was, _ := snapshot.Get("env")
	now, _ := config.Get("env")
	show("map snapshot vs live:", "%s vs %s", was, now)

	msg := cowstring.New("hello")
	handedOut := msg.String() // O(1), no copy: the bytes it views are pinned
	msg.Insert(0, "> ")       // moves pinned bytes, so msg copies first
	show("string handed out:", "%q, handle now %q", handedOut, msg.String())
}
