package wsclient

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
	"github.com/lxzan/gws"
	"google.golang.org/protobuf/proto"
)

// stub is a scripted server: on open it sends greet; each request is passed
// to answer, whose frames are sent back (nil closes the connection).
type stub struct {
	greet  [][]byte
	answer func(action uint16, payload []byte) [][]byte
	got    chan uint16 // actions received
}

func (s *stub) OnOpen(ws *gws.Conn) {
	for _, f := range s.greet {
		_ = ws.WriteMessage(gws.OpcodeBinary, f)
	}
}
func (s *stub) OnClose(*gws.Conn, error)      {}
func (s *stub) OnPing(ws *gws.Conn, p []byte) { _ = ws.WritePong(p) }
func (s *stub) OnPong(*gws.Conn, []byte)      {}
func (s *stub) OnMessage(ws *gws.Conn, msg *gws.Message) {
	defer msg.Close()
	action, payload, err := wire.DecodeFrame(msg.Bytes())
	if err != nil {
		return
	}
	select {
	case s.got <- action:
	default:
	}
	out := s.answer(action, payload)
	if out == nil {
		_ = ws.WriteClose(1000, []byte("scripted close"))
		return
	}
	for _, f := range out {
		_ = ws.WriteMessage(gws.OpcodeBinary, f)
	}
}

func serve(t *testing.T, s *stub) string {
	t.Helper()
	if s.got == nil {
		s.got = make(chan uint16, 64)
	}
	up := gws.NewUpgrader(s, nil)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r)
		if err != nil {
			return
		}
		go ws.ReadLoop()
	}))
	t.Cleanup(hs.Close)
	return "ws" + strings.TrimPrefix(hs.URL, "http") + "/"
}

