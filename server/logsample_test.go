package server

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/gapd/gapd/wsclient"
)

// syncBuffer is a log destination that connections' goroutines share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Errors a client causes are counted every one, but reach the info log
// sampled, not one line each.
func TestClientErrorsAreSampledAndCounted(t *testing.T) {
	var logs syncBuffer
	cfg := testConfig(t)
	ts := start(t, cfg, Options{Handlers: newTestHandlers(),
		Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	c := dial(t, ts.url("/"), wsclient.Options{})
	const n = 10 // fewer than DefaultMaxBadFrames: pings are of an unknown action
	for range n {
		roundTrip(t, c)
	}
	body := get(t, "http://"+ts.addr+"/metrics", 200)
	if want := `gapd_errors_total{action="unknown_action",code="1",kind="real"} 10`; !strings.Contains(body, want) {
		t.Fatalf("metrics lack %s", want)
	}
	lines := strings.Count(logs.String(), "client error")
	if lines < 1 || lines >= n {
		t.Fatalf("%d client errors made %d info lines, want at least 1 and fewer than %d:\n%s", n, lines, n, logs.String())
	}
}
