package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOverlayfs runs the comparison on real overlayfs mounts, where they
// work, and checks what the kernel left in the temp dir: each container's
// copy-ups, new file and whiteout in its upper dir, the lower dir as the
// image has it, and nothing mounted.
func TestOverlayfs(t *testing.T) {
	im := buildImage(small.baseFiles, small.appFiles, small.dbSize)
	dir := t.TempDir()
	// Cleanups run last first: this one before TempDir's RemoveAll.
	t.Cleanup(func() {
		if err := unmountUnder(dir); err != nil {
			t.Error(err)
		}
	})
	c, err := compareOverlayfs(context.Background(), im, small, dir)
	if errors.Is(err, errNoOverlay) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	printComparison(&out, im, c)
	t.Log("\n" + out.String())

	if points, err := mountsUnder(dir); err != nil || len(points) != 0 {
		t.Errorf("mounted under the temp dir afterwards: %q, %v", points, err)
	}

	small1k, size1k := fileNear(im.top().files, 1<<10)
	wantCopied := make([]int64, len(c.steps)+2)
	wantCopied[1], wantCopied[2] = size1k, small.dbSize
	wantCopied[len(wantCopied)-1] = im.top().bytes()
	for name, col := range map[string]column{"cowkit": c.model, "overlayfs": c.kernel} {
		if len(col.copied) != len(wantCopied) || len(col.took) != len(wantCopied) {
			t.Fatalf("%s: %d copied and %d times, want %d rows", name, len(col.copied), len(col.took), len(wantCopied))
		}
		for i, want := range wantCopied {
			if col.copied[i] != want {
				t.Errorf("%s, row %d: copied %d bytes, want %d", name, i, col.copied[i], want)
			}
		}
	}
	if !c.whiteout {
		t.Error("the comparison saw no whiteout")
	}

	// Each container's upper dir: its copies of the two files it appended
	// to, the image's bytes plus its appends; its pid file; the whiteout.
	image := files(im.top())
	for i := range small.firstWrites + 1 {
		upper := kernel{dir: dir}.upperDir(i)
		got := upperFiles(t, upper)
		want := map[string]string{
			small1k:      image[small1k] + "GET /health 200\n",
			dbFile:       image[dbFile] + strings.Repeat("INSERT INTO visits VALUES (3);\n", 1+small.nextWrites),
			pidFile("c"): pidFileData,
		}
		for path, data := range want {
			if got[path] != data {
				t.Errorf("%s: %s has %d bytes, want %d", upper, path, len(got[path]), len(data))
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d files, want %d", upper, len(got), len(want))
		}
		if !isWhiteout(filepath.Join(upper, filepath.FromSlash(motd))) {
			t.Errorf("%s: no whiteout of %s", upper, motd)
		}
	}
	lower := upperFiles(t, filepath.Join(dir, "lower"))
	for path, data := range image {
		if lower[path] != data {
			t.Errorf("the lower dir's %s has %d bytes, want the image's %d", path, len(lower[path]), len(data))
		}
	}
	if len(lower) != len(image) {
		t.Errorf("the lower dir has %d files, the image %d", len(lower), len(image))
	}
}

// upperFiles returns the regular files under dir, by their paths in the
// image.
func upperFiles(t *testing.T, dir string) map[string]string {
	m := make(map[string]string)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		m["/"+filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestOverlayfsFlag runs the program with -overlayfs at the small size: it
// prints the comparison or the one line that says why it skipped, and
// leaves nothing in its temp dir's parent.
func TestOverlayfsFlag(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Cleanup(func() { _ = unmountUnder(tmp) })
	cfg := small
	cfg.overlayfs = true
	var out bytes.Buffer
	run(&out, cfg)
	_, section, _ := strings.Cut(out.String(), "docker stats")
	_, section, _ = strings.Cut(section, "\n\n")
	t.Log("\n" + section)
	switch lines := strings.Split(strings.TrimSuffix(section, "\n"), "\n"); {
	case strings.HasPrefix(section, "-overlayfs: skipped, "+errNoOverlay.Error()+": "):
		if len(lines) != 1 {
			t.Errorf("the skip says why in %d lines, want 1", len(lines))
		}
	case strings.HasPrefix(section, "Beside the real thing (-overlayfs)"):
		if len(lines) != 14 || !strings.Contains(section, "(/etc/motd, a character device 0:0): true\n") {
			t.Errorf("the comparison has %d lines, want 14 with the whiteout found", len(lines))
		}
	default:
		t.Errorf("after docker stats, -overlayfs printed neither the comparison nor why it skipped it:\n%s", section)
	}
	if left, err := os.ReadDir(tmp); err != nil || len(left) != 0 {
		t.Errorf("left in TMPDIR: %v, %v", left, err)
	}
}
