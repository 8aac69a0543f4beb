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

// UserReport stores a report for the operator (tools/reports lists and
// resolves them). A user the caller has an open report of is 10167, a user
// who does not exist 10165/1, the caller themself 10168.
func (h *Handlers) UserReport(ctx context.Context, s wire.Session, req *pb.UserReport) (*pb.UserReportResponse, error) {
	me, them := userOf(s), storage.UserID(req.UserId)
	if me == them {
		return nil, errs.UserReportRefusals.Forbidden()
	}
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		// A sign-up never verified is no user to others (as in ChatGetRoom).
		u, err := tx.UserByID(them)
		if errors.Is(err, storage.ErrNotFound) || err == nil && !u.Verified {
			return errs.UserReportRefusals.BadUser()
		}
		if err != nil {
			return err
		}
		err = tx.AddReport(me, them, int32(req.Reason), req.Description, h.unix())
		switch {
		case errors.Is(err, storage.ErrDuplicate):
			return errs.NewUserReportReportedBefore()
		case errors.Is(err, storage.ErrNotFound):
			return errs.UserReportRefusals.BadUser()
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return &pb.UserReportResponse{}, nil
}
