package server

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gapd/gapd/securing"
	"github.com/gapd/gapd/wire"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// WebSocket opcodes the raw peer writes and reads.
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xa
)

// wsPeer is a WebSocket client written by hand over a TCP socket, so a test
// chooses what each frame looks like: masked or not (real iGap clients stop
// masking once secured), fragmented, with control frames between fragments.
type wsPeer struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

// dialPeer opens a WebSocket on path; extra is written in the same write as
// the upgrade request, so the server reads it together with the request.
func dialPeer(t *testing.T, addr, path string, extra []byte) *wsPeer {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	req := "GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := c.Write(append([]byte(req), extra...)); err != nil {
		t.Fatal(err)
	}
	p := &wsPeer{t: t, c: c, br: bufio.NewReader(c)}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(p.br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade answered %s", resp.Status)
	}
	return p
}

// encodeWSFrame is one client frame; with mask, under key.
func encodeWSFrame(fin bool, op byte, payload []byte, mask bool, key [4]byte) []byte {
	b0 := op
	if fin {
		b0 |= 0x80
	}
	var mbit byte
	if mask {
		mbit = 0x80
	}
	out := []byte{b0}
	switch n := len(payload); {
	case n < 126:
		out = append(out, mbit|byte(n))
	case n <= 0xffff:
		out = append(out, mbit|126, byte(n>>8), byte(n))
	default:
		out = append(out, mbit|127)
		out = binary.BigEndian.AppendUint64(out, uint64(n))
	}
	if !mask {
		return append(out, payload...)
	}
	out = append(out, key[:]...)
	for i, b := range payload {
		out = append(out, b^key[i%4])
	}
	return out
}

var testMaskKey = [4]byte{0x37, 0xfa, 0x21, 0x3d}

func (p *wsPeer) write(b []byte) {
	p.t.Helper()
	if _, err := p.c.Write(b); err != nil {
		p.t.Fatal(err)
	}
}

// send writes payload as one binary frame.
func (p *wsPeer) send(payload []byte, mask bool) {
	p.t.Helper()
	p.write(encodeWSFrame(true, opBinary, payload, mask, testMaskKey))
}

// sendFragments writes payload as a binary message in fragments cut at the
// given offsets, with a ping between every two fragments.
func (p *wsPeer) sendFragments(payload []byte, cuts []int, mask bool) {
	p.t.Helper()
	var frames []byte
	prev := 0
	for i, cut := range append(cuts, len(payload)) {
		op := byte(opContinuation)
		if i == 0 {
			op = opBinary
		}
		frames = append(frames, encodeWSFrame(cut == len(payload), op, payload[prev:cut], mask, testMaskKey)...)
		if cut != len(payload) {
			frames = append(frames, encodeWSFrame(true, opPing, []byte("between"), mask, testMaskKey)...)
		}
		prev = cut
	}
	p.write(frames)
}

// readFrame reads one server frame (servers do not mask).
func (p *wsPeer) readFrame() (op byte, payload []byte, err error) {
	_ = p.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var h [2]byte
	if _, err := io.ReadFull(p.br, h[:]); err != nil {
		return 0, nil, err
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var e [2]byte
		if _, err := io.ReadFull(p.br, e[:]); err != nil {
			return 0, nil, err
		}
		n = uint64(binary.BigEndian.Uint16(e[:]))
	case 127:
		var e [8]byte
		if _, err := io.ReadFull(p.br, e[:]); err != nil {
			return 0, nil, err
		}
		n = binary.BigEndian.Uint64(e[:])
	}
	payload = make([]byte, n)
	if _, err := io.ReadFull(p.br, payload); err != nil {
		return 0, nil, err
	}
	return h[0] & 0x0f, payload, nil
}

// next returns the next protocol frame of action, opened with ciph when the
// connection is secured, skipping others (heartbeats, pongs).
func (p *wsPeer) next(action uint16, ciph *securing.Cipher) []byte {
	p.t.Helper()
	for {
		op, payload, err := p.readFrame()
		if err != nil {
			p.t.Fatalf("waiting for action %d: %v", action, err)
		}
		switch op {
		case opClose:
			code, reason := closeOf(payload)
			p.t.Fatalf("closed (%d %q) while waiting for action %d", code, reason, action)
		case opBinary:
		default:
			continue
		}
		if ciph != nil {
			if payload, err = ciph.Open(nil, payload); err != nil {
				p.t.Fatalf("a frame of the secured connection does not open: %v", err)
			}
		}
		a, body, err := wire.DecodeFrame(payload)
		if err != nil {
			p.t.Fatalf("short frame %x", payload)
		}
		if a == action {
			return body
		}
	}
}

// nextMsg decodes the next frame of action into m.
func (p *wsPeer) nextMsg(action uint16, ciph *securing.Cipher, m proto.Message) {
	p.t.Helper()
	if err := proto.Unmarshal(p.next(action, ciph), m); err != nil {
		p.t.Fatal(err)
	}
}

// closed reads until the server's close frame and returns its code and
// reason, skipping protocol frames.
func (p *wsPeer) closed() (uint16, string) {
	p.t.Helper()
	for {
		op, payload, err := p.readFrame()
		if err != nil {
			if errors.Is(err, io.EOF) {
				p.t.Fatal("connection ended without a close frame")
			}
			p.t.Fatalf("waiting for a close frame: %v", err)
		}
		if op == opClose {
			return closeOf(payload)
		}
	}
}

func closeOf(payload []byte) (uint16, string) {
	if len(payload) < 2 {
		return 0, ""
	}
	return binary.BigEndian.Uint16(payload), string(payload[2:])
}

// sizedFrame is a protocol frame of exactly n bytes (n >= 16) of an action
// no route has, which the server answers with error 1 and the id. The id
// comes last, after filler, so a payload byte lost or changed on the way
// would show in the answer.
func sizedFrame(t *testing.T, n int, id string) []byte {
	t.Helper()
	head := protowire.AppendTag(nil, 1, protowire.BytesType)
	head = protowire.AppendBytes(head, protowire.AppendString(protowire.AppendTag(nil, 1, protowire.BytesType), id))
	// An empty field of its own bridges the sizes a varint boundary of the
	// filler's length skips.
	for _, bridge := range [][]byte{nil, {0xaa, 0x06, 0x00}} { // field 101, empty bytes
		for pad := n - wire.HeaderSize - len(head); pad >= 0; pad-- {
			f := protowire.AppendTag(append([]byte(nil), bridge...), 100, protowire.BytesType)
			filler := make([]byte, pad)
			for i := range filler {
				filler[i] = byte(i*7 + 3)
			}
			f = protowire.AppendBytes(f, filler)
			if len(f)+len(head)+wire.HeaderSize == n {
				return wire.AppendFrame(nil, unknownAction, append(f, head...))
			}
		}
	}
	t.Fatalf("no frame of %d bytes", n)
	return nil
}
