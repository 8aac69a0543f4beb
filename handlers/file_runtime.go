package handlers

import (
	"errors"

	"github.com/gapd/gapd/files"
)

// The file actions keep no state in the process: an upload's progress is
// in the database and its bytes in the files directory, both shared by
// every node, and the claim that keeps one upload's chunks in order is in
// the database too (FileUpload).

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
