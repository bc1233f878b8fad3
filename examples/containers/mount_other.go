//go:build !linux

package main

import (
	"fmt"
	"runtime"
)

func mountOverlay(lower, upper, work, merged string) error {
	return fmt.Errorf("overlayfs is Linux's, and this is %s", runtime.GOOS)
}

func unmount(dir string) error { return fmt.Errorf("unmount %s: no mounts on %s", dir, runtime.GOOS) }

func mountsUnder(dir string) ([]string, error) { return nil, nil }

func unmountUnder(dir string) error { return nil }

func isWhiteout(name string) bool { return false }
