package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/gapd/gapd/generator/emit"
)

// Write replaces dir with files: it writes into a fresh sibling directory and
// swaps it in, so a failure never leaves a half-generated tree.
func Write(dir string, files emit.Files) error {
	tmp := dir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	for _, p := range files.Paths() {
		full := filepath.Join(tmp, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, files[p], 0o644); err != nil {
			return err
		}
	}
	old := dir + ".old"
	if err := os.RemoveAll(old); err != nil {
		return err
	}
	if err := os.Rename(dir, old); err != nil && !os.IsNotExist(err) {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return err
	}
	return os.RemoveAll(old)
}

// Compare lists the differences between dir and files: missing, changed and
// extra files.
func Compare(dir string, files emit.Files) ([]string, error) {
	var diffs []string
	seen := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && p == dir {
				return nil
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		seen[rel] = true
		want, ok := files[rel]
		if !ok {
			diffs = append(diffs, "extra: "+rel)
			return nil
		}
		got, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			diffs = append(diffs, "changed: "+rel)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("compare %s: %w", dir, err)
	}
	for _, p := range files.Paths() {
		if !seen[p] {
			diffs = append(diffs, "missing: "+p)
		}
	}
	sort.Strings(diffs)
	return diffs, nil
}
