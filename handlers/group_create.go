package handlers

import (
	"context"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// GroupCreate creates a group with the caller as its owner and only member.
// Joining by invite link is not implemented, so invite_link is empty.
func (h *Handlers) GroupCreate(ctx context.Context, s wire.Session, req *pb.GroupCreate) (*pb.GroupCreateResponse, error) {
	var (
		r storage.Room
		c change
	)
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		var err error
		r, c, err = h.createRanked(tx, groupRooms, userOf(s), req.Name, req.Description)
		return err
	})
	if err != nil {
		return nil, err
	}
	resp := &pb.GroupCreateResponse{RoomId: uint64(r.ID)}
	h.announce(s, groupRooms, dispatch.PushGroupCreate(resp), uint64(r.ID), c)
	return resp, nil
}
