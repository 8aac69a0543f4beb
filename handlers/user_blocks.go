package handlers

import (
	"context"
	"errors"
	"fmt"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// UserContactsBlock records the caller's block of a user. Blocking a user
// already blocked answers as the first time did (and pushes again: the other
// sessions may have missed the first); blocking oneself is 176/1.
func (h *Handlers) UserContactsBlock(ctx context.Context, s wire.Session, req *pb.UserContactsBlock) (*pb.UserContactsBlockResponse, error) {
	me, them := userOf(s), storage.UserID(req.UserId)
	if me == them {
		return nil, errs.NewUserContactsBlockBadPayload(errs.UserContactsBlockBadPayloadInvalidUserId)
	}
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		// A sign-up never verified is no user to others (as in ChatGetRoom).
		u, err := tx.UserByID(them)
		if errors.Is(err, storage.ErrNotFound) || err == nil && !u.Verified {
			return errs.UserContactsBlockRefusals.BadUser()
		}
		if err != nil {
			return err
		}
		return tx.Block(me, them, h.unix())
	})
	if err != nil {
		return nil, fmt.Errorf("block: %w", err)
	}
	resp := &pb.UserContactsBlockResponse{UserId: req.UserId}
	h.pushTo(s, dispatch.PushUserContactsBlock(resp, s.UserID()))
	return resp, nil
}

// UserContactsUnblock lifts the caller's block of a user; a user who is
// not blocked (or does not exist) is 181.
func (h *Handlers) UserContactsUnblock(ctx context.Context, s wire.Session, req *pb.UserContactsUnblock) (*pb.UserContactsUnblockResponse, error) {
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		err := tx.Unblock(userOf(s), storage.UserID(req.UserId))
		if errors.Is(err, storage.ErrNotFound) {
			return errs.NewUserContactsUnblockAlreadyUnblocked()
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("unblock: %w", err)
	}
	resp := &pb.UserContactsUnblockResponse{UserId: req.UserId}
	h.pushTo(s, dispatch.PushUserContactsUnblock(resp, s.UserID()))
	return resp, nil
}

// UserContactsGetBlockedList lists the blocked users, most recent first,
// each with the cache_id of the RegisteredUser the caller would get for
// them: three queries for the whole list.
func (h *Handlers) UserContactsGetBlockedList(ctx context.Context, s wire.Session, _ *pb.UserContactsGetBlockedList) (*pb.UserContactsGetBlockedListResponse, error) {
	me := userOf(s)
	resp := &pb.UserContactsGetBlockedListResponse{}
	err := h.db.Read(ctx, func(tx *storage.Tx) error {
		us, err := tx.BlockedUsers(me)
		if err != nil {
			return err
		}
		rs, err := h.registeredUsers(tx, me, us)
		if err != nil {
			return err
		}
		resp.User = make([]*pb.UserContactsGetBlockedListResponse_User, len(rs))
		for i, r := range rs {
			resp.User[i] = &pb.UserContactsGetBlockedListResponse_User{UserId: r.Id, CacheId: r.CacheId}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("blocked list: %w", err)
	}
	return resp, nil
}
