package wsclient

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"sync"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/securing"
	"github.com/gapd/gapd/wire"
	"github.com/lxzan/gws"
	"google.golang.org/protobuf/proto"
)

// Secure asks Dial for the protocol's connection securing
// (../shared/protocol/clients.md): wait for ConnectionSecuringResponse,
// send the symmetric key (version 1, or version 2 wrapped again under
// ClientKey), and once ACCEPTED seal and open every frame with AES-CBC.
// Frames stay masked (the real clients stop masking; this client need not).
type Secure struct {
	// Version is 1 or 2 (0 means 2).
	Version int
	// ClientKey is the public half of the key built into the clients, for
	// version 2 (the server holds the private half: -securing-client-key).
	ClientKey *rsa.PublicKey
}

// ErrRejected is Dial's error when the server answers REJECTED.
var ErrRejected = errors.New("wsclient: securing rejected")

const (
	actionSecuring     = dispatch.MessageConnectionSecuringResponse
	actionSymmetricKey = dispatch.ActionConnectionSymmetricKey
	actionKeyResponse  = dispatch.ResponseConnectionSymmetricKey
)

// secure runs the handshake on a connection whose read loop is running.
func (c *Conn) secure(ctx context.Context, s Secure) error {
	var hello pb.ConnectionSecuringResponse
	select {
	case b := <-c.hello:
		if err := proto.Unmarshal(b, &hello); err != nil {
			return fmt.Errorf("wsclient: ConnectionSecuringResponse: %w", err)
		}
	case <-c.done:
		return c.Err()
	case <-ctx.Done():
		return fmt.Errorf("wsclient: waiting for ConnectionSecuringResponse: %w", ctx.Err())
	}
	blk, _ := pem.Decode([]byte(hello.PublicKey))
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return errors.New("wsclient: public_key is not a PEM PUBLIC KEY")
	}
	pk, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return fmt.Errorf("wsclient: public_key: %w", err)
	}
	server, ok := pk.(*rsa.PublicKey)
	if !ok {
		return fmt.Errorf("wsclient: public_key is a %T", pk)
	}
	key := make([]byte, hello.SymmetricKeyLength)
	_, _ = rand.Read(key)
	wrapped, err := rsa.EncryptPKCS1v15(rand.Reader, server, key)
	if err != nil {
		return fmt.Errorf("wsclient: encrypt the key: %w", err)
	}
	version := uint32(0)
	if s.Version != 1 {
		if s.ClientKey == nil {
			return errors.New("wsclient: securing version 2 needs Secure.ClientKey")
		}
		chunk := int(hello.SecondaryChunkSize)
		if chunk <= 0 {
			return errors.New("wsclient: secondary_chunk_size is 0")
		}
		var outer []byte
		for off := 0; off < len(wrapped); off += chunk {
			ct, err := rsa.EncryptPKCS1v15(rand.Reader, s.ClientKey, wrapped[off:min(off+chunk, len(wrapped))])
			if err != nil {
				return fmt.Errorf("wsclient: encrypt chunk: %w", err)
			}
			outer = append(outer, ct...)
		}
		wrapped, version = outer, 2
	}
	c.mu.Lock()
	c.secKey = key
	c.mu.Unlock()
	b, _ := proto.Marshal(&pb.ConnectionSymmetricKey{Request: &pb.Request{Id: NewID()}, SymmetricKey: wrapped, Version: version})
	if err := c.write(wire.AppendFrame(nil, actionSymmetricKey, b)); err != nil {
		return fmt.Errorf("wsclient: send the key: %w", err)
	}
	var r pb.ConnectionSymmetricKeyResponse
	select {
	case b := <-c.keyResp:
		if err := proto.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("wsclient: ConnectionSymmetricKeyResponse: %w", err)
		}
	case <-c.done:
		return c.Err()
	case <-ctx.Done():
		return fmt.Errorf("wsclient: waiting for ConnectionSymmetricKeyResponse: %w", ctx.Err())
	}
	if r.Status != pb.ConnectionSymmetricKeyResponse_ACCEPTED || r.SecurityIssue {
		return fmt.Errorf("%w (%v, security_issue %v)", ErrRejected, r.Status, r.SecurityIssue)
	}
	if c.cipher.Load() == nil {
		return fmt.Errorf("wsclient: ACCEPTED with %q, iv %d: this client does %s with a %d-byte key", r.SymmetricMethod, r.SymmetricIvSize, securing.Method, len(key))
	}
	return nil
}

// handshakeFrame takes the frames of the handshake off the read loop before
// ACCEPTED: it reports whether it consumed this one. On ACCEPTED it installs
// the cipher before the next frame is read.
func (c *Conn) handshakeFrame(action uint16, payload []byte) bool {
	if c.opts.Secure == nil || c.cipher.Load() != nil {
		return false
	}
	switch action {
	case actionSecuring:
		select {
		case c.hello <- payload:
		default:
		}
		return true
	case actionKeyResponse:
		var r pb.ConnectionSymmetricKeyResponse
		c.mu.Lock()
		key := c.secKey
		c.mu.Unlock()
		if proto.Unmarshal(payload, &r) == nil && r.Status == pb.ConnectionSymmetricKeyResponse_ACCEPTED &&
			r.SymmetricMethod == securing.Method && r.SymmetricIvSize == securing.IVSize && key != nil {
			if ci, err := securing.NewCipher(key); err == nil {
				c.cipher.Store(ci)
			}
		}
		select {
		case c.keyResp <- payload:
		default:
		}
		return true
	}
	return false
}

// write sends one frame, sealed once the connection is secured. gws copies
// a frame into its own buffer to mask it, so the sealed bytes go through a
// pooled buffer.
func (c *Conn) write(frame []byte) error {
	ci := c.cipher.Load()
	if ci == nil {
		return c.ws.WriteMessage(gws.OpcodeBinary, frame)
	}
	bp := sealBufs.Get().(*[]byte)
	out := ci.Seal((*bp)[:0], frame)
	err := c.ws.WriteMessage(gws.OpcodeBinary, out)
	if cap(out) <= 64<<10 {
		*bp = out[:0]
		sealBufs.Put(bp)
	}
	return err
}

var sealBufs = sync.Pool{New: func() any { return new([]byte) }}
