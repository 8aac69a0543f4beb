package handlers

import (
	"context"
	"errors"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// GroupAddMember adds a user as a plain member. start_message_id is the first
// message of the history they see; 0 lets them see only what happens from
// their addition on. The caller cannot open more history than they see.
func (h *Handlers) GroupAddMember(ctx context.Context, s wire.Session, req *pb.GroupAddMember) (*pb.GroupAddMemberResponse, error) {
	rf := errs.GroupAddMemberRefusals
	a := admission{userID: storage.UserID(req.Member.UserId), startID: storage.MessageID(req.Member.StartMessageId), fromLog: req.Member.StartMessageId == 0,
		badUser: rf.BadUser, exists: rf.Exists,
		full:   errs.NewGroupAddMemberForbidden,
		invite: storage.PrivacyGroupInvite, private: errs.NewGroupAddMemberPrivacyProtection}
	var c change
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		_, m, err := permitted(tx, storage.RoomID(req.RoomId), groupRooms, userOf(s), dispatch.ActionGroupAddMember, rf)
		if err != nil {
			return err
		}
		if a.startID != 0 {
			msg, err := tx.MessageInRoom(m.RoomID, a.startID)
			if errors.Is(err, storage.ErrNotFound) || (err == nil && msg.ID < m.StartID) {
				return rf.BadMessage()
			}
			if err != nil {
				return err
			}
		}
		c, err = h.admit(tx, m, a)
		return err
	})
	if err != nil {
		return nil, err
	}
	resp := &pb.GroupAddMemberResponse{RoomId: req.RoomId, UserId: req.Member.UserId, Role: pb.GroupRoom_MEMBER}
	h.announce(s, groupRooms, dispatch.PushGroupAddMember(resp), req.RoomId, c)
	return resp, nil
}
