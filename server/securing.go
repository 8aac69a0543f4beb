package server

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/securing"
	"github.com/gapd/gapd/wire"
	"google.golang.org/protobuf/proto"
)

// The connection securing of ../shared/protocol/clients.md, as the
// transport runs it: the server sends ConnectionSecuringResponse (30001) on
// connect; a client that answers ConnectionSymmetricKey (2) gets
// ConnectionSymmetricKeyResponse (30002), and after ACCEPTED every frame
// both ways is IV || AES-256-CBC. A connection whose first request is
// anything else stays plain for its life (gapd's own clients and tools),
// unless the operator requires securing (-plain-frames deny).

// connMode is where a connection stands in the securing.
type connMode uint8

const (
	modeNew       connMode = iota // no request yet
	modePlain                     // the first request was not action 2: plain frames for good
	modeHandshake                 // action 2 sent, not yet accepted: only action 2 is taken
	modeSecure                    // accepted: frames are sealed both ways
)

// maxPlainKeys is how many keys sent in plain are answered with
// ConnectionSecuringResponse again before the next one is REJECTED.
const maxPlainKeys = 3

// Fixed close reasons: short, and never about the key.
const (
	reasonSecuringRequired = "connection securing required"
	reasonOnlySecuring     = "only ConnectionSymmetricKey before securing"
	reasonRejected         = "connection securing rejected"
	reasonUndecryptable    = "frame does not decrypt"
)

// SecuringKeyFile is where gapd keeps the key it creates, under -data.
const SecuringKeyFile = "securing-key.pem"

// LoadKeys loads the securing keys cfg names: -securing-key, or the key
// under the data directory data, created (mode 0600) on first start; and
// -securing-client-key when given. created reports a new key.
func LoadKeys(cfg Config, data string) (keys *securing.Keys, created bool, err error) {
	keys = &securing.Keys{}
	if cfg.SecuringKey != "" {
		if keys.Server, err = securing.LoadKey(cfg.SecuringKey); err != nil {
			return nil, false, fmt.Errorf("-securing-key: %w", err)
		}
	} else {
		path := filepath.Join(data, SecuringKeyFile)
		if keys.Server, created, err = securing.LoadOrCreateKey(path); err != nil {
			return nil, false, fmt.Errorf("securing key %s: %w", path, err)
		}
	}
	if cfg.SecuringClientKey != "" {
		if keys.Client, err = securing.LoadKey(cfg.SecuringClientKey); err != nil {
			return nil, false, fmt.Errorf("-securing-client-key: %w", err)
		}
	}
	return keys, created, nil
}

// helloFrame is the first frame of every connection, and the answer to a
// key sent in plain: ConnectionSecuringResponse with the server's public
// key, the key length, the heartbeat interval and the chunk size of
// version 2. Without keys (a server built without Options.Keys) it offers
// no key and states only the interval.
func (s *Server) helloFrame() []byte {
	m := &pb.ConnectionSecuringResponse{
		Response:          &pb.Response{Timestamp: uint32(time.Now().Unix())},
		HeartbeatInterval: intervalSeconds(s.heartbeat),
	}
	if s.keys != nil {
		m.PublicKey = s.publicKey
		m.SymmetricKeyLength = securing.KeySize
		m.SecondaryChunkSize = securing.ChunkSize
	}
	f, _ := marshalFrame(dispatch.MessageConnectionSecuringResponse, m)
	return f
}

// gate applies the securing's order to a request of action: it decides a
// new connection's mode, and closes one that breaks the order (false).
// A Heartbeat is no request and decides nothing.
func (c *conn) gate(action uint16) bool {
	if action == dispatch.ActionHeartbeat {
		return true
	}
	switch c.mode {
	case modeNew:
		switch {
		case action == dispatch.ActionConnectionSymmetricKey:
			c.mode = modeHandshake
		case c.srv.cfg.PlainFrames == PlainDeny:
			c.srv.log.Debug("closing a connection that skips the securing", "remote", c.remote, "action", action)
			c.closeAfter(outFrame{}, closePolicy, reasonSecuringRequired)
			return false
		default:
			c.mode = modePlain
		}
	case modeHandshake:
		if action != dispatch.ActionConnectionSymmetricKey {
			c.srv.log.Debug("closing a connection that sent another request before securing", "remote", c.remote, "action", action)
			c.closeAfter(outFrame{}, closePolicy, reasonOnlySecuring)
			return false
		}
	}
	return true
}

