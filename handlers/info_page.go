package handlers

import (
	"context"
	"errors"
	"fmt"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// InfoPage serves a static page that the operator set with tools/infopage.
// An unknown id is the request's fault (502/1); a storage failure becomes
// 503 through dispatch.
func (h *Handlers) InfoPage(ctx context.Context, s wire.Session, req *pb.InfoPage) (*pb.InfoPageResponse, error) {
	var page storage.InfoPage
	err := h.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		page, err = tx.InfoPage(req.Id)
		return err
	})
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil, errs.NewInfoPageBadPayload(errs.InfoPageBadPayloadInvalidId)
	case err != nil:
		return nil, fmt.Errorf("info page: %w", err)
	}
	return &pb.InfoPageResponse{Body: page.Body}, nil
}
