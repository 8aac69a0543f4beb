package e2e

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gapd/gapd/config"
	"github.com/gapd/gapd/generated/client"
	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/handlers"
	"github.com/gapd/gapd/server"
	"github.com/gapd/gapd/wire"
	"github.com/gapd/gapd/wsclient"
	"google.golang.org/protobuf/proto"
)

// nextPush waits for a push of action.
func nextPush(t *testing.T, c *wsclient.Conn, action uint16) proto.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := c.NextPush(ctx, action)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestBadFrames(t *testing.T) {
	e := start(t, nil)
	conn := e.dial(wsclient.Options{})
	c := conn.Client()

	// A frame shorter than 2 bytes: error 1 with no id; the connection stays.
	if err := conn.SendRaw([]byte{7}); err != nil {
		t.Fatal(err)
	}
	er := nextPush(t, conn, dispatch.MessageErrorResponse).(*pb.ErrorResponse)
	if er.MajorCode != uint32(errs.BadRequest) || er.Response.GetId() != "" {
		t.Fatalf("short frame: %v", er)
	}
	// A text frame: error 1.
	if err := conn.SendText("hello"); err != nil {
		t.Fatal(err)
	}
	er = nextPush(t, conn, dispatch.MessageErrorResponse).(*pb.ErrorResponse)
	if er.MajorCode != uint32(errs.BadRequest) {
		t.Fatalf("text frame: %v", er)
	}
	// An unknown action answers error 1 with the request's id.
	var r pb.Response
	err := conn.Call(ctx(t), 29999, &pb.Request{Id: "unknown-1"}, &pb.Heartbeat{Request: &pb.Request{Id: "unknown-1"}}, &r)
	wantErr(t, err, errs.BadRequest, 0)
	// An undecodable payload: error 1, with the id when it can be read.
	good, _ := proto.Marshal(&pb.UserRegister{Request: &pb.Request{Id: "bad-payload"}})
	frame := wire.AppendFrame(nil, dispatch.ActionUserRegister, append(good, 0xff, 0xff, 0xff))
	if err := conn.SendRaw(frame); err != nil {
		t.Fatal(err)
	}
	er = nextPush(t, conn, dispatch.MessageErrorResponse).(*pb.ErrorResponse)
	t.Logf("undecodable payload answered %d with id %q", er.MajorCode, er.Response.GetId())
	if er.MajorCode != uint32(errs.BadRequest) {
		t.Fatalf("undecodable payload: %v", er)
	}
	// The connection still serves requests.
	if _, err := c.InfoTime(ctx(t), &pb.InfoTime{}); err != nil && !isInternal(err) {
		t.Fatalf("after bad frames: %v", err)
	}
	roundTrip(t, c)
}

// isInternal is true for an internal server error (an action whose behaviour
// comes in a later issue still answers, with its internal code).
func isInternal(err error) bool {
	e, ok := wire.As(err)
	return ok && strings.HasSuffix(errsName(e.Major), "INTERNAL_SERVER_ERROR")
}

func errsName(m wire.Major) string {
	if info, ok := errs.Lookup(m); ok {
		return info.Name
	}
	return ""
}

func TestEviction(t *testing.T) {
	e := start(t, nil)
	c1, conn1 := e.client()
	_, token := e.signUp(c1, phone)
	c2, _ := e.client()
	if _, err := c2.UserLogin(ctx(t), &pb.UserLogin{Token: token}); err != nil {
		t.Fatal(err)
	}
	er := nextPush(t, conn1, dispatch.MessageErrorResponse).(*pb.ErrorResponse)
	if er.MajorCode != uint32(errs.NewClientInSession) {
		t.Fatalf("evicted connection got %v", er)
	}
	select {
	case <-conn1.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the evicted connection was not closed")
	}
	roundTrip(t, c2)
}

