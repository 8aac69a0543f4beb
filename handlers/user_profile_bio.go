package handlers

import (
	"context"
	"strings"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// UserProfileSetBio stores the bio without surrounding white space (the
// validator's length and text checks hold for the trimmed value too); ""
// clears it. Everyone sees it as RegisteredUser.bio; the change is pushed to
// the caller's other sessions and to their audience (setShownProfile).
func (h *Handlers) UserProfileSetBio(ctx context.Context, s wire.Session, req *pb.UserProfileSetBio) (*pb.UserProfileSetBioResponse, error) {
	bio := strings.TrimSpace(req.Bio)
	to, err := h.setShownProfile(ctx, s, "bio", func(tx *storage.Tx, id storage.UserID) error { return tx.SetBio(id, bio) })
	if err != nil {
		return nil, err
	}
	resp := &pb.UserProfileSetBioResponse{Bio: bio}
	h.pushTo(s, dispatch.PushUserProfileSetBio(resp, to...))
	return resp, nil
}

// UserProfileGetBio returns the stored bio ("" if never set).
func (h *Handlers) UserProfileGetBio(ctx context.Context, s wire.Session, _ *pb.UserProfileGetBio) (*pb.UserProfileGetBioResponse, error) {
	u, err := h.ownProfile(ctx, s)
	if err != nil {
		return nil, err
	}
	return &pb.UserProfileGetBioResponse{Bio: u.Bio}, nil
}
