package server

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
)

// TestUnmaskedFrames sends frames of every length class, masked and not,
// whole and fragmented (with pings between the fragments), through the
// real server: each is answered with the id written at its end, so a byte
// lost or changed by the unmasker would show. The first frame rides in the
// same write as the upgrade request (the HTTP server has it buffered when
// the connection is taken over). A frame over -max-frame still closes 1009.
func TestUnmaskedFrames(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxFrame = 70000
	cfg.MaxBadFrames = 1000 // every frame is of an unknown action
	ts := start(t, cfg, Options{Handlers: newTestHandlers()})

	first := sizedFrame(t, 200, "first")
	p := dialPeer(t, ts.addr, "/hybrid/", encodeWSFrame(true, opBinary, first, false, testMaskKey))
	p.next(dispatch.MessageConnectionSecuringResponse, nil)
	wantAnswer(t, p, "first")

	for _, n := range []int{1, 125, 126, 65535, 65536, cfg.MaxFrame} {
		for _, mask := range []bool{false, true} {
			for _, frag := range []bool{false, true} {
				id := strings.Repeat("x", min(n/8, 40)) // fits every frame of 16 bytes or more
				var f []byte
				if n < 16 {
					f, id = make([]byte, n), "" // too short to name an action: error 1, no id
				} else {
					f = sizedFrame(t, n, id)
				}
				if frag {
					p.sendFragments(f, []int{0, len(f) / 3, len(f) / 3 * 2}, mask)
				} else {
					p.send(f, mask)
				}
				wantAnswer(t, p, id)
			}
		}
	}
	p.send(make([]byte, cfg.MaxFrame+1), false)
	if code, _ := p.closed(); code != 1009 {
		t.Fatalf("an unmasked frame over -max-frame closed with %d, want 1009", code)
	}
}

// wantAnswer reads the error 1 the server answers a frame of sizedFrame with.
func wantAnswer(t *testing.T, p *wsPeer, id string) {
	t.Helper()
	var e pb.ErrorResponse
	p.nextMsg(dispatch.MessageErrorResponse, nil, &e)
	if e.MajorCode != uint32(errs.BadRequest) || e.Response.GetId() != id {
		t.Fatalf("answer %v, want error 1 with id %q", &e, id)
	}
}

// chunks is a reader that hands out at most the next of sizes bytes per
// call (cycling), as a socket does.
type chunks struct {
	r     io.Reader
	sizes []byte
	i     int
}

func (c *chunks) Read(p []byte) (int, error) {
	n := 1
	if len(c.sizes) > 0 {
		n = int(c.sizes[c.i%len(c.sizes)])%700 + 1
		c.i++
	}
	return c.r.Read(p[:min(n, len(p))])
}

// FuzzUnmasker builds a stream of client frames from the input (any
// opcode, fin, masked or not, lengths of every class) and reads it through
// the unmasker in uneven pieces, as gws does: the output must be the same
// frames, each masked, the unmasked ones under a zero key. Arbitrary bytes
// (not frames) must not panic it either.
func FuzzUnmasker(f *testing.F) {
	f.Add([]byte{0x13, 5, 'h', 'e', 'l', 'l', 'o'}, []byte{1, 2, 3})
	f.Add([]byte{0x02, 220, 1, 0x12, 250, 3}, []byte{200, 17})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff}, []byte{})
	f.Fuzz(func(t *testing.T, spec, sizes []byte) {
		stream, want := framesOf(spec)
		u := newUnmasker(&chunks{r: bytes.NewReader(stream), sizes: sizes}, readBuffer, nil)
		got, err := readUneven(u, sizes)
		if err != io.EOF {
			t.Fatalf("read: %v", err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("stream of %d bytes came out as %d bytes, want %d", len(stream), len(got), len(want))
		}
		// The raw input as a stream, with the first bytes pending from the
		// HTTP server: no panic, no hang.
		u = newUnmasker(&chunks{r: bytes.NewReader(spec), sizes: sizes}, readBuffer, sizes)
		if _, err := readUneven(u, sizes); err != io.EOF {
			t.Fatalf("raw read: %v", err)
		}
	})
}

// readUneven reads r to its end with buffers of varying sizes.
func readUneven(r io.Reader, sizes []byte) ([]byte, error) {
	var out []byte
	for i := 0; ; i++ {
		n := 16
		if len(sizes) > 0 {
			n = int(sizes[(i+1)%len(sizes)])*37%5000 + 1
		}
		buf := make([]byte, n)
		c, err := r.Read(buf)
		out = append(out, buf[:c]...)
		if err != nil {
			return out, err
		}
	}
}

// framesOf turns fuzz input into a stream of client frames and the same
// frames as the unmasker must pass them on.
func framesOf(spec []byte) (stream, want []byte) {
	next := func() byte {
		if len(spec) == 0 {
			return 0
		}
		b := spec[0]
		spec = spec[1:]
		return b
	}
	ops := []byte{opContinuation, opText, opBinary, opClose, opPing, opPong, 0x3, 0xb}
	for len(spec) > 0 {
		b := next()
		fin, op, mask := b&1 != 0, ops[b>>1&7], b&0x10 != 0
		var n int
		switch s := next(); {
		case s < 200:
			n = int(s) % 126
		case s < 240:
			n = 126 + int(next())<<8 | int(next())
		default:
			n = 65536 + int(next())<<4
		}
		payload := make([]byte, n)
		copy(payload, spec)
		key := [4]byte{next(), next(), next(), next()}
		stream = append(stream, encodeWSFrame(fin, op, payload, mask, key)...)
		if !mask {
			key = [4]byte{}
		}
		want = append(want, encodeWSFrame(fin, op, payload, true, key)...)
	}
	return stream, want
}

// TestUnmaskerTable pins the rewriting of each header form.
func TestUnmaskerTable(t *testing.T) {
	for _, c := range []struct{ in, want []byte }{
		{[]byte{0x82, 0x02, 'h', 'i'}, []byte{0x82, 0x82, 0, 0, 0, 0, 'h', 'i'}},
		{[]byte{0x82, 0x82, 1, 2, 3, 4, 'h', 'i'}, []byte{0x82, 0x82, 1, 2, 3, 4, 'h', 'i'}},
		{[]byte{0x89, 0x00}, []byte{0x89, 0x80, 0, 0, 0, 0}},
		{append([]byte{0x02, 126, 0, 200}, make([]byte, 200)...), append([]byte{0x02, 0xfe, 0, 200, 0, 0, 0, 0}, make([]byte, 200)...)},
	} {
		got, err := io.ReadAll(newUnmasker(bytes.NewReader(c.in), readBuffer, nil))
		if err != nil || !bytes.Equal(got, c.want) {
			t.Errorf("%x: got %x, %v; want %x", c.in, got, err, c.want)
		}
	}
}
