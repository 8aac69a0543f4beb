package server

import (
	"encoding/binary"
	"errors"

	"github.com/gapd/gapd/wire"
)

// The messages nodes exchange over NATS. Each starts with a format byte so
// that a node can refuse a message from a newer node instead of misreading
// it; numbers are uvarints (user and device ids are small in practice, so a
// group push of a thousand members carries a few kilobytes of ids).
//
//	push:  msgPush, except device, user count, users..., the frame (the rest)
//	bind:  msgBind, device, user, the publishing node's name (the rest)
//	end:   msgEnd, device, major, minor, wait, the error's message (the rest)
//	relay: msgRelay, key length, key, the payload (the rest)
//	online (a question): the user (no format byte: a uvarint alone)
const (
	msgPush  byte = 1
	msgBind  byte = 2
	msgEnd   byte = 3
	msgRelay byte = 4
)

var errBadClusterMsg = errors.New("malformed cluster message")

// pushMsg is a push for other nodes: the frame, already encoded once for
// every recipient, and the device session that caused it (0: none).
type pushMsg struct {
	exceptDevice uint64
	users        []uint64
	frame        []byte
}

func (m *pushMsg) appendTo(b []byte) []byte {
	b = append(b, msgPush)
	b = binary.AppendUvarint(b, m.exceptDevice)
	b = binary.AppendUvarint(b, uint64(len(m.users)))
	for _, u := range m.users {
		b = binary.AppendUvarint(b, u)
	}
	return append(b, m.frame...)
}

// decodePush reads a push message; its frame aliases b.
func decodePush(b []byte) (pushMsg, error) {
	var m pushMsg
	r := reader{b: b}
	if r.byte() != msgPush {
		return m, errBadClusterMsg
	}
	m.exceptDevice = r.uvarint()
	n := r.length() // each id takes at least a byte
	if r.err != nil {
		return m, errBadClusterMsg
	}
	m.users = make([]uint64, n)
	for i := range m.users {
		m.users[i] = r.uvarint()
	}
	if r.err != nil || len(r.b) < 2 { // a frame has at least its action id
		return m, errBadClusterMsg
	}
	m.frame = r.b
	return m, nil
}

// relayMsg is a message for the connection that waits under key on some
// node (Hub.Relay).
type relayMsg struct {
	key, payload []byte
}

func (m *relayMsg) appendTo(b []byte) []byte {
	b = append(b, msgRelay)
	b = binary.AppendUvarint(b, uint64(len(m.key)))
	b = append(b, m.key...)
	return append(b, m.payload...)
}

// decodeRelay reads a relay message; its key and payload alias b.
func decodeRelay(b []byte) (relayMsg, error) {
	r := reader{b: b}
	if r.byte() != msgRelay {
		return relayMsg{}, errBadClusterMsg
	}
	if n := r.length(); r.err == nil && n > 0 {
		return relayMsg{key: r.b[:n], payload: r.b[n:]}, nil
	}
	return relayMsg{}, errBadClusterMsg
}

// sessionMsg is a session event: a device session bound on another node
// (msgBind), or ended there (msgEnd) with the error its connection gets.
type sessionMsg struct {
	kind   byte
	device uint64
	user   uint64      // msgBind
	node   string      // msgBind: who took the session, for the log
	err    *wire.Error // msgEnd
}

func (m *sessionMsg) appendTo(b []byte) []byte {
	b = append(b, m.kind)
	b = binary.AppendUvarint(b, m.device)
	switch m.kind {
	case msgBind:
		b = binary.AppendUvarint(b, m.user)
		b = append(b, m.node...)
	case msgEnd:
		b = binary.AppendUvarint(b, uint64(m.err.Major))
		b = binary.AppendUvarint(b, uint64(m.err.Minor))
		b = binary.AppendUvarint(b, uint64(m.err.Wait))
		b = append(b, m.err.Message...)
	}
	return b
}

func decodeSession(b []byte) (sessionMsg, error) {
	r := reader{b: b}
	m := sessionMsg{kind: r.byte(), device: r.uvarint()}
	switch m.kind {
	case msgBind:
		m.user = r.uvarint()
		m.node = string(r.b)
	case msgEnd:
		major, minor, wait := r.uvarint(), r.uvarint(), r.uvarint()
		if major > 1<<32-1 || minor > 1<<32-1 || wait > 1<<32-1 {
			return m, errBadClusterMsg
		}
		m.err = &wire.Error{Major: wire.Major(major), Minor: wire.Minor(minor), Wait: uint32(wait), Message: string(r.b)}
	default:
		return m, errBadClusterMsg
	}
	if r.err != nil || m.device == 0 {
		return m, errBadClusterMsg
	}
	return m, nil
}

// reader takes bytes and uvarints off the front of b; the first failure
// sticks in err.
type reader struct {
	b   []byte
	err error
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.err = errBadClusterMsg
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errBadClusterMsg
		return 0
	}
	r.b = r.b[n:]
	return v
}

// length reads a count of things that take at least a byte each: more than
// the bytes left is an error.
func (r *reader) length() uint64 {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.err = errBadClusterMsg
		return 0
	}
	return n
}
