package handlers

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/gapd/gapd/files"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// FileUploadOption tells the client how many edge bytes to send for a file
// of that size. Validation has refused sizes below 1.
func (h *Handlers) FileUploadOption(_ context.Context, _ wire.Session, req *pb.FileUploadOption) (*pb.FileUploadOptionResponse, error) {
	if req.Size > h.files.MaxSize {
		return nil, errs.NewFileUploadOptionBadPayload(errs.FileUploadOptionBadPayloadInvalidSize)
	}
	n := int32(h.files.edgeLen(req.Size))
	return &pb.FileUploadOptionResponse{FirstBytesLimit: n, LastBytesLimit: n, MaxConnection: h.files.MaxConnections}, nil
}

// FileUploadInit starts, resumes or at once completes an upload: content
// the caller already holds (a finished upload of it) under that hash, size
// and edge bytes completes without being sent; the caller's unfinished
// upload of it resumes where it stopped; anything else starts from offset 0,
// within the caller's storage quota. Content only another user holds is
// uploaded like new content (and still stored once): completing at once
// would tell the caller that someone has that file.
func (h *Handlers) FileUploadInit(ctx context.Context, s wire.Session, req *pb.FileUploadInit) (*pb.FileUploadInitResponse, error) {
	if req.Size > h.files.MaxSize {
		return nil, errs.NewFileUploadInitBadPayload(errs.FileUploadInitBadPayloadInvalidSize)
	}
	// Exactly the announced number: fewer edge bytes would make the
	// proof of holding a known file weaker.
	n := h.files.edgeLen(req.Size)
	if len(req.FirstBytes) != n {
		return nil, errs.NewFileUploadInitBadPayload(errs.FileUploadInitBadPayloadInvalidFirstBytes)
	}
	if len(req.LastBytes) != n {
		return nil, errs.NewFileUploadInitBadPayload(errs.FileUploadInitBadPayloadInvalidLastBytes)
	}
	store, err := h.fileStore()
	if err != nil {
		return nil, err
	}
	var resp *pb.FileUploadInitResponse
	var dropped []storage.File
	err = h.db.Write(ctx, func(tx *storage.Tx) (err error) {
		resp, dropped, err = h.initUpload(tx, store, userOf(s), req)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("file upload init: %w", err)
	}
	// Their rows are gone, so their tokens no longer reach these files.
	for _, f := range dropped {
		if err := store.RemovePartial(f.Token); err != nil {
			h.log.Warn("remove abandoned upload", "token", f.Token, "err", err)
		}
	}
	return resp, nil
}

// initUpload decides, in one transaction, how an upload goes on; dropped
// are the caller's abandoned uploads it forgot to make room.
func (h *Handlers) initUpload(tx *storage.Tx, store *files.Store, user storage.UserID, req *pb.FileUploadInit) (*pb.FileUploadInitResponse, []storage.File, error) {
	now := h.unix()
	done, err := h.heldUpload(tx, store, user, req, now)
	if done != nil || err != nil {
		return done, nil, err
	}
	f, err := tx.PartialUpload(user, req.FileHash, req.Size)
	if err == nil {
		return h.uploadAt(f.Token, f.Size, f.Received), nil, nil
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return nil, nil, err
	}
	used, has, err := tx.UserStorage(user, req.FileHash, req.Size)
	if err != nil {
		return nil, nil, err
	}
	if !has && used+req.Size > h.files.MaxUserStorage {
		// No FORBIDDEN error belongs to FileUploadInit in the catalogue
		// (seed or later releases); the size is what this user may not
		// upload, as with -max-file-size.
		return nil, nil, errs.NewFileUploadInitBadPayload(errs.FileUploadInitBadPayloadInvalidSize).
			WithMessage("size %d: the user's files take %d of %d bytes", req.Size, used, h.files.MaxUserStorage)
	}
	dropped, err := tx.ExtraPartialUploads(user, h.files.MaxPartialUploads-1)
	if err != nil {
		return nil, nil, err
	}
	for _, d := range dropped {
		if err := tx.DeleteUpload(d.ID); err != nil {
			return nil, nil, err
		}
	}
	token, err := newFileToken()
	if err != nil {
		return nil, nil, err
	}
	f, err = tx.CreateUpload(storage.NewUpload{Token: token, UserID: user, Name: req.FileName, Size: req.Size,
		Hash: req.FileHash, FirstBytes: req.FirstBytes, LastBytes: req.LastBytes, Now: now})
	if err != nil {
		return nil, nil, err
	}
	return h.uploadAt(f.Token, f.Size, 0), dropped, nil
}

// heldUpload completes the upload at once if the caller already holds the
// content with that hash, size and edge bytes, and returns nil otherwise.
// Content found missing or damaged on disk is marked CORRUPTED, and the
// caller uploads it again.
func (h *Handlers) heldUpload(tx *storage.Tx, store *files.Store, user storage.UserID, req *pb.FileUploadInit, now int64) (*pb.FileUploadInitResponse, error) {
	c, err := tx.ContentByHash(req.FileHash)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil || c.Size != req.Size || c.State == storage.ContentCorrupted {
		return nil, err
	}
	if held, err := tx.HoldsContent(user, c.ID); err != nil || !held {
		return nil, err
	}
	if ok, err := store.Intact(c.Hash, c.Size); err != nil || !ok {
		if err == nil {
			h.log.Warn("content damaged on disk", "content", c.ID)
			err = tx.SetCorrupted(c.ID)
		}
		return nil, err
	}
	same, err := sameEdges(store, c, req.FirstBytes, req.LastBytes)
	if err != nil || !same {
		return nil, err
	}
	f, err := h.completedUpload(tx, user, c, req, now)
	if err != nil {
		return nil, err
	}
	return &pb.FileUploadInitResponse{Token: f.Token, Progress: 100, Offset: f.Size}, nil
}

// completedUpload is the caller's upload of known content under that name:
// the one made before if any, so repeating an upload returns one token.
func (h *Handlers) completedUpload(tx *storage.Tx, user storage.UserID, c storage.Content, req *pb.FileUploadInit, now int64) (storage.File, error) {
	f, err := tx.FinishedUpload(user, c.ID, req.FileName)
	if !errors.Is(err, storage.ErrNotFound) {
		return f, err
	}
	token, err := newFileToken()
	if err != nil {
		return f, err
	}
	return tx.CreateUpload(storage.NewUpload{Token: token, UserID: user, Name: req.FileName, Size: req.Size,
		Hash: req.FileHash, FirstBytes: req.FirstBytes, LastBytes: req.LastBytes, ContentID: c.ID, Now: now})
}

// uploadAt is the answer that asks for the chunk at offset.
func (h *Handlers) uploadAt(token string, size, offset int64) *pb.FileUploadInitResponse {
	return &pb.FileUploadInitResponse{Token: token, Progress: progress(offset, size),
		Offset: offset, Limit: h.files.chunkLimit(size, offset)}
}

// sameEdges compares stored content's first and last bytes with what the
// client sent (both the length FileUploadOption named).
func sameEdges(store *files.Store, c storage.Content, first, last []byte) (bool, error) {
	head, err := store.ReadAt(c.Hash, "", 0, len(first))
	if err != nil {
		return false, err
	}
	tail, err := store.ReadAt(c.Hash, "", c.Size-int64(len(last)), len(last))
	if err != nil {
		return false, err
	}
	return bytes.Equal(head, first) && bytes.Equal(tail, last), nil
}

// progress is the share of size received, in percent.
func progress(received, size int64) float64 {
	if size <= 0 {
		return 0
	}
	return float64(received) * 100 / float64(size)
}

// newFileToken is 128 random bits in hex: unguessable, since holding a
// token is half of what reading a file takes, and safe as a file name.
func newFileToken() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("draw file token: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
