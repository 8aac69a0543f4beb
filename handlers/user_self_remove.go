package handlers

import (
	"context"
	"fmt"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// UserProfileSetSelfRemove stores after how many months (30 days each)
// without a login the caller's account is deleted; the selfremove job
// deletes it through RemoveInactive.
func (h *Handlers) UserProfileSetSelfRemove(ctx context.Context, s wire.Session, req *pb.UserProfileSetSelfRemove) (*pb.UserProfileSetSelfRemoveResponse, error) {
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		return tx.SetSelfRemove(storage.UserID(s.UserID()), req.SelfRemove)
	})
	if err != nil {
		return nil, fmt.Errorf("user profile set self remove: %w", err)
	}
	resp := &pb.UserProfileSetSelfRemoveResponse{SelfRemove: req.SelfRemove}
	h.pushTo(s, dispatch.PushUserProfileSetSelfRemove(resp, s.UserID()))
	return resp, nil
}

// UserProfileGetSelfRemove answers the caller's months; 0 when never set
// (the account is never deleted for inactivity).
func (h *Handlers) UserProfileGetSelfRemove(ctx context.Context, s wire.Session, _ *pb.UserProfileGetSelfRemove) (*pb.UserProfileGetSelfRemoveResponse, error) {
	var m uint32
	err := h.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		m, err = tx.SelfRemove(storage.UserID(s.UserID()))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("user profile get self remove: %w", err)
	}
	return &pb.UserProfileGetSelfRemoveResponse{SelfRemove: m}, nil
}
