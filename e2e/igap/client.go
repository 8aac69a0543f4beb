package igap

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gapd/gapd/generated/pb"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// Action ids this package needs by number (README.md, action index).
const (
	ActionError         uint16 = 0
	ActionSymmetricKey  uint16 = 2
	ActionHeartbeat     uint16 = 3
	ActionUserLogin     uint16 = 102
	ActionSecuring      uint16 = 30001
	ActionSymmetricResp uint16 = 30002
	ActionHeartbeatResp uint16 = 30003
	responseOffset      uint16 = 30000
)

// withoutLogin is what Android 0.3.7 sends before login besides action 2
// (clients.md, Heartbeat: 100-102, 500-503, 131, 132, 138-140, 802).
var withoutLogin = map[uint16]bool{100: true, 101: true, 102: true, 500: true, 501: true, 502: true, 503: true,
	131: true, 132: true, 138: true, 139: true, 140: true, 802: true}

// Options choose which client's behaviour to follow. The zero value is
// Android 0.3.7: version 2, alphanumeric key, zero-padded last chunk.
type Options struct {
	// Version of ConnectionSymmetricKey: 2 (default; every client from
	// 2017-09 on) or 1 (Android 0.0.23, `version` left unset).
	Version int
	// BuiltIn stands in for the public key compiled into the client, for
	// version 2.
	BuiltIn *rsa.PublicKey
	// Chunking of version 2: PadLastChunk (Android) or ExactChunks (Plus, PHP).
	Chunking Chunking
	// RawKey makes the symmetric key of raw random bytes (Plus, PHP)
	// instead of alphanumeric characters (Android, iOS).
	RawKey bool
	// IOS: drop every incoming frame other than 30001-30003 before
	// ACCEPTED, give up when no frame arrives within 3 s of connecting, and
	// disconnect when no frame arrives for heartbeat_interval + 5 s
	// (clients.md, Where they connect, Securing step 1, Heartbeat).
	IOS bool
	// KeepMasking keeps masking frames after ACCEPTED (the clients stop).
	KeepMasking bool
	// Manual stops Dial after the first 30001: the test drives the
	// handshake with SendKey and KeyResponse (REJECTED cases).
	Manual bool
}

// Frame is one frame as the client saw it, recorded for assertions.
type Frame struct {
	At        time.Time
	Action    uint16
	ID        string // request.id or response.id; "" for a push
	Payload   []byte // protobuf, without the action id
	Encrypted bool   // it travelled AES-CBC encrypted
	Dropped   string // why the client dropped it, as the real client would ("" if handled)
}

// Error is an ErrorResponse (action 0).
type Error struct {
	Major, Minor, Wait uint32
	Message            string
}

func (e *Error) Error() string {
	return fmt.Sprintf("igap: error %d/%d %s", e.Major, e.Minor, e.Message)
}

// ErrNotSent is returned for a request the real client would not send at
// this point (before ACCEPTED, or before login outside the "without login"
// list).
var ErrNotSent = errors.New("igap: the real client would not send this now")

// Client is one connection behaving like a real iGap client.
type Client struct {
	opts Options
	ws   *ws

	// Hello is the first ConnectionSecuringResponse.
	Hello *pb.ConnectionSecuringResponse
	// Accepted is the ConnectionSymmetricKeyResponse after the handshake.
	Accepted *pb.ConnectionSymmetricKeyResponse
	// Key is the symmetric key this client chose.
	Key []byte

	mu        sync.Mutex
	cipher    *Cipher // installed by the reader on ACCEPTED
	cipherErr error   // why an ACCEPTED could not be installed
	key       []byte  // the key sent with action 2, waiting for 30002
	pending   map[string]chan Frame
	received  []Frame
	sent      []Frame

	loggedIn atomic.Bool
	hellos   chan *pb.ConnectionSecuringResponse
	keyResps chan *pb.ConnectionSymmetricKeyResponse
	pushes   chan Frame
	done     chan struct{}
	err      error // why the read loop ended, set before done closes
	firstIn  chan struct{}
	lastIn   atomic.Int64
}

