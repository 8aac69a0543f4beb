package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
)

// wantClose reads the server's close frame and checks its code and reason:
// a fixed text, never an error's (which would name the server's address).
func wantClose(t *testing.T, p *wsPeer, code uint16, reason string) {
	t.Helper()
	got, why := p.closed()
	if got != code || why != reason {
		t.Fatalf("closed with %d %q, want %d %q", got, why, code, reason)
	}
	for _, leak := range []string{"tcp", "127.0.0.1", "timeout", ":"} {
		if strings.Contains(why, leak) {
			t.Fatalf("close reason %q contains %q", why, leak)
		}
	}
}

// loginPeer logs a raw peer in as user:device (testHandlers' token).
func loginPeer(t *testing.T, p *wsPeer, token string) {
	t.Helper()
	p.send(frameOf(t, dispatch.ActionUserLogin, &pb.UserLogin{Request: &pb.Request{Id: "login"}, Token: token}), true)
	p.next(dispatch.ResponseUserLogin, nil)
}

// A read deadline that passes (idle before login, silent after it) closes
// with 1001 "idle": gws on its own would send 1000 and the read error's
// text, "read tcp 127.0.0.1:PORT->127.0.0.1:PORT: i/o timeout".
func TestIdleClosesWithFixedReason(t *testing.T) {
	cfg := testConfig(t)
	cfg.LoginIdle = 300 * time.Millisecond
	cfg.Heartbeat = time.Second
	cfg.HeartbeatGrace = 200 * time.Millisecond
	ts := start(t, cfg, Options{Handlers: newTestHandlers()})

	anon := dialPeer(t, ts.addr, "/", nil)
	wantClose(t, anon, closeGoingAway, reasonIdle)

	silent := dialPeer(t, ts.addr, "/", nil)
	loginPeer(t, silent, "1:1")
	wantClose(t, silent, closeGoingAway, reasonIdle)
}

// Fewer bad frames in a row than the limit are each answered with error 1;
// a good frame starts the count again; the limit-th closes with 1008.
func TestBadFramesInARowClose(t *testing.T) {
	cfg := testConfig(t)
	ts := start(t, cfg, Options{Handlers: newTestHandlers()})
	p := dialPeer(t, ts.addr, "/", nil)
	bad := [][]byte{
		encodeWSFrame(true, opText, []byte("hello"), true, testMaskKey),                                                      // a text frame
		encodeWSFrame(true, opBinary, []byte{7}, true, testMaskKey),                                                          // shorter than 2 bytes
		encodeWSFrame(true, opBinary, frameOf(t, unknownAction, &pb.Heartbeat{}), true, testMaskKey),                         // unknown action
		encodeWSFrame(true, opBinary, wire.AppendFrame(nil, dispatch.ActionInfoTime, []byte{0xff, 0xff}), true, testMaskKey), // undecodable
	}
	sendBad := func(n int) {
		for i := range n {
			p.write(bad[i%len(bad)])
			var e pb.ErrorResponse
			p.nextMsg(dispatch.MessageErrorResponse, nil, &e)
			if e.MajorCode != uint32(errs.BadRequest) {
				t.Fatalf("bad frame %d answered %d", i, e.MajorCode)
			}
		}
	}
	sendBad(DefaultMaxBadFrames - 1)
	// A good frame (a Heartbeat, never answered) resets the count.
	p.send(frameOf(t, dispatch.ActionHeartbeat, &pb.Heartbeat{}), true)
	sendBad(DefaultMaxBadFrames - 1)
	// Still open: a request is answered.
	p.send(frameOf(t, dispatch.ActionUserLogin, &pb.UserLogin{Request: &pb.Request{Id: "ok"}, Token: "5:5"}), true)
	p.next(dispatch.ResponseUserLogin, nil)
	sendBad(DefaultMaxBadFrames - 1)
	p.write(bad[0])
	wantClose(t, p, closePolicy, reasonBadFrames)
	if got := counterValue(t, ts.srv.metrics.badFrameCloses); got != 1 {
		t.Fatalf("gapd_bad_frame_closes_total = %v", got)
	}
}

func TestShutdownClosesWithFixedReason(t *testing.T) {
	ts := start(t, testConfig(t), Options{Handlers: newTestHandlers()})
	p := dialPeer(t, ts.addr, "/", nil)
	loginPeer(t, p, "1:1")
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = ts.srv.Shutdown(ctx)
	}()
	wantClose(t, p, closeGoingAway, reasonShutdown)
}

func TestEvictionClosesWithFixedReason(t *testing.T) {
	ts := start(t, testConfig(t), Options{Handlers: newTestHandlers()})
	old := dialPeer(t, ts.addr, "/", nil)
	loginPeer(t, old, "1:1")
	newer := dialPeer(t, ts.addr, "/", nil)
	loginPeer(t, newer, "1:1")
	var e pb.ErrorResponse
	old.nextMsg(dispatch.MessageErrorResponse, nil, &e)
	if e.MajorCode != uint32(errs.NewClientInSession) {
		t.Fatalf("evicted with %d", e.MajorCode)
	}
	wantClose(t, old, closeNormal, reasonEvicted)
}

func TestFrameTooLargeClosesWithFixedReason(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxFrame = 1024
	ts := start(t, cfg, Options{Handlers: newTestHandlers()})
	p := dialPeer(t, ts.addr, "/", nil)
	p.send(make([]byte, 1025), true)
	wantClose(t, p, closeTooLarge, reasonFrameLarge)
}
