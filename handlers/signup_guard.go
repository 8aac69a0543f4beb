package handlers

import (
	"net/netip"

	"github.com/gapd/gapd/limits"
	"github.com/gapd/gapd/storage"
)

// sourceOf is the key sign-up counts a client's guesses and sends under:
// its address (an IPv6 /64), or the raw text if that does not parse.
func sourceOf(remote string) string {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return remote
	}
	return limits.Source(ap.Addr())
}

// lockedUntil is when guesses at the account from src may resume: the later
// of the source's lock and the account's, or 0 when neither is in force.
func lockedUntil(src, account storage.VerifyGuard, now int64) int64 {
	until := max(src.LockedUntil, account.LockedUntil)
	if until <= now {
		return 0
	}
	return until
}

// countFailure adds one wrong guess to the source's and the account's
// guards, locking whichever reached its limit, and stores both. It returns
// the lock now in force (0 for none). save stores a guard: sign-up codes
// and deletion tokens keep theirs apart (tx.SaveVerifyGuard,
// tx.SaveDeleteGuard).
func (p CodePolicy) countFailure(save func(storage.VerifyGuard) error, src, account storage.VerifyGuard, now int64) (int64, error) {
	src.Failures++
	if src.Failures >= p.MaxTries {
		lock := p.TryLock << min(src.Locks, 20)
		src.Locks++
		src.LockedUntil = now + int64(min(lock, p.MaxTryLock).Seconds())
		src.Failures = 0
	}
	if now-account.WindowStart >= day {
		account.WindowStart, account.Failures = now, 0
	}
	account.Failures++
	if account.Failures >= p.DailyFailures {
		account.LockedUntil = account.WindowStart + day
	}
	if err := save(src); err != nil {
		return 0, err
	}
	if err := save(account); err != nil {
		return 0, err
	}
	return lockedUntil(src, account, now), nil
}
