package server

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/storage/pgtest"
	"github.com/gapd/gapd/wire"
	"github.com/gapd/gapd/wsclient"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

func TestGreeting(t *testing.T) {
	ts := start(t, testConfig(t), Options{Handlers: newTestHandlers()})
	for _, path := range []string{"/", "/hybrid/"} {
		c := dial(t, ts.url(path), wsclient.Options{})
		hello := nextPush(t, c, dispatch.MessageConnectionSecuringResponse).(*pb.ConnectionSecuringResponse)
		if hello.HeartbeatInterval != 30 || hello.PublicKey != "" || hello.Response.GetTimestamp() == 0 {
			t.Fatalf("%s: greeting %v", path, hello)
		}
		roundTrip(t, c)
	}
}

func TestBadFrames(t *testing.T) {
	ts := start(t, testConfig(t), Options{Handlers: newTestHandlers()})
	c := dial(t, ts.url("/"), wsclient.Options{})

	// Shorter than an action id: 1 with no id, and the connection stays.
	for _, f := range [][]byte{{}, {7}} {
		if err := c.SendRaw(f); err != nil {
			t.Fatal(err)
		}
		if e := nextError(t, c); e.MajorCode != uint32(errs.BadRequest) || e.Response.GetId() != "" {
			t.Fatalf("frame %x: %v", f, e)
		}
	}
	// A text frame: 1.
	if err := c.SendText("\x03\x00"); err != nil {
		t.Fatal(err)
	}
	if e := nextError(t, c); e.MajorCode != uint32(errs.BadRequest) || e.Response.GetId() != "" {
		t.Fatalf("text frame: %v", e)
	}
	// An action the table does not have: 1 with the request's id (Call
	// matches the answer by that id).
	var resp pb.HeartbeatResponse
	err := c.Call(testCtx(t), 29999, &pb.Request{Id: "unknown-1"}, &pb.Heartbeat{Request: &pb.Request{Id: "unknown-1"}}, &resp)
	wantCode(t, err, errs.BadRequest)
	// A response id sent as a request: 1 as well.
	err = c.Call(testCtx(t), 30003, &pb.Request{Id: "response-id"}, &pb.Heartbeat{Request: &pb.Request{Id: "response-id"}}, &resp)
	wantCode(t, err, errs.BadRequest)

	// Undecodable, id readable: country_code (field 3, a string) is not
	// UTF-8. 1 answers the request by its id.
	good, _ := proto.Marshal(&pb.UserRegister{Request: &pb.Request{Id: "bad-utf8"}, PhoneNumber: 1})
	bad := protowire.AppendTag(good, 3, protowire.BytesType)
	bad = protowire.AppendBytes(bad, []byte{0xff, 0xfe})
	r := dialRaw(t, ts.url("/"))
	r.send(t, wire.AppendFrame(nil, dispatch.ActionUserRegister, bad))
	var er pb.ErrorResponse
	if err := proto.Unmarshal(r.next(t, dispatch.MessageErrorResponse), &er); err != nil {
		t.Fatal(err)
	}
	if er.MajorCode != uint32(errs.BadRequest) || er.Response.GetId() != "bad-utf8" {
		t.Fatalf("undecodable payload with an id: %v", &er)
	}
	// Undecodable with no readable id: 1 with an empty id.
	if err := c.SendRaw(wire.AppendFrame(nil, dispatch.ActionUserRegister, []byte{0xff, 0xff, 0xff})); err != nil {
		t.Fatal(err)
	}
	if e := nextError(t, c); e.MajorCode != uint32(errs.BadRequest) || e.Response.GetId() != "" {
		t.Fatalf("garbage payload: %v", e)
	}

	// Still usable.
	roundTrip(t, c)
}

func TestLoginRequired(t *testing.T) {
	ts := start(t, testConfig(t), Options{Handlers: newTestHandlers()})
	c := dial(t, ts.url("/"), wsclient.Options{})
	_, err := c.Client().UserProfileGetNickname(testCtx(t), &pb.UserProfileGetNickname{})
	wantCode(t, err, errs.LoginRequired)
	login(t, c, 1, 10)
	// Logged in, the same action reaches the (unimplemented) handler.
	_, err = c.Client().UserProfileGetNickname(testCtx(t), &pb.UserProfileGetNickname{})
	wantCode(t, err, errs.UserProfileGetNicknameInternalServerError)
}

