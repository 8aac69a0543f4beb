package handlers

import (
	"context"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// GroupKickMember removes a member ranked below the caller. The kicked user
// is told, and from then on neither receives nor sends in the group.
func (h *Handlers) GroupKickMember(ctx context.Context, s wire.Session, req *pb.GroupKickMember) (*pb.GroupKickMemberResponse, error) {
	rf := errs.GroupKickMemberRefusals
	var c change
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		_, m, err := permitted(tx, storage.RoomID(req.RoomId), groupRooms, userOf(s), dispatch.ActionGroupKickMember, rf)
		if err != nil {
			return err
		}
		t, err := targetOf(tx, m, storage.UserID(req.MemberId), dispatch.ActionGroupKickMember, rf.BadUser, rf.Forbidden)
		if err != nil {
			return err
		}
		c, err = h.kick(tx, m, t)
		return err
	})
	if err != nil {
		return nil, err
	}
	resp := &pb.GroupKickMemberResponse{RoomId: req.RoomId, MemberId: req.MemberId}
	h.announce(s, groupRooms, dispatch.PushGroupKickMember(resp), req.RoomId, c, req.MemberId)
	return resp, nil
}
