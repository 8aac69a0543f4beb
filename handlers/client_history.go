package handlers

import (
	"context"
	"errors"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/generated/validate"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// ClientGetRoomHistory pages through the messages of a room the caller is
// in, as the caller sees it (from its start, after its clear point, without
// deleted messages), oldest first within a page:
//   - UP: the messages before first_message_id; 0 starts at the newest;
//   - DOWN: the messages after first_message_id; 0 starts at the oldest.
//
// first_message_id itself is never included, so the next page starts at a
// page's first (UP) or last (DOWN) message. limit 0 is the spec's page,
// more than its max_page is max_page. An empty page is 617.
func (h *Handlers) ClientGetRoomHistory(ctx context.Context, s wire.Session, req *pb.ClientGetRoomHistory) (*pb.ClientGetRoomHistoryResponse, error) {
	resp := &pb.ClientGetRoomHistoryResponse{}
	err := h.db.Read(ctx, func(tx *storage.Tx) error {
		_, m, err := memberOf(tx, storage.RoomID(req.RoomId), userOf(s))
		if errors.Is(err, errNoRoom) || errors.Is(err, storage.ErrNotFound) {
			return errs.NewClientGetRoomHistoryBadPayload(errs.ClientGetRoomHistoryBadPayloadInvalidRoomId)
		}
		if err != nil {
			return err
		}
		from := storage.MessageID(req.FirstMessageId)
		if from != 0 {
			if _, err := tx.MessageInRoom(m.RoomID, from); errors.Is(err, storage.ErrNotFound) {
				return errs.NewClientGetRoomHistoryBadPayload(errs.ClientGetRoomHistoryBadPayloadInvalidFirstMessageId)
			} else if err != nil {
				return err
			}
		}
		var ms []storage.Message
		limit := pageLimit(req.Limit, validate.ClientGetRoomHistoryPage, validate.ClientGetRoomHistoryMaxPage)
		switch {
		case req.Direction == pb.ClientGetRoomHistory_DOWN:
			ms, err = tx.HistoryAfter(m, from, limit)
		case from == 0:
			ms, err = tx.HistoryBefore(m, maxMessageID, limit)
		default:
			ms, err = tx.HistoryBefore(m, from, limit)
		}
		if err != nil {
			return err
		}
		if len(ms) == 0 {
			return errs.NewClientGetRoomHistoryNotFound()
		}
		resp.Message, err = h.roomMessages(tx, ms)
		return err
	})
	return resp, err
}

// maxMessageID is above every message id: "before it" means "from the newest".
const maxMessageID = 1<<63 - 1