func TestEviction(t *testing.T) {
	ts := start(t, testConfig(t), Options{Handlers: newTestHandlers()})
	hub := ts.srv.Hub()
	first := dial(t, ts.url("/"), wsclient.Options{})
	login(t, first, 7, 70)
	other := dial(t, ts.url("/"), wsclient.Options{})
	login(t, other, 7, 71) // another device of the same user
	if n := hub.Online(7); n != 2 {
		t.Fatalf("online = %d, want 2", n)
	}

	second := dial(t, ts.url("/hybrid/"), wsclient.Options{})
	login(t, second, 7, 70)
	e := nextError(t, first)
	if e.MajorCode != uint32(errs.NewClientInSession) || e.Response.GetId() != "" {
		t.Fatalf("evicted connection got %v", e)
	}
	waitClosed(t, first, 5*time.Second)
	if n := hub.Online(7); n != 2 {
		t.Fatalf("online after eviction = %d, want 2", n)
	}
	for _, c := range []*wsclient.Conn{second, other} {
		roundTrip(t, c)
	}
	if got := counterValue(t, hub.evictions); got != 1 {
		t.Fatalf("evictions = %v", got)
	}
	// Logging in again on the same connection is no eviction of itself.
	login(t, second, 7, 70)
	roundTrip(t, second)
}

func TestHeartbeat(t *testing.T) {
	cfg := testConfig(t)
	cfg.Heartbeat = 200 * time.Millisecond
	cfg.HeartbeatGrace = 300 * time.Millisecond
	cfg.LoginIdle = 1500 * time.Millisecond
	ts := start(t, cfg, Options{Handlers: newTestHandlers()})
	silence := cfg.Heartbeat + cfg.HeartbeatGrace

	began := time.Now()
	live := dial(t, ts.url("/"), wsclient.Options{})
	hello := nextPush(t, live, dispatch.MessageConnectionSecuringResponse).(*pb.ConnectionSecuringResponse)
	if hello.HeartbeatInterval != 1 { // 200ms, told in whole seconds, rounded up
		t.Fatalf("heartbeat_interval = %d", hello.HeartbeatInterval)
	}
	hb := nextPush(t, live, actionHeartbeatResponse).(*pb.HeartbeatResponse)
	if took := time.Since(began); took < cfg.Heartbeat {
		t.Fatalf("first heartbeat after %v, before the interval", took)
	}
	if hb.Response.GetId() != "" {
		t.Fatalf("heartbeat with id %q", hb.Response.GetId())
	}
	login(t, live, 1, 10)

	// Logged in and silent: closed after interval + grace.
	silent := dial(t, ts.url("/"), wsclient.Options{NoHeartbeat: true})
	login(t, silent, 2, 20)
	began = time.Now()
	waitClosed(t, silent, 5*time.Second)
	if took := time.Since(began); took < silence-50*time.Millisecond {
		t.Fatalf("silent client closed after %v, before interval + grace", took)
	}

	// Not logged in: no heartbeat answer is owed. A silent connection
	// outlives interval + grace, keeps getting heartbeats, and is closed
	// only after -login-idle without a request; answering heartbeats does
	// not count as one, requests do.
	began = time.Now()
	anon := dial(t, ts.url("/"), wsclient.Options{NoHeartbeat: true})
	answering := dial(t, ts.url("/"), wsclient.Options{})
	busy := dial(t, ts.url("/"), wsclient.Options{NoHeartbeat: true})
	for time.Since(began) < cfg.LoginIdle+silence {
		roundTrip(t, busy)
		time.Sleep(cfg.LoginIdle / 4)
	}
	for i := 0; i < 3; i++ {
		nextPush(t, busy, actionHeartbeatResponse)
	}
	for _, c := range []*wsclient.Conn{anon, answering} {
		waitClosed(t, c, 5*time.Second)
	}
	if took := time.Since(began); took < cfg.LoginIdle-50*time.Millisecond {
		t.Fatalf("not logged in: closed after %v, before -login-idle", took)
	}
	if n := countPushes(anon, actionHeartbeatResponse); n < 3 {
		t.Fatalf("a silent connection not logged in got %d heartbeats before -login-idle", n)
	}
	for _, c := range []*wsclient.Conn{live, busy} {
		select {
		case <-c.Done():
			t.Fatalf("a live client was closed: %v", c.Err())
		default:
		}
		roundTrip(t, c)
	}
}

