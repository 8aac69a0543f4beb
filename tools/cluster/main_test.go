package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gapd/gapd/tools/internal/pgserver"
)

// syncBuffer is the cluster's output, read while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// make cluster's tool brings up PostgreSQL, NATS and two real gapd nodes that
// report themselves healthy and connected, and stops them all when told.
func TestClusterRunsAndStops(t *testing.T) {
	if _, err := pgserver.Bin(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is missing (%v): %s", err, pgserver.Install)
		}
		t.Skipf("PostgreSQL is missing (%v): %s", err, pgserver.Install)
	}
	dir := t.TempDir()
	// PostgreSQL runs as an unprivileged user when the test runs as root:
	// it must be able to reach its directory.
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "gapd")
	build := exec.Command("go", "build", "-o", bin, "../..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ports := make([]int, 2)
	for i := range ports {
		p, err := pgserver.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		ports[i] = p
	}
	// Two nodes take consecutive ports: use a free pair.
	o := options{gapd: bin, dir: filepath.Join(dir, "cluster"), nodes: 2, port: pair(t), opsPort: pair(t),
		natsPort: ports[0], pgPort: ports[1]}
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, o, out) }()

	deadline := time.Now().Add(90 * time.Second)
	for !strings.Contains(out.String(), "all up") {
		select {
		case err := <-done:
			t.Fatalf("cluster ended before it was up: %v\n%s", err, out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("cluster not up after 90s:\n%s", out)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for i, name := range []string{"n1", "n2"} {
		body := get(t, "http://127.0.0.1:"+strconv.Itoa(o.opsPort+i)+"/metrics")
		for _, want := range []string{`gapd_node_info{node="` + name + `"} 1`, "gapd_nats_connected 1"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: /metrics lacks %q", name, want)
			}
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("cluster stopped with %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("cluster did not stop within 60s")
	}
	for _, p := range []int{o.port, o.port + 1, o.natsPort, o.pgPort} {
		if c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(p), time.Second); err == nil {
			c.Close()
			t.Errorf("port %d still answers after the stop", p)
		}
	}
}

// pair is a port p with p+1 free too.
func pair(t *testing.T) int {
	for range 50 {
		p, err := pgserver.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		if l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+1)); err == nil {
			l.Close()
			return p
		}
	}
	t.Fatal("no two free consecutive ports")
	return 0
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
