// Package wsclient is the WebSocket transport under the generated client
// (generated/client): it sends request frames, matches each answer to its
// request by id, turns an ErrorResponse into a *wire.Error, delivers frames
// that answer no request (pushes) on a channel, and answers the server's
// heartbeat.
package wsclient

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gapd/gapd/generated/client"
	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/securing"
	"github.com/gapd/gapd/wire"
	"github.com/lxzan/gws"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Push is a frame the server sent without a request of this connection (an
// empty response id): another session's change, a HeartbeatResponse, the
// ConnectionSecuringResponse greeting, or an ErrorResponse that answers no
// request (a malformed frame, NEW_CLIENT_IN_SESSION).
type Push struct {
	Action uint16
	Msg    proto.Message
}

// Options tune a connection. The zero value is ready to use.
type Options struct {
	// PushBuffer bounds the push channel (default 1024). When it is full, a
	// new push is dropped and counted (Dropped) rather than waited for, so
	// a caller that ignores pushes never stalls the answers to its calls.
	PushBuffer int
	// NoHeartbeat turns off the automatic Heartbeat answer to the server's
	// HeartbeatResponse (to test a silent client).
	NoHeartbeat bool
	// TLSConfig is used for wss:// URLs; nil is the system's defaults.
	TLSConfig *tls.Config
	// Header is sent with the WebSocket handshake.
	Header http.Header
	// MaxFrame bounds a frame the server may send (default 64 MiB).
	MaxFrame int
	// Secure, when set, secures the connection during Dial (see Secure).
	Secure *Secure
}

// ErrClosed is returned by calls on a closed connection, wrapped with the
// reason (a close frame's code and text, or a read error).
var ErrClosed = errors.New("wsclient: connection closed")

type reply struct {
	action  uint16
	payload []byte
}

// Conn is one client connection; it implements client.Conn and is safe for
// concurrent calls.
type Conn struct {
	ws      *gws.Conn
	opts    Options
	pushes  chan Push
	dropped atomic.Int64
	bad     atomic.Int64

	mu      sync.Mutex
	pending map[string]chan reply
	err     error
	done    chan struct{}

	// Securing (Options.Secure): the handshake's frames, the key sent, and
	// the cipher installed on ACCEPTED.
	hello   chan []byte
	keyResp chan []byte
	secKey  []byte
	cipher  atomic.Pointer[securing.Cipher]
}

var _ client.Conn = (*Conn)(nil)

// Dial opens a connection to a ws:// or wss:// URL (the server's / or
// /hybrid/). ctx bounds the dial and the handshake only.
func Dial(ctx context.Context, rawURL string, opts Options) (*Conn, error) {
	if opts.PushBuffer <= 0 {
		opts.PushBuffer = 1024
	}
	if opts.MaxFrame <= 0 {
		opts.MaxFrame = 64 << 20
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
		return nil, fmt.Errorf("wsclient: %q is not a ws:// or wss:// URL", rawURL)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), map[string]string{"ws": "80", "wss": "443"}[u.Scheme])
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return nil, fmt.Errorf("wsclient: dial %s: %w", rawURL, err)
	}
	if u.Scheme == "wss" {
		cfg := opts.TLSConfig.Clone()
		if cfg == nil {
			cfg = &tls.Config{}
		}
		if cfg.ServerName == "" {
			cfg.ServerName = u.Hostname()
		}
		tc := tls.Client(nc, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			_ = nc.Close()
			return nil, fmt.Errorf("wsclient: TLS with %s: %w", rawURL, err)
		}
		nc = tc
	}

	c := &Conn{opts: opts, pushes: make(chan Push, opts.PushBuffer), pending: map[string]chan reply{}, done: make(chan struct{}),
		hello: make(chan []byte, 1), keyResp: make(chan []byte, 1)}
	timeout := 10 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		timeout = max(time.Until(dl), time.Millisecond)
	}
	// gws's handshake takes no context; a cancelled ctx breaks it by
	// expiring the socket's deadline.
	stop := context.AfterFunc(ctx, func() { _ = nc.SetDeadline(time.Unix(1, 0)) })
	ws, _, err := gws.NewClientFromConn(handler{c}, &gws.ClientOption{
		Addr:               rawURL,
		RequestHeader:      opts.Header.Clone(),
		HandshakeTimeout:   timeout,
		ReadMaxPayloadSize: opts.MaxFrame,
	}, nc)
	if !stop() {
		if err == nil {
			_ = nc.Close()
		}
		return nil, fmt.Errorf("wsclient: handshake with %s: %w", rawURL, ctx.Err())
	}
	if err != nil {
		return nil, fmt.Errorf("wsclient: handshake with %s: %w", rawURL, err)
	}
	c.ws = ws
	go ws.ReadLoop()
	if opts.Secure != nil {
		if err := c.secure(ctx, *opts.Secure); err != nil {
			_ = c.Close()
			return nil, err
		}
	}
	return c, nil
}

// Client returns the typed client over this connection.
func (c *Conn) Client() *client.Client { return client.New(c) }