func TestHeartbeat(t *testing.T) {
	e := start(t, func(c *config.Config, _ *handlers.Deps) { c.Server.Heartbeat = time.Second })
	conn := e.dial(wsclient.Options{})
	hello := nextPush(t, conn, dispatch.MessageConnectionSecuringResponse).(*pb.ConnectionSecuringResponse)
	if hello.HeartbeatInterval != 1 {
		t.Fatalf("heartbeat_interval = %d", hello.HeartbeatInterval)
	}
	nextPush(t, conn, dispatch.ResponseHeartbeat)
	// A client that answers stays connected past interval + grace.
	time.Sleep(2 * time.Second)
	select {
	case <-conn.Done():
		t.Fatalf("a client answering heartbeats was closed: %v", conn.Err())
	default:
	}
	// A silent client that has logged in is closed after interval + grace
	// (grace: half the interval, at least 5s). Before login no answer is
	// owed (server/server_test.go covers -login-idle).
	silent := e.dial(wsclient.Options{NoHeartbeat: true})
	e.signUp(silent.Client(), phone)
	select {
	case <-silent.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("a silent client was not closed within interval + grace")
	}
}

// slowHandlers wraps the real handlers with test behaviour on two actions.
type slowHandlers struct {
	*handlers.Handlers
	release chan struct{}
	entered chan struct{}
}

func (h *slowHandlers) InfoTime(ctx context.Context, s wire.Session, req *pb.InfoTime) (*pb.InfoTimeResponse, error) {
	if h.entered != nil {
		h.entered <- struct{}{}
	}
	select {
	case <-h.release:
		return &pb.InfoTimeResponse{Timestamp: 42}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (h *slowHandlers) InfoPage(context.Context, wire.Session, *pb.InfoPage) (*pb.InfoPageResponse, error) {
	panic("boom")
}

// startWrapped runs the real server with wrapped handlers.
func startWrapped(t *testing.T, timeout time.Duration) (*env, *slowHandlers, *server.Server, string) {
	e := start(t, nil)
	h := &slowHandlers{Handlers: e.app.Handlers, release: make(chan struct{}), entered: make(chan struct{}, 1)}
	cfg, _ := config.Load([]string{"-addr", "127.0.0.1:0", "-handler-timeout", timeout.String()}, func(string) string { return "" })
	srv := server.New(cfg.Server, server.Options{Handlers: h, Log: quietLog()})
	l, err := listen()
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(c)
	})
	return e, h, srv, "ws://" + l.Addr().String() + "/hybrid/"
}

