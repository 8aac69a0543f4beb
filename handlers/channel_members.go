package handlers

import (
	"context"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/generated/roles"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// ChannelAddMember adds a reader. A channel is read from its start, so the
// new member sees its whole history.
func (h *Handlers) ChannelAddMember(ctx context.Context, s wire.Session, req *pb.ChannelAddMember) (*pb.ChannelAddMemberResponse, error) {
	rf := errs.ChannelAddMemberRefusals
	a := admission{userID: storage.UserID(req.Member.UserId), badUser: rf.BadUser, exists: rf.Exists,
		full:   errs.NewChannelAddMemberForbidden,
		invite: storage.PrivacyChannelInvite, private: errs.NewChannelAddMemberPrivacyProtection}
	var c change
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		_, m, err := permitted(tx, storage.RoomID(req.RoomId), channelRooms, userOf(s), dispatch.ActionChannelAddMember, rf)
		if err != nil {
			return err
		}
		c, err = h.admit(tx, m, a)
		return err
	})
	if err != nil {
		return nil, err
	}
	resp := &pb.ChannelAddMemberResponse{RoomId: req.RoomId, UserId: req.Member.UserId, Role: pb.ChannelRoom_MEMBER}
	h.announce(s, channelRooms, dispatch.PushChannelAddMember(resp), req.RoomId, c)
	return resp, nil
}

// ChannelAddAdmin makes a member an admin, who may then post.
func (h *Handlers) ChannelAddAdmin(ctx context.Context, s wire.Session, req *pb.ChannelAddAdmin) (*pb.ChannelAddAdminResponse, error) {
	x := rerank{k: channelRooms, action: dispatch.ActionChannelAddAdmin, to: roles.Admin,
		rf: errs.ChannelAddAdminRefusals}
	resp := &pb.ChannelAddAdminResponse{RoomId: req.RoomId, MemberId: req.MemberId}
	if err := h.rerankMember(ctx, s, req.RoomId, req.MemberId, x, dispatch.PushChannelAddAdmin(resp)); err != nil {
		return nil, err
	}
	return resp, nil
}

// ChannelLeft takes the caller out of a channel.
func (h *Handlers) ChannelLeft(ctx context.Context, s wire.Session, req *pb.ChannelLeft) (*pb.ChannelLeftResponse, error) {
	rf := errs.ChannelLeftRefusals
	c, err := h.leave(ctx, s, req.RoomId, channelRooms, dispatch.ActionChannelLeft, rf)
	if err != nil {
		return nil, err
	}
	resp := &pb.ChannelLeftResponse{RoomId: req.RoomId, MemberId: s.UserID()}
	h.announce(s, channelRooms, dispatch.PushChannelLeft(resp), req.RoomId, c, s.UserID())
	return resp, nil
}
