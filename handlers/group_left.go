package handlers

import (
	"context"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// GroupLeft takes the caller out of a group. Error 335 has only its '*'
// row: a room_id that names no group is 335 alone.
func (h *Handlers) GroupLeft(ctx context.Context, s wire.Session, req *pb.GroupLeft) (*pb.GroupLeftResponse, error) {
	rf := errs.GroupLeftRefusals
	c, err := h.leave(ctx, s, req.RoomId, groupRooms, dispatch.ActionGroupLeft, rf)
	if err != nil {
		return nil, err
	}
	resp := &pb.GroupLeftResponse{RoomId: req.RoomId, MemberId: s.UserID()}
	h.announce(s, groupRooms, dispatch.PushGroupLeft(resp), req.RoomId, c, s.UserID())
	return resp, nil
}

// leave is GroupLeft and ChannelLeft: one transaction that takes the caller
// out of the room.
func (h *Handlers) leave(ctx context.Context, s wire.Session, roomID uint64, k ranked, action uint16, rf errs.Refusals) (change, error) {
	var c change
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		_, m, err := permitted(tx, storage.RoomID(roomID), k, userOf(s), action, rf)
		if err != nil {
			return err
		}
		c, err = h.depart(tx, m)
		return err
	})
	return c, err
}
