package handlers

import (
	"context"
	"errors"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// UserInfo answers the RegisteredUser of any verified user as the caller
// sees it (registeredUser: phone and presence by the user's rules). An
// unknown id and one whose sign-up never finished get the same refusal, so
// the answer does not tell them apart.
func (h *Handlers) UserInfo(ctx context.Context, s wire.Session, req *pb.UserInfo) (*pb.UserInfoResponse, error) {
	var resp pb.UserInfoResponse
	err := h.db.Read(ctx, func(tx *storage.Tx) error {
		u, err := tx.UserByID(storage.UserID(req.UserId))
		if errors.Is(err, storage.ErrNotFound) || (err == nil && !u.Verified) {
			return errs.UserInfoRefusals.BadUser()
		}
		if err != nil {
			return err
		}
		resp.User, err = h.registeredUser(tx, userOf(s), u)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &resp, nil
}
