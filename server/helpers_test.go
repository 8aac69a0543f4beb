package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
	"github.com/gapd/gapd/wsclient"
	"github.com/lxzan/gws"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"google.golang.org/protobuf/proto"
)

// testHandlers stands in for the real handlers: the server only needs a few
// behaviours to be exercised.
//
//   - UserLogin takes a token "USER:DEVICE" and binds the session to it.
//   - InfoTime signals entered, then waits for release or its deadline.
//   - InfoPage panics.
//   - ClientCondition fails with a virtual error.
//   - UserProfileGetEmail answers a response that does not encode.
type testHandlers struct {
	dispatch.Unimplemented
	entered chan struct{} // InfoTime has started (buffered)
	release chan struct{} // InfoTime may answer
	running atomic.Int32  // InfoTime calls running now
}

func newTestHandlers() *testHandlers {
	return &testHandlers{entered: make(chan struct{}, 16), release: make(chan struct{})}
}

func (h *testHandlers) UserLogin(_ context.Context, s wire.Session, req *pb.UserLogin) (*pb.UserLoginResponse, error) {
	u, d, ok := strings.Cut(req.Token, ":")
	user, err1 := strconv.ParseUint(u, 10, 64)
	device, err2 := strconv.ParseUint(d, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return nil, errs.NewUserLoginFailed(0)
	}
	s.Login(user, device)
	return &pb.UserLoginResponse{}, nil
}

