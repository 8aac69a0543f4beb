package server

import (
	"reflect"
	"testing"

	"github.com/gapd/gapd/wire"
)

func TestClusterMsgRoundTrip(t *testing.T) {
	p := pushMsg{exceptDevice: 1 << 40, users: []uint64{1, 300, 1 << 63}, frame: []byte{1, 2, 3}}
	got, err := decodePush(p.appendTo(nil))
	if err != nil || !reflect.DeepEqual(got, p) {
		t.Fatalf("push: got %+v, %v; want %+v", got, err, p)
	}
	for _, m := range []sessionMsg{
		{kind: msgBind, device: 10, user: 1, node: "a"},
		{kind: msgEnd, device: 10, err: &wire.Error{Major: 8, Minor: 2, Wait: 5, Message: "ended"}},
	} {
		got, err := decodeSession(m.appendTo(nil))
		if err != nil || !reflect.DeepEqual(got, m) {
			t.Fatalf("session: got %+v, %v; want %+v", got, err, m)
		}
	}
	r := relayMsg{key: []byte("hash"), payload: []byte{7, 8}}
	if got, err := decodeRelay(r.appendTo(nil)); err != nil || !reflect.DeepEqual(got, r) {
		t.Fatalf("relay: got %+v, %v; want %+v", got, err, r)
	}
}

// A relay without a key, or with a key longer than the message, is refused.
func TestClusterRelayMalformed(t *testing.T) {
	for _, b := range [][]byte{nil, {msgRelay}, {msgRelay, 0, 1}, {msgRelay, 3, 1}, {msgPush, 1, 1}} {
		if m, err := decodeRelay(b); err == nil {
			t.Errorf("%x decoded as %+v", b, m)
		}
	}
}

// A malformed message is refused, never half applied.
func TestClusterMsgMalformed(t *testing.T) {
	for _, b := range [][]byte{
		nil,
		{msgBind},             // no device
		{msgPush, 0, 5, 1},    // five users announced, one given
		{msgPush, 0, 1, 1, 9}, // a frame shorter than an action id
		{msgEnd, 10, 0x80},    // a cut varint
		{msgBind, 0, 1},       // device 0 binds nothing
		{9, 10, 1},            // an unknown kind (a newer node's)
	} {
		_, perr := decodePush(b)
		_, serr := decodeSession(b)
		if perr == nil || serr == nil {
			t.Errorf("%x decoded: push %v, session %v", b, perr, serr)
		}
	}
}