// TestHeartbeatNotAnswered: a client's Heartbeat gets no answer (real
// clients answer every HeartbeatResponse with one: an answer would start a
// ping-pong), before login and after.
func TestHeartbeatNotAnswered(t *testing.T) {
	ts := start(t, testConfig(t), Options{Handlers: newTestHandlers()})
	r := dialRaw(t, ts.url("/"))
	r.next(t, dispatch.MessageConnectionSecuringResponse)
	for i, id := range []string{"hb-before", "hb-after"} {
		if i == 1 {
			r.send(t, frameOf(t, dispatch.ActionUserLogin, &pb.UserLogin{Request: &pb.Request{Id: "login"}, Token: "5:50"}))
			r.next(t, dispatch.ResponseUserLogin)
		}
		r.send(t, frameOf(t, dispatch.ActionHeartbeat, &pb.Heartbeat{Request: &pb.Request{Id: id}}))
		r.send(t, frameOf(t, unknownAction, &pb.Heartbeat{Request: &pb.Request{Id: "after-" + id}}))
		// Frames arrive in order: anything answering the Heartbeat would
		// come before the answer to the request sent after it.
		for {
			f := <-r.frames
			action, payload, _ := wire.DecodeFrame(f)
			got, _ := wire.PeekID(payload)
			if got == id || action == actionHeartbeatResponse && got != "" {
				t.Fatalf("the Heartbeat was answered: action %d id %q", action, got)
			}
			if action == dispatch.MessageErrorResponse && got == "after-"+id {
				break
			}
		}
	}
}

// countPushes drains c's pushes and counts those of action.
func countPushes(c *wsclient.Conn, action uint16) int {
	n := 0
	for {
		select {
		case p := <-c.Pushes():
			if p.Action == action {
				n++
			}
		default:
			return n
		}
	}
}

func TestHeartbeatGrace(t *testing.T) {
	for _, c := range []struct{ interval, override, want time.Duration }{
		{30 * time.Second, 0, 15 * time.Second},
		{4 * time.Second, 0, 5 * time.Second},
		{time.Second, 0, 5 * time.Second},
		{time.Second, 200 * time.Millisecond, 200 * time.Millisecond},
	} {
		if got := heartbeatGrace(c.interval, c.override); got != c.want {
			t.Errorf("grace(%v, %v) = %v, want %v", c.interval, c.override, got, c.want)
		}
	}
	for d, want := range map[time.Duration]uint32{200 * time.Millisecond: 1, time.Second: 1, 1500 * time.Millisecond: 2, 30 * time.Second: 30} {
		if got := intervalSeconds(d); got != want {
			t.Errorf("intervalSeconds(%v) = %d, want %d", d, got, want)
		}
	}
}

// TestInternalErrorIsTheActions: a response that does not encode is
// answered with the action's own internal error, never the system's error
// 7, on which Android drops the connection.
func TestInternalErrorIsTheActions(t *testing.T) {
	ts := start(t, testConfig(t), Options{Handlers: newTestHandlers()})
	c := dial(t, ts.url("/"), wsclient.Options{})
	login(t, c, 4, 40)
	_, err := c.Client().UserProfileGetEmail(testCtx(t), &pb.UserProfileGetEmail{})
	wantCode(t, err, errs.UserProfileGetEmailInternalServerError)
	// An action without an internal error of its own (InfoCountry; here it
	// fails as not implemented) answers BAD_REQUEST, not 7.
	_, err = c.Client().InfoCountry(testCtx(t), &pb.InfoCountry{IsoCode: "IR"})
	wantCode(t, err, errs.BadRequest)
	roundTrip(t, c)
}

func TestDeadlineAndPanic(t *testing.T) {
	cfg := testConfig(t)
	cfg.HandlerTimeout = 100 * time.Millisecond
	ts := start(t, cfg, Options{Handlers: newTestHandlers()})
	c := dial(t, ts.url("/"), wsclient.Options{})
	cl := c.Client()

	_, err := cl.InfoTime(testCtx(t), &pb.InfoTime{})
	wantCode(t, err, errs.Timeout)

	// A panic is the action's own internal error, from its route.
	_, err = cl.InfoPage(testCtx(t), &pb.InfoPage{Id: "about"})
	wantCode(t, err, dispatch.Lookup(dispatch.ActionInfoPage).Internal)
	wantCode(t, err, errs.InfoPageInternalServerError)

	roundTrip(t, c)
}

func TestVirtualErrorIsNotSent(t *testing.T) {
	ts := start(t, testConfig(t), Options{Handlers: newTestHandlers()})
	c := dial(t, ts.url("/"), wsclient.Options{})
	login(t, c, 3, 30)
	// Sent with no request id: were the error sent, it would be a push,
	// queued before the answer to the Heartbeat that follows.
	if err := c.SendRaw(frameOf(t, dispatch.ActionClientCondition, &pb.ClientCondition{})); err != nil {
		t.Fatal(err)
	}
	roundTrip(t, c)
drain:
	for {
		select {
		case p := <-c.Pushes():
			if p.Action == dispatch.MessageErrorResponse {
				t.Fatalf("a virtual error reached the client: %v", p.Msg)
			}
		default:
			break drain
		}
	}
	body := get(t, "http://"+ts.addr+"/metrics", http.StatusOK)
	if want := `gapd_errors_total{action="ClientCondition",code="602",kind="virtual"} 1`; !strings.Contains(body, want) {
		t.Fatalf("metrics lack %s", want)
	}
}

