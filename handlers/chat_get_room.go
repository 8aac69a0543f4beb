package handlers

import (
	"context"
	"errors"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// ChatGetRoom returns the chat room of the caller and a peer, creating it on
// first use: whichever of the two asks, it is the same room. Asking puts the
// room in the caller's list only; the peer's list gets it with the first
// message (storage.CreateChatRoom).
func (h *Handlers) ChatGetRoom(ctx context.Context, s wire.Session, req *pb.ChatGetRoom) (*pb.ChatGetRoomResponse, error) {
	me := userOf(s)
	if req.PeerId == s.UserID() {
		// A chat needs two people; there is no chat with oneself.
		return nil, errs.NewChatGetRoomBadPayload(errs.ChatGetRoomBadPayloadInvalidPeerId)
	}
	var room *pb.Room
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		peer, err := tx.UserByID(storage.UserID(req.PeerId))
		if errors.Is(err, storage.ErrNotFound) || (err == nil && (!peer.Verified || peer.Blocked || peer.Deleted())) {
			return errs.NewChatGetRoomPeerNotFound()
		}
		if err != nil {
			return err
		}
		r, err := tx.ChatRoom(me, peer.ID)
		if errors.Is(err, storage.ErrNotFound) {
			r, err = tx.CreateChatRoom(me, peer.ID, h.unix())
		}
		if err != nil {
			return err
		}
		m, err := tx.Member(r.ID, me)
		if err != nil {
			return err
		}
		if m.Hidden && r.LastMessageID == 0 {
			// The peer opened it first; now the caller asks for it too. (A
			// chat the caller deleted keeps out of its list until a message.)
			if err := tx.ShowRoom(r.ID, me); err != nil {
				return err
			}
			m.Hidden = false
		}
		room, err = h.room(tx, r, m)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &pb.ChatGetRoomResponse{Room: room}, nil
}
