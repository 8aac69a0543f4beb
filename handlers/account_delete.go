package handlers

import (
	"context"
	"fmt"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/storage"
)

// Deleting an account, whether the user asks (UserDelete) or the server
// does after the user's self-removal period (RemoveInactive): one code path.
//
// The user's row stays, so the messages they wrote stay in their rooms and
// render with RegisteredUser.deleted; storage.EraseUser removes everything
// else about them and frees the phone (which may then sign up again as a
// new user, with a new id) and the username.

// eraseAccount erases a user whose deletion tx has just claimed and returns
// the sessions to end after the commit.
func eraseAccount(tx *storage.Tx, userID storage.UserID) ([]storage.SessionID, error) {
	sessions, err := tx.EraseUser(userID)
	if err != nil {
		return nil, fmt.Errorf("erase user %d: %w", userID, err)
	}
	return sessions, nil
}

// endSessions closes the live connections of a deleted user's sessions, on
// whatever node they are, with error 8; run after the commit.
func (h *Handlers) endSessions(sessions []storage.SessionID) {
	for _, id := range sessions {
		h.hub.EndSession(uint64(id), errs.NewSessionIsTerminated())
	}
}

// RemoveInactive deletes up to limit accounts whose self-removal period
// (UserProfileSetSelfRemove) has passed without a login, each in its own
// transaction that claims it first, so nodes sharing the database never
// delete one twice and a user who logs in meanwhile is spared. It returns
// how many it deleted; the selfremove job calls it.
func (h *Handlers) RemoveInactive(ctx context.Context, limit int) (int, error) {
	now := h.unix()
	var ids []storage.UserID
	if err := h.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		ids, err = tx.InactiveUsers(now, limit)
		return err
	}); err != nil {
		return 0, fmt.Errorf("inactive users: %w", err)
	}
	done := 0
	for _, id := range ids {
		var sessions []storage.SessionID
		claimed := false
		err := h.db.Write(ctx, func(tx *storage.Tx) error {
			var err error
			if claimed, err = tx.ClaimInactive(id, now); err != nil || !claimed {
				return err
			}
			sessions, err = eraseAccount(tx, id)
			return err
		})
		if err != nil {
			return done, fmt.Errorf("self-remove user %d: %w", id, err)
		}
		if claimed {
			h.endSessions(sessions)
			h.log.InfoContext(ctx, "account deleted after its self-removal period", "user_id", id)
			done++
		}
	}
	return done, nil
}