func frame(t *testing.T, action uint16, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return wire.AppendFrame(nil, action, b)
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

// echoHeartbeat answers Heartbeat with its id; anything else with an
// ErrorResponse 203/5 carrying the id and a wait.
func echoHeartbeat(t *testing.T) func(uint16, []byte) [][]byte {
	return func(action uint16, payload []byte) [][]byte {
		id, _ := wire.PeekID(payload)
		if action == dispatch.ActionHeartbeat {
			return [][]byte{frame(t, action+wire.ResponseOffset, &pb.HeartbeatResponse{Response: &pb.Response{Id: id}})}
		}
		if action == 99 {
			return nil
		}
		return [][]byte{frame(t, dispatch.MessageErrorResponse, &pb.ErrorResponse{
			Response: &pb.Response{Id: id}, MajorCode: 203, MinorCode: 5, Wait: 7, Message: "nope"})}
	}
}

func TestCallAnswersErrorsAndClose(t *testing.T) {
	url := serve(t, &stub{answer: echoHeartbeat(t)})
	c, err := Dial(ctx(t), url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The stub answers Heartbeat, which gapd never does: a round trip.
	hb := &pb.Heartbeat{Request: &pb.Request{}}
	resp := new(pb.HeartbeatResponse)
	if err := c.Call(ctx(t), dispatch.ActionHeartbeat, hb.Request, hb, resp); err != nil {
		t.Fatal(err)
	}
	if hb.Request.GetId() == "" || resp.Response.GetId() != hb.Request.GetId() {
		t.Fatalf("id sent %q, answered %q", hb.Request.GetId(), resp.Response.GetId())
	}
	_, err = c.Client().ChatSendMessage(ctx(t), &pb.ChatSendMessage{})
	e, ok := wire.As(err)
	if !ok || e.Major != 203 || e.Minor != 5 || e.Wait != 7 || e.Message != "nope" {
		t.Fatalf("ErrorResponse came back as %v", err)
	}
	var r pb.HeartbeatResponse
	err = c.Call(ctx(t), 99, &pb.Request{}, &pb.Heartbeat{}, &r)
	if !errors.Is(err, ErrClosed) {
		t.Fatalf("call on a connection the server closed: %v", err)
	}
	<-c.Done()
	if err := c.Call(ctx(t), dispatch.ActionHeartbeat, &pb.Request{}, &pb.Heartbeat{}, &r); !errors.Is(err, ErrClosed) {
		t.Fatalf("call after close: %v", err)
	}
}

func TestPushesOverflowIsDroppedAndCounted(t *testing.T) {
	var greet [][]byte
	for i := 0; i < 10; i++ {
		greet = append(greet, frame(t, dispatch.ResponseInfoTime, &pb.InfoTimeResponse{Timestamp: uint32(i)}))
	}
	greet = append(greet, []byte{1}) // too short to read: discarded
	url := serve(t, &stub{greet: greet, answer: echoHeartbeat(t)})
	c, err := Dial(ctx(t), url, Options{PushBuffer: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The answer comes after the pushes on the wire: once it is here, every
	// push has been handled, and a full channel did not stall the reader.
	if err := c.Call(ctx(t), dispatch.ActionHeartbeat, &pb.Request{}, &pb.Heartbeat{}, new(pb.HeartbeatResponse)); err != nil {
		t.Fatal(err)
	}
	if c.Dropped() != 7 || len(c.Pushes()) != 3 || c.Undecodable() != 1 {
		t.Fatalf("dropped %d, buffered %d, undecodable %d", c.Dropped(), len(c.Pushes()), c.Undecodable())
	}
	for i := 0; i < 3; i++ {
		p := <-c.Pushes()
		if p.Msg.(*pb.InfoTimeResponse).Timestamp != uint32(i) {
			t.Fatalf("push %d is %v: the oldest are kept", i, p.Msg)
		}
	}
}

func TestAutoHeartbeat(t *testing.T) {
	push := frame(t, dispatch.ResponseHeartbeat, &pb.HeartbeatResponse{Response: &pb.Response{}})
	for _, off := range []bool{false, true} {
		s := &stub{greet: [][]byte{push}, answer: echoHeartbeat(t)}
		url := serve(t, s)
		c, err := Dial(ctx(t), url, Options{NoHeartbeat: off})
		if err != nil {
			t.Fatal(err)
		}
		// A marker request: the stub records actions in arrival order, and
		// the automatic Heartbeat (if any) is written before the push is
		// delivered, so before the marker.
		<-c.Pushes()
		var r pb.ErrorResponse
		_ = c.Call(ctx(t), dispatch.ActionInfoTime, &pb.Request{}, &pb.InfoTime{}, &r)
		first := <-s.got
		if off && first != dispatch.ActionInfoTime || !off && first != dispatch.ActionHeartbeat {
			t.Fatalf("NoHeartbeat=%v: first action the server got is %d", off, first)
		}
		c.Close()
	}
}

func TestDialHonoursContext(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // accept, never answer the handshake
		}
	}()
	dctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	began := time.Now()
	_, err = Dial(dctx, "ws://"+l.Addr().String()+"/", Options{})
	if err == nil {
		t.Fatal("handshake with a silent server succeeded")
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Fatalf("Dial took %v past its context", took)
	}
	if _, err := Dial(ctx(t), "http://example.com/", Options{}); err == nil {
		t.Fatal("an http URL was accepted")
	}
}

func TestCallAttachesTheHeader(t *testing.T) {
	url := serve(t, &stub{answer: echoHeartbeat(t)})
	c, err := Dial(ctx(t), url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var resp pb.HeartbeatResponse
	// A request without a header gets r.
	r := &pb.Request{}
	req := &pb.Heartbeat{}
	if err := c.Call(ctx(t), dispatch.ActionHeartbeat, r, req, &resp); err != nil {
		t.Fatal(err)
	}
	if req.Request != r || r.Id == "" || resp.Response.GetId() != r.Id {
		t.Fatalf("header %p (want %p), id %q, answered %q", req.Request, r, r.Id, resp.Response.GetId())
	}
	// Another header object: the id given in either is used.
	for _, c2 := range []struct{ r, h string }{{"from-r", ""}, {"", "from-h"}, {"same", "same"}} {
		r, req := &pb.Request{Id: c2.r}, &pb.Heartbeat{Request: &pb.Request{Id: c2.h}}
		if err := c.Call(ctx(t), dispatch.ActionHeartbeat, r, req, &resp); err != nil {
			t.Fatalf("%+v: %v", c2, err)
		}
		if r.Id != req.Request.Id || resp.Response.GetId() != r.Id {
			t.Fatalf("%+v: r %q, header %q, answered %q", c2, r.Id, req.Request.Id, resp.Response.GetId())
		}
	}
	if err := c.Call(ctx(t), dispatch.ActionHeartbeat, &pb.Request{Id: "a"}, &pb.Heartbeat{Request: &pb.Request{Id: "b"}}, &resp); err == nil {
		t.Fatal("two different ids were accepted")
	}
	if err := c.Call(ctx(t), dispatch.ActionHeartbeat, nil, &pb.Heartbeat{}, &resp); err == nil {
		t.Fatal("a nil header was accepted")
	}
}

func TestCallOnADeadSocketIsErrClosed(t *testing.T) {
	c, err := Dial(ctx(t), serve(t, &stub{answer: echoHeartbeat(t)}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The socket dies under the connection; a write can fail before the
	// reader has noticed, and must still say the connection is closed.
	c.ws.NetConn().Close()
	var r pb.HeartbeatResponse
	if err := c.Call(ctx(t), dispatch.ActionHeartbeat, &pb.Request{}, &pb.Heartbeat{}, &r); !errors.Is(err, ErrClosed) {
		t.Fatalf("call on a dead socket: %v", err)
	}
}
