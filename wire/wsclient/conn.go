// Package wsclient is the hand-written WebSocket transport under the generated
// client: it correlates answers with requests by request id, returns an
// ErrorResponse as *wire.Error, delivers pushes on a channel and answers the
// server's heartbeat.
package wsclient

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/gapd/gapd/generated/client"
	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
	"github.com/lxzan/gws"
	"google.golang.org/protobuf/proto"
)

// Push is a frame the server sent without a request.
type Push struct {
	Action uint16
	Msg    proto.Message
}

// Options tune a connection.
type Options struct {
	// PushBuffer bounds the push channel; pushes beyond it are dropped and
	// counted (Dropped), so a test that ignores pushes never stalls the reader.
	PushBuffer int
	// NoHeartbeat stops the automatic Heartbeat answer (to test a silent client).
	NoHeartbeat bool
}

// ErrClosed is returned by calls on a closed connection.
var ErrClosed = errors.New("wsclient: connection closed")

type reply struct {
	action  uint16
	payload []byte
}

// Conn is one client connection. It implements client.Conn.
type Conn struct {
	ws      *gws.Conn
	opts    Options
	pushes  chan Push
	dropped atomic.Int64

	mu      sync.Mutex
	pending map[string]chan reply
	err     error
	done    chan struct{}
}

var _ client.Conn = (*Conn)(nil)

// Dial connects to url (ws://host:port/ or wss://...).
func Dial(ctx context.Context, url string, opts Options) (*Conn, error) {
	if opts.PushBuffer <= 0 {
		opts.PushBuffer = 1024
	}
	c := &Conn{opts: opts, pushes: make(chan Push, opts.PushBuffer), pending: map[string]chan reply{}, done: make(chan struct{})}
	type result struct {
		ws  *gws.Conn
		err error
	}
	ch := make(chan result, 1)
	go func() {
		ws, _, err := gws.NewClient(handler{c}, &gws.ClientOption{Addr: url, ReadMaxPayloadSize: 64 << 20})
		ch <- result{ws, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, fmt.Errorf("wsclient: dial %s: %w", url, r.err)
		}
		c.ws = r.ws
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	go c.ws.ReadLoop()
	return c, nil
}

// Client returns the typed client over this connection.
func (c *Conn) Client() *client.Client { return client.New(c) }

// Pushes delivers frames that answer no request of this connection.
func (c *Conn) Pushes() <-chan Push { return c.pushes }

// Dropped counts pushes dropped because nobody read them.
func (c *Conn) Dropped() int64 { return c.dropped.Load() }

// Done is closed when the connection ends; Err tells why.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err is why the connection ended, or nil while it is open.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Close closes the connection.
func (c *Conn) Close() error {
	_ = c.ws.WriteClose(1000, nil)
	return c.ws.NetConn().Close()
}

// SendRaw writes a frame as is (tests of malformed input).
func (c *Conn) SendRaw(frame []byte) error { return c.ws.WriteMessage(gws.OpcodeBinary, frame) }

// SendText writes a text frame (the protocol uses binary frames only).
func (c *Conn) SendText(s string) error { return c.ws.WriteMessage(gws.OpcodeText, []byte(s)) }

// NewID returns a random request id.
func NewID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Call sends req as action and waits for the answer with the same id.
func (c *Conn) Call(ctx context.Context, action uint16, r *pb.Request, req, resp proto.Message) error {
	if r.Id == "" {
		r.Id = NewID()
	}
	payload, err := proto.Marshal(req)
	if err != nil {
		return err
	}
	ch := make(chan reply, 1)
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return c.err
	}
	c.pending[r.Id] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pending, r.Id)
		c.mu.Unlock()
	}()
	if err := c.ws.WriteMessage(gws.OpcodeBinary, wire.AppendFrame(nil, action, payload)); err != nil {
		return fmt.Errorf("wsclient: write: %w", err)
	}
	select {
	case rep := <-ch:
		return decodeReply(rep, action, resp)
	case <-ctx.Done():
		return ctx.Err()
	case <-c.done:
		return c.Err()
	}
}

func decodeReply(rep reply, action uint16, resp proto.Message) error {
	if rep.action == dispatch.MessageErrorResponse {
		var e pb.ErrorResponse
		if err := proto.Unmarshal(rep.payload, &e); err != nil {
			return fmt.Errorf("wsclient: bad ErrorResponse: %w", err)
		}
		return &wire.Error{Major: wire.Major(e.MajorCode), Minor: wire.Minor(e.MinorCode), Wait: e.Wait, Message: e.Message}
	}
	if rep.action != action+wire.ResponseOffset {
		return fmt.Errorf("wsclient: answer to action %d came as action %d", action, rep.action)
	}
	return proto.Unmarshal(rep.payload, resp)
}

// handler receives gws events for a Conn.
type handler struct{ c *Conn }

func (h handler) OnOpen(*gws.Conn) {}

func (h handler) OnClose(_ *gws.Conn, err error) {
	c := h.c
	c.mu.Lock()
	if c.err == nil {
		if err == nil {
			err = ErrClosed
		}
		c.err = fmt.Errorf("%w: %v", ErrClosed, err)
		close(c.done)
	}
	c.mu.Unlock()
}

func (h handler) OnPing(ws *gws.Conn, p []byte) { _ = ws.WritePong(p) }
func (h handler) OnPong(*gws.Conn, []byte)      {}

func (h handler) OnMessage(ws *gws.Conn, msg *gws.Message) {
	defer msg.Close()
	c := h.c
	action, payload, err := wire.DecodeFrame(msg.Bytes())
	if err != nil {
		return
	}
	payload = append([]byte(nil), payload...) // msg's buffer is reused
	if id, ok := wire.PeekID(payload); ok && id != "" {
		c.mu.Lock()
		ch := c.pending[id]
		c.mu.Unlock()
		if ch != nil {
			ch <- reply{action: action, payload: payload}
		}
		return // an answer nobody waits for any more (a timed-out call, a heartbeat)
	}
	if action == dispatch.ActionHeartbeat+wire.ResponseOffset && !c.opts.NoHeartbeat {
		hb, _ := proto.Marshal(&pb.Heartbeat{Request: &pb.Request{Id: NewID()}})
		_ = ws.WriteMessage(gws.OpcodeBinary, wire.AppendFrame(nil, dispatch.ActionHeartbeat, hb))
	}
	m, err := client.Decode(action, payload)
	if err != nil {
		return
	}
	select {
	case c.pushes <- Push{Action: action, Msg: m}:
	default:
		c.dropped.Add(1)
	}
}
