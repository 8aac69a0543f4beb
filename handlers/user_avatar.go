package handlers

import (
	"context"
	"errors"
	"fmt"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/generated/validate"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// UserAvatarAdd makes an upload the caller may read the current avatar. Only
// an image will do: its content must be processed, with both thumbnails,
// which processing makes only of pictures it decoded. An upload under way,
// corrupted, still processing or of anything else is 138/1, as is a token
// the caller may not read (whether it exists does not leak). The new avatar
// is pushed to the caller's other sessions and to those the AVATAR rule lets
// see it among the caller's audience (storage.Audience).
func (h *Handlers) UserAvatarAdd(ctx context.Context, s wire.Session, req *pb.UserAvatarAdd) (*pb.UserAvatarAddResponse, error) {
	me := userOf(s)
	var resp *pb.UserAvatarAddResponse
	var to []uint64
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		f, err := tx.AttachableFile(req.Attachment, me)
		if errors.Is(err, storage.ErrNotFound) || err == nil && !isImage(f) {
			return errs.NewUserAvatarAddBadPayload(errs.UserAvatarAddBadPayloadInvalidAttachment)
		}
		if err != nil {
			return err
		}
		id, err := tx.AddAvatar(me, f.ID, h.unix(), validate.UserAvatarAddMaxAvatars)
		if err != nil {
			return err
		}
		resp = &pb.UserAvatarAddResponse{Avatar: &pb.Avatar{Id: uint64(id), File: fileMessage(f)}}
		to, err = h.audience(tx, me, storage.PrivacyAvatar)
		return err
	})
	if err != nil {
		return nil, wrapRefusal("add avatar", err)
	}
	h.pushTo(s, dispatch.PushUserAvatarAdd(resp, to...))
	return resp, nil
}

// isImage: processing found the content to be a picture and made both
// thumbnails of it.
func isImage(f storage.File) bool {
	c := f.Content
	return !f.CorruptedNow() && c.State == storage.ContentProcessed && c.SmallSize > 0 && c.LargeSize > 0
}

// UserAvatarDelete deletes one of the caller's avatars; the newest left is
// then the current one. Another's avatar, or none, is 141/1. The deletion is
// pushed as UserAvatarAdd is.
func (h *Handlers) UserAvatarDelete(ctx context.Context, s wire.Session, req *pb.UserAvatarDelete) (*pb.UserAvatarDeleteResponse, error) {
	me := userOf(s)
	var to []uint64
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		err := tx.DeleteAvatar(me, storage.AvatarID(req.Id))
		if errors.Is(err, storage.ErrNotFound) {
			return errs.NewUserAvatarDeleteBadPayload(errs.UserAvatarDeleteBadPayloadInvalidAvatarId)
		}
		if err != nil {
			return err
		}
		to, err = h.audience(tx, me, storage.PrivacyAvatar)
		return err
	})
	if err != nil {
		return nil, wrapRefusal("delete avatar", err)
	}
	resp := &pb.UserAvatarDeleteResponse{Id: req.Id}
	h.pushTo(s, dispatch.PushUserAvatarDelete(resp, to...))
	return resp, nil
}

// UserAvatarGetList lists a verified user's avatars, newest first. A user
// id of no verified user is 144/1, as UserUsernameToId hides accounts that
// are not verified yet.
func (h *Handlers) UserAvatarGetList(ctx context.Context, s wire.Session, req *pb.UserAvatarGetList) (*pb.UserAvatarGetListResponse, error) {
	resp := &pb.UserAvatarGetListResponse{}
	err := h.db.Read(ctx, func(tx *storage.Tx) error {
		u, err := tx.UserByID(storage.UserID(req.UserId))
		if errors.Is(err, storage.ErrNotFound) || err == nil && !u.Verified {
			return errs.NewUserAvatarGetListBadPayload(errs.UserAvatarGetListBadPayloadInvalidUserId)
		}
		if err != nil {
			return err
		}
		list, err := tx.Avatars(u.ID)
		if err != nil {
			return err
		}
		for _, a := range list {
			resp.Avatar = append(resp.Avatar, avatarMessage(a))
		}
		return nil
	})
	if err != nil {
		return nil, wrapRefusal("list avatars", err)
	}
	return resp, nil
}

// avatarMessage is the wire form of a stored avatar.
func avatarMessage(a storage.Avatar) *pb.Avatar {
	return &pb.Avatar{Id: uint64(a.ID), File: fileMessage(a.File)}
}

// wrapRefusal passes a refusal (*wire.Error) through as it is and names the
// operation of any other error.
func wrapRefusal(op string, err error) error {
	if _, ok := wire.As(err); ok {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}
