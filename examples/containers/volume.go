package main

import (
	"io"
	"io/fs"
	"strings"

	"github.com/cowkit/cowkit/pagearena"
)

// blockRoom is the room of every blockFile: 1 GiB, thin-provisioned, so
// the pages nobody wrote cost nothing.
const blockRoom = 1 << 30

// A blockFile is a file kept in fixed-size pages, as a block device keeps
// it: a write touches only the pages it covers. Forked, it is what
// block-level copy-on-write storage (btrfs, ZFS, devicemapper) does: the
// first write to a shared page copies that page, not the file.
type blockFile struct {
	disk *pagearena.Arena
	n    int64 // bytes in use
}

func newBlockFile(data []byte) *blockFile {
	disk, err := pagearena.New(blockRoom)
	if err != nil {
		panic(err) // a constant size: New cannot fail
	}
	b := &blockFile{disk: disk}
	if _, err := b.append(data); err != nil {
		panic(err)
	}
	return b
}

// append writes data at the end of b, in place where b's pages are its own.
func (b *blockFile) append(data []byte) (int, error) {
	n, err := b.disk.WriteAt(data, b.n)
	b.n += int64(n)
	return n, err
}

// fork returns a file that shares every page with b: O(1).
func (b *blockFile) fork() *blockFile { return &blockFile{disk: b.disk.Fork(), n: b.n} }

// bytes returns the memory b's pool holds: its frames, at a page each.
func (b *blockFile) bytes() int64 {
	return b.disk.Stats().Frames * int64(b.disk.PageSize())
}

// A volume is storage kept outside the image, mounted into one container
// at mount (`docker run -v name:/mount`). Its files belong to no image and
// to no other container, so a write never copies anything up: the remedy
// for files a container rewrites, such as a database.
type volume struct {
	name, mount string
	files       map[string]*blockFile
}

func newVolume(name, mount string) *volume {
	return &volume{name: name, mount: mount, files: make(map[string]*blockFile)}
}

func (v *volume) create(path string, data []byte) error {
	if _, ok := v.files[path]; ok {
		return &fs.PathError{Op: "create", Path: path, Err: fs.ErrExist}
	}
	v.files[path] = newBlockFile(data)
	return nil
}

// appendFile appends to a volume file. The volume is private: it copies
// nothing up, so it returns 0 bytes copied.
func (v *volume) appendFile(path string, data []byte) (copied int64, err error) {
	b, ok := v.files[path]
	if !ok {
		return 0, &fs.PathError{Op: "append", Path: path, Err: fs.ErrNotExist}
	}
	_, err = b.append(data)
	return 0, err
}

func (v *volume) read(path string) (string, error) {
	b, ok := v.files[path]
	if !ok {
		return "", &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
	}
	var s strings.Builder
	s.Grow(int(b.n))
	_, err := io.Copy(&s, io.NewSectionReader(b.disk, 0, b.n))
	return s.String(), err
}

func (v *volume) remove(path string) error {
	b, ok := v.files[path]
	if !ok {
		return &fs.PathError{Op: "remove", Path: path, Err: fs.ErrNotExist}
	}
	b.disk.Release()
	delete(v.files, path)
	return nil
}

// bytes returns the memory the volume's files hold.
func (v *volume) bytes() int64 {
	var n int64
	for _, b := range v.files {
		n += b.bytes()
	}
	return n
}
