package handlers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding"
	"errors"
	"fmt"
	"hash"
	"time"

	"github.com/gapd/gapd/files"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// FileUpload writes one chunk at the offset the server named. Bytes are
// written (not synced) before the database counts them: a crash of the
// process keeps them, and after a power loss partialIntact trusts only the
// partial file's real size, while the hash check below catches bytes the
// disk lost inside it. The last chunk checks the hash, syncs the content and
// moves it into place (Promote) before it is recorded, then queues its
// processing.
//
// The part file is in the files directory every node shares, and the
// upload's state (offset, hash state) in the database, so the next chunk
// may come to any node. A chunk is written under a claim in the database
// (storage.ClaimChunk), so two requests, on one node or two, never write
// one upload's part at once: the second is refused as at an unexpected
// offset, and its client asks FileUploadInit where to go on.
func (h *Handlers) FileUpload(ctx context.Context, s wire.Session, req *pb.FileUpload) (_ *pb.FileUploadResponse, err error) {
	store, err := h.fileStore()
	if err != nil {
		return nil, err
	}
	writer, err := newFileToken()
	if err != nil {
		return nil, err
	}
	var f storage.File
	err = h.db.Write(ctx, func(tx *storage.Tx) (err error) {
		if f, err = tx.FileByToken(req.Token); err != nil {
			return err
		}
		if f.UserID != userOf(s) {
			return errs.NewFileUploadForbidden()
		}
		if err := h.checkChunk(f, req); err != nil {
			return err
		}
		now := h.now()
		err = tx.ClaimChunk(f.ID, f.Received, writer, now.UnixMilli(), now.Add(chunkLease).UnixMilli())
		if errors.Is(err, storage.ErrNotFound) {
			return errs.NewFileUploadBadPayload(errs.FileUploadBadPayloadUnexpectedOffset).
				WithMessage("offset %d: another request is writing the chunk there", req.Offset)
		}
		return err
	})
	if errors.Is(err, storage.ErrNotFound) {
		return nil, errs.NewFileUploadBadPayload(errs.FileUploadBadPayloadInvalidToken)
	}
	if err != nil {
		return nil, fmt.Errorf("file upload: %w", err)
	}
	defer func() {
		if err != nil {
			h.releaseChunk(ctx, f, writer)
		}
	}()
	sum, err := resumeHash(f.HashState)
	if err != nil {
		return nil, fmt.Errorf("file upload %d: %w", f.ID, err)
	}
	sum.Write(req.Bytes)
	if err := h.partialIntact(ctx, store, f); err != nil {
		return nil, err
	}
	if err := store.WriteChunk(f.Token, req.Offset, req.Bytes); err != nil {
		return nil, err
	}
	to := req.Offset + int64(len(req.Bytes))
	if to < f.Size {
		return h.advanceUpload(ctx, f, writer, req.Offset, to, sum)
	}
	return h.finishUpload(ctx, store, f, sum)
}

// chunkLease is how long a claim to write a chunk lasts: longer than a
// request may run (-handler-timeout), so it runs out only when its node
// stopped before it could end it.
const chunkLease = time.Minute

// releaseChunk ends writer's claim on the upload's next chunk after a
// failure, so that a resent chunk need not wait for the lease. It runs
// even if the request's context has ended; if it fails, the lease runs out.
func (h *Handlers) releaseChunk(ctx context.Context, f storage.File, writer string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := h.db.Write(ctx, func(tx *storage.Tx) error { return tx.ReleaseChunk(f.ID, writer) }); err != nil {
		h.log.Warn("release an upload's chunk claim", "upload", f.ID, "err", err)
	}
}

// checkChunk holds a chunk to what the server named: offset 3 past the end
// comes first, since such an offset is never the named one either. An
// upload that failed its hash check takes nothing more.
func (h *Handlers) checkChunk(f storage.File, req *pb.FileUpload) error {
	switch {
	case f.Corrupted:
		return errs.NewFileUploadBadPayload(errs.FileUploadBadPayloadInvalidToken).
			WithMessage("the upload failed its hash check; start again with FileUploadInit")
	case req.Offset >= f.Size:
		return errs.NewFileUploadBadPayload(errs.FileUploadBadPayloadOffsetPastSize)
	case !f.Uploading() || req.Offset != f.Received:
		return errs.NewFileUploadBadPayload(errs.FileUploadBadPayloadUnexpectedOffset).
			WithMessage("offset %d: the upload expects offset %d", req.Offset, f.Received)
	case len(req.Bytes) > int(h.files.chunkLimit(f.Size, f.Received)):
		return errs.NewFileUploadBadPayload(errs.FileUploadBadPayloadInvalidBytes).
			WithMessage("%d bytes: the limit at this offset is %d", len(req.Bytes), h.files.chunkLimit(f.Size, f.Received))
	}
	return nil
}

