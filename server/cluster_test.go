package server

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
	"github.com/gapd/gapd/wsclient"
	natsserver "github.com/nats-io/nats-server/v2/server"
)

// runNATS runs a NATS server in process on 127.0.0.1 (port -1: a free
// one) until the test ends; maxPayload 0 keeps NATS's default.
func runNATS(t *testing.T, port int, maxPayload int32) *natsserver.Server {
	t.Helper()
	ns, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: port, MaxPayload: maxPayload,
		NoLog: true, NoSigs: true})
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

// testNode is one gapd node (the server with the test handlers) joined to
// NATS at url.
type testNode struct {
	*testServer
	cluster *Cluster
}

func startNode(t *testing.T, url, name string) *testNode {
	t.Helper()
	hub := NewHub()
	cl, err := JoinCluster(hub, ClusterOptions{URL: url, Node: name, Log: quietLog(), ReconnectWait: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// Registered before the server's shutdown, so it runs after it.
	t.Cleanup(cl.Close)
	cfg := testConfig(t)
	cfg.Node = name
	return &testNode{testServer: start(t, cfg, Options{Handlers: newTestHandlers(), Hub: hub}), cluster: cl}
}

// client dials the node and logs in as user's device session.
func (n *testNode) client(t *testing.T, user, device uint64) *wsclient.Conn {
	t.Helper()
	c := dial(t, n.url("/"), wsclient.Options{})
	login(t, c, user, device)
	return c
}

// session is the node's live connection of a device session.
func (n *testNode) session(t *testing.T, device uint64) wire.Session {
	t.Helper()
	h := n.srv.Hub()
	h.mu.RLock()
	defer h.mu.RUnlock()
	c := h.byDevice[device]
	if c == nil {
		t.Fatalf("device %d has no connection on this node", device)
	}
	return c
}

// waitFor polls cond until it holds, failing the test after 10s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("still not %s after 10s", what)
		}
	}
}

const testPushAction = dispatch.ResponseChatSendMessage

func push(t *testing.T, n *testNode, users []uint64, room uint64, except wire.Session) {
	t.Helper()
	if err := n.srv.Hub().PushMany(users, testPushAction, &pb.ChatSendMessageResponse{RoomId: room}, except); err != nil {
		t.Fatal(err)
	}
}

func wantPush(t *testing.T, c *wsclient.Conn, room uint64) {
	t.Helper()
	if got := nextPush(t, c, testPushAction).(*pb.ChatSendMessageResponse).RoomId; got != room {
		t.Fatalf("got the push of room %d, want %d", got, room)
	}
}

// A push made on one node reaches the user's connections on every node,
// and skips the session that caused it wherever that session is.
func TestClusterPush(t *testing.T) {
	ns := runNATS(t, -1, 0)
	a, b := startNode(t, ns.ClientURL(), "a"), startNode(t, ns.ClientURL(), "b")
	onA, onB, otherOnB := a.client(t, 1, 11), b.client(t, 1, 10), b.client(t, 2, 20)

	push(t, a, []uint64{1, 2}, 5, nil)
	for _, c := range []*wsclient.Conn{onA, onB, otherOnB} {
		wantPush(t, c, 5)
	}
	if got := counterValue(t, b.srv.Hub().pushes); got != 2 {
		t.Fatalf("node b queued %v pushes, want 2", got)
	}

	// The causing session is on b: a's push names its device, and b skips
	// it. The next push (NATS keeps one publisher's order) is the next the
	// session gets.
	push(t, a, []uint64{1}, 6, b.session(t, 10))
	wantPush(t, onA, 6)
	push(t, a, []uint64{1}, 7, nil)
	wantPush(t, onB, 7)

	// Pushes made on b reach a; b delivers its own (NATS does not echo
	// them back), so its connection gets each once.
	push(t, b, []uint64{1}, 8, b.session(t, 10))
	push(t, b, []uint64{1}, 9, nil)
	for _, room := range []uint64{7, 8, 9} {
		wantPush(t, onA, room)
	}
	push(t, a, []uint64{1}, 10, nil)
	wantPush(t, onB, 9)
	wantPush(t, onB, 10)
}

// A push for more users than one NATS message holds goes as several, and
// every user on the other node still gets it once.
func TestClusterPushSplit(t *testing.T) {
	ns := runNATS(t, -1, 1024)
	a, b := startNode(t, ns.ClientURL(), "a"), startNode(t, ns.ClientURL(), "b")
	first, last := b.client(t, 1, 10), b.client(t, 400, 40)
	users := make([]uint64, 400)
	for i := range users {
		users[i] = uint64(i + 1)
	}
	push(t, a, users, 5, nil)
	push(t, a, []uint64{1, 400}, 6, nil)
	for _, c := range []*wsclient.Conn{first, last} {
		wantPush(t, c, 5)
		wantPush(t, c, 6)
	}
}

