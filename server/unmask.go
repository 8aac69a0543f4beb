package server

import (
	"errors"
	"io"
)

// unmasker passes a client's WebSocket byte stream to gws, giving every
// frame header without the mask bit the bit and a zero 4-byte mask key.
// Real iGap clients stop masking their frames once the connection is
// secured; gws, like RFC 6455, refuses an unmasked client frame. XOR with a
// zero key changes nothing, so the payload passes through untouched, and
// masked frames pass as they are.
//
// It reads the socket through a small buffer of its own (a frame header is
// a few bytes, and reading them one syscall each would be slow), and reads
// large payloads straight into the caller's buffer.
type unmasker struct {
	src  io.Reader
	buf  []byte // bytes read from src; buf[r:w] not yet consumed
	r, w int

	hdr  [14]byte // the frame header being read, hn bytes so far
	hn   int
	out  [14]byte // the rewritten header, out[o:on] not yet handed out
	o    int
	on   int
	left uint64 // payload bytes of the current frame still to pass

	// c, when set, closes the connection with a fixed reason when a read
	// fails or a frame is too large, before gws closes it with an error's
	// text.
	c *conn
}

// newUnmasker reads src after the bytes in pending (what the HTTP server
// had already buffered when the connection was taken over).
func newUnmasker(src io.Reader, size int, pending []byte) *unmasker {
	u := &unmasker{src: src, buf: make([]byte, max(size, len(pending)))}
	u.w = copy(u.buf, pending)
	return u
}

// Read hands out rewritten bytes. It reads src at most once per call, and
// only when nothing is ready, so a call never blocks holding data.
func (u *unmasker) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if u.o < u.on {
			c := copy(p[n:], u.out[u.o:u.on])
			u.o += c
			n += c
			continue
		}
		if u.left > 0 {
			want := len(p) - n
			if uint64(want) > u.left {
				want = int(u.left)
			}
			if u.r < u.w {
				c := copy(p[n:n+want], u.buf[u.r:u.w])
				u.r += c
				u.left -= uint64(c)
				n += c
				continue
			}
			if n > 0 {
				return n, nil
			}
			if want >= len(u.buf) {
				// A large payload: no copy through the buffer.
				c, err := u.src.Read(p[:want])
				u.left -= uint64(c)
				if err != nil {
					u.failed(err)
				}
				return c, err
			}
			if err := u.fill(); err != nil {
				return 0, err
			}
			continue
		}
		if u.r == u.w {
			if n > 0 {
				return n, nil
			}
			if err := u.fill(); err != nil {
				return 0, err
			}
			continue
		}
		if err := u.header(); err != nil {
			return n, err
		}
	}
	return n, nil
}

// errFrameTooLarge ends the read of a frame over the connection's limit.
var errFrameTooLarge = errors.New("frame too large")

// failed closes the connection after a read of the socket failed.
func (u *unmasker) failed(err error) {
	if u.c != nil {
		u.c.readFailed(err)
	}
}

// fill reads src into the empty buffer.
func (u *unmasker) fill() error {
	u.r, u.w = 0, 0
	c, err := u.src.Read(u.buf)
	u.w = c
	if c > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	u.failed(err)
	return err
}

// header takes buffered bytes into the frame header; once it is whole, it
// becomes out (with a mask bit and key added when missing) and its payload
// length left. A frame longer than the connection's limit closes it (1009)
// before its payload is read.
func (u *unmasker) header() error {
	for u.r < u.w {
		need := headerLen(u.hdr[:u.hn])
		if u.hn == need {
			break
		}
		u.hdr[u.hn] = u.buf[u.r]
		u.hn++
		u.r++
	}
	need := headerLen(u.hdr[:u.hn])
	if u.hn < need {
		return nil
	}
	h := u.hdr[:u.hn]
	ext := extLen(h[1])
	switch ext {
	case 0:
		u.left = uint64(h[1] & 0x7f)
	case 2:
		u.left = uint64(h[2])<<8 | uint64(h[3])
	case 8:
		u.left = 0
		for _, b := range h[2:10] {
			u.left = u.left<<8 | uint64(b)
		}
	}
	u.on = copy(u.out[:], h)
	if h[1]&0x80 == 0 {
		u.out[1] |= 0x80
		u.on += copy(u.out[u.on:], []byte{0, 0, 0, 0})
	}
	u.o, u.hn = 0, 0
	if u.c != nil && u.left > uint64(u.c.srv.cfg.MaxFrame) {
		u.c.closeNow(closeTooLarge, reasonFrameLarge)
		return errFrameTooLarge
	}
	return nil
}

// headerLen is the length of the header that begins with h: 2 until the
// second byte is known, then with its extended length and mask key.
func headerLen(h []byte) int {
	if len(h) < 2 {
		return 2
	}
	n := 2 + extLen(h[1])
	if h[1]&0x80 != 0 {
		n += 4
	}
	return n
}

// extLen is the extended payload length's size for a header's second byte.
func extLen(b1 byte) int {
	switch b1 & 0x7f {
	case 126:
		return 2
	case 127:
		return 8
	}
	return 0
}
