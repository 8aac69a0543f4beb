// Package files keeps uploaded content on disk and learns what it can about
// it (image size, thumbnails, duration).
//
// Layout under the directory:
//
//	partial/<token>     an upload in progress, written chunk by chunk
//	ab/<hex>            complete content, named by its SHA-256 (first byte as a fan-out directory)
//	ab/<hex>.small      thumbnails of that content (JPEG)
//	ab/<hex>.large
//	tmp/                files being written before they are renamed into place
//
// Everything that counts as complete appears by rename after fsync, so a
// crash leaves either the whole file or none of it; the database records
// content only after it is in place.
package files

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Thumbnail kinds, as file suffixes.
const (
	Small = "small"
	Large = "large"
)

// Store is content on disk under one directory.
type Store struct{ dir string }

// Open creates the directory and its partial and tmp subdirectories.
func Open(dir string) (*Store, error) {
	for _, d := range []string{dir, filepath.Join(dir, "partial"), filepath.Join(dir, "tmp")} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, fmt.Errorf("files: %w", err)
		}
	}
	return &Store{dir: dir}, nil
}

// partialPath is where the upload with that token collects its bytes. Tokens
// are never reused, so a partial file left by a crash cannot leak into
// another upload.
func (s *Store) partialPath(token string) (string, error) {
	if token == "" || len(token) > 128 {
		return "", fmt.Errorf("files: bad upload token %q", token)
	}
	for _, c := range []byte(token) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
			return "", fmt.Errorf("files: bad upload token %q", token)
		}
	}
	return filepath.Join(s.dir, "partial", token), nil
}

// ContentPath is where the content with that SHA-256 lives; with a kind
// (Small, Large), where its thumbnail lives.
func (s *Store) ContentPath(hash []byte, kind string) string {
	h := hex.EncodeToString(hash)
	p := filepath.Join(s.dir, h[:2], h)
	if kind != "" {
		p += "." + kind
	}
	return p
}

// WriteChunk writes b at off in the upload's partial file without syncing
// it. A partial upload needs no per-chunk sync: the bytes survive a crash of
// the process (they are in the page cache), a power loss can only shorten the
// file or leave garbage in it, and neither counts: resume checks the file's
// real size (PartialSize) and the final SHA-256 check runs before Promote,
// which syncs the content before it is renamed into place.
func (s *Store) WriteChunk(token string, off int64, b []byte) error {
	p, err := s.partialPath(token)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o640)
	if err != nil {
		return fmt.Errorf("files: %w", err)
	}
	_, werr := f.WriteAt(b, off)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("files: write chunk: %w", werr)
	}
	return nil
}

// ReadPartial reads up to n bytes at off of an upload's partial file.
func (s *Store) ReadPartial(token string, off int64, n int) ([]byte, error) {
	p, err := s.partialPath(token)
	if err != nil {
		return nil, err
	}
	return readAt(p, off, n)
}

// PartialSize is how many bytes an upload's partial file holds (up to its
// last written byte); 0 if there is none.
func (s *Store) PartialSize(token string) (int64, error) {
	p, err := s.partialPath(token)
	if err != nil {
		return 0, err
	}
	return fileSize(p)
}

// Intact reports whether the content with that hash is in place with its
// size. Missing or cut short (a disk fault, a hand-made change) is not; a
// same-sized change goes unseen here, as reading every byte again costs too
// much for a check that runs on every processing and repeated upload.
func (s *Store) Intact(hash []byte, size int64) (bool, error) {
	n, err := fileSize(s.ContentPath(hash, ""))
	return n == size, err
}

// HasContent reports whether the content with that hash is in place.
func (s *Store) HasContent(hash []byte) (bool, error) {
	n, err := fileSize(s.ContentPath(hash, ""))
	return n > 0, err
}

func fileSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("files: %w", err)
	}
	return fi.Size(), nil
}

// Promote moves a complete partial file of size bytes into place as the
// content with that hash, durably. Content already in place under that hash
// is kept and the partial file removed.
func (s *Store) Promote(token string, hash []byte, size int64) error {
	p, err := s.partialPath(token)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("files: promote: %w", err)
	}
	// A partial file never grows past size, but truncating makes sure.
	err = f.Truncate(size)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("files: promote: %w", err)
	}
	dst := s.ContentPath(hash, "")
	// Content in place with its size got there by this rename, so it is
	// kept: the partial file may be a resend after a crash that followed the
	// first rename, holding only the last chunk. Content of another size is
	// damaged and is replaced.
	if fi, err := os.Stat(dst); err == nil && fi.Size() == size {
		return s.RemovePartial(token)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return fmt.Errorf("files: promote: %w", err)
	}
	if err := os.Rename(p, dst); err != nil {
		return fmt.Errorf("files: promote: %w", err)
	}
	return syncDir(filepath.Dir(dst))
}

// RemovePartial deletes an upload's partial file; a missing one is fine.
func (s *Store) RemovePartial(token string) error {
	p, err := s.partialPath(token)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("files: %w", err)
	}
	return nil
}

// ReadAt reads up to n bytes at off of content (kind "") or a thumbnail.
func (s *Store) ReadAt(hash []byte, kind string, off int64, n int) ([]byte, error) {
	return readAt(s.ContentPath(hash, kind), off, n)
}

// WriteThumbnail stores a thumbnail of the content atomically.
func (s *Store) WriteThumbnail(hash []byte, kind string, data []byte) error {
	dst := s.ContentPath(hash, kind)
	tmp, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "thumb-*")
	if err != nil {
		return fmt.Errorf("files: %w", err)
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("files: write thumbnail: %w", err)
	}
	return syncDir(filepath.Dir(dst))
}

func readAt(path string, off int64, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("files: %w", err)
	}
	defer f.Close()
	b := make([]byte, n)
	m, err := f.ReadAt(b, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("files: read: %w", err)
	}
	return b[:m], nil
}

// syncDir makes a rename into dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("files: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("files: sync %s: %w", dir, err)
	}
	return nil
}