// A login on one node evicts the device session's connection on another
// with error 3; the new connection stays.
func TestClusterLoginEvicts(t *testing.T) {
	ns := runNATS(t, -1, 0)
	a, b := startNode(t, ns.ClientURL(), "a"), startNode(t, ns.ClientURL(), "b")
	old := a.client(t, 1, 10)
	fresh := b.client(t, 1, 10)
	if e := nextError(t, old); e.MajorCode != uint32(errs.NewClientInSession) || e.Response.GetId() != "" {
		t.Fatalf("the older connection got %v, want error 3 with no request id", e)
	}
	waitClosed(t, old, 10*time.Second)
	roundTrip(t, fresh)
	if a.srv.Hub().Live(10) || !b.srv.Hub().Live(10) {
		t.Fatalf("live on a %v, on b %v; want only b", a.srv.Hub().Live(10), b.srv.Hub().Live(10))
	}
	if got := counterValue(t, a.srv.Hub().evictions); got != 1 {
		t.Fatalf("node a counted %v evictions, want 1", got)
	}
	// Another device of the same user is left alone.
	other := a.client(t, 1, 11)
	b.client(t, 1, 12)
	roundTrip(t, other)
}

// Hub.EndSession on one node (a session terminated there) closes the
// session's connection on another with error 8.
func TestClusterEndSession(t *testing.T) {
	ns := runNATS(t, -1, 0)
	a, b := startNode(t, ns.ClientURL(), "a"), startNode(t, ns.ClientURL(), "b")
	onB, stays := b.client(t, 1, 10), b.client(t, 1, 11)
	a.srv.Hub().EndSession(10, errs.NewSessionIsTerminated())
	if e := nextError(t, onB); e.MajorCode != uint32(errs.SessionIsTerminated) {
		t.Fatalf("got %v, want error 8", e)
	}
	waitClosed(t, onB, 10*time.Second)
	if b.srv.Hub().Live(10) {
		t.Fatal("the ended session is still live on b")
	}
	roundTrip(t, stays)
}

// NATS stopped: /healthz says unavailable, pushes to other nodes are lost
// and counted (never replayed late). NATS back on its address: the nodes
// reconnect by themselves and pushes flow again.
func TestClusterNATSRestart(t *testing.T) {
	ns := runNATS(t, -1, 0)
	port := ns.Addr().(*net.TCPAddr).Port
	a, b := startNode(t, ns.ClientURL(), "a"), startNode(t, ns.ClientURL(), "b")
	onB := b.client(t, 1, 10)
	healthz := "http://" + a.addr + "/healthz"
	get(t, healthz, http.StatusOK)

	ns.Shutdown()
	ns.WaitForShutdown()
	waitFor(t, "disconnected", func() bool { return !a.cluster.Connected() && !b.cluster.Connected() })
	waitFor(t, "counted as a disconnect", func() bool { return counterValue(t, a.cluster.disconnects) == 1 })
	if body := get(t, healthz, http.StatusServiceUnavailable); body != "unavailable: nats disconnected\n" {
		t.Fatalf("healthz while NATS is down: %q", body)
	}
	push(t, a, []uint64{1}, 1, nil)
	if got := counterValue(t, a.cluster.pushesUnsent); got != 1 {
		t.Fatalf("unsent pushes %v, want 1", got)
	}
	a.srv.Hub().EndSession(99, errs.NewSessionIsTerminated())
	if got := counterValue(t, a.cluster.eventsUnsent); got != 1 {
		t.Fatalf("unsent session events %v, want 1", got)
	}

	runNATS(t, port, 0)
	waitFor(t, "reconnected", func() bool { return a.cluster.Connected() && b.cluster.Connected() })
	// b's subscriptions went again before it counted as connected; a round
	// trip makes sure NATS has taken them.
	if err := b.cluster.nc.Flush(); err != nil {
		t.Fatal(err)
	}
	get(t, healthz, http.StatusOK)
	push(t, a, []uint64{1}, 2, nil)
	wantPush(t, onB, 2) // not 1: the push made during the outage is gone
	if got := counterValue(t, a.cluster.disconnects); got != 1 {
		t.Fatalf("disconnects %v, want 1", got)
	}
}

// Without a cluster, a hub serves its own node, and /metrics names the
// node either way.
func TestNodeInfoMetric(t *testing.T) {
	cfg := testConfig(t)
	cfg.Node = "edge-7"
	ts := start(t, cfg, Options{})
	body := get(t, "http://"+ts.addr+"/metrics", http.StatusOK)
	if !strings.Contains(body, `gapd_node_info{node="edge-7"} 1`) {
		t.Fatal("/metrics lacks gapd_node_info")
	}
	if strings.Contains(body, "gapd_nats_") {
		t.Fatal("a single node reports NATS metrics")
	}
}
