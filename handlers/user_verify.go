package handlers

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// UserVerify checks the code sent by UserRegister and, when it is right,
// opens a device session and hands out its login token.
//
// A wrong guess must be counted even though the request fails, so protocol
// outcomes are decided inside the transaction, which then commits, and
// returned after it.
func (h *Handlers) UserVerify(ctx context.Context, s wire.Session, req *pb.UserVerify) (*pb.UserVerifyResponse, error) {
	now := h.unix()
	var (
		resp    *pb.UserVerifyResponse
		outcome error
	)
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		user, err := tx.UserByUsername(req.Username)
		if errors.Is(err, storage.ErrNotFound) {
			outcome = errs.NewUserVerifyUserNotFound()
			return nil
		}
		if err != nil {
			return err
		}
		if user.Blocked {
			outcome = errs.NewUserVerifyBlockedUser()
			return nil
		}

		vc, err := tx.VerifyCode(user.ID)
		if errors.Is(err, storage.ErrNotFound) {
			// Never sent, or already used: either way there is nothing
			// valid to check against, and the client must register again.
			outcome = errs.NewUserVerifyExpiredCode()
			return nil
		}
		if err != nil {
			return err
		}
		// The lock is checked before expiry so that a locked client learns
		// how long to wait rather than being sent to fetch a code it could
		// not use yet. Wrong guesses count per source and per account,
		// across resends (CodePolicy).
		src, account, err := tx.VerifyGuards(user.ID, sourceOf(s.RemoteAddr()))
		if err != nil {
			return err
		}
		if until := lockedUntil(src, account, now); until > 0 {
			outcome = errs.NewUserVerifyMaxTryLock(waitSeconds(until, now))
			return nil
		}
		if now >= vc.ExpiresAt {
			outcome = errs.NewUserVerifyExpiredCode()
			return nil
		}

		if !h.codes.codeMatches(user.ID, req.Code, vc.CodeHash) {
			until, err := h.codes.countFailure(tx.SaveVerifyGuard, src, account, now)
			if err != nil {
				return err
			}
			if until == 0 {
				outcome = errs.NewUserVerifyInvalidCode()
			} else {
				outcome = errs.NewUserVerifyMaxTryLock(waitSeconds(until, now))
			}
			return nil
		}

		// A code works once, and the owner's success forgives the wrong
		// guesses of every source.
		if err := tx.DeleteVerifyCode(user.ID); err != nil {
			return err
		}
		if err := tx.ClearSourceGuards(user.ID); err != nil {
			return err
		}
		newUser := !user.Verified
		if newUser {
			if err := tx.MarkVerified(user.ID); err != nil {
				return err
			}
		}
		token, hash, err := newToken()
		if err != nil {
			return err
		}
		if _, err := tx.CreateSession(user.ID, hash, now); err != nil {
			return err
		}
		resp = &pb.UserVerifyResponse{Token: token, NewUser: newUser}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("user verify: %w", err)
	}
	if outcome != nil {
		return nil, outcome
	}
	return resp, nil
}

// newToken draws a 256-bit login token. The client gets it as unpadded
// base64url (43 characters, within the protocol's token format); storage
// gets only hashToken of that text.
func newToken() (token string, hash []byte, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, fmt.Errorf("draw token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, hashToken(token), nil
}

// hashToken is the key a session is stored and looked up under. The text is
// hashed as received, so any string the client sends simply finds nothing.
// A plain SHA-256 suffices: the token has 256 random bits, so there is
// nothing to brute-force from a leaked hash.
func hashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}