// Pushes delivers, in order, the frames that answer no call of this
// connection. See Options.PushBuffer for what happens when nobody reads.
func (c *Conn) Pushes() <-chan Push { return c.pushes }

// Dropped counts pushes dropped because the channel was full.
func (c *Conn) Dropped() int64 { return c.dropped.Load() }

// Undecodable counts server frames that could not be read (too short, an
// unknown action, a payload that does not decode); they are discarded.
func (c *Conn) Undecodable() int64 { return c.bad.Load() }

// Done is closed when the connection has ended; Err says why.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err is why the connection ended (wrapping ErrClosed), or nil while open.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Close sends a normal close frame and closes the socket. Calls waiting for
// an answer return ErrClosed.
func (c *Conn) Close() error {
	if err := c.ws.WriteClose(1000, nil); err != nil && !errors.Is(err, gws.ErrConnClosed) {
		_ = c.ws.NetConn().Close()
		return err
	}
	return nil
}

// SendRaw writes frame as one binary WebSocket message, unchecked (tests of
// malformed input); on a secured connection it is sealed like any frame.
func (c *Conn) SendRaw(frame []byte) error { return c.write(frame) }

// SendText writes a text message, which the protocol does not use.
func (c *Conn) SendText(s string) error { return c.ws.WriteMessage(gws.OpcodeText, []byte(s)) }

// NewID returns a random request id: 16 hex digits.
func NewID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Call sends req as action and waits for the frame answering it, until ctx
// ends or the connection does. r is req's request header (field 1): Call
// attaches it when req has none, and gives it a random id when empty. When
// req already carries another header object, the two are reconciled: the
// id given in either is used in both, and two different ids are refused. The
// answer is decoded into resp, or, if it is an ErrorResponse, returned as a
// *wire.Error.
func (c *Conn) Call(ctx context.Context, action uint16, r *pb.Request, req, resp proto.Message) error {
	wait, err := c.Start(action, r, req)
	if err != nil {
		return err
	}
	return wait(ctx, resp)
}

// Send sends a request that is never answered (Heartbeat): nothing waits
// for a response; a ctx already done sends nothing.
func (c *Conn) Send(ctx context.Context, action uint16, r *pb.Request, req proto.Message) error {
	h, err := header(req, r)
	if err != nil {
		return err
	}
	if h.Id == "" {
		h.Id = NewID()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	payload, err := proto.Marshal(req)
	if err != nil {
		return fmt.Errorf("wsclient: encode action %d: %w", action, err)
	}
	if err := c.write(wire.AppendFrame(make([]byte, 0, wire.HeaderSize+len(payload)), action, payload)); err != nil {
		if e := c.Err(); e != nil {
			return e
		}
		return fmt.Errorf("%w: send action %d: %w", ErrClosed, action, err)
	}
	return nil
}

// Start is the first half of Call: it sends req and returns the function
// that waits for its answer (once). Frames leave in the order of Start
// calls, so one goroutine can keep several requests in flight (a pipelined
// upload) while the server still runs them one at a time, in order.
func (c *Conn) Start(action uint16, r *pb.Request, req proto.Message) (wait func(ctx context.Context, resp proto.Message) error, err error) {
	h, err := header(req, r)
	if err != nil {
		return nil, err
	}
	ch := make(chan reply, 1)
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return nil, c.err
	}
	if h.Id == "" {
		for h.Id = NewID(); c.pending[h.Id] != nil; h.Id = NewID() {
		}
	} else if c.pending[h.Id] != nil {
		c.mu.Unlock()
		return nil, fmt.Errorf("wsclient: request id %q is already waiting for an answer", h.Id)
	}
	r.Id = h.Id
	id := h.Id
	c.pending[id] = ch
	c.mu.Unlock()
	forget := func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}

	payload, err := proto.Marshal(req)
	if err != nil {
		forget()
		return nil, fmt.Errorf("wsclient: encode action %d: %w", action, err)
	}
	if err := c.write(wire.AppendFrame(make([]byte, 0, wire.HeaderSize+len(payload)), action, payload)); err != nil {
		forget()
		if e := c.Err(); e != nil {
			return nil, e
		}
		// The reader may not have seen the close yet, but a connection that
		// cannot be written to is closed for the caller.
		return nil, fmt.Errorf("%w: send action %d: %w", ErrClosed, action, err)
	}
	return func(ctx context.Context, resp proto.Message) error {
		defer forget()
		select {
		case rep := <-ch:
			return decodeReply(rep, action, resp)
		case <-ctx.Done():
			return ctx.Err()
		case <-c.done:
			// The answer may have arrived just before the close.
			select {
			case rep := <-ch:
				return decodeReply(rep, action, resp)
			default:
				return c.Err()
			}
		}
	}, nil
}

