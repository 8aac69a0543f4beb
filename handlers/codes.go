package handlers

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"github.com/gapd/gapd/storage"
)

// CodePolicy sets how verification codes are made, how long they live and
// how hard they are to guess or to spam. Zero fields take the defaults of
// WithDefaults.
//
// Guesses and sends are counted per source (the client's address, an IPv6
// /64) as well as per account. A source that guesses wrong MaxTries times
// is locked out of that account, for TryLock, then twice as long each time
// again; the owner, asking from another source, is not. Only DailyFailures
// wrong guesses from all sources together, which no single attacker reaches
// before its own locks, lock the account itself until the day is over: the
// price of stopping a distributed attack is that such an attack can keep
// the owner out for a day. Sends work the same way, with MaxSends per
// source and DailySends per account.
type CodePolicy struct {
	Digits        int           // code length; default 5, allowed 5..8
	Lifetime      time.Duration // a code expires this long after it is sent; default 5m
	MaxTries      int           // wrong guesses from one source before it is locked; default 5
	TryLock       time.Duration // a source's first lock; each next one lasts twice as long; default 10m
	MaxTryLock    time.Duration // the longest lock; default 24h
	DailyFailures int           // wrong guesses per account and day before the account locks; default 100
	MaxSends      int           // codes sent per SendWindow to one account from one source; default 5
	SendWindow    time.Duration // the sliding window of MaxSends; default 1h
	DailySends    int           // codes sent to one account per day from all sources; default 20
	ResendDelay   time.Duration // advised to the client before asking again; default 60s
	// Reservation is how long an account that never verified a code keeps
	// its username and user id; default 24h.
	Reservation time.Duration
}

// day is the window of the account-wide budgets, in seconds.
const day = 24 * 60 * 60

// maxDigits follows from the protocol: UserVerify.code is a uint32, and the
// spec's validator refuses codes above 99999999. Fewer than 5 digits fall
// to guessing too soon.
const (
	minDigits = 5
	maxDigits = 8
)

// WithDefaults returns p with every zero field set to its default.
func (p CodePolicy) WithDefaults() CodePolicy {
	if p.Digits == 0 {
		p.Digits = 5
	}
	if p.Lifetime == 0 {
		p.Lifetime = 5 * time.Minute
	}
	if p.MaxTries == 0 {
		p.MaxTries = 5
	}
	if p.TryLock == 0 {
		p.TryLock = 10 * time.Minute
	}
	if p.MaxTryLock == 0 {
		p.MaxTryLock = 24 * time.Hour
	}
	if p.DailyFailures == 0 {
		p.DailyFailures = 100
	}
	if p.DailySends == 0 {
		p.DailySends = 20
	}
	if p.Reservation == 0 {
		p.Reservation = 24 * time.Hour
	}
	if p.MaxSends == 0 {
		p.MaxSends = 5
	}
	if p.SendWindow == 0 {
		p.SendWindow = time.Hour
	}
	if p.ResendDelay == 0 {
		p.ResendDelay = 60 * time.Second
	}
	return p
}

// Check reports the first unusable setting. Storage keeps whole seconds, so
// durations below a second are refused rather than silently truncated.
func (p CodePolicy) Check() error {
	switch {
	case p.Digits < minDigits || p.Digits > maxDigits:
		return fmt.Errorf("code policy: Digits %d out of range %d..%d", p.Digits, minDigits, maxDigits)
	case p.Lifetime < time.Second:
		return fmt.Errorf("code policy: Lifetime %v is below 1s", p.Lifetime)
	case p.MaxTries < 1:
		return fmt.Errorf("code policy: MaxTries %d is below 1", p.MaxTries)
	case p.TryLock < time.Second:
		return fmt.Errorf("code policy: TryLock %v is below 1s", p.TryLock)
	case p.MaxTryLock < p.TryLock:
		return fmt.Errorf("code policy: MaxTryLock %v is below TryLock %v", p.MaxTryLock, p.TryLock)
	case p.DailyFailures < p.MaxTries:
		return fmt.Errorf("code policy: DailyFailures %d is below MaxTries %d", p.DailyFailures, p.MaxTries)
	case p.DailySends < p.MaxSends:
		return fmt.Errorf("code policy: DailySends %d is below MaxSends %d", p.DailySends, p.MaxSends)
	case p.Reservation < time.Minute:
		return fmt.Errorf("code policy: Reservation %v is below 1m", p.Reservation)
	case p.MaxSends < 1:
		return fmt.Errorf("code policy: MaxSends %d is below 1", p.MaxSends)
	case p.SendWindow < time.Second || p.SendWindow > day*time.Second:
		return fmt.Errorf("code policy: SendWindow %v is not within 1s..24h", p.SendWindow)
	case p.ResendDelay < 0:
		return errors.New("code policy: ResendDelay is negative")
	}
	return nil
}

// newCode draws a code uniformly from 1 .. 10^Digits-1 with crypto/rand and
// renders it zero-padded to Digits. Zero is left out on purpose: the spec's
// validator answers code 0 with USER_VERIFY_BAD_PAYLOAD (a proto3 zero is
// indistinguishable from an absent field), so an all-zero code could never
// be entered.
func (p CodePolicy) newCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(p.space()-1))
	if err != nil {
		return "", fmt.Errorf("draw verify code: %w", err)
	}
	return p.render(n.Int64() + 1), nil
}

// space is 10^Digits, the number of Digits-long decimal strings.
func (p CodePolicy) space() int64 {
	s := int64(1)
	for range p.Digits {
		s *= 10
	}
	return s
}

// render writes n as exactly Digits decimal digits. The client sends the
// code as a number, so "00427" arrives as 427; rendering both sides the same
// way is what lets the hashes match.
func (p CodePolicy) render(n int64) string {
	s := strconv.FormatInt(n, 10)
	for len(s) < p.Digits {
		s = "0" + s
	}
	return s
}

// regex is the pattern the client may use to pick the code out of an SMS.
func (p CodePolicy) regex() string { return fmt.Sprintf("^[0-9]{%d}$", p.Digits) }

// hashCode is what storage keeps instead of the code. Mixing in the user id
// means equal codes of different users do not look alike in the table. With
// a few digits the hash is no secret against someone holding the database;
// it keeps codes out of backups and casual reads, while the short lifetime
// and the try lock do the real protecting.
func hashCode(userID storage.UserID, code string) []byte {
	sum := sha256.Sum256([]byte(strconv.FormatInt(int64(userID), 10) + ":" + code))
	return sum[:]
}

// codeMatches compares the number the client sent with the stored hash. A
// number with more digits than the policy cannot be the code.
func (p CodePolicy) codeMatches(userID storage.UserID, got uint32, stored []byte) bool {
	if int64(got) >= p.space() {
		return false
	}
	return subtle.ConstantTimeCompare(hashCode(userID, p.render(int64(got))), stored) == 1
}
