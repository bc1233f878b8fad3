package main

import (
	"io"
	"io/fs"
	"strings"

	"github.com/cowkit/cowkit/btree"
	"github.com/cowkit/cowkit/cowstring"
)

// A file is one path's contents as a layer sees it. Its bytes are written
// only by the layer that made it: every other layer that shows the file
// shares the handle and, to write, first makes its own copy (copy-up).
type file struct {
	data  *cowstring.String
	layer *layer
}

// sameFile reports whether two layers show the same file: the same handle,
// so the same bytes, never compared. It is the equality [btree.Map.Diff]
// uses, so a diff opens only what a layer wrote.
func sameFile(a, b file) bool { return a.data == b.data }

// A layer is a whole filesystem tree, path to file, as one Dockerfile step
// or one container left it. It starts as a clone of the tree below it (O(1):
// the two share every node) and records its changes by writing: a write
// copies one root-to-leaf path of the tree and, for a file some other layer
// made, that file's bytes. What the layer changed is not stored anywhere
// else; btree.Map.Diff against the layer below recovers it.
//
// Once a layer has a layer on top of it, it is frozen: the layer on top
// shares its files' handles, so a write of the layer below in place would
// show through. A layer is written only while it is the top one.
type layer struct {
	name   string
	step   string // the Dockerfile step that made it, for an image's layer
	files  *btree.Map[string, file]
	frozen bool
}

func newLayer(name string) *layer {
	return &layer{name: name, files: btree.New[string, file]()}
}

// on returns a new layer whose tree is a clone of l's, and freezes l.
func (l *layer) on(name string) *layer {
	l.frozen = true
	return &layer{name: name, files: l.files.Clone()}
}

// write puts data at path in l: a new file, or the end of an existing one.
// It returns how many bytes the copy-up copied: the whole file the first
// time l writes to a file another layer made (overlayfs copies whole files),
// else 0.
func (l *layer) write(path string, data []byte, appendTo bool) (copied int64, err error) {
	if l.frozen {
		panic("containers: write to layer " + l.name + ", which has a layer on top")
	}
	f, ok := l.files.Get(path)
	set := true
	switch {
	case !ok && appendTo:
		return 0, &fs.PathError{Op: "append", Path: path, Err: fs.ErrNotExist}
	case ok && !appendTo:
		return 0, &fs.PathError{Op: "create", Path: path, Err: fs.ErrExist}
	case !ok:
		f = file{data: new(cowstring.String), layer: l}
	case f.layer != l:
		// Copy-up: a handle of our own on the same bytes; the Write below
		// finds them shared and copies all of them first.
		copied = int64(f.data.Len())
		f = file{data: f.data.Clone(), layer: l}
	default:
		// l's own file: no other layer sees these bytes, so they are
		// written in place, and the tree already holds the handle.
		set = false
	}
	f.data.Write(data)
	if set {
		l.files.Set(path, f)
	}
	return copied, nil
}

// remove deletes path from l's tree. The layers below keep the file: like
// overlayfs's whiteout, the deletion exists only in l.
func (l *layer) remove(path string) error {
	if l.frozen {
		panic("containers: remove in layer " + l.name + ", which has a layer on top")
	}
	if !l.files.Delete(path) {
		return &fs.PathError{Op: "remove", Path: path, Err: fs.ErrNotExist}
	}
	return nil
}

// mustRead returns the contents of a file l has; it panics if l has no
// file at path.
func (l *layer) mustRead(path string) string {
	f, ok := l.files.Get(path)
	if !ok {
		panic("containers: no " + path)
	}
	return f.data.String()
}

// open returns a reader of the file at path as l has it now; later writes
// do not change what it reads. It reads, seeks and reads at offsets, as an
// open file does.
func (l *layer) open(path string) (*io.SectionReader, error) {
	f, ok := l.files.Get(path)
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
	}
	return io.NewSectionReader(f.data.Reader(), 0, int64(f.data.Len())), nil
}

// bytes returns the total size of l's files.
func (l *layer) bytes() int64 {
	var n int64
	for _, f := range l.files.All() {
		n += int64(f.data.Len())
	}
	return n
}

// changes is what l changed against base, summed up.
type changes struct {
	added, changed, deleted int
	written                 int64 // bytes of the files l added or changed
	dropped                 int64 // bytes of base's files l changed or deleted
	copiedUp                int64 // bytes of base's files l changed: what their copy-up copied
}

