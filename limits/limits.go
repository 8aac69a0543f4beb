// Package limits keeps gapd's request budgets: token buckets per user (per
// address before login) for each class of request, and the sign-up budgets
// that stop SMS pumping. Handlers and the dispatcher ask it; it answers how
// long to wait, which becomes FLOOD_REQUEST (10) or the action's own lock
// error with its wait.
package limits

import (
	"net/netip"
	"time"

	"github.com/gapd/gapd/wire"
)

// Limiter answers whether a request may run now. The zero value is not
// usable; New makes one.
type Limiter struct {
	cfg     Config
	now     func() time.Time
	buckets *buckets
}

// New builds a limiter from cfg (Defaults() when the operator gave none).
// clock may be nil (time.Now).
func New(cfg Config, clock func() time.Time) *Limiter {
	if clock == nil {
		clock = time.Now
	}
	return &Limiter{cfg: cfg, now: clock, buckets: newBuckets()}
}

// Config is what the limiter was built with.
func (l *Limiter) Config() Config { return l.cfg }

// Request spends one request of class c for the caller: the user when
// logged in (userID != 0), else the address. It returns 0, or how long to
// wait before a request of that class is allowed.
func (l *Limiter) Request(c wire.Class, userID uint64, addr netip.Addr) time.Duration {
	if l.cfg.Off || c == wire.ClassNone {
		return 0
	}
	r, ok := l.cfg.Classes[c]
	if !ok || r.off() {
		return 0
	}
	var key string
	if userID != 0 {
		key = "u" + uitoa(userID)
	} else {
		if l.exempt(addr) {
			return 0
		}
		key = "a" + Source(addr)
	}
	return l.buckets.take(c.String()+":"+key, r, l.now())
}

// Wait is Request for a dispatched request (wire.Limiter): the session's
// user, or before login its address.
func (l *Limiter) Wait(s wire.Session, c wire.Class) time.Duration {
	if l.cfg.Off {
		return 0
	}
	var addr netip.Addr
	uid := s.UserID()
	if uid == 0 {
		ap, _ := netip.ParseAddrPort(s.RemoteAddr())
		addr = ap.Addr()
	}
	return l.Request(c, uid, addr)
}

var _ wire.Limiter = (*Limiter)(nil)

// SignUpCode spends the budgets of one code sent to a phone of country
// (its calling code) from addr: per address, per country and in total, in
// that order. (The budget per phone number is kept with the account, in
// storage, by the handler.) The first budget that refuses
// answers with its wait, and the ones after it are not spent: an attacker's
// retries drain their own address's budget, and the shared ones stay for
// everybody else.
func (l *Limiter) SignUpCode(addr netip.Addr, country string) time.Duration {
	if l.cfg.Off {
		return 0
	}
	s := l.cfg.SignUp
	now := l.now()
	if !l.exempt(addr) {
		if w := l.spend("su-ip:"+Source(addr), s.PerAddress, now); w > 0 {
			return w
		}
	}
	for _, b := range []struct {
		key  string
		rate Rate
	}{{"su-cc:" + country, s.PerCountry}, {"su-all", s.Total}} {
		if w := l.spend(b.key, b.rate, now); w > 0 {
			return w
		}
	}
	return 0
}

func (l *Limiter) spend(key string, r Rate, now time.Time) time.Duration {
	if r.off() {
		return 0
	}
	return l.buckets.take(key, r, now)
}

// exempt reports an address the operator lets through unlimited
// (loopback, when the config says so).
func (l *Limiter) exempt(addr netip.Addr) bool {
	return l.cfg.ExemptLoopback && addr.IsLoopback()
}

// Source is the key of an address: an IPv6 client owns at least a /64, so
// its addresses count as one.
func Source(a netip.Addr) string {
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// Keys is how many buckets the limiter holds now (for metrics and tests).
func (l *Limiter) Keys() int { return l.buckets.size() }

func uitoa(v uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return string(b[i:])
		}
	}
}