func TestInOrderPerConnectionParallelAcross(t *testing.T) {
	h := newTestHandlers()
	cfg := testConfig(t)
	cfg.MaxBadFrames = 1000 // the requests are of an unknown action
	ts := start(t, cfg, Options{Handlers: h})

	// One connection: requests sent back to back are answered in order.
	r := dialRaw(t, ts.url("/"))
	const n = 50
	for i := 0; i < n; i++ {
		r.send(t, frameOf(t, unknownAction, &pb.Heartbeat{Request: &pb.Request{Id: strconv.Itoa(i)}}))
	}
	for i := 0; i < n; i++ {
		id, _ := wire.PeekID(r.next(t, dispatch.MessageErrorResponse))
		if id != strconv.Itoa(i) {
			t.Fatalf("answer %d has id %q", i, id)
		}
	}

	// A connection held up in a handler does not hold up another one.
	slow := dial(t, ts.url("/"), wsclient.Options{})
	got := make(chan error, 1)
	go func() {
		_, err := slow.Client().InfoTime(context.Background(), &pb.InfoTime{})
		got <- err
	}()
	<-h.entered
	fast := dial(t, ts.url("/"), wsclient.Options{})
	roundTrip(t, fast)
	// The held-up connection's next request waits for the first.
	second := make(chan error, 1)
	go func() {
		second <- ping(testCtx(t), slow)
	}()
	select {
	case err := <-second:
		t.Fatalf("a request overtook the one in its handler (%v)", err)
	case err := <-got:
		t.Fatalf("the held-up request returned early: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(h.release)
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
}

func TestShutdownFinishesRequestsInFlight(t *testing.T) {
	h := newTestHandlers()
	cfg := testConfig(t)
	srv := New(cfg, Options{Handlers: h, Log: quietLog()})
	ts := serveOnly(t, srv, cfg)
	c := dial(t, ts.url("/"), wsclient.Options{})

	type result struct {
		resp *pb.InfoTimeResponse
		err  error
	}
	got := make(chan result, 1)
	go func() {
		r, err := c.Client().InfoTime(context.Background(), &pb.InfoTime{})
		got <- result{r, err}
	}()
	<-h.entered

	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shut <- srv.Shutdown(ctx)
	}()
	<-srv.draining
	// A request sent while draining is not taken; the connection closes
	// without answering it.
	late := make(chan error, 1)
	go func() {
		late <- ping(context.Background(), c)
	}()
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) with a request in its handler", err)
	default:
	}

	close(h.release)
	r := <-got
	if r.err != nil || r.resp.GetTimestamp() != 42 {
		t.Fatalf("in-flight request: %v, %v", r.resp, r.err)
	}
	if err := <-shut; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	waitClosed(t, c, 5*time.Second)
	if err := <-late; !errors.Is(err, wsclient.ErrClosed) {
		t.Fatalf("request sent while draining: %v, want ErrClosed", err)
	}
	if !strings.Contains(c.Err().Error(), "1001") {
		t.Fatalf("closed with %v, want 1001 going away", c.Err())
	}
	if _, err := wsclient.Dial(testCtx(t), ts.url("/"), wsclient.Options{}); err == nil {
		t.Fatal("dial after shutdown succeeded")
	}
}

// serveOnly serves srv on cfg.Addr; the cleanup shuts it down unless the
// test already did.
func serveOnly(t *testing.T, srv *Server, cfg Config) *testServer {
	t.Helper()
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return &testServer{srv: srv, addr: l.Addr().String()}
}

func get(t *testing.T, url string, want int) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d %s, want %d", url, resp.StatusCode, body, want)
	}
	return string(body)
}

