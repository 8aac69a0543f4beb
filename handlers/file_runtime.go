package handlers

import (
	"errors"
	"sync"

	"github.com/gapd/gapd/files"
)

// fileRuntime is the state behind the file actions that is not in the
// database: the content store, the locks that keep one upload's chunks in
// order, and the processing workers (file_process.go).
type fileRuntime struct {
	dir      string
	openOnce sync.Once
	store    *files.Store
	openErr  error

	mu      sync.Mutex
	uploads map[string]*uploadLock // by token

	proc processing
}

type uploadLock struct {
	mu   sync.Mutex
	refs int
}

func newFileRuntime(dir string) *fileRuntime {
	return &fileRuntime{dir: dir, uploads: map[string]*uploadLock{}}
}

// fileStore opens the content store on first use (New cannot fail, and
// handlers built without files never touch the disk).
func (h *Handlers) fileStore() (*files.Store, error) {
	rt := h.files.rt
	rt.openOnce.Do(func() {
		if rt.dir == "" {
			rt.openErr = errors.New("files: no directory configured (FileOptions.Dir)")
			return
		}
		rt.store, rt.openErr = files.Open(rt.dir)
	})
	return rt.store, rt.openErr
}

// lockUpload serialises the chunks of one upload: two connections sending
// the same offset at once would otherwise write over each other on disk.
func (rt *fileRuntime) lockUpload(token string) (unlock func()) {
	rt.mu.Lock()
	l := rt.uploads[token]
	if l == nil {
		l = &uploadLock{}
		rt.uploads[token] = l
	}
	l.refs++
	rt.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		rt.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(rt.uploads, token)
		}
		rt.mu.Unlock()
	}
}