// Dial connects to the server's /hybrid/ (rawURL ws://host/ or
// ws://host/hybrid/), waits for ConnectionSecuringResponse and, unless
// opts.Manual, secures the connection. ctx bounds the whole of it.
func Dial(ctx context.Context, rawURL string, opts Options) (*Client, error) {
	if opts.Version == 0 {
		opts.Version = 2
	}
	w, err := dialWS(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	c := &Client{opts: opts, ws: w, pending: map[string]chan Frame{},
		hellos: make(chan *pb.ConnectionSecuringResponse, 8), keyResps: make(chan *pb.ConnectionSymmetricKeyResponse, 8),
		pushes: make(chan Frame, 4096), done: make(chan struct{}), firstIn: make(chan struct{})}
	c.lastIn.Store(time.Now().UnixNano())
	go c.readLoop()
	if opts.IOS {
		select {
		case <-c.firstIn:
		case <-time.After(3 * time.Second):
			c.Close()
			return nil, errors.New("igap: iOS gives up: no frame within 3 s of connecting")
		}
	}
	if c.Hello, err = c.NextHello(ctx); err != nil {
		c.Close()
		return nil, err
	}
	if opts.IOS && c.Hello.HeartbeatInterval > 0 {
		go c.iosWatchdog(time.Duration(c.Hello.HeartbeatInterval)*time.Second + 5*time.Second)
	}
	if opts.Manual {
		return c, nil
	}
	if err := c.Secure(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// Secure does the handshake of clients.md after the 30001 in c.Hello: make a
// key, wrap it (version 1 or 2), send action 2, wait for 30002. On ACCEPTED
// every later frame is encrypted and, unless KeepMasking, unmasked.
func (c *Client) Secure(ctx context.Context) error {
	h := c.Hello
	srv, err := ParsePublicKey(h.PublicKey)
	if err != nil {
		return err
	}
	key := NewKey(int(h.SymmetricKeyLength), c.opts.RawKey)
	var wrapped []byte
	switch c.opts.Version {
	case 1:
		wrapped, err = WrapV1(srv, key)
	case 2:
		if c.opts.BuiltIn == nil {
			return errors.New("igap: version 2 needs Options.BuiltIn")
		}
		wrapped, err = WrapV2(srv, c.opts.BuiltIn, key, int(h.SecondaryChunkSize), c.opts.Chunking)
	default:
		return fmt.Errorf("igap: version %d", c.opts.Version)
	}
	if err != nil {
		return err
	}
	ver := uint32(c.opts.Version)
	if ver == 1 {
		ver = 0 // Android 0.0.23 left `version` unset
	}
	if err := c.SendKey(key, wrapped, ver); err != nil {
		return err
	}
	r, err := c.KeyResponse(ctx)
	if err != nil {
		return err
	}
	if r.Status != pb.ConnectionSymmetricKeyResponse_ACCEPTED || r.SecurityIssue {
		return fmt.Errorf("igap: securing %v (security_issue %v)", r.Status, r.SecurityIssue)
	}
	c.mu.Lock()
	ok, cerr := c.cipher != nil, c.cipherErr
	c.mu.Unlock()
	if !ok {
		return fmt.Errorf("igap: ACCEPTED but unusable: %v", cerr)
	}
	c.Accepted = r
	return nil
}

// SendKey sends ConnectionSymmetricKey with symmetric_key = wrapped and the
// given version; key is what the client will encrypt with if ACCEPTED (nil:
// no cipher is installed, for tests that expect REJECTED).
func (c *Client) SendKey(key, wrapped []byte, version uint32) error {
	c.mu.Lock()
	c.key, c.Key = key, key
	c.mu.Unlock()
	b, err := proto.Marshal(&pb.ConnectionSymmetricKey{SymmetricKey: wrapped, Version: version})
	if err != nil {
		return err
	}
	return c.send(ActionSymmetricKey, NewID(), b)
}

// NextHello waits for the next ConnectionSecuringResponse (the first, or a
// re-send after a key in plain text).
func (c *Client) NextHello(ctx context.Context) (*pb.ConnectionSecuringResponse, error) {
	select {
	case h := <-c.hellos:
		return h, nil
	case <-c.done:
		select { // a frame read just before the end
		case h := <-c.hellos:
			return h, nil
		default:
		}
		return nil, c.Err()
	case <-ctx.Done():
		return nil, fmt.Errorf("igap: waiting for 30001: %w", ctx.Err())
	}
}

// KeyResponse waits for the next ConnectionSymmetricKeyResponse.
func (c *Client) KeyResponse(ctx context.Context) (*pb.ConnectionSymmetricKeyResponse, error) {
	select {
	case r := <-c.keyResps:
		return r, nil
	case <-c.done:
		select { // REJECTED is followed by the close
		case r := <-c.keyResps:
			return r, nil
		default:
		}
		return nil, c.Err()
	case <-ctx.Done():
		return nil, fmt.Errorf("igap: waiting for 30002: %w", ctx.Err())
	}
}

// NewID is a random request id.
func NewID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// request builds a payload: field 1 Request{id} followed by fields (the
// request's other fields, already encoded).
func request(id string, fields []byte) []byte {
	var r []byte
	r = protowire.AppendTag(r, 1, protowire.BytesType)
	r = protowire.AppendString(r, id)
	b := protowire.AppendTag(nil, 1, protowire.BytesType)
	b = protowire.AppendBytes(b, r)
	return append(b, fields...)
}

// Fields encodes a request message's fields other than field 1 (request),
// for CallRaw; m's own request field is dropped.
func Fields(m proto.Message) ([]byte, error) {
	m = proto.Clone(m)
	r := m.ProtoReflect()
	if fd := r.Descriptor().Fields().ByNumber(1); fd != nil {
		r.Clear(fd)
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(m)
}

// SendFrame writes one frame as it is (action id then payload) through the
// current state: plain and masked before ACCEPTED, encrypted after. It
// bypasses the client's own rules, for tests of what the server refuses.
func (c *Client) SendFrame(action uint16, payload []byte) error {
	return c.write(binary.LittleEndian.AppendUint16(nil, action), payload, action, "")
}

// SendBytes writes a binary WebSocket message as it is, without encryption.
func (c *Client) SendBytes(b []byte) error { return c.ws.writeFrame(opBinary, b) }

func (c *Client) send(action uint16, id string, fields []byte) error {
	return c.write(binary.LittleEndian.AppendUint16(nil, action), request(id, fields), action, id)
}

func (c *Client) write(head, payload []byte, action uint16, id string) error {
	frame := append(head, payload...)
	c.mu.Lock()
	ci := c.cipher
	c.sent = append(c.sent, Frame{At: time.Now(), Action: action, ID: id, Payload: payload, Encrypted: ci != nil})
	c.mu.Unlock()
	if ci != nil {
		frame = ci.Seal(frame)
	}
	return c.ws.writeFrame(opBinary, frame)
}

// CallRaw sends action with a fresh request id and the given encoded fields
// and waits for the frame answering it: its response or an *Error.
// It refuses (ErrNotSent) what the real client would not send: anything
// before ACCEPTED, and before login anything outside the "without login"
// list (clients.md, Heartbeat).
func (c *Client) CallRaw(ctx context.Context, action uint16, fields []byte) (Frame, error) {
	c.mu.Lock()
	secured := c.cipher != nil
	c.mu.Unlock()
	if !secured || (!c.loggedIn.Load() && !withoutLogin[action]) {
		return Frame{}, fmt.Errorf("%w: action %d (secured %v, logged in %v)", ErrNotSent, action, secured, c.loggedIn.Load())
	}
	id := NewID()
	ch := make(chan Frame, 1)
	c.mu.Lock()
	c.pending[id] = ch
	c.mu.Unlock()
	defer func() { c.mu.Lock(); delete(c.pending, id); c.mu.Unlock() }()
	if err := c.send(action, id, fields); err != nil {
		return Frame{}, err
	}
	var f Frame
	select {
	case f = <-ch:
	case <-c.done:
		select { // the answer may have come just before the end
		case f = <-ch:
		default:
			return Frame{}, fmt.Errorf("igap: connection ended waiting for %d: %w", action, c.Err())
		}
	case <-ctx.Done():
		return Frame{}, fmt.Errorf("igap: action %d: %w", action, ctx.Err())
	}
	if f.Action == ActionError {
		var er pb.ErrorResponse
		if err := proto.Unmarshal(f.Payload, &er); err != nil {
			return f, err
		}
		return f, &Error{Major: er.MajorCode, Minor: er.MinorCode, Wait: er.Wait, Message: er.Message}
	}
	if f.Action != action+responseOffset {
		return f, fmt.Errorf("igap: action %d answered with %d", action, f.Action)
	}
	return f, nil
}

// Call sends req (its request field is set by the client) and decodes the
// answer into resp, or returns an *Error.
func (c *Client) Call(ctx context.Context, action uint16, req, resp proto.Message) error {
	b, err := Fields(req)
	if err != nil {
		return err
	}
	f, err := c.CallRaw(ctx, action, b)
	if err != nil {
		return err
	}
	if resp == nil {
		return nil
	}
	return proto.Unmarshal(f.Payload, resp)
}

// Pushes delivers frames with an empty response.id (other than 30001-30003).
func (c *Client) Pushes() <-chan Frame { return c.pushes }

// NextPush waits for a push of action and decodes it into m (nil: skip
// decoding). Pushes of other actions on the way are discarded.
func (c *Client) NextPush(ctx context.Context, action uint16, m proto.Message) (Frame, error) {
	for {
		select {
		case f := <-c.pushes:
			if f.Action != action {
				continue
			}
			if m != nil {
				return f, proto.Unmarshal(f.Payload, m)
			}
			return f, nil
		case <-c.done:
			for { // pushes read before the end come first
				select {
				case f := <-c.pushes:
					if f.Action == action {
						if m != nil {
							return f, proto.Unmarshal(f.Payload, m)
						}
						return f, nil
					}
					continue
				default:
				}
				return Frame{}, fmt.Errorf("igap: connection ended waiting for push %d: %w", action, c.Err())
			}
		case <-ctx.Done():
			return Frame{}, fmt.Errorf("igap: push %d: %w", action, ctx.Err())
		}
	}
}

// LoggedIn is true once a UserLogin was answered with success.
func (c *Client) LoggedIn() bool { return c.loggedIn.Load() }

// Received is a copy of every frame received so far, in order.
func (c *Client) Received() []Frame {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Frame(nil), c.received...)
}

// Sent is a copy of every frame sent so far, in order (heartbeats included).
func (c *Client) Sent() []Frame {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Frame(nil), c.sent...)
}

// Done is closed when the connection has ended.
func (c *Client) Done() <-chan struct{} { return c.done }

// Err is why the connection ended: a *CloseError when the server sent a
// close frame (errors.As), another error when the socket broke; nil while
// it is open.
func (c *Client) Err() error {
	select {
	case <-c.done:
		return c.err
	default:
		return nil
	}
}

// CloseCode is the server's close code (0 if the connection did not end
// with a close frame, or has not ended).
func (c *Client) CloseCode() (int, string) {
	var ce *CloseError
	if errors.As(c.Err(), &ce) {
		return ce.Code, ce.Reason
	}
	return 0, ""
}

// Close sends a close frame (1000) and closes the socket.
func (c *Client) Close() error {
	_ = c.ws.writeFrame(opClose, []byte{0x03, 0xE8})
	return c.ws.nc.Close()
}

// readLoop reads every frame, decrypts after ACCEPTED, records it and routes
// it as the clients do (clients.md, Requests, responses, errors).
func (c *Client) readLoop() {
	var first sync.Once
	defer func() { first.Do(func() { close(c.firstIn) }); close(c.done) }()
	for {
		op, msg, err := c.ws.readMessage()
		if err != nil {
			c.err = err
			_ = c.ws.nc.Close()
			return
		}
		first.Do(func() { close(c.firstIn) })
		c.lastIn.Store(time.Now().UnixNano())
		if op != opBinary {
			continue
		}
		c.mu.Lock()
		ci := c.cipher
		c.mu.Unlock()
		if ci != nil {
			if msg, err = ci.Open(msg); err != nil {
				c.err = err
				_ = c.ws.nc.Close()
				return
			}
		}
		if len(msg) < 2 {
			continue
		}
		f := Frame{At: time.Now(), Action: binary.LittleEndian.Uint16(msg), Payload: msg[2:], Encrypted: ci != nil}
		f.ID = peekID(f.Payload)
		c.route(f, ci != nil)
	}
}

func (c *Client) route(f Frame, secured bool) {
	record := func(f Frame) { c.mu.Lock(); c.received = append(c.received, f); c.mu.Unlock() }
	if !secured && c.opts.IOS && (f.Action < ActionSecuring || f.Action > ActionHeartbeatResp) {
		f.Dropped = "iOS drops it before ACCEPTED"
		record(f)
		return
	}
	switch f.Action {
	case ActionSecuring:
		record(f)
		var h pb.ConnectionSecuringResponse
		if proto.Unmarshal(f.Payload, &h) == nil {
			select {
			case c.hellos <- &h:
			default:
			}
		}
		return
	case ActionSymmetricResp:
		record(f)
		var r pb.ConnectionSymmetricKeyResponse
		if proto.Unmarshal(f.Payload, &r) != nil {
			return
		}
		c.mu.Lock()
		key := c.key
		c.mu.Unlock()
		if r.Status == pb.ConnectionSymmetricKeyResponse_ACCEPTED && !r.SecurityIssue && key != nil && !secured {
			ci, err := NewCipher(key, r.SymmetricMethod, int(r.SymmetricIvSize))
			if err == nil {
				c.mu.Lock()
				c.cipher = ci
				c.mu.Unlock()
				if !c.opts.KeepMasking {
					c.ws.setMask(false)
				}
			} else {
				c.mu.Lock()
				c.cipherErr = err
				c.mu.Unlock()
			}
		}
		select {
		case c.keyResps <- &r:
		default:
		}
		return
	case ActionHeartbeatResp:
		record(f)
		// Every client answers each 30003 with a new 3, but Android and
		// iOS only once logged in (clients.md, Heartbeat).
		if secured && c.loggedIn.Load() {
			b, _ := proto.Marshal(&pb.Heartbeat{})
			_ = c.send(ActionHeartbeat, NewID(), b)
		}
		return
	}
	if f.ID == "" {
		record(f)
		select {
		case c.pushes <- f:
		default:
			f.Dropped = "push buffer full"
		}
		return
	}
	c.mu.Lock()
	ch := c.pending[f.ID]
	if ch == nil {
		f.Dropped = "no pending request with this id"
	}
	if ch != nil && f.Action == ActionUserLogin+responseOffset {
		c.loggedIn.Store(true)
	}
	c.received = append(c.received, f)
	c.mu.Unlock()
	if ch != nil {
		ch <- f
	}
}

// iosWatchdog disconnects when no frame arrived for d, as iOS does.
func (c *Client) iosWatchdog(d time.Duration) {
	t := time.NewTicker(d / 10)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			if time.Since(time.Unix(0, c.lastIn.Load())) > d {
				c.mu.Lock()
				c.sent = append(c.sent, Frame{At: time.Now(), Dropped: "iOS watchdog: no frame for " + d.String()})
				c.mu.Unlock()
				_ = c.Close()
				return
			}
		}
	}
}

// peekID reads response.id (field 1 of field 1) without knowing the type.
func peekID(b []byte) string {
	inner := field1(b)
	if inner == nil {
		return ""
	}
	return string(field1(inner))
}

func field1(b []byte) []byte {
	var out []byte
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return out
		}
		b = b[n:]
		m := protowire.ConsumeFieldValue(num, typ, b)
		if m < 0 {
			return out
		}
		if num == 1 && typ == protowire.BytesType {
			out, _ = protowire.ConsumeBytes(b)
		}
		b = b[m:]
	}
	return out
}
