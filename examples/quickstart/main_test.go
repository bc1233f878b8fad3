package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	run(&out)
	got := out.String()
	for _, want := range []string{
		"after Clone:                 image.Shared()=true container.Shared()=true\n",
		"after the container wrote:   image.Shared()=false container.Shared()=false\n",
		"image:                       [bin etc usr] (unchanged)\n",
		"container:                   [bin etc usr var/log/app.log]\n",
		"container after Set:         [sbin etc usr var/log/app.log]\n",
		"image:                       [bin etc usr] (still unchanged)\n",
		"map snapshot vs live:        prod vs staging\n",
		"string handed out:           \"hello\", handle now \"> hello\"\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q; output:\n%s", want, got)
		}
	}
}
