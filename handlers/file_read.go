package handlers

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/gapd/gapd/files"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// How long a client polling FileUploadStatus should wait before asking
// again: processing an image takes a fraction of a second; an upload in
// progress elsewhere moves at the pace of its chunks.
const (
	recheckProcessingMs = 500
	recheckUploadingMs  = 1000
)

// FileUploadStatus reports an upload's stage to those who may read it.
func (h *Handlers) FileUploadStatus(ctx context.Context, s wire.Session, req *pb.FileUploadStatus) (*pb.FileUploadStatusResponse, error) {
	f, err := h.readableFile(ctx, s, req.Token)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, errs.NewFileUploadStatusNotFound()
	}
	if err != nil {
		return nil, err
	}
	switch {
	case f.CorruptedNow():
		// No recheck: the client must start the upload again.
		return &pb.FileUploadStatusResponse{Status: pb.FileUploadStatusResponse_CORRUPTED}, nil
	case f.Uploading():
		return &pb.FileUploadStatusResponse{Status: pb.FileUploadStatusResponse_UPLOADING,
			Progress: progress(f.Received, f.Size), RecheckDelayMs: recheckUploadingMs}, nil
	case f.Content.State == storage.ContentProcessing:
		return &pb.FileUploadStatusResponse{Status: pb.FileUploadStatusResponse_PROCESSING,
			Progress: 100, RecheckDelayMs: recheckProcessingMs}, nil
	}
	return &pb.FileUploadStatusResponse{Status: pb.FileUploadStatusResponse_PROCESSED, Progress: 100}, nil
}

// FileInfo describes a file to those who may read it.
func (h *Handlers) FileInfo(ctx context.Context, s wire.Session, req *pb.FileInfo) (*pb.FileInfoResponse, error) {
	f, err := h.readableFile(ctx, s, req.Token)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, errs.NewFileInfoNotFound()
	}
	if err != nil {
		return nil, err
	}
	return &pb.FileInfoResponse{File: fileMessage(f)}, nil
}

// FileDownload returns up to max_limit bytes at offset of a completed file
// or of one of its thumbnails. A file still uploading, and a thumbnail that
// does not exist (not an image, not processed yet, waveforms never), are
// not found.
func (h *Handlers) FileDownload(ctx context.Context, s wire.Session, req *pb.FileDownload) (*pb.FileDownloadResponse, error) {
	if req.MaxLimit > h.files.MaxDownload {
		return nil, errs.NewFileDownloadBadPayload(errs.FileDownloadBadPayloadInvalidMaxLimit).
			WithMessage("max_limit %d: at most %d", req.MaxLimit, h.files.MaxDownload)
	}
	store, err := h.fileStore()
	if err != nil {
		return nil, err
	}
	f, err := h.readableFile(ctx, s, req.Token)
	if errors.Is(err, storage.ErrNotFound) || err == nil && (f.Uploading() || f.CorruptedNow()) {
		return nil, errs.NewFileDownloadNotFound()
	}
	if err != nil {
		return nil, err
	}
	kind, size := "", f.Content.Size
	switch req.Selector {
	case pb.FileDownload_SMALL_THUMBNAIL:
		kind, size = files.Small, f.Content.SmallSize
	case pb.FileDownload_LARGE_THUMBNAIL:
		kind, size = files.Large, f.Content.LargeSize
	case pb.FileDownload_WAVEFORM_THUMBNAIL:
		size = 0
	}
	if size == 0 {
		return nil, errs.NewFileDownloadNotFound()
	}
	if req.Offset >= size {
		return nil, errs.NewFileDownloadBadPayload(errs.FileDownloadBadPayloadOffsetOutOfRange).
			WithMessage("offset %d: the %s has %d bytes", req.Offset, req.Selector, size)
	}
	want := int(min(int64(req.MaxLimit), size-req.Offset))
	b, err := store.ReadAt(f.Content.Hash, kind, req.Offset, want)
	if kind == "" && (errors.Is(err, fs.ErrNotExist) || err == nil && len(b) < want) {
		return nil, h.contentLost(ctx, store, f.Content)
	}
	if err != nil {
		return nil, fmt.Errorf("file download %d: %w", f.ID, err)
	}
	return &pb.FileDownloadResponse{Bytes: b}, nil
}

// contentLost handles content whose bytes a read found missing or cut
// short: it is marked CORRUPTED, so that FileUploadStatus tells the client
// to upload it again, and the download finds nothing.
func (h *Handlers) contentLost(ctx context.Context, store *files.Store, c storage.Content) error {
	if ok, err := store.Intact(c.Hash, c.Size); err != nil || ok {
		// Not lost after all (replaced in between): a passing failure.
		return fmt.Errorf("file download: content %d read short: %v", c.ID, err)
	}
	h.log.Warn("content damaged on disk", "content", c.ID)
	err := h.db.Write(ctx, func(tx *storage.Tx) error { return tx.SetCorrupted(c.ID) })
	if err != nil {
		return fmt.Errorf("file download: mark content %d corrupted: %w", c.ID, err)
	}
	return errs.NewFileDownloadNotFound()
}

// readableFile is the upload named by token if the session's user may read
// it, storage.ErrNotFound otherwise.
func (h *Handlers) readableFile(ctx context.Context, s wire.Session, token string) (storage.File, error) {
	var f storage.File
	err := h.db.Read(ctx, func(tx *storage.Tx) (err error) {
		f, err = tx.ReadableFile(token, userOf(s))
		return err
	})
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return f, fmt.Errorf("read file: %w", err)
	}
	return f, err
}
