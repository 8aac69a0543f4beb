package server

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/securing"
	"github.com/gapd/gapd/wsclient"
	"google.golang.org/protobuf/proto"
)

var (
	testKeysOnce                 sync.Once
	testServerKey, testClientKey *rsa.PrivateKey
)

// securingKeys are a server key and a stand-in for the key built into
// clients, 2048 bits each, made once per test binary.
func securingKeys(t *testing.T) (server, client *rsa.PrivateKey) {
	t.Helper()
	testKeysOnce.Do(func() {
		var err error
		if testServerKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if testClientKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return testServerKey, testClientKey
}

// Key actions and ids as the clients send them.
const (
	actionKey         = dispatch.ActionConnectionSymmetricKey
	actionKeyResponse = dispatch.ResponseConnectionSymmetricKey
)

// hello reads the ConnectionSecuringResponse every connection starts with
// and the public key it offers.
func hello(t *testing.T, p *wsPeer) (*pb.ConnectionSecuringResponse, *rsa.PublicKey) {
	t.Helper()
	var h pb.ConnectionSecuringResponse
	p.nextMsg(dispatch.MessageConnectionSecuringResponse, nil, &h)
	if h.Response.GetId() != "" {
		t.Fatalf("30001 with id %q", h.Response.GetId())
	}
	block, _ := pem.Decode([]byte(h.PublicKey))
	if block == nil || block.Type != "PUBLIC KEY" {
		t.Fatalf("public_key is not a PUBLIC KEY PEM block: %q", h.PublicKey)
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return &h, k.(*rsa.PublicKey)
}

func rsaEncrypt(t *testing.T, k *rsa.PublicKey, msg []byte) []byte {
	t.Helper()
	ct, err := rsa.EncryptPKCS1v15(rand.Reader, k, msg)
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

// wrapV2 is the version 2 key: the version 1 ciphertext cut into chunks
// (the last zero-padded to the chunk size when pad, as Android does), each
// encrypted under the client key.
func wrapV2(t *testing.T, server, client *rsa.PublicKey, key []byte, chunk int, pad bool) []byte {
	t.Helper()
	inner := rsaEncrypt(t, server, key)
	var out []byte
	for off := 0; off < len(inner); off += chunk {
		piece := append([]byte(nil), inner[off:min(off+chunk, len(inner))]...)
		if pad && len(piece) < chunk {
			piece = append(piece, make([]byte, chunk-len(piece))...)
		}
		out = append(out, rsaEncrypt(t, client, piece)...)
	}
	return out
}

// sendKey sends ConnectionSymmetricKey, masked, as every client does
// before it is secured.
func sendKey(t *testing.T, p *wsPeer, id string, version uint32, key []byte) {
	t.Helper()
	p.send(frameOf(t, actionKey, &pb.ConnectionSymmetricKey{
		Request: &pb.Request{Id: id}, SymmetricKey: key, Version: version,
	}), true)
}

// secureRaw connects and secures the connection with version 1 like a
// real client: it returns the peer and the cipher of its frames.
func secureRaw(t *testing.T, ts *testServer) (*wsPeer, *securing.Cipher) {
	t.Helper()
	p := dialPeer(t, ts.addr, "/hybrid/", nil)
	_, pub := hello(t, p)
	key := []byte("Q3mZ8pLr0aXv5TqN2bYw7KcE1dHs9UfJ") // ASCII letters and digits, as Android and iOS make them
	sendKey(t, p, "k", 0, rsaEncrypt(t, pub, key))
	wantAccepted(t, p, "k")
	c, err := securing.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	return p, c
}

func wantAccepted(t *testing.T, p *wsPeer, id string) {
	t.Helper()
	var r pb.ConnectionSymmetricKeyResponse
	p.nextMsg(actionKeyResponse, nil, &r)
	if r.Status != pb.ConnectionSymmetricKeyResponse_ACCEPTED || r.SymmetricMethod != "AES-256-CBC" ||
		r.SymmetricIvSize != 16 || r.SecurityIssue || r.Response.GetId() != id {
		t.Fatalf("answer to the key: %v", &r)
	}
}

// wantRejected reads REJECTED (with security_issue) and then the close
// that follows it.
func wantRejected(t *testing.T, p *wsPeer) {
	t.Helper()
	var r pb.ConnectionSymmetricKeyResponse
	p.nextMsg(actionKeyResponse, nil, &r)
	if r.Status != pb.ConnectionSymmetricKeyResponse_REJECTED || !r.SecurityIssue {
		t.Fatalf("answer to a bad key: %v", &r)
	}
	if code, reason := p.closed(); code != closePolicy || reason != reasonRejected {
		t.Fatalf("closed with %d %q after REJECTED", code, reason)
	}
}

// sendSealed sends a protocol frame sealed, unmasked, as the clients do
// once secured.
func sendSealed(t *testing.T, p *wsPeer, c *securing.Cipher, action uint16, m proto.Message) {
	t.Helper()
	p.send(c.Seal(nil, frameOf(t, action, m)), false)
}

// wantSecured makes requests over a secured connection and reads their
// sealed answers: an unknown action (error 1 by id) and a login.
func wantSecured(t *testing.T, p *wsPeer, c *securing.Cipher, user uint64) {
	t.Helper()
	sendSealed(t, p, c, unknownAction, &pb.Heartbeat{Request: &pb.Request{Id: "sealed-1"}})
	var e pb.ErrorResponse
	p.nextMsg(dispatch.MessageErrorResponse, c, &e)
	if e.MajorCode != uint32(errs.BadRequest) || e.Response.GetId() != "sealed-1" {
		t.Fatalf("sealed answer %v", &e)
	}
	token := strconv.FormatUint(user, 10) + ":" + strconv.FormatUint(user, 10) // device id = user id: one session each
	sendSealed(t, p, c, dispatch.ActionUserLogin, &pb.UserLogin{Request: &pb.Request{Id: "login"}, Token: token})
	var r pb.UserLoginResponse
	p.nextMsg(dispatch.ResponseUserLogin, c, &r)
	if r.Response.GetId() != "login" {
		t.Fatalf("login answer %v", &r)
	}
}

func securingServer(t *testing.T, tune func(*Config, *Options)) *testServer {
	t.Helper()
	sk, ck := securingKeys(t)
	cfg := testConfig(t)
	o := Options{Handlers: newTestHandlers(), Keys: &securing.Keys{Server: sk, Client: ck}}
	if tune != nil {
		tune(&cfg, &o)
	}
	return start(t, cfg, o)
}

// TestSecuringV1: the greeting offers the key; a version 1 key is
// ACCEPTED (plain), then every frame both ways is sealed, the server's
// heartbeats too, each with a fresh IV.
func TestSecuringV1(t *testing.T) {
	sk, _ := securingKeys(t)
	ts := securingServer(t, func(c *Config, _ *Options) { c.Heartbeat = 300 * time.Millisecond })
	p := dialPeer(t, ts.addr, "/hybrid/", nil)
	h, pub := hello(t, p)
	if !pub.Equal(&sk.PublicKey) || h.SymmetricKeyLength != 32 || h.SecondaryChunkSize != 128 || h.HeartbeatInterval != 1 ||
		!strings.HasPrefix(h.PublicKey, "-----BEGIN PUBLIC KEY-----\n") || strings.Count(h.PublicKey, "\n") < 5 {
		t.Fatalf("greeting %v", h)
	}
	for _, version := range []uint32{0, 1} {
		p := p
		if version == 1 {
			p = dialPeer(t, ts.addr, "/", nil)
			hello(t, p)
		}
		key := bytes.Repeat([]byte{byte('a' + version)}, 32)
		sendKey(t, p, "v1", version, rsaEncrypt(t, pub, key))
		wantAccepted(t, p, "v1")
		c, _ := securing.NewCipher(key)
		wantSecured(t, p, c, uint64(10+version))
		var hb pb.HeartbeatResponse
		p.nextMsg(actionHeartbeatResponse, c, &hb)
		// Two sealed frames of one plain frame differ: a fresh IV each.
		a, b := c.Seal(nil, []byte("xy")), c.Seal(nil, []byte("xy"))
		if bytes.Equal(a, b) {
			t.Fatal("the test's cipher reuses an IV")
		}
	}
}

// TestSecuringV2: the key wrapped again under the client key, in chunks
// of the announced 128 bytes and in chunks that do not divide the
// ciphertext, zero-padded (Android) or cut exactly (Plus, PHP).
func TestSecuringV2(t *testing.T) {
	_, ck := securingKeys(t)
	ts := securingServer(t, nil)
	for i, c := range []struct {
		chunk int
		pad   bool
	}{{128, false}, {100, true}, {100, false}} {
		p := dialPeer(t, ts.addr, "/hybrid/", nil)
		_, pub := hello(t, p)
		key := bytes.Repeat([]byte{byte('k' + i)}, 32)
		sendKey(t, p, "v2", 2, wrapV2(t, pub, &ck.PublicKey, key, c.chunk, c.pad))
		wantAccepted(t, p, "v2")
		ciph, _ := securing.NewCipher(key)
		wantSecured(t, p, ciph, uint64(20+i))
	}
}

// logBuffer collects the server's log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestSecuringRejects: every key the server cannot take is REJECTED with
// security_issue and the connection closed after the answer; version 2
// without -securing-client-key says why in the log, once, at warn.
func TestSecuringRejects(t *testing.T) {
	_, ck := securingKeys(t)
	logs := &logBuffer{}
	ts := securingServer(t, func(_ *Config, o *Options) {
		o.Keys = &securing.Keys{Server: o.Keys.Server} // no client key
		o.Log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	})
	for _, c := range []struct {
		name    string
		version uint32
		key     func(pub *rsa.PublicKey) []byte
	}{
		{"version 2 without the client key", 2, func(pub *rsa.PublicKey) []byte {
			return wrapV2(t, pub, &ck.PublicKey, bytes.Repeat([]byte{'v'}, 32), 128, false)
		}},
		{"wrong length", 0, func(pub *rsa.PublicKey) []byte { return rsaEncrypt(t, pub, bytes.Repeat([]byte{'s'}, 16)) }},
		{"garbage", 0, func(*rsa.PublicKey) []byte { return bytes.Repeat([]byte{0x5a}, 256) }},
		{"short garbage", 1, func(*rsa.PublicKey) []byte { return []byte{1, 2, 3} }},
		{"unknown version", 7, func(pub *rsa.PublicKey) []byte { return rsaEncrypt(t, pub, bytes.Repeat([]byte{'s'}, 32)) }},
	} {
		p := dialPeer(t, ts.addr, "/hybrid/", nil)
		_, pub := hello(t, p)
		sendKey(t, p, c.name, c.version, c.key(pub))
		t.Run(c.name, func(t *testing.T) { p.t = t; wantRejected(t, p) })
	}
	log := logs.String()
	if n := strings.Count(log, "level=WARN"); n != 1 || !strings.Contains(log, "-securing-client-key") {
		t.Fatalf("want one warning that names -securing-client-key, got:\n%s", log)
	}
}

// TestSecuringPlainKey: a key sent in plain gets the greeting again, three
// times; the fourth is REJECTED and the connection closed.
func TestSecuringPlainKey(t *testing.T) {
	ts := securingServer(t, nil)
	p := dialPeer(t, ts.addr, "/hybrid/", nil)
	hello(t, p)
	for i := 0; i < maxPlainKeys; i++ {
		sendKey(t, p, "plain", 0, bytes.Repeat([]byte{'p'}, 32))
		hello(t, p)
	}
	sendKey(t, p, "plain", 0, bytes.Repeat([]byte{'p'}, 32))
	wantRejected(t, p)
}

// TestSecuringOrder: once a client has sent action 2, nothing else is
// taken before ACCEPTED.
func TestSecuringOrder(t *testing.T) {
	ts := securingServer(t, nil)
	p := dialPeer(t, ts.addr, "/hybrid/", nil)
	hello(t, p)
	sendKey(t, p, "plain", 0, bytes.Repeat([]byte{'p'}, 32))
	hello(t, p)
	p.send(frameOf(t, dispatch.ActionInfoTime, &pb.InfoTime{Request: &pb.Request{Id: "early"}}), true)
	if code, reason := p.closed(); code != closePolicy || reason != reasonOnlySecuring {
		t.Fatalf("a request before securing closed with %d %q", code, reason)
	}
}

// TestSecuredFrameThatDoesNotOpen: a frame of a secured connection that
// does not decrypt closes it with 1007; other connections go on.
func TestSecuredFrameThatDoesNotOpen(t *testing.T) {
	ts := securingServer(t, nil)
	other, oc := secureRaw(t, ts)
	for _, bad := range [][]byte{
		bytes.Repeat([]byte{1}, 33), // not whole blocks
		{},                          // empty
		frameOf(t, unknownAction, &pb.Heartbeat{}), // plain
	} {
		p, _ := secureRaw(t, ts)
		p.send(bad, false)
		if code, reason := p.closed(); code != closeBadData || reason != reasonUndecryptable {
			t.Fatalf("an undecryptable frame closed with %d %q", code, reason)
		}
	}
	wantSecured(t, other, oc, 40)
}

// TestPlainFrames: without action 2 first a connection stays plain (gapd's
// own clients and tools); with -plain-frames deny it is closed, while a
// client that secures itself is served.
func TestPlainFrames(t *testing.T) {
	ts := securingServer(t, nil)
	c := dial(t, ts.url("/"), wsclient.Options{})
	roundTrip(t, c)
	login(t, c, 50, 50)
	roundTrip(t, c)
	// Action 2 on a plain connection: REJECTED, and it stays plain.
	var r pb.ConnectionSymmetricKeyResponse
	if err := c.Call(testCtx(t), actionKey, &pb.Request{}, &pb.ConnectionSymmetricKey{Request: &pb.Request{}}, &r); err != nil ||
		r.Status != pb.ConnectionSymmetricKeyResponse_REJECTED {
		t.Fatalf("late key: %v, %v", &r, err)
	}
	roundTrip(t, c)

	ts = securingServer(t, func(c *Config, _ *Options) { c.PlainFrames = PlainDeny })
	p := dialPeer(t, ts.addr, "/", nil)
	hello(t, p)
	p.send(frameOf(t, unknownAction, &pb.Heartbeat{Request: &pb.Request{Id: "plain"}}), true)
	if code, reason := p.closed(); code != closePolicy || reason != reasonSecuringRequired {
		t.Fatalf("a plain request under deny closed with %d %q", code, reason)
	}
	p, ciph := secureRaw(t, ts)
	wantSecured(t, p, ciph, 51)
}

// TestSecuredPush: one push, encoded once for several connections, reaches
// each sealed under its own key, and a plain connection in plain.
func TestSecuredPush(t *testing.T) {
	ts := securingServer(t, nil)
	p1, c1 := secureRaw(t, ts)
	wantSecured(t, p1, c1, 60)
	p2, c2 := secureRaw(t, ts)
	wantSecured(t, p2, c2, 61)
	plain := dial(t, ts.url("/"), wsclient.Options{})
	login(t, plain, 62, 62)
	const action = dispatch.ResponseGroupSendMessage
	if err := ts.srv.Hub().PushMany([]uint64{60, 61, 62}, action, &pb.GroupSendMessageResponse{RoomId: 7}, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		p    *wsPeer
		ciph *securing.Cipher
	}{{p1, c1}, {p2, c2}} {
		var m pb.GroupSendMessageResponse
		c.p.nextMsg(action, c.ciph, &m)
		if m.RoomId != 7 {
			t.Fatalf("push %v", &m)
		}
	}
	if m := nextPush(t, plain, action).(*pb.GroupSendMessageResponse); m.RoomId != 7 {
		t.Fatalf("plain push %v", m)
	}
}
