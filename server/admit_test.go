package server

import (
	"bufio"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/wsclient"
)

// upgradeStatus sends a WebSocket upgrade and returns the HTTP status.
func upgradeStatus(t *testing.T, addr string) int {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	req := "GET / HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := c.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// waitUpgrade retries until an upgrade succeeds (a closed connection gives
// its place back once the server has seen it close).
func waitUpgrade(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for upgradeStatus(t, addr) != http.StatusSwitchingProtocols {
		if time.Now().After(deadline) {
			t.Fatal("no place freed for a new connection")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestMaxConnsRefusesWith429(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxConns, cfg.MaxConnsPerIP = 2, 0
	ts := start(t, cfg, Options{Handlers: newTestHandlers()})
	a := dial(t, ts.url("/"), wsclient.Options{})
	dial(t, ts.url("/"), wsclient.Options{})
	if got := upgradeStatus(t, ts.addr); got != http.StatusTooManyRequests {
		t.Fatalf("upgrade over -max-conns answered %d, want 429", got)
	}
	roundTrip(t, a) // those admitted are served
	_ = a.Close()
	waitUpgrade(t, ts.addr)
	if got := counterValue(t, ts.srv.metrics.refused.WithLabelValues(limitTotal)); got < 1 {
		t.Fatalf("refused{limit=total} = %v", got)
	}
}

func TestMaxConnsPerIPRefusesWith429(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxConns, cfg.MaxConnsPerIP = 0, 2
	ts := start(t, cfg, Options{Handlers: newTestHandlers()})
	a := dial(t, ts.url("/"), wsclient.Options{})
	dial(t, ts.url("/"), wsclient.Options{})
	if got := upgradeStatus(t, ts.addr); got != http.StatusTooManyRequests {
		t.Fatalf("upgrade over -max-conns-per-ip answered %d, want 429", got)
	}
	_ = a.Close()
	waitUpgrade(t, ts.addr)
	if got := counterValue(t, ts.srv.metrics.refused.WithLabelValues(limitAddress)); got < 1 {
		t.Fatalf("refused{limit=address} = %v", got)
	}
}

func TestAddrKey(t *testing.T) {
	same := [][2]string{
		{"192.0.2.1:1000", "192.0.2.1:2000"},
		{"192.0.2.1:1000", "[::ffff:192.0.2.1]:1000"},
		{"[2001:db8:1:2::1]:1000", "[2001:db8:1:2:ffff::9]:2000"}, // one /64
	}
	for _, p := range same {
		if addrKey(p[0]) != addrKey(p[1]) {
			t.Errorf("%s and %s count apart", p[0], p[1])
		}
	}
	apart := [][2]string{
		{"192.0.2.1:1000", "192.0.2.2:1000"},
		{"[2001:db8:1:2::1]:1000", "[2001:db8:1:3::1]:1000"},
	}
	for _, p := range apart {
		if addrKey(p[0]) == addrKey(p[1]) {
			t.Errorf("%s and %s count as one", p[0], p[1])
		}
	}
}

// Over -max-sessions-per-user, a login evicts the user's session that has
// been quiet the longest, with error 3, as a newer connection of the same
// session would.
func TestSessionCapEvictsQuietest(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxSessionsPerUser = 2
	ts := start(t, cfg, Options{Handlers: newTestHandlers()})
	hub := ts.srv.Hub()
	first := dial(t, ts.url("/"), wsclient.Options{})
	login(t, first, 7, 71)
	quiet := dial(t, ts.url("/"), wsclient.Options{})
	login(t, quiet, 7, 72)
	roundTrip(t, first) // first has made a request since quiet's last
	other := dial(t, ts.url("/"), wsclient.Options{})
	login(t, other, 8, 81) // another user's sessions are not counted

	third := dial(t, ts.url("/"), wsclient.Options{})
	login(t, third, 7, 73)
	if e := nextError(t, quiet); e.MajorCode != uint32(errs.NewClientInSession) || e.Response.GetId() != "" {
		t.Fatalf("the quietest session got %v", e)
	}
	waitClosed(t, quiet, 5*time.Second)
	if n := hub.Online(7); n != 2 {
		t.Fatalf("user 7 has %d sessions, want 2", n)
	}
	for _, c := range []*wsclient.Conn{first, third, other} {
		roundTrip(t, c)
	}
	if got := counterValue(t, hub.capEvictions); got != 1 {
		t.Fatalf("gapd_session_cap_evictions_total = %v", got)
	}
}
