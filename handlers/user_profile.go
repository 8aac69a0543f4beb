package handlers

import (
	"context"
	"fmt"
	"strings"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// UserProfileSetNickname stores the nickname without surrounding white
// space. The validator's checks hold for the trimmed value too: a name has a
// visible character, which trimming keeps, and trimming only shortens it.
// The change is pushed to the caller's other sessions and to their audience
// (setShownProfile).
func (h *Handlers) UserProfileSetNickname(ctx context.Context, s wire.Session, req *pb.UserProfileSetNickname) (*pb.UserProfileSetNicknameResponse, error) {
	nick := strings.TrimSpace(req.Nickname)
	to, err := h.setShownProfile(ctx, s, "nickname", func(tx *storage.Tx, id storage.UserID) error { return tx.SetNickname(id, nick) })
	if err != nil {
		return nil, err
	}
	// Initials as RegisteredUser shows them to users without a contact name
	// for the caller: from the nickname.
	resp := &pb.UserProfileSetNicknameResponse{Nickname: nick, Initials: initials(nick)}
	h.pushTo(s, dispatch.PushUserProfileSetNickname(resp, to...))
	return resp, nil
}

// UserProfileSetEmail stores the address as sent: validation has already
// required one bare address that net/mail accepts, and nothing is
// normalised, so the user reads back what they typed.
func (h *Handlers) UserProfileSetEmail(ctx context.Context, s wire.Session, req *pb.UserProfileSetEmail) (*pb.UserProfileSetEmailResponse, error) {
	err := h.setProfile(ctx, s, "email", func(tx *storage.Tx, id storage.UserID) error { return tx.SetEmail(id, req.Email) })
	if err != nil {
		return nil, err
	}
	resp := &pb.UserProfileSetEmailResponse{Email: req.Email}
	h.pushTo(s, dispatch.PushUserProfileSetEmail(resp, s.UserID()))
	return resp, nil
}

// UserProfileSetGender stores one of the Gender enum's values (the
// validator refuses other numbers, 116/1); UNKNOWN clears an earlier choice.
func (h *Handlers) UserProfileSetGender(ctx context.Context, s wire.Session, req *pb.UserProfileSetGender) (*pb.UserProfileSetGenderResponse, error) {
	err := h.setProfile(ctx, s, "gender", func(tx *storage.Tx, id storage.UserID) error { return tx.SetGender(id, int32(req.Gender)) })
	if err != nil {
		return nil, err
	}
	resp := &pb.UserProfileSetGenderResponse{Gender: req.Gender}
	h.pushTo(s, dispatch.PushUserProfileSetGender(resp, s.UserID()))
	return resp, nil
}

// setProfile runs one profile write for the session's user in its own
// transaction; the caller pushes only after it returns nil.
func (h *Handlers) setProfile(ctx context.Context, s wire.Session, what string, set func(*storage.Tx, storage.UserID) error) error {
	err := h.db.Write(ctx, func(tx *storage.Tx) error { return set(tx, userOf(s)) })
	if err != nil {
		return fmt.Errorf("set %s: %w", what, err)
	}
	return nil
}

// setShownProfile is setProfile for a field others see (nickname, bio): in
// the same transaction it finds who hears of the change, the caller's own
// sessions and storage.Audience under no privacy rule.
func (h *Handlers) setShownProfile(ctx context.Context, s wire.Session, what string, set func(*storage.Tx, storage.UserID) error) ([]uint64, error) {
	var to []uint64
	err := h.setProfile(ctx, s, what, func(tx *storage.Tx, id storage.UserID) error {
		if err := set(tx, id); err != nil {
			return err
		}
		var err error
		to, err = h.audience(tx, id, storage.NoPrivacyRule)
		return err
	})
	return to, err
}

// UserProfileGetNickname returns the stored nickname ("" if never set).
func (h *Handlers) UserProfileGetNickname(ctx context.Context, s wire.Session, _ *pb.UserProfileGetNickname) (*pb.UserProfileGetNicknameResponse, error) {
	u, err := h.ownProfile(ctx, s)
	if err != nil {
		return nil, err
	}
	return &pb.UserProfileGetNicknameResponse{Nickname: u.Nickname}, nil
}

// UserProfileGetEmail returns the stored e-mail address ("" if never set).
func (h *Handlers) UserProfileGetEmail(ctx context.Context, s wire.Session, _ *pb.UserProfileGetEmail) (*pb.UserProfileGetEmailResponse, error) {
	u, err := h.ownProfile(ctx, s)
	if err != nil {
		return nil, err
	}
	return &pb.UserProfileGetEmailResponse{Email: u.Email}, nil
}

// UserProfileGetGender returns the stored gender (UNKNOWN if never set).
func (h *Handlers) UserProfileGetGender(ctx context.Context, s wire.Session, _ *pb.UserProfileGetGender) (*pb.UserProfileGetGenderResponse, error) {
	u, err := h.ownProfile(ctx, s)
	if err != nil {
		return nil, err
	}
	return &pb.UserProfileGetGenderResponse{Gender: pb.Gender(u.Gender)}, nil
}

// ownProfile reads the session's own user.
func (h *Handlers) ownProfile(ctx context.Context, s wire.Session) (storage.User, error) {
	var u storage.User
	err := h.db.Read(ctx, func(tx *storage.Tx) (err error) {
		u, err = tx.UserByID(userOf(s))
		return err
	})
	if err != nil {
		return u, fmt.Errorf("read profile: %w", err)
	}
	return u, nil
}
