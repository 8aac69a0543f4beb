package wire

import (
	"bytes"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

func TestFrameRoundTrip(t *testing.T) {
	for _, action := range []uint16{0, 3, 201, 30201, 65535} {
		f := AppendFrame(nil, action, []byte("payload"))
		got, p, err := DecodeFrame(f)
		if err != nil || got != action || string(p) != "payload" {
			t.Fatalf("action %d: got %d %q %v", action, got, p, err)
		}
	}
	// Little-endian on the wire: 201 = 0xC9 0x00.
	if f := AppendFrame(nil, 201, nil); !bytes.Equal(f, []byte{0xC9, 0x00}) {
		t.Fatalf("header bytes %x", f)
	}
	for _, short := range [][]byte{nil, {1}} {
		if _, _, err := DecodeFrame(short); err != ErrShortFrame {
			t.Errorf("DecodeFrame(%x) error = %v", short, err)
		}
	}
}

// request builds a payload whose field 1 is a message with field 1 = id.
func request(id string, extra ...byte) []byte {
	inner := protowire.AppendTag(nil, 1, protowire.BytesType)
	inner = protowire.AppendString(inner, id)
	out := append([]byte{}, extra...)
	out = protowire.AppendTag(out, 1, protowire.BytesType)
	return protowire.AppendBytes(out, inner)
}

func TestPeekID(t *testing.T) {
	if id, ok := PeekID(request("abc")); !ok || id != "abc" {
		t.Fatalf("PeekID = %q %v", id, ok)
	}
	// Other fields before it are skipped.
	pre := protowire.AppendTag(nil, 3, protowire.VarintType)
	pre = protowire.AppendVarint(pre, 99)
	if id, ok := PeekID(request("x", pre...)); !ok || id != "x" {
		t.Fatalf("PeekID after a varint = %q %v", id, ok)
	}
	if _, ok := PeekID([]byte{0xff, 0xff}); ok {
		t.Error("PeekID read an id from garbage")
	}
	if _, ok := PeekID(nil); ok {
		t.Error("PeekID read an id from nothing")
	}
}

// FuzzDecodeFrame feeds arbitrary bytes to the frame and id parsers: they
// must never panic, and a decoded frame must re-encode to the same bytes.
func FuzzDecodeFrame(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0xC9})
	f.Add(AppendFrame(nil, 201, request("r1")))
	f.Add(AppendFrame(nil, 0, []byte{0x0a, 0xff}))
	f.Fuzz(func(t *testing.T, frame []byte) {
		action, payload, err := DecodeFrame(frame)
		if err != nil {
			if len(frame) >= HeaderSize {
				t.Fatalf("error %v for a %d-byte frame", err, len(frame))
			}
			return
		}
		if !bytes.Equal(AppendFrame(nil, action, payload), frame) {
			t.Fatal("re-encoding differs")
		}
		PeekID(payload)
	})
}