// openFrame decrypts a frame of a secured connection; one that does not
// decrypt closes the connection (false).
func (c *conn) openFrame(frame []byte) ([]byte, bool) {
	// gws's message buffer is this frame's alone until handleFrame returns.
	plain, err := c.open.OpenInPlace(frame)
	if err != nil {
		c.srv.log.Debug("closing a secured connection: a frame does not decrypt", "remote", c.remote,
			"user_id", c.UserID(), "bytes", len(frame))
		c.closeAfter(outFrame{}, closeBadData, reasonUndecryptable)
		return nil, false
	}
	return plain, true
}

// symmetricKey answers ConnectionSymmetricKey (action 2); decoded is false
// for a payload that does not decode.
func (c *conn) symmetricKey(payload []byte) (decoded bool) {
	const name = "ConnectionSymmetricKey"
	start := time.Now()
	defer func() { c.srv.metrics.observe(name, time.Since(start)) }()
	var req pb.ConnectionSymmetricKey
	if err := proto.Unmarshal(payload, &req); err != nil {
		id, _ := wire.PeekID(payload)
		c.sendError(c.srv.base, name, id, errs.NewBadRequest().WithMessage("%s: undecodable payload", name))
		return false
	}
	id := req.GetRequest().GetId()
	log := c.srv.log.With("remote", c.remote, "version", req.Version)
	reject := func(why string, warn bool) {
		if warn {
			log.Warn("connection securing rejected", "why", why)
		} else {
			log.Debug("connection securing rejected", "why", why)
		}
		// security_issue is what iOS looks at, and the connection closes
		// either way, so every REJECTED carries it.
		c.closeAfter(outFrame{data: c.keyResponse(id, &pb.ConnectionSymmetricKeyResponse{
			Status: pb.ConnectionSymmetricKeyResponse_REJECTED, SecurityIssue: true,
		})}, closePolicy, reasonRejected)
	}
	keys := c.srv.keys
	switch {
	case c.mode != modeHandshake:
		// Plain or already secured: the connection stays as it is.
		log.Debug("ConnectionSymmetricKey on a connection that is plain or secured; refused")
		c.reply(c.keyResponse(id, &pb.ConnectionSymmetricKeyResponse{Status: pb.ConnectionSymmetricKeyResponse_REJECTED}))
		return true
	case keys == nil:
		reject("the server offers no securing key", true)
		return true
	case len(req.SymmetricKey) == securing.KeySize:
		// A key in plain: the client is told the public key again.
		c.plainKeys++
		if c.plainKeys > maxPlainKeys {
			reject(fmt.Sprintf("key sent in plain %d times", c.plainKeys), false)
			return true
		}
		c.reply(c.srv.helloFrame())
		return true
	}
	key, err := keys.Unwrap(req.Version, req.SymmetricKey)
	switch {
	case errors.Is(err, securing.ErrNoClientKey):
		reject("version 2 needs -securing-client-key, which this server was not given", true)
		return true
	case err != nil:
		reject(err.Error(), false)
		return true
	case len(key) != securing.KeySize:
		reject(fmt.Sprintf("key of %d bytes, want %d", len(key), securing.KeySize), false)
		return true
	}
	ciph, err := securing.NewCipher(key)
	if err != nil {
		reject(err.Error(), false)
		return true
	}
	// Frames read from now on are sealed: the client sends its next one
	// only after ACCEPTED, which itself goes out plain and switches the
	// writer once written.
	c.mode, c.open = modeSecure, ciph
	log.Debug("connection secured")
	_ = c.put(nil, &outFrame{data: c.keyResponse(id, &pb.ConnectionSymmetricKeyResponse{
		Status:          pb.ConnectionSymmetricKeyResponse_ACCEPTED,
		SymmetricMethod: securing.Method,
		SymmetricIvSize: securing.IVSize,
	}), secure: ciph})
	return true
}

// keyResponse is the ConnectionSymmetricKeyResponse frame answering id.
func (c *conn) keyResponse(id string, m *pb.ConnectionSymmetricKeyResponse) []byte {
	m.Response = &pb.Response{Id: id, Timestamp: wire.Timestamp(c.srv.base)}
	f, err := marshalFrame(dispatch.ResponseConnectionSymmetricKey, m)
	if err != nil {
		// Only an id that is not UTF-8 fails: answer without it.
		m.Response.Id = ""
		f, _ = marshalFrame(dispatch.ResponseConnectionSymmetricKey, m)
	}
	return f
}
