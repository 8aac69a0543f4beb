package handlers

import (
	"context"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// ChannelCreate creates a channel with the caller as its owner, the one who
// may post until admins are added. invite_link is empty: joining by link is
// not implemented.
func (h *Handlers) ChannelCreate(ctx context.Context, s wire.Session, req *pb.ChannelCreate) (*pb.ChannelCreateResponse, error) {
	var (
		r storage.Room
		c change
	)
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		var err error
		r, c, err = h.createRanked(tx, channelRooms, userOf(s), req.Name, req.Description)
		return err
	})
	if err != nil {
		return nil, err
	}
	resp := &pb.ChannelCreateResponse{RoomId: uint64(r.ID)}
	h.announce(s, channelRooms, dispatch.PushChannelCreate(resp), uint64(r.ID), c)
	return resp, nil
}