func TestHealthAndMetrics(t *testing.T) {
	cfg := testConfig(t)
	db, err := storage.Open(testCtx(t), t.TempDir(), storage.Options{URL: pgtest.Fresh(t), Synchronous: "OFF"})
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			db.Close()
		}
	})
	ts := start(t, cfg, Options{Handlers: newTestHandlers(), Health: db.Ping})
	base := "http://" + ts.addr

	if body := get(t, base+"/healthz", http.StatusOK); strings.TrimSpace(body) != "ok" {
		t.Fatalf("healthz body %q", body)
	}
	c := dial(t, ts.url("/"), wsclient.Options{})
	roundTrip(t, c)
	_, err = c.Client().UserProfileGetNickname(testCtx(t), &pb.UserProfileGetNickname{})
	wantCode(t, err, errs.LoginRequired)
	if err := c.SendRaw([]byte{1}); err != nil {
		t.Fatal(err)
	}
	nextError(t, c)
	var resp pb.HeartbeatResponse
	hb := &pb.Heartbeat{Request: &pb.Request{}}
	wantCode(t, c.Call(testCtx(t), 4242, hb.Request, hb, &resp), errs.BadRequest)

	body := get(t, base+"/metrics", http.StatusOK)
	for _, want := range []string{
		"gapd_connections 1",
		`gapd_requests_total{action="unknown_action"} 2`,
		`gapd_errors_total{action="UserProfileGetNickname",code="2",kind="real"} 1`,
		`gapd_errors_total{action="invalid_frame",code="1",kind="real"} 1`,
		`gapd_errors_total{action="unknown_action",code="1",kind="real"} 2`,
		`gapd_request_seconds_bucket{action="unknown_action",le="+Inf"} 2`,
		"gapd_slow_connections_closed_total 0",
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}

	get(t, base+"/", http.StatusUpgradeRequired)
	get(t, base+"/nothing-here", http.StatusNotFound)

	closed = true
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// Which part is down is told, the error's text only logged.
	if body := get(t, base+"/healthz", http.StatusServiceUnavailable); body != "unavailable: database\n" {
		t.Fatalf("healthz with the database closed: %q", body)
	}
}

func TestOversizeFrameClosesWith1009(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxFrame = 1024
	ts := start(t, cfg, Options{Handlers: newTestHandlers()})
	c := dial(t, ts.url("/"), wsclient.Options{})
	// At the limit: served (BAD_REQUEST for the garbage, but served).
	if err := c.SendRaw(make([]byte, 1024)); err != nil {
		t.Fatal(err)
	}
	nextError(t, c)
	if err := c.SendRaw(make([]byte, 1025)); err != nil {
		t.Fatal(err)
	}
	waitClosed(t, c, 5*time.Second)
	if !strings.Contains(c.Err().Error(), "1009") {
		t.Fatalf("closed with %v, want 1009", c.Err())
	}
}

func TestSlowConsumerIsClosedOthersKeepUp(t *testing.T) {
	cfg := testConfig(t)
	cfg.OutQueue = 8
	cfg.QueueStall = 100 * time.Millisecond // pushes keep coming: the stall is what closes it
	ts := start(t, cfg, Options{Handlers: newTestHandlers()})
	hub := ts.srv.Hub()

	fast := dial(t, ts.url("/"), wsclient.Options{PushBuffer: 64})
	login(t, fast, 9, 91)
	slow := dialRaw(t, ts.url("/"))
	slow.send(t, frameOf(t, dispatch.ActionUserLogin, &pb.UserLogin{Request: &pb.Request{Id: "slow"}, Token: "9:92"}))
	slow.next(t, dispatch.ResponseUserLogin)
	slow.stall.Store(true) // from now on it reads nothing
	if n := hub.Online(9); n != 2 {
		t.Fatalf("online = %d", n)
	}

	msg := &pb.InfoPageResponse{Body: strings.Repeat("x", 64<<10)}
	const action = dispatch.ResponseInfoPage
	pushes := 0
	for ; pushes < 5000 && hub.Online(9) == 2; pushes++ {
		began := time.Now()
		if err := hub.Push(9, action, msg, nil); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(began); took > time.Second {
			t.Fatalf("Push waited %v", took)
		}
		// The fast client gets every push, promptly.
		if got := nextPush(t, fast, action).(*pb.InfoPageResponse); len(got.Body) != len(msg.Body) {
			t.Fatalf("push body of %d bytes", len(got.Body))
		}
	}
	if n := hub.Online(9); n != 1 {
		t.Fatalf("after %d pushes the slow consumer is still connected", pushes)
	}
	t.Logf("slow consumer closed after %d pushes", pushes)
	if got := counterValue(t, hub.slowClosed); got != 1 {
		t.Fatalf("slow connections closed = %v", got)
	}
	// The survivor still gets pushes.
	if err := hub.Push(9, action, &pb.InfoPageResponse{Body: "after"}, nil); err != nil {
		t.Fatal(err)
	}
	if got := nextPush(t, fast, action).(*pb.InfoPageResponse); got.Body != "after" {
		t.Fatalf("got %q", got.Body)
	}
	if fast.Dropped() != 0 {
		t.Fatalf("the fast client dropped %d pushes", fast.Dropped())
	}
}
