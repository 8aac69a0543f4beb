package handlers

import (
	"context"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// ChatUpdateStatus records that the recipient has received (DELIVERED) or
// read (SEEN) a message. Statuses only move forward, so a late DELIVERED
// after SEEN changes nothing and is answered with the status as it stands;
// SEEN also covers the recipient's earlier messages. Only a change is
// pushed, to the author and the recipient's other sessions.
func (h *Handlers) ChatUpdateStatus(ctx context.Context, s wire.Session, req *pb.ChatUpdateStatus) (*pb.ChatUpdateStatusResponse, error) {
	if req.Status != pb.RoomMessageStatus_DELIVERED && req.Status != pb.RoomMessageStatus_SEEN {
		// SENDING, SENT and FAILED describe the sender's side; a client
		// cannot set them.
		return nil, errs.NewChatUpdateStatusBadPayload(errs.ChatUpdateStatusBadPayloadInvalidStatus)
	}
	rf := refusals{
		badRoom: func() *wire.Error {
			return errs.NewChatUpdateStatusBadPayload(errs.ChatUpdateStatusBadPayloadInvalidRoomId)
		},
		forbidden: errs.NewChatUpdateStatusForbidden,
		badMessage: func() *wire.Error {
			return errs.NewChatUpdateStatusBadPayload(errs.ChatUpdateStatusBadPayloadInvalidMessageId)
		},
	}
	var (
		msg     storage.Message
		changed bool
	)
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		_, m, err := access(tx, req.RoomId, storage.RoomChat, s.UserID(), rf)
		if err != nil {
			return err
		}
		if msg, err = visible(tx, m, req.MessageId, rf); err != nil {
			return err
		}
		if msg.AuthorID == m.UserID {
			// The status is the recipient's to report.
			return errs.NewChatUpdateStatusForbidden()
		}
		msg, changed, err = tx.RaiseStatus(msg, m.UserID, int32(req.Status))
		return err
	})
	if err != nil {
		return nil, err
	}
	resp := &pb.ChatUpdateStatusResponse{
		RoomId:            req.RoomId,
		MessageId:         req.MessageId,
		Status:            pb.RoomMessageStatus(msg.Status),
		StatusVersion:     uint64(msg.StatusVersion),
		UpdaterAuthorHash: authorHash(int64(s.UserID())),
	}
	if changed {
		h.pushTo(s, dispatch.ActionChatUpdateStatus+wire.ResponseOffset, resp, uint64(msg.AuthorID), s.UserID())
	}
	return resp, nil
}
