package e2e

import (
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
)

// runNATS runs a NATS server in process on 127.0.0.1 (port -1: a free one).
func runNATS(t testing.TB, port int) *natsserver.Server {
	t.Helper()
	ns, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: port, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("NATS did not start")
	}
	t.Cleanup(ns.Shutdown)
	return ns
}

func opsGet(t *testing.T, e *env, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + e.app.OpsAddr() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// waitHealth polls /healthz until it answers code.
func waitHealth(t *testing.T, e *env, code int) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if got, _ := opsGet(t, e, "/healthz"); got == code {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz never answered %d", code)
		}
	}
}

// -nats and -node as an operator gives them: two nodes join NATS, name
// themselves in /metrics, say unavailable while NATS is down and come back
// by themselves when it is up again.
func TestNATSNodes(t *testing.T) {
	ns := runNATS(t, -1)
	port := ns.Addr().(*net.TCPAddr).Port
	n1 := startWith(t, []string{"-nats", ns.ClientURL(), "-node", "n1"}, nil)
	n2 := startWith(t, []string{"-nats", ns.ClientURL(), "-node", "n2"}, nil)
	for _, n := range []struct {
		e    *env
		name string
	}{{n1, "n1"}, {n2, "n2"}} {
		if code, _ := opsGet(t, n.e, "/healthz"); code != http.StatusOK {
			t.Fatalf("%s: /healthz %d", n.name, code)
		}
		_, body := opsGet(t, n.e, "/metrics")
		for _, want := range []string{`gapd_node_info{node="` + n.name + `"} 1`, "gapd_nats_connected 1",
			"gapd_nats_disconnects_total 0", "gapd_pushes_unsent_total 0"} {
			if !strings.Contains(body, want) {
				t.Fatalf("%s: /metrics lacks %q", n.name, want)
			}
		}
	}

	ns.Shutdown()
	ns.WaitForShutdown()
	waitHealth(t, n1, http.StatusServiceUnavailable)
	waitHealth(t, n2, http.StatusServiceUnavailable)

	runNATS(t, port)
	waitHealth(t, n1, http.StatusOK)
	waitHealth(t, n2, http.StatusOK)
	if _, body := opsGet(t, n1, "/metrics"); !strings.Contains(body, "gapd_nats_disconnects_total 1") {
		t.Fatal("n1 did not count the disconnect")
	}
}

// /healthz of nodes sharing one database and one NATS tells which part a
// node lacks: its database handle that stopped answering makes only that
// node unavailable, and NATS gone makes every node unavailable.
func TestHealthzTellsWhatIsDown(t *testing.T) {
	ns := runNATS(t, -1)
	data := filepath.Join(t.TempDir(), "data")
	a := startWith(t, []string{"-data", data, "-nats", ns.ClientURL(), "-node", "a"}, nil)
	b := startWith(t, []string{"-data", data, "-nats", ns.ClientURL(), "-node", "b"}, nil)
	want := func(e *env, code int, body string) {
		t.Helper()
		if gotCode, gotBody := opsGet(t, e, "/healthz"); gotCode != code || gotBody != body {
			t.Fatalf("/healthz: %d %q, want %d %q", gotCode, gotBody, code, body)
		}
	}
	want(a, http.StatusOK, "ok\n")
	want(b, http.StatusOK, "ok\n")

	_ = a.app.DB.Close()
	want(a, http.StatusServiceUnavailable, "unavailable: database\n")
	want(b, http.StatusOK, "ok\n")

	ns.Shutdown()
	ns.WaitForShutdown()
	waitHealth(t, b, http.StatusServiceUnavailable)
	want(b, http.StatusServiceUnavailable, "unavailable: nats disconnected\n")
}