func (h *testHandlers) InfoTime(ctx context.Context, _ wire.Session, _ *pb.InfoTime) (*pb.InfoTimeResponse, error) {
	h.running.Add(1)
	defer h.running.Add(-1)
	h.entered <- struct{}{}
	select {
	case <-h.release:
		return &pb.InfoTimeResponse{Timestamp: 42}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (h *testHandlers) InfoPage(context.Context, wire.Session, *pb.InfoPage) (*pb.InfoPageResponse, error) {
	panic("test handler panics")
}

func (h *testHandlers) UserProfileGetEmail(context.Context, wire.Session, *pb.UserProfileGetEmail) (*pb.UserProfileGetEmailResponse, error) {
	return &pb.UserProfileGetEmailResponse{Email: "not UTF-8 \xff"}, nil
}

func (h *testHandlers) ClientCondition(context.Context, wire.Session, *pb.ClientCondition) (*pb.ClientConditionResponse, error) {
	return nil, &wire.Error{Major: errs.ClientUpdateMessageBadPayload, Message: "offline edit of a missing message"}
}

type testServer struct {
	srv  *Server
	addr string
}

func (ts *testServer) url(path string) string { return "ws://" + ts.addr + path }

func quietLog() *slog.Logger {
	if os.Getenv("GAPD_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// testConfig is the flag defaults on 127.0.0.1:0, with /healthz and
// /metrics on the client listener (-ops-addr ”).
func testConfig(t *testing.T) Config {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Addr, cfg.OpsAddr = "127.0.0.1:0", ""
	return cfg
}

// start serves on cfg.Addr until the test ends.
func start(t *testing.T, cfg Config, o Options) *testServer {
	t.Helper()
	if o.Log == nil {
		o.Log = quietLog()
	}
	return serveOnly(t, New(cfg, o), cfg)
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func dial(t *testing.T, url string, opts wsclient.Options) *wsclient.Conn {
	t.Helper()
	c, err := wsclient.Dial(testCtx(t), url, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// nextPush returns the next push of action, skipping others.
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

func nextError(t *testing.T, c *wsclient.Conn) *pb.ErrorResponse {
	t.Helper()
	return nextPush(t, c, dispatch.MessageErrorResponse).(*pb.ErrorResponse)
}

func waitClosed(t *testing.T, c *wsclient.Conn, within time.Duration) {
	t.Helper()
	select {
	case <-c.Done():
	case <-time.After(within):
		t.Fatalf("connection still open after %v", within)
	}
}

func wantCode(t *testing.T, err error, major wire.Major) *wire.Error {
	t.Helper()
	e, ok := wire.As(err)
	if !ok {
		t.Fatalf("got %v, want error %d", err, major)
	}
	if e.Major != major {
		t.Fatalf("got error %d/%d (%s), want %d", e.Major, e.Minor, e.Message, major)
	}
	return e
}

func login(t *testing.T, c *wsclient.Conn, user, device uint64) {
	t.Helper()
	token := strconv.FormatUint(user, 10) + ":" + strconv.FormatUint(device, 10)
	if _, err := c.Client().UserLogin(testCtx(t), &pb.UserLogin{Token: token}); err != nil {
		t.Fatalf("login %s: %v", token, err)
	}
}

func frameOf(t testing.TB, action uint16, m proto.Message) []byte {
	t.Helper()
	b, err := marshalFrame(action, m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func counterValue(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// rawClient is a bare gws client that keeps every frame it receives, and can
// stop reading altogether (a slow consumer) until released.
type rawClient struct {
	ws      *gws.Conn
	frames  chan []byte
	stall   atomic.Bool
	release chan struct{}
	closed  chan struct{}
}

func dialRaw(t *testing.T, url string) *rawClient {
	t.Helper()
	r := &rawClient{frames: make(chan []byte, 1024), release: make(chan struct{}), closed: make(chan struct{})}
	ws, _, err := gws.NewClient(r, &gws.ClientOption{Addr: url})
	if err != nil {
		t.Fatal(err)
	}
	r.ws = ws
	go ws.ReadLoop()
	t.Cleanup(func() {
		close(r.release)
		_ = ws.NetConn().Close()
		<-r.closed
	})
	return r
}

func (r *rawClient) OnOpen(*gws.Conn)              {}
func (r *rawClient) OnClose(*gws.Conn, error)      { close(r.closed) }
func (r *rawClient) OnPing(ws *gws.Conn, p []byte) { _ = ws.WritePong(p) }
func (r *rawClient) OnPong(*gws.Conn, []byte)      {}

func (r *rawClient) send(t *testing.T, frame []byte) {
	t.Helper()
	if err := r.ws.WriteMessage(gws.OpcodeBinary, frame); err != nil {
		t.Fatal(err)
	}
}

func (r *rawClient) OnMessage(_ *gws.Conn, msg *gws.Message) {
	defer msg.Close()
	if r.stall.Load() {
		<-r.release
		return
	}
	r.frames <- append([]byte(nil), msg.Bytes()...)
}

// next returns the next frame of action, skipping others.
func (r *rawClient) next(t *testing.T, action uint16) []byte {
	t.Helper()
	timeout := time.NewTimer(10 * time.Second)
	defer timeout.Stop()
	for {
		select {
		case f := <-r.frames:
			a, payload, err := wire.DecodeFrame(f)
			if err != nil {
				t.Fatalf("server sent a short frame %x", f)
			}
			if a == action {
				return payload
			}
		case <-r.closed:
			t.Fatalf("raw connection closed while waiting for action %d", action)
		case <-timeout.C:
			t.Fatalf("no action %d within 10s", action)
		}
	}
}

// unknownAction is an id no action has: the server answers it at once with
// error 1 by the request's id, whatever the handlers.
const unknownAction = 29999

// ping makes one request and waits for its answer (error 1 to an unknown
// action, sent by the transport whatever the handlers); nil when answered.
func ping(ctx context.Context, c *wsclient.Conn) error {
	r := &pb.Request{}
	err := c.Call(ctx, unknownAction, r, &pb.Heartbeat{Request: r}, new(pb.Response))
	if e, ok := wire.As(err); ok && e.Major == errs.BadRequest {
		return nil
	}
	if err == nil {
		return errors.New("an unknown action was answered with a response")
	}
	return err
}

// roundTrip fails the test unless c still answers a request.
func roundTrip(t *testing.T, c *wsclient.Conn) {
	t.Helper()
	if err := ping(testCtx(t), c); err != nil {
		t.Fatalf("no round trip: %v", err)
	}
}
