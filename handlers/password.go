package handlers

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
	"golang.org/x/crypto/argon2"
)

// Argon2id parameters of new hashes (RFC 9106's second recommendation, as
// OWASP gives it: 19 MiB, 2 passes, 1 lane). Each hash carries its own, so
// they can be raised later without breaking stored ones.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// hashSecret hashes a password or recovery answer with Argon2id under a
// fresh random salt, in PHC form: $argon2id$v=19$m=M,t=T,p=P$SALT$HASH.
func hashSecret(secret string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("draw salt: %w", err)
	}
	key := argon2.IDKey([]byte(secret), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// secretMatches reports whether secret hashes to encoded (made by
// hashSecret). A malformed hash matches nothing.
func secretMatches(secret, encoded string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var v int
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<20 || t > 16 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(secret), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// normalAnswer is the form a recovery answer is hashed and compared in:
// surrounding spaces dropped, inner runs of space made one, lower case, so
// "  Rex " answers "rex".
func normalAnswer(a string) string {
	return strings.ToLower(strings.Join(strings.Fields(a), " "))
}

// Kinds of two-step guesses, each counted apart (storage.TwoStepGuards).
const (
	guessPassword = "password"
	guessEmail    = "email"
	guessRecovery = "recovery"
)

// twoStepGuess is the outcome of checking one guess at a secret of a user's
// two-step verification.
type twoStepGuess struct {
	ok          bool
	lockedUntil int64 // >0: refused (or, when wrong, now locked) until then
}

// guessTwoStep checks a guess of kind from s's source at userID's secret
// with match, the way UserVerify checks codes: a locked source or account is
// refused before the guess is tried, a wrong guess is counted (per source
// and per account, under h.codes' MaxTries, TryLock and DailyFailures), and a
// right one forgives the wrong guesses of every source.
func (h *Handlers) guessTwoStep(tx *storage.Tx, userID storage.UserID, kind, source string, now int64, match func() bool) (twoStepGuess, error) {
	src, account, err := tx.TwoStepGuards(userID, kind, source)
	if err != nil {
		return twoStepGuess{}, err
	}
	if until := lockedUntil(src, account, now); until > 0 {
		return twoStepGuess{lockedUntil: until}, nil
	}
	if !match() {
		until, err := h.codes.countFailureWith(func(g storage.VerifyGuard) error { return tx.SaveTwoStepGuard(kind, g) }, src, account, now)
		return twoStepGuess{lockedUntil: until}, err
	}
	return twoStepGuess{ok: true}, tx.ClearTwoStepGuards(userID, kind)
}

// maskEmail shows enough of an address for its owner to recognise it:
// the first character of the local part, then asterisks, and the domain.
func maskEmail(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 1 {
		return ""
	}
	local := []rune(addr[:at])
	return string(local[0]) + strings.Repeat("*", max(len(local)-1, 3)) + addr[at:]
}

// passwordCheck are an action's answers when the caller's password is
// checked: no password set, guesses locked out (with the wait), or wrong.
type passwordCheck struct {
	noPassword func() *wire.Error
	locked     func(wait uint32) *wire.Error
	invalid    func() *wire.Error
}

// checkPassword loads user's two-step row and checks password against it,
// counting a wrong guess (guessTwoStep). A refusal is returned apart from
// err, so that the transaction still commits the count.
func (h *Handlers) checkPassword(tx *storage.Tx, s wire.Session, user storage.UserID, password string, now int64,
	c passwordCheck) (storage.TwoStep, *wire.Error, error) {
	ts, err := tx.TwoStep(user)
	if errors.Is(err, storage.ErrNotFound) {
		return ts, c.noPassword(), nil
	}
	if err != nil {
		return ts, nil, err
	}
	g, err := h.guessTwoStep(tx, user, guessPassword, sourceOf(s.RemoteAddr()), now,
		func() bool { return secretMatches(password, ts.PasswordHash) })
	switch {
	case err != nil:
		return ts, nil, err
	case !g.ok && g.lockedUntil > 0:
		return ts, c.locked(waitSeconds(g.lockedUntil, now)), nil
	case !g.ok:
		return ts, c.invalid(), nil
	}
	return ts, nil, nil
}
