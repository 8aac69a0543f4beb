package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/lxzan/gws"
)

// rawConn is a bare gws client for the reference server: no protocol, each
// frame handed to onFrame on the read goroutine.
type rawConn struct {
	ws      *gws.Conn
	onFrame func([]byte)
}

type rawEvents struct{ c *rawConn }

func (e rawEvents) OnOpen(*gws.Conn)              {}
func (e rawEvents) OnClose(*gws.Conn, error)      {}
func (e rawEvents) OnPing(ws *gws.Conn, p []byte) { _ = ws.WritePong(p) }
func (e rawEvents) OnPong(*gws.Conn, []byte)      {}
func (e rawEvents) OnMessage(_ *gws.Conn, m *gws.Message) {
	defer m.Close()
	if f := e.c.onFrame; f != nil {
		f(m.Bytes())
	}
}

func dialRaw(ctx context.Context, url string, onFrame func([]byte)) (*rawConn, error) {
	c := &rawConn{onFrame: onFrame}
	timeout := 30 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	}
	ws, _, err := gws.NewClient(rawEvents{c}, &gws.ClientOption{Addr: url, HandshakeTimeout: timeout, ReadMaxPayloadSize: 64 << 20})
	if err != nil {
		return nil, fmt.Errorf("dial bare server: %w", err)
	}
	c.ws = ws
	go ws.ReadLoop()
	return c, nil
}

func (c *rawConn) send(p []byte) error { return c.ws.WriteMessage(gws.OpcodeBinary, p) }
func (c *rawConn) close()              { _ = c.ws.WriteClose(1000, nil) }

// epoch is the load generator's clock origin: stamps are monotonic
// nanoseconds since it, carried inside the messages themselves, so a
// receiver computes latency without any table of what was sent when.
var epoch = time.Now()

func now() int64 { return int64(time.Since(epoch)) }

// textOf is a size-byte ASCII text starting with the stamp:
// "0000000001234567890|xxxx...".
func textOf(size int, stamp int64) []byte {
	b := make([]byte, 0, size)
	b = strconv.AppendInt(b, 1e18+stamp, 10)[1:] // 18 digits, zero-padded
	b = append(b, '|')
	for len(b) < size {
		b = append(b, 'x')
	}
	return b
}

// stampOf reads the stamp textOf wrote, or -1.
func stampOf(p []byte) int64 {
	if len(p) < 19 || p[18] != '|' {
		return -1
	}
	n, err := strconv.ParseInt(string(p[:18]), 10, 64)
	if err != nil {
		return -1
	}
	return n
}