// header returns the request header that goes on the wire: req's field 1,
// set to r when req has none. A header of its own takes r's id when it has
// none, and gives r its id otherwise.
func header(req proto.Message, r *pb.Request) (*pb.Request, error) {
	if r == nil {
		return nil, errors.New("wsclient: nil request header")
	}
	m := req.ProtoReflect()
	fd := m.Descriptor().Fields().ByNumber(1)
	if fd == nil || fd.Message() == nil || fd.Message().FullName() != r.ProtoReflect().Descriptor().FullName() {
		return nil, fmt.Errorf("wsclient: %s has no request header in field 1", m.Descriptor().FullName())
	}
	if !m.Has(fd) {
		m.Set(fd, protoreflect.ValueOfMessage(r.ProtoReflect()))
		return r, nil
	}
	h, ok := m.Get(fd).Message().Interface().(*pb.Request)
	if !ok {
		return nil, fmt.Errorf("wsclient: %s has no request header in field 1", m.Descriptor().FullName())
	}
	switch {
	case h == r, r.Id == "":
	case h.Id == "":
		h.Id = r.Id
	case h.Id != r.Id:
		return nil, fmt.Errorf("wsclient: two request ids, %q and %q", r.Id, h.Id)
	}
	return h, nil
}

func decodeReply(rep reply, action uint16, resp proto.Message) error {
	if rep.action == dispatch.MessageErrorResponse {
		var e pb.ErrorResponse
		if err := proto.Unmarshal(rep.payload, &e); err != nil {
			return fmt.Errorf("wsclient: undecodable ErrorResponse: %w", err)
		}
		return &wire.Error{Major: wire.Major(e.MajorCode), Minor: wire.Minor(e.MinorCode), Wait: e.Wait, Message: e.Message}
	}
	if rep.action != action+wire.ResponseOffset {
		return fmt.Errorf("wsclient: action %d was answered with action %d", action, rep.action)
	}
	if err := proto.Unmarshal(rep.payload, resp); err != nil {
		return fmt.Errorf("wsclient: undecodable answer to action %d: %w", action, err)
	}
	return nil
}

// handler receives gws's callbacks for one Conn.
type handler struct{ c *Conn }

func (h handler) OnOpen(*gws.Conn) {}

func (h handler) OnClose(_ *gws.Conn, err error) {
	c := h.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return
	}
	if err == nil || err.Error() == "" {
		c.err = ErrClosed
	} else {
		c.err = fmt.Errorf("%w: %w", ErrClosed, err)
	}
	close(c.done)
}

func (h handler) OnPing(ws *gws.Conn, p []byte) { _ = ws.WritePong(p) }

func (h handler) OnPong(*gws.Conn, []byte) {}

// OnMessage routes one server frame: to the call waiting for its id, or to
// the push channel when its id is empty.
func (h handler) OnMessage(ws *gws.Conn, msg *gws.Message) {
	defer msg.Close()
	c := h.c
	data := msg.Bytes()
	if ci := c.cipher.Load(); ci != nil {
		// msg's buffer is ours until it is closed; the payload is copied
		// out below.
		plain, err := ci.OpenInPlace(data)
		if err != nil {
			c.bad.Add(1)
			return
		}
		data = plain
	}
	action, payload, err := wire.DecodeFrame(data)
	if err != nil {
		c.bad.Add(1)
		return
	}
	payload = append([]byte(nil), payload...) // msg's buffer goes back to a pool
	if c.handshakeFrame(action, payload) {
		return
	}
	if id, _ := wire.PeekID(payload); id != "" {
		c.mu.Lock()
		ch := c.pending[id]
		c.mu.Unlock()
		if ch != nil {
			select {
			case ch <- reply{action: action, payload: payload}:
			default: // a second answer with the same id: the first one counts
			}
		}
		// Otherwise nobody waits any more (a call that timed out, or the
		// answer to an automatic Heartbeat).
		return
	}
	if action == dispatch.ResponseHeartbeat && !c.opts.NoHeartbeat {
		hb, _ := proto.Marshal(&pb.Heartbeat{Request: &pb.Request{Id: NewID()}})
		// Written before the push is delivered, so the answer precedes
		// anything the caller sends after seeing the push. The frame is tiny:
		// only a socket that already stopped draining could hold it up.
		_ = c.write(wire.AppendFrame(nil, dispatch.ActionHeartbeat, hb))
	}
	m, err := client.Decode(action, payload)
	if err != nil {
		c.bad.Add(1)
		return
	}
	select {
	case c.pushes <- Push{Action: action, Msg: m}:
	default:
		c.dropped.Add(1)
	}
}

// NextPush waits for the next push of action, discarding pushes of other
// actions. Pushes that arrived before the connection closed are still
// returned; after them it reports why the connection ended.
func (c *Conn) NextPush(ctx context.Context, action uint16) (proto.Message, error) {
	for {
		select {
		case p := <-c.Pushes():
			if p.Action == action {
				return p.Msg, nil
			}
		case <-c.Done():
			for {
				select {
				case p := <-c.Pushes():
					if p.Action == action {
						return p.Msg, nil
					}
				default:
					return nil, fmt.Errorf("wsclient: closed while waiting for action %d: %w", action, c.Err())
				}
			}
		case <-ctx.Done():
			return nil, fmt.Errorf("wsclient: no action %d: %w", action, ctx.Err())
		}
	}
}
