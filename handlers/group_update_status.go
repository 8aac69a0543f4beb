package handlers

import (
	"context"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// GroupUpdateStatus records that a member received (DELIVERED) or read
// (SEEN) another member's message. As in chats, statuses only move forward
// and only a change is pushed, to the author and the caller's other sessions.
func (h *Handlers) GroupUpdateStatus(ctx context.Context, s wire.Session, req *pb.GroupUpdateStatus) (*pb.GroupUpdateStatusResponse, error) {
	if req.Status != pb.RoomMessageStatus_DELIVERED && req.Status != pb.RoomMessageStatus_SEEN {
		return nil, errs.NewGroupUpdateStatusBadPayload(errs.GroupUpdateStatusBadPayloadInvalidMessageStatus)
	}
	rf := refusals{
		badRoom: func() *wire.Error {
			return errs.NewGroupUpdateStatusBadPayload(errs.GroupUpdateStatusBadPayloadInvalidRoomId)
		},
		forbidden: errs.NewGroupUpdateStatusForbidden,
		badMessage: func() *wire.Error {
			return errs.NewGroupUpdateStatusBadPayload(errs.GroupUpdateStatusBadPayloadInvalidMessageId)
		},
	}
	var (
		msg     storage.Message
		changed bool
	)
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		_, m, err := permitted(tx, req.RoomId, groupRooms, s.UserID(), dispatch.ActionGroupUpdateStatus, rf)
		if err != nil {
			return err
		}
		if msg, err = visible(tx, m, req.MessageId, rf); err != nil {
			return err
		}
		if msg.AuthorID == m.UserID {
			// The status is the readers' to report.
			return errs.NewGroupUpdateStatusForbidden()
		}
		msg, changed, err = tx.RaiseStatus(msg, m.UserID, int32(req.Status))
		return err
	})
	if err != nil {
		return nil, err
	}
	resp := &pb.GroupUpdateStatusResponse{
		RoomId:            req.RoomId,
		MessageId:         req.MessageId,
		Status:            pb.RoomMessageStatus(msg.Status),
		StatusVersion:     uint64(msg.StatusVersion),
		UpdaterAuthorHash: authorHash(int64(s.UserID())),
	}
	if changed {
		h.pushTo(s, dispatch.ActionGroupUpdateStatus+wire.ResponseOffset, resp, uint64(msg.AuthorID), s.UserID())
	}
	return resp, nil
}