func TestDeadlineAndPanic(t *testing.T) {
	_, _, _, url := startWrapped(t, 200*time.Millisecond)
	conn, err := wsclient.Dial(ctx(t), url, wsclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := conn.Client()
	_, err = c.InfoTime(ctx(t), &pb.InfoTime{})
	wantErr(t, err, errs.Timeout, 0)
	// InfoPage has its own internal error (503); a panic becomes it.
	_, err = c.InfoPage(ctx(t), &pb.InfoPage{Id: "about"})
	wantErr(t, err, errs.InfoPageInternalServerError, 0)
	roundTrip(t, c)
}

func TestShutdownFinishesRequestsInFlight(t *testing.T) {
	_, h, srv, url := startWrapped(t, 10*time.Second)
	conn, err := wsclient.Dial(ctx(t), url, wsclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	type result struct {
		resp *pb.InfoTimeResponse
		err  error
	}
	got := make(chan result, 1)
	go func() {
		r, err := conn.Client().InfoTime(context.Background(), &pb.InfoTime{})
		got <- result{r, err}
	}()
	<-h.entered // the request is in the handler
	shut := make(chan error, 1)
	go func() {
		c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shut <- srv.Shutdown(c)
	}()
	select {
	case err := <-shut:
		t.Fatalf("shutdown returned (%v) while a request was in flight", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(h.release)
	r := <-got
	if r.err != nil || r.resp.Timestamp != 42 {
		t.Fatalf("in-flight request: %v %v", r.resp, r.err)
	}
	if err := <-shut; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	<-conn.Done()
}

// /healthz and /metrics answer on the ops address, not on the client one,
// and /healthz tells which part is down, never an error's text.
func TestHealthAndMetrics(t *testing.T) {
	e := start(t, nil)
	if e.app.OpsAddr() == e.app.Addr() {
		t.Fatal("the ops listener is the client listener")
	}
	c, _ := e.client()
	_, _ = c.UserRegister(ctx(t), &pb.UserRegister{PhoneNumber: 1, CountryCode: "IR"})
	get := func(addr, path string) (int, string) {
		t.Helper()
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(body)
	}
	for path, want := range map[string]string{
		"/healthz": "ok",
		"/metrics": `gapd_errors_total{action="UserRegister",code="100",kind="real"} 1`,
	} {
		if code, body := get(e.app.OpsAddr(), path); code != 200 || !strings.Contains(body, want) {
			t.Fatalf("%s: %d, body lacks %q", path, code, want)
		}
		if code, _ := get(e.app.Addr(), path); code != http.StatusNotFound {
			t.Fatalf("%s on the client port: %d, want 404", path, code)
		}
	}
	_ = e.app.DB.Close()
	if code, body := get(e.app.OpsAddr(), "/healthz"); code != http.StatusServiceUnavailable || body != "unavailable: database\n" {
		t.Fatalf("healthz with a closed database: %d %q", code, body)
	}
}

// TestSlowConsumerDoesNotDelayOthers pushes large frames to a user with two
// connections, one of which never reads: its queue fills, pushes to it are
// dropped, it is closed once its queue has stayed full for the stall time,
// and the other connection receives every push.
func TestSlowConsumerDoesNotDelayOthers(t *testing.T) {
	e := start(t, func(c *config.Config, _ *handlers.Deps) { c.Server.QueueStall = 200 * time.Millisecond })
	c, fast := e.client()
	reg, _ := e.signUp(c, phone)
	// A second device of the same user, logged in over a socket nobody reads.
	defer e.stalledDevice(phone).Close()
	hub := e.app.Server.Hub() // node 0's: its pushes reach the others too
	waitFor(t, func() bool { return e.online(reg.UserId) == 2 }, "the stalled device to log in")

	const pushes = 600 // more than the server's queue plus what the socket buffers hold
	big := &pb.ChatSendMessageResponse{RoomId: 1, RoomMessage: &pb.RoomMessage{Message: strings.Repeat("x", 64<<10)}}
	// Each push is read by the fast client before the next: it keeps up, the
	// stalled one falls ever further behind.
	push := func() {
		if err := hub.Push(reg.UserId, dispatch.ResponseChatSendMessage, big, nil); err != nil {
			t.Fatal(err)
		}
		nextPush(t, fast, dispatch.ResponseChatSendMessage)
	}
	for i := 0; i < pushes; i++ {
		push()
	}
	// Pushes keep finding its queue full; past the stall time one closes it.
	waitFor(t, func() bool { push(); return e.online(reg.UserId) == 1 }, "the stalled connection to be closed")
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// roundTrip fails the test unless c still answers a request (one every
// connection may make, answered whether or not it has logged in).
func roundTrip(t *testing.T, c *client.Client) {
	t.Helper()
	if _, err := c.UserProfileGetNickname(ctx(t), &pb.UserProfileGetNickname{}); err != nil {
		if e, ok := wire.As(err); !ok || e.Major != errs.LoginRequired {
			t.Fatalf("no round trip: %v", err)
		}
	}
}

// The typed client sends Heartbeat without waiting (the server never answers
// it), and the next request is answered as if nothing had been sent.
func TestTypedHeartbeatIsNotAnswered(t *testing.T) {
	e := start(t, nil)
	c, conn := e.client()
	e.signUp(c, phone)
	hb := &pb.Heartbeat{}
	if err := c.Heartbeat(ctx(t), hb); err != nil || hb.Request.GetId() == "" {
		t.Fatalf("heartbeat: %v, id %q", err, hb.Request.GetId())
	}
	if _, err := c.UserProfileGetNickname(ctx(t), &pb.UserProfileGetNickname{}); err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-conn.Pushes():
		if p.Action == dispatch.ResponseHeartbeat {
			t.Fatalf("the client's Heartbeat was answered: %v", p.Msg)
		}
	default:
	}
}
