package handlers

import (
	"context"
	"errors"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/generated/validate"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// UserProfileCheckUsername answers whether UserProfileUpdateUsername would
// take the name now, without taking it. The rules are that action's own, read
// from its validator, so the two cannot disagree; the lock (175) is not
// considered, since the name itself is fine.
func (h *Handlers) UserProfileCheckUsername(ctx context.Context, s wire.Session, req *pb.UserProfileCheckUsername) (*pb.UserProfileCheckUsernameResponse, error) {
	if validate.UserProfileUpdateUsername(&pb.UserProfileUpdateUsername{Username: req.Username}) != nil {
		return &pb.UserProfileCheckUsernameResponse{Status: pb.UserProfileCheckUsernameResponse_INVALID}, nil
	}
	status := pb.UserProfileCheckUsernameResponse_AVAILABLE
	err := h.db.Read(ctx, func(tx *storage.Tx) error {
		u, err := tx.UserByUsername(req.Username)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			return nil
		case err != nil:
			return err
		case u.ID != userOf(s):
			status = pb.UserProfileCheckUsernameResponse_TAKEN
		}
		return nil
	})
	if err != nil {
		return nil, wrapRefusal("check username", err)
	}
	return &pb.UserProfileCheckUsernameResponse{Status: status}, nil
}

// UserProfileUpdateUsername changes the caller's username. The name is
// unique regardless of letter case (164/3 when another user holds it; the
// caller may change the case of their own). The same name again is no
// change: it is answered, counted for nothing and pushed to no one; a new
// name is pushed to the caller's other sessions and to their audience
// (storage.Audience, no privacy rule). More
// than validate.UserProfileUpdateUsernameChanges changes within
// validate.UserProfileUpdateUsernamePeriod seconds are refused with 175,
// whose wait is when the oldest of them leaves the period.
func (h *Handlers) UserProfileUpdateUsername(ctx context.Context, s wire.Session, req *pb.UserProfileUpdateUsername) (*pb.UserProfileUpdateUsernameResponse, error) {
	me, now := userOf(s), h.unix()
	since := now - validate.UserProfileUpdateUsernamePeriod
	var to []uint64 // set when the name changed
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		u, err := tx.UserByID(me)
		if err != nil {
			return err
		}
		if u.Username == req.Username {
			return nil
		}
		n, oldest, err := tx.UsernameChanges(me, since)
		if err != nil {
			return err
		}
		if n >= validate.UserProfileUpdateUsernameChanges {
			return errs.NewUserProfileUpdateUsernameUpdateLock(waitSeconds(oldest+validate.UserProfileUpdateUsernamePeriod, now))
		}
		err = tx.SetUsername(me, req.Username)
		if errors.Is(err, storage.ErrDuplicate) {
			return errs.NewUserProfileUpdateUsernameBadPayload(errs.UserProfileUpdateUsernameBadPayloadUsernameTaken)
		}
		if err != nil {
			return err
		}
		if err := tx.RecordUsernameChange(me, now, since); err != nil {
			return err
		}
		to, err = h.audience(tx, me, storage.NoPrivacyRule)
		return err
	})
	if err != nil {
		return nil, wrapRefusal("update username", err)
	}
	resp := &pb.UserProfileUpdateUsernameResponse{Username: req.Username}
	if len(to) > 0 {
		h.pushTo(s, dispatch.PushUserProfileUpdateUsername(resp, to...))
	}
	return resp, nil
}
