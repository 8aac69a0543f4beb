package igap

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// WebSocket opcodes (RFC 6455 §5.2).
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

// ws is a minimal RFC 6455 client over a net.Conn: it is written here rather
// than taken from a library so that it can do what the iGap clients do and
// strict libraries refuse, sending unmasked frames after ACCEPTED
// (clients.md, "Unmasked frames").
type ws struct {
	nc net.Conn
	br *bufio.Reader

	wmu  sync.Mutex // one frame at a time
	mask bool       // mask outgoing frames (RFC 6455 client rule)
}

// CloseError is how a connection ended when the server sent a close frame:
// its status code (1005 when the frame carried none) and reason.
type CloseError struct {
	Code   int
	Reason string
}

func (e *CloseError) Error() string {
	return fmt.Sprintf("igap: server closed the WebSocket: %d %q", e.Code, e.Reason)
}

// dialWS opens TCP to the URL's host and performs the opening handshake with
// GET /hybrid/ (or the URL's path when it is not "/"; clients.md "Where they
// connect"). Frames are masked until setMask(false).
func dialWS(ctx context.Context, rawURL string) (*ws, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "ws" || u.Host == "" {
		return nil, fmt.Errorf("igap: %q is not a ws:// URL", rawURL)
	}
	path := u.Path
	if path == "" || path == "/" {
		path = "/hybrid/"
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = nc.SetDeadline(dl)
	}
	var nonce [16]byte
	_, _ = rand.Read(nonce[:])
	key := base64.StdEncoding.EncodeToString(nonce[:])
	req := "GET " + path + " HTTP/1.1\r\n" +
		"Host: " + u.Host + "\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + key + "\r\n" +
		"Sec-WebSocket-Version: 13\r\n\r\n"
	if _, err := io.WriteString(nc, req); err != nil {
		_ = nc.Close()
		return nil, err
	}
	br := bufio.NewReaderSize(nc, 64<<10)
	resp, err := http.ReadResponse(br, &http.Request{Method: "GET"})
	if err != nil {
		_ = nc.Close()
		return nil, fmt.Errorf("igap: handshake: %w", err)
	}
	h := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	switch {
	case resp.StatusCode != http.StatusSwitchingProtocols:
		err = fmt.Errorf("igap: handshake: status %s", resp.Status)
	case !strings.EqualFold(resp.Header.Get("Upgrade"), "websocket"):
		err = errors.New("igap: handshake: no Upgrade: websocket")
	case resp.Header.Get("Sec-WebSocket-Accept") != base64.StdEncoding.EncodeToString(h[:]):
		err = errors.New("igap: handshake: wrong Sec-WebSocket-Accept")
	}
	if err != nil {
		_ = nc.Close()
		return nil, err
	}
	_ = nc.SetDeadline(time.Time{})
	return &ws{nc: nc, br: br, mask: true}, nil
}

func (w *ws) setMask(on bool) { w.wmu.Lock(); w.mask = on; w.wmu.Unlock() }

// writeFrame writes one final frame; masked frames get a fresh random key.
func (w *ws) writeFrame(op byte, payload []byte) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	hdr := make([]byte, 0, 14)
	hdr = append(hdr, 0x80|op)
	var mbit byte
	if w.mask {
		mbit = 0x80
	}
	switch n := len(payload); {
	case n < 126:
		hdr = append(hdr, mbit|byte(n))
	case n <= 0xFFFF:
		hdr = append(hdr, mbit|126)
		hdr = binary.BigEndian.AppendUint16(hdr, uint16(n))
	default:
		hdr = append(hdr, mbit|127)
		hdr = binary.BigEndian.AppendUint64(hdr, uint64(n))
	}
	buf := payload
	if w.mask {
		var k [4]byte
		_, _ = rand.Read(k[:])
		hdr = append(hdr, k[:]...)
		buf = make([]byte, len(payload))
		for i, b := range payload {
			buf[i] = b ^ k[i&3]
		}
	}
	_, err := w.nc.Write(append(hdr, buf...))
	return err
}

// readMessage returns the next data message (binary or text), answering
// pings on the way and reassembling fragments. A close frame from the server
// is echoed and returned as *CloseError.
func (w *ws) readMessage() (op byte, msg []byte, err error) {
	var (
		started bool
		first   byte
		data    []byte
	)
	for {
		fin, fop, payload, err := w.readFrame()
		if err != nil {
			return 0, nil, err
		}
		switch fop {
		case opPing:
			if err := w.writeFrame(opPong, payload); err != nil {
				return 0, nil, err
			}
			continue
		case opPong:
			continue
		case opClose:
			ce := &CloseError{Code: 1005}
			if len(payload) >= 2 {
				ce.Code = int(binary.BigEndian.Uint16(payload))
				ce.Reason = string(payload[2:])
			}
			_ = w.writeFrame(opClose, payload[:min(len(payload), 2)])
			return 0, nil, ce
		case opContinuation:
			if !started {
				return 0, nil, errors.New("igap: continuation without a first frame")
			}
		case opText, opBinary:
			if started {
				return 0, nil, errors.New("igap: new message inside a fragmented one")
			}
			started, first = true, fop
		default:
			return 0, nil, fmt.Errorf("igap: unknown opcode %#x", fop)
		}
		data = append(data, payload...)
		if fin {
			return first, data, nil
		}
	}
}

func (w *ws) readFrame() (fin bool, op byte, payload []byte, err error) {
	var h [2]byte
	if _, err = io.ReadFull(w.br, h[:]); err != nil {
		return
	}
	fin, op = h[0]&0x80 != 0, h[0]&0x0F
	masked := h[1]&0x80 != 0
	n := uint64(h[1] & 0x7F)
	switch n {
	case 126:
		var b [2]byte
		if _, err = io.ReadFull(w.br, b[:]); err != nil {
			return
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err = io.ReadFull(w.br, b[:]); err != nil {
			return
		}
		n = binary.BigEndian.Uint64(b[:])
	}
	if n > 256<<20 {
		return false, 0, nil, fmt.Errorf("igap: frame of %d bytes", n)
	}
	var k [4]byte
	if masked { // a server must not mask; read it anyway
		if _, err = io.ReadFull(w.br, k[:]); err != nil {
			return
		}
	}
	payload = make([]byte, n)
	if _, err = io.ReadFull(w.br, payload); err != nil {
		return
	}
	if masked {
		for i := range payload {
			payload[i] ^= k[i&3]
		}
	}
	return fin, op, payload, nil
}