func (l *layer) changesSince(base *layer) changes {
	var c changes
	for ch := range l.files.Diff(base.files, sameFile) {
		switch ch.Op {
		case btree.Added:
			c.added++
			c.written += int64(ch.New.data.Len())
		case btree.Updated:
			c.changed++
			c.written += int64(ch.New.data.Len())
			c.dropped += int64(ch.Old.data.Len())
			c.copiedUp += int64(ch.Old.data.Len())
		case btree.Removed:
			c.deleted++
			c.dropped += int64(ch.Old.data.Len())
		}
	}
	return c
}

// An image is a stack of layers, base first. Each layer's tree is the whole
// filesystem at that step, so the image's filesystem is its top layer's.
type image struct {
	name   string
	layers []*layer
}

func (im *image) top() *layer { return im.layers[len(im.layers)-1] }

// A container is an image plus a writable layer of its own, and maybe a
// volume: a private store mounted over part of the tree.
type container struct {
	name   string
	image  *image
	rw     *layer
	volume *volume
}

// run starts a container from im: its writable layer is a clone of the
// image's tree. Nothing is copied, whatever the image's size.
func (im *image) run(name string) *container {
	return &container{name: name, image: im, rw: im.top().on(name)}
}

// mount mounts v in c at v.mount, hiding what the image has below it.
func (c *container) mount(v *volume) { c.volume = v }

// inVolume reports whether path is under c's volume's mount point.
func (c *container) inVolume(path string) bool {
	return c.volume != nil && strings.HasPrefix(path, c.volume.mount+"/")
}

// read returns path's contents. For a file of the image or the writable
// layer it copies nothing: the string views the file's bytes, which no
// later write changes.
func (c *container) read(path string) (string, error) {
	if c.inVolume(path) {
		return c.volume.read(path)
	}
	f, ok := c.rw.files.Get(path)
	if !ok {
		return "", &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
	}
	return f.data.String(), nil
}

// appendFile appends data to the file at path and returns the bytes its
// copy-up copied (see layer.write).
func (c *container) appendFile(path string, data []byte) (copied int64, err error) {
	if c.inVolume(path) {
		return c.volume.appendFile(path, data)
	}
	return c.rw.write(path, data, true)
}

// An appender is an io.Writer that appends what it is given to a file of
// a container, which must exist.
type appender struct {
	c    *container
	path string
}

// appender returns an io.Writer that appends to the file at path.
func (c *container) appender(path string) appender { return appender{c, path} }

func (a appender) Write(p []byte) (int, error) {
	if _, err := a.c.appendFile(a.path, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// copiedUp returns the bytes of the image's files c holds its own copy of:
// what its copy-ups copied, so far.
func (c *container) copiedUp() int64 { return c.rw.changesSince(c.image.top()).copiedUp }

// create makes a new file at path. No copy-up: nothing below has it.
func (c *container) create(path string, data []byte) error {
	if c.inVolume(path) {
		return c.volume.create(path, data)
	}
	_, err := c.rw.write(path, data, false)
	return err
}

// remove deletes path from the container's view only.
func (c *container) remove(path string) error {
	if c.inVolume(path) {
		return c.volume.remove(path)
	}
	return c.rw.remove(path)
}

// diff lists what c changed in the image's tree, as `docker diff` does:
// "A path" added, "C path" changed, "D path" deleted, in path order.
func (c *container) diff() []string {
	var out []string
	for ch := range c.rw.files.Diff(c.image.top().files, sameFile) {
		var kind string
		switch ch.Op {
		case btree.Added:
			kind = "A"
		case btree.Updated:
			kind = "C"
		case btree.Removed:
			kind = "D"
		}
		out = append(out, kind+" "+ch.Key)
	}
	return out
}

// commit makes a new image of c's filesystem, as `docker commit` does: the
// image's layers plus c's writable layer, frozen. c goes on with a fresh
// writable layer on top of it, so its next write to a file it wrote before
// copies that file up rather than change the new image.
func (c *container) commit(name string) *image {
	top := c.rw
	top.name = name
	c.rw = top.on(c.name)
	layers := append(c.image.layers[:len(c.image.layers):len(c.image.layers)], top)
	return &image{name: name, layers: layers}
}
