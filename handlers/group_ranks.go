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

// Promotions and demotions: GroupAddAdmin, GroupAddModerator, GroupKickAdmin,
// GroupKickModerator and ChannelAddAdmin differ only in codes and ranks.

// rerank is one rank change.
type rerank struct {
	k      ranked
	action uint16
	to     roles.Role
	from   *roles.Role   // the role the member must hold now; nil for any
	rf     errs.Refusals // the action's: BadRoom, Forbidden, BadUser
}

// rerankMember sets the member's role and tells every member. Nothing is logged:
// the protocol's log types have no rank changes.
func (h *Handlers) rerankMember(ctx context.Context, s wire.Session, roomID, memberID uint64, x rerank, p dispatch.Push) error {
	var c change
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		_, m, err := permitted(tx, storage.RoomID(roomID), x.k, userOf(s), x.action, x.rf)
		if err != nil {
			return err
		}
		t, err := targetOf(tx, m, storage.UserID(memberID), x.action, x.rf.BadUser, x.rf.Forbidden)
		if err != nil {
			return err
		}
		if x.from != nil && roles.Role(t.Role) != *x.from {
			return x.rf.BadUser()
		}
		if err := tx.SetRole(t.RoomID, t.UserID, int32(x.to)); err != nil {
			return err
		}
		c, err = h.changed(tx, m.RoomID, nil)
		return err
	})
	if err != nil {
		return err
	}
	h.announce(s, x.k, p, roomID, c)
	return nil
}

func rolePtr(r roles.Role) *roles.Role { return &r }

// GroupAddAdmin makes a member an admin. Error 321 has no minor table, so a
// room or member that will not do is 321 alone.
func (h *Handlers) GroupAddAdmin(ctx context.Context, s wire.Session, req *pb.GroupAddAdmin) (*pb.GroupAddAdminResponse, error) {
	x := rerank{k: groupRooms, action: dispatch.ActionGroupAddAdmin, to: roles.Admin,
		rf: errs.GroupAddAdminRefusals}
	resp := &pb.GroupAddAdminResponse{RoomId: req.RoomId, MemberId: req.MemberId}
	if err := h.rerankMember(ctx, s, req.RoomId, req.MemberId, x, dispatch.PushGroupAddAdmin(resp)); err != nil {
		return nil, err
	}
	return resp, nil
}

// GroupAddModerator makes a member a moderator.
func (h *Handlers) GroupAddModerator(ctx context.Context, s wire.Session, req *pb.GroupAddModerator) (*pb.GroupAddModeratorResponse, error) {
	x := rerank{k: groupRooms, action: dispatch.ActionGroupAddModerator, to: roles.Moderator,
		rf: errs.GroupAddModeratorRefusals}
	resp := &pb.GroupAddModeratorResponse{RoomId: req.RoomId, MemberId: req.MemberId}
	if err := h.rerankMember(ctx, s, req.RoomId, req.MemberId, x, dispatch.PushGroupAddModerator(resp)); err != nil {
		return nil, err
	}
	return resp, nil
}

// GroupKickAdmin makes an admin a plain member; member_id must be an admin.
func (h *Handlers) GroupKickAdmin(ctx context.Context, s wire.Session, req *pb.GroupKickAdmin) (*pb.GroupKickAdminResponse, error) {
	x := rerank{k: groupRooms, action: dispatch.ActionGroupKickAdmin, to: roles.Member, from: rolePtr(roles.Admin),
		rf: errs.GroupKickAdminRefusals}
	resp := &pb.GroupKickAdminResponse{RoomId: req.RoomId, MemberId: req.MemberId}
	if err := h.rerankMember(ctx, s, req.RoomId, req.MemberId, x, dispatch.PushGroupKickAdmin(resp)); err != nil {
		return nil, err
	}
	return resp, nil
}

// GroupKickModerator makes a moderator a plain member; member_id must be a
// moderator.
func (h *Handlers) GroupKickModerator(ctx context.Context, s wire.Session, req *pb.GroupKickModerator) (*pb.GroupKickModeratorResponse, error) {
	x := rerank{k: groupRooms, action: dispatch.ActionGroupKickModerator, to: roles.Member, from: rolePtr(roles.Moderator),
		rf: errs.GroupKickModeratorRefusals}
	resp := &pb.GroupKickModeratorResponse{RoomId: req.RoomId, MemberId: req.MemberId}
	if err := h.rerankMember(ctx, s, req.RoomId, req.MemberId, x, dispatch.PushGroupKickModerator(resp)); err != nil {
		return nil, err
	}
	return resp, nil
}
