package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// mountOverlay mounts an overlayfs at merged: lower's files, read-only,
// under upper's, where every write goes; work is the kernel's scratch dir,
// on upper's filesystem.
func mountOverlay(lower, upper, work, merged string) error {
	for _, d := range []string{lower, upper, work} {
		if strings.ContainsAny(d, ",:") {
			return fmt.Errorf("mount overlay: %q: a comma or colon would end the option", d)
		}
	}
	opts := "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work
	err := syscall.Mount("overlay", merged, "overlay", 0, opts)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.EPERM):
		return fmt.Errorf("mount -t overlay: %w (no CAP_SYS_ADMIN: a container without privileges?)", err)
	case errors.Is(err, syscall.ENODEV):
		return fmt.Errorf("mount -t overlay: %w (the kernel has no overlay filesystem)", err)
	case errors.Is(err, syscall.EINVAL):
		return fmt.Errorf("mount -t overlay: %w (is the temp dir on a filesystem overlayfs cannot write to, such as another overlay? set TMPDIR)", err)
	default:
		return fmt.Errorf("mount -t overlay: %w", err)
	}
}

// unmount unmounts the filesystem at dir. If it is busy, it detaches it
// (MNT_DETACH): gone from dir at once, freed when its last user is done.
func unmount(dir string) error {
	err := syscall.Unmount(dir, 0)
	if errors.Is(err, syscall.EBUSY) {
		err = syscall.Unmount(dir, syscall.MNT_DETACH)
	}
	if err != nil {
		return &os.PathError{Op: "unmount", Path: dir, Err: err}
	}
	return nil
}

// mountsUnder returns the mount points at or below dir, deepest first, as
// /proc/self/mountinfo lists them.
func mountsUnder(dir string) ([]string, error) {
	dir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, err
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var points []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw"
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		p := unescapeMountinfo(fields[4])
		if p == dir || strings.HasPrefix(p, dir+"/") {
			points = append(points, p)
		}
	}
	slices.SortFunc(points, func(a, b string) int { return len(b) - len(a) })
	return points, sc.Err()
}

// unescapeMountinfo undoes mountinfo's octal escapes of space, tab,
// newline and backslash ("\040").
func unescapeMountinfo(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// unmountUnder unmounts everything mounted at or below dir.
func unmountUnder(dir string) error {
	points, err := mountsUnder(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range points {
		errs = append(errs, unmount(p))
	}
	return errors.Join(errs...)
}

// isWhiteout reports whether name is an overlayfs whiteout: a character
// device 0:0, which hides the lower dir's file of that name.
func isWhiteout(name string) bool {
	fi, err := os.Lstat(name)
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Rdev == 0
}
