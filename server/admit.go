package server

import (
	"net/http"
	"net/netip"
	"sync"
)

// admission counts the open WebSocket connections, in all and per address,
// so an upgrade over -max-conns or -max-conns-per-ip is refused before the
// connection is taken over: a 429 costs a short HTTP answer, not a
// WebSocket, a goroutine and buffers.
type admission struct {
	mu      sync.Mutex
	total   int
	perAddr map[netip.Addr]int32
}

// Cap names for gapd_connections_refused_total.
const (
	limitTotal   = "total"
	limitAddress = "address"
)

// addrKey is the address remote counts under: an IPv4 address, or the /64
// of an IPv6 one (one subscriber's network, where any host may take any of
// its 2^64 addresses). A remote that does not parse counts under the zero
// address.
func addrKey(remote string) netip.Addr {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return netip.Addr{}
	}
	a := ap.Addr().Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.Addr()
	}
	return a
}

// admit takes a place for a connection from remote; refused names the cap
// that is full ("" when admitted).
func (s *Server) admit(remote string) (refused string) {
	a := &s.adm
	key := addrKey(remote)
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case s.cfg.MaxConns > 0 && a.total >= s.cfg.MaxConns:
		return limitTotal
	case s.cfg.MaxConnsPerIP > 0 && int(a.perAddr[key]) >= s.cfg.MaxConnsPerIP:
		return limitAddress
	}
	a.total++
	if a.perAddr == nil {
		a.perAddr = map[netip.Addr]int32{}
	}
	a.perAddr[key]++
	return ""
}

// release gives back the place admit took for remote.
func (s *Server) release(remote string) {
	a := &s.adm
	key := addrKey(remote)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.total--
	if a.perAddr[key]--; a.perAddr[key] <= 0 {
		delete(a.perAddr, key)
	}
}

// refuse answers an upgrade over a cap: 429, and the connection is not kept.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, limit string) {
	s.metrics.refused.WithLabelValues(limit).Inc()
	s.log.Debug("connection refused: too many connections", "remote", r.RemoteAddr, "limit", limit)
	w.Header().Set("Connection", "close")
	w.Header().Set("Retry-After", "60")
	http.Error(w, "too many connections", http.StatusTooManyRequests)
}