// partialIntact makes sure the bytes the database counts are on disk. They
// are missing when the partial file was promoted just before a crash (the
// content is then in place, and the upload finishes on it), removed by hand,
// or cut short by a power loss (chunks are not synced one by one); in the
// latter cases the upload is lost and is forgotten, so that FileUploadInit
// starts it again rather than build content with a hole.
func (h *Handlers) partialIntact(ctx context.Context, store *files.Store, f storage.File) error {
	if f.Received == 0 {
		return nil
	}
	n, err := store.PartialSize(f.Token)
	if err != nil || n >= f.Received {
		return err
	}
	if ok, err := store.HasContent(f.Hash); err != nil || ok {
		return err
	}
	h.log.Warn("upload lost its bytes on disk; forgetting it", "upload", f.ID, "have", n, "want", f.Received)
	if err := h.db.Write(ctx, func(tx *storage.Tx) error { return tx.DeleteUpload(f.ID) }); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	return errs.NewFileUploadBadPayload(errs.FileUploadBadPayloadInvalidToken).
		WithMessage("the upload's bytes were lost; start it again with FileUploadInit")
}

// advanceUpload records a chunk that leaves bytes to send.
func (h *Handlers) advanceUpload(ctx context.Context, f storage.File, writer string, from, to int64, sum hash.Hash) (*pb.FileUploadResponse, error) {
	state, err := sum.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return nil, err
	}
	err = h.db.Write(ctx, func(tx *storage.Tx) error { return tx.AdvanceUpload(f.ID, writer, from, to, state, h.unix()) })
	if errors.Is(err, storage.ErrNotFound) {
		// The claim ran out and another request took this offset, or the
		// upload was forgotten meanwhile.
		return nil, errs.NewFileUploadBadPayload(errs.FileUploadBadPayloadUnexpectedOffset)
	}
	if err != nil {
		return nil, fmt.Errorf("file upload %d: %w", f.ID, err)
	}
	return &pb.FileUploadResponse{Progress: progress(to, f.Size), NextOffset: to, NextLimit: h.files.chunkLimit(f.Size, to)}, nil
}

// finishUpload checks the complete upload against its announced hash and
// records its content. A mismatch discards the upload's bytes: they are not
// the file the client described, and no chunk can be told apart as wrong.
// The upload stays, marked corrupted, so that FileUploadStatus answers
// CORRUPTED (on which Android starts the upload again).
func (h *Handlers) finishUpload(ctx context.Context, store *files.Store, f storage.File, sum hash.Hash) (*pb.FileUploadResponse, error) {
	if !bytes.Equal(sum.Sum(nil), f.Hash) {
		err := h.db.Write(ctx, func(tx *storage.Tx) error { return tx.CorruptUpload(f.ID, h.unix()) })
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return nil, fmt.Errorf("file upload %d: discard: %w", f.ID, err)
		}
		if err := store.RemovePartial(f.Token); err != nil {
			h.log.Warn("remove discarded upload", "upload", f.ID, "err", err)
		}
		return nil, errs.NewFileUploadBadPayload(errs.FileUploadBadPayloadInvalidBytes).
			WithMessage("the uploaded content does not match file_hash; the upload is discarded, start again with FileUploadInit")
	}
	// On disk first: a content row always names complete bytes.
	if err := store.Promote(f.Token, f.Hash, f.Size); err != nil {
		return nil, err
	}
	var c storage.Content
	err := h.db.Write(ctx, func(tx *storage.Tx) (err error) {
		now := h.unix()
		if c, err = tx.CreateContent(f.Hash, f.Size, f.UserID, now); err != nil {
			return err
		}
		return tx.FinishUpload(f.ID, c.ID, now)
	})
	if err != nil {
		return nil, fmt.Errorf("file upload %d: finish: %w", f.ID, err)
	}
	if c.State == storage.ContentProcessing {
		if h.processing != nil {
			h.processing.Kick()
		}
	}
	return &pb.FileUploadResponse{Progress: 100, NextOffset: f.Size}, nil
}

// resumeHash is SHA-256 continued from a state saved after earlier chunks.
func resumeHash(state []byte) (hash.Hash, error) {
	sum := sha256.New()
	if len(state) > 0 {
		if err := sum.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
			return nil, fmt.Errorf("hash state: %w", err)
		}
	}
	return sum, nil
}
