package config

import (
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/gapd/gapd/delivery"
	"github.com/gapd/gapd/handlers"
	"github.com/gapd/gapd/limits"
	"github.com/gapd/gapd/securing"
	"github.com/gapd/gapd/server"
	"github.com/gapd/gapd/storage"
)

// Bounds of -max-frame, in bytes.
const (
	minMaxFrame = 1 << 10
	maxMaxFrame = 64 << 20
)

// check validates c and fills what is parsed from the text of a flag:
// Sender, Limits, Handlers.ICEServers and Handlers.Codes. Problems are
// reported by flag name.
func (c *Config) check() error {
	s, h := &c.Server, &c.Handlers
	_, port, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return fmt.Errorf("-addr %q: want host:port", s.Addr)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("-addr %q: the port must be a number from 0 to 65535", s.Addr)
	}
	if c.Data == "" {
		return errors.New("-data: must not be empty")
	}
	if c.DB != "" && !storage.IsPostgres(c.DB) {
		return errors.New("-db: want empty (SQLite in -data) or a postgres:// URL")
	}
	if c.Sender, err = delivery.Parse(c.VerifySender); err != nil {
		return fmt.Errorf("-verify-sender %v", err)
	}
	if c.Email, err = delivery.Parse(c.EmailSender); err != nil {
		return fmt.Errorf("-email-sender %v", err)
	}
	if (s.TLSCert == "") != (s.TLSKey == "") {
		return errors.New("-tls-cert and -tls-key go together: give both or neither")
	}
	if s.TLSCert != "" {
		if _, err := tls.LoadX509KeyPair(s.TLSCert, s.TLSKey); err != nil {
			return fmt.Errorf("-tls-cert/-tls-key: %v", err)
		}
	}
	if s.Heartbeat < time.Second || s.Heartbeat%time.Second != 0 {
		return fmt.Errorf("-heartbeat %v: want whole seconds, at least 1s (clients are told it in seconds)", s.Heartbeat)
	}
	if s.MaxFrame < minMaxFrame || s.MaxFrame > maxMaxFrame {
		return fmt.Errorf("-max-frame %d: want %d to %d bytes", s.MaxFrame, minMaxFrame, maxMaxFrame)
	}
	if h.MaxRoomMembers < 2 {
		return fmt.Errorf("-max-room-members %d: want at least 2", h.MaxRoomMembers)
	}
	if h.Files.MaxSize < 1 {
		return fmt.Errorf("-max-file-size %d: want at least 1 byte", h.Files.MaxSize)
	}
	if h.Files.MaxUserStorage < 1 {
		return fmt.Errorf("-max-user-storage %d: want at least 1 byte", h.Files.MaxUserStorage)
	}
	if c.Processing.MaxImagePixels < 1 {
		return fmt.Errorf("-max-image-pixels %d: want at least 1", c.Processing.MaxImagePixels)
	}
	if c.GeoIP != "" {
		// Whether it is a usable database is checked when it is opened.
		if st, err := os.Stat(c.GeoIP); err != nil || !st.Mode().IsRegular() {
			return fmt.Errorf("-geoip %q: no such file", c.GeoIP)
		}
	}
	if h.DeleteForBothPeriod < 0 || h.DeleteForBothPeriod%time.Second != 0 || h.DeleteForBothPeriod > math.MaxUint32*time.Second {
		return fmt.Errorf("-delete-for-both-period %v: want whole seconds, 0 or more (clients are told it in seconds)", h.DeleteForBothPeriod)
	}
	if c.Limits, err = limits.Load(c.LimitsPath); err != nil {
		return fmt.Errorf("-limits %v", err)
	}
	if h.ICEServers, err = ParseICEServers(c.ICEServersText); err != nil {
		return fmt.Errorf("-ice-servers %v", err)
	}
	if s.SecuringKey != "" {
		if _, err := securing.LoadKey(s.SecuringKey); err != nil {
			return fmt.Errorf("-securing-key %q: %v", s.SecuringKey, err)
		}
	}
	if s.SecuringClientKey != "" {
		k, err := securing.LoadKey(s.SecuringClientKey)
		if err != nil {
			return fmt.Errorf("-securing-client-key %q: %v", s.SecuringClientKey, err)
		}
		// Clients encrypt ChunkSize-byte chunks under it with PKCS#1 v1.5,
		// which takes at most the key's size less 11 bytes.
		if k.Size()-11 < securing.ChunkSize {
			return fmt.Errorf("-securing-client-key %q: a %d-bit key cannot take %d-byte chunks; want at least 2048 bits",
				s.SecuringClientKey, k.N.BitLen(), securing.ChunkSize)
		}
	}
	if s.PlainFrames != server.PlainAllow && s.PlainFrames != server.PlainDeny {
		return fmt.Errorf("-plain-frames %q: want allow or deny", s.PlainFrames)
	}
	if s.LoginIdle < time.Second {
		return fmt.Errorf("-login-idle %v: want at least 1s", s.LoginIdle)
	}
	if s.MaxConns < 0 || s.MaxConnsPerIP < 0 || s.MaxSessionsPerUser < 0 {
		return fmt.Errorf("-max-conns %d, -max-conns-per-ip %d, -max-sessions-per-user %d: want 0 (no cap) or more",
			s.MaxConns, s.MaxConnsPerIP, s.MaxSessionsPerUser)
	}
	if s.OpsAddr != "" {
		if _, port, err := net.SplitHostPort(s.OpsAddr); err != nil {
			return fmt.Errorf("-ops-addr %q: want host:port, or empty to serve on -addr", s.OpsAddr)
		} else if _, err := strconv.ParseUint(port, 10, 16); err != nil {
			return fmt.Errorf("-ops-addr %q: the port must be a number from 0 to 65535", s.OpsAddr)
		}
	}
	if err := checkNode(s.Node); err != nil {
		return fmt.Errorf("-node %q: %v", s.Node, err)
	}
	if err := checkNATS(s.NATS); err != nil {
		return fmt.Errorf("-nats %q: %v", s.NATS, err)
	}
	if h.SessionIdle < time.Hour {
		return fmt.Errorf("-session-idle %v: want at least 1h", h.SessionIdle)
	}
	if s.HandlerTimeout < 100*time.Millisecond {
		return fmt.Errorf("-handler-timeout %v: want at least 100ms", s.HandlerTimeout)
	}
	// The code policy's rules live with the handlers.
	h.Codes = codePolicy(c.Limits.Codes)
	if err := h.Codes.WithDefaults().Check(); err != nil {
		return fmt.Errorf("-limits %s: codes: %w", c.LimitsPath, err)
	}
	return nil
}

// codePolicy is the handlers' code policy from the -limits file's codes
// section; keys left out keep the policy's defaults.
func codePolicy(c limits.Codes) handlers.CodePolicy {
	return handlers.CodePolicy{Digits: c.Digits, Lifetime: c.Lifetime, MaxTries: c.MaxTries, TryLock: c.TryLock,
		MaxTryLock: c.MaxTryLock, DailyFailures: c.DailyFailures, MaxSends: c.MaxSends, SendWindow: c.SendWindow,
		DailySends: c.DailySends, Reservation: c.Reservation}
}
