package handlers

import (
	"errors"
	"sync"

	"github.com/gapd/gapd/files"
)

// fileRuntime is the state behind the file actions that is not in the
// database: the locks that keep one upload's chunks in order.
type fileRuntime struct {
	mu      sync.Mutex
	uploads map[string]*uploadLock // by token
}

type uploadLock struct {
	mu   sync.Mutex
	refs int
}

func newFileRuntime() *fileRuntime {
	return &fileRuntime{uploads: map[string]*uploadLock{}}
}

// errNoStore is the file actions' failure in handlers built without a
// content store (Deps.Store).
var errNoStore = errors.New("files: no content store (Deps.Store)")

// fileStore is the content store, or errNoStore.
func (h *Handlers) fileStore() (*files.Store, error) {
	if h.store == nil {
		return nil, errNoStore
	}
	return h.store, nil
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
