package handlers

import (
	"context"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// UserPrivacyGetRule answers the caller's level for one PrivacyType
// (ALLOW_ALL when never set).
func (h *Handlers) UserPrivacyGetRule(ctx context.Context, s wire.Session, req *pb.UserPrivacyGetRule) (*pb.UserPrivacyGetRuleResponse, error) {
	var level int32
	err := h.db.Read(ctx, func(tx *storage.Tx) (err error) {
		level, err = tx.PrivacyRule(userOf(s), int32(req.Type))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &pb.UserPrivacyGetRuleResponse{Level: pb.PrivacyLevel(level)}, nil
}

// UserPrivacySetRule stores the caller's level for one PrivacyType and tells
// the caller's other sessions. Where each rule is enforced: USER_STATUS in
// presence and in status pushes (storage.Audience), AVATAR likewise for
// avatars and their pushes, GROUP_INVITE and CHANNEL_INVITE in
// admit; the others are stored for actions gapd does not have yet.
func (h *Handlers) UserPrivacySetRule(ctx context.Context, s wire.Session, req *pb.UserPrivacySetRule) (*pb.UserPrivacySetRuleResponse, error) {
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		return tx.SetPrivacyRule(userOf(s), int32(req.Type), int32(req.Level))
	})
	if err != nil {
		return nil, err
	}
	resp := &pb.UserPrivacySetRuleResponse{Type: req.Type, Level: req.Level}
	h.pushTo(s, dispatch.PushUserPrivacySetRule(resp, s.UserID()))
	return resp, nil
}
