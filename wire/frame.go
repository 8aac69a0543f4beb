package wire

import (
	"encoding/binary"
	"errors"

	"google.golang.org/protobuf/encoding/protowire"
)

// HeaderSize is the length of a frame's action id: [2 bytes LE action][payload].
const HeaderSize = 2

// ResponseOffset is added to a request's action id to form its response's id.
const ResponseOffset = 30000

// ErrShortFrame is returned for a frame too short to hold an action id.
var ErrShortFrame = errors.New("wire: frame shorter than 2 bytes")

// DecodeFrame splits a frame into its action id and payload. The payload
// aliases the frame.
func DecodeFrame(frame []byte) (action uint16, payload []byte, err error) {
	if len(frame) < HeaderSize {
		return 0, nil, ErrShortFrame
	}
	return binary.LittleEndian.Uint16(frame), frame[HeaderSize:], nil
}

// AppendFrame appends a frame header for action followed by payload to dst.
func AppendFrame(dst []byte, action uint16, payload []byte) []byte {
	dst = binary.LittleEndian.AppendUint16(dst, action)
	return append(dst, payload...)
}

// PeekID reads the id string of field 1 of field 1 of a payload: the
// request.id of a request or the response.id of a response, without decoding
// the rest. It lets the server answer an undecodable request with its id, and a
// client correlate a response before it knows its type. ok is false when the
// payload has no readable id.
func PeekID(payload []byte) (id string, ok bool) {
	inner, ok := field1Bytes(payload)
	if !ok {
		return "", false
	}
	s, ok := field1Bytes(inner)
	if !ok {
		return "", false
	}
	return string(s), true
}

// field1Bytes returns the last length-delimited field number 1 of b, as
// protobuf's "last one wins" rule for singular fields says.
func field1Bytes(b []byte) (out []byte, found bool) {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, false
		}
		b = b[n:]
		if num == 1 && typ == protowire.BytesType {
			v, m := protowire.ConsumeBytes(b)
			if m < 0 {
				return nil, false
			}
			out, found = v, true
			b = b[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(num, typ, b)
		if m < 0 {
			return nil, false
		}
		b = b[m:]
	}
	return out, found
}
