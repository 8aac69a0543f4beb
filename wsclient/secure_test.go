package wsclient

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/securing"
	"github.com/gapd/gapd/wire"
	"github.com/lxzan/gws"
	"google.golang.org/protobuf/proto"
)

var (
	keysOnce          sync.Once
	serverKey, cliKey *rsa.PrivateKey
)

func testKeys() (server, client *rsa.PrivateKey) {
	keysOnce.Do(func() {
		var err error
		if serverKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if cliKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return serverKey, cliKey
}

// securedStub greets with ConnectionSecuringResponse, unwraps the key with
// the securing package, answers ACCEPTED (or REJECTED when it cannot), then
// opens every frame and answers a Heartbeat with its id, sealed. plain counts
// frames that arrived unsealed after ACCEPTED.
type securedStub struct {
	keys   securing.Keys
	mu     sync.Mutex
	cipher *securing.Cipher
	bad    int
}

func (s *securedStub) OnOpen(ws *gws.Conn) {
	_ = ws.WriteMessage(gws.OpcodeBinary, marshal(dispatch.MessageConnectionSecuringResponse, &pb.ConnectionSecuringResponse{
		Response: &pb.Response{}, PublicKey: securing.PublicPEM(&s.keys.Server.PublicKey),
		SymmetricKeyLength: securing.KeySize, HeartbeatInterval: 30, SecondaryChunkSize: securing.ChunkSize}))
}
func (s *securedStub) OnClose(*gws.Conn, error)      {}
func (s *securedStub) OnPing(ws *gws.Conn, p []byte) { _ = ws.WritePong(p) }
func (s *securedStub) OnPong(*gws.Conn, []byte)      {}
func (s *securedStub) OnMessage(ws *gws.Conn, msg *gws.Message) {
	defer msg.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	data := msg.Bytes()
	if s.cipher == nil {
		action, payload, _ := wire.DecodeFrame(data)
		var k pb.ConnectionSymmetricKey
		if action != dispatch.ActionConnectionSymmetricKey || proto.Unmarshal(payload, &k) != nil {
			s.bad++
			return
		}
		r := &pb.ConnectionSymmetricKeyResponse{Response: &pb.Response{Id: k.Request.GetId()}, Status: pb.ConnectionSymmetricKeyResponse_REJECTED}
		if key, err := s.keys.Unwrap(k.Version, k.SymmetricKey); err == nil {
			if s.cipher, err = securing.NewCipher(key); err == nil {
				r.Status, r.SymmetricMethod, r.SymmetricIvSize = pb.ConnectionSymmetricKeyResponse_ACCEPTED, securing.Method, securing.IVSize
			}
		}
		_ = ws.WriteMessage(gws.OpcodeBinary, marshal(dispatch.ResponseConnectionSymmetricKey, r))
		return
	}
	plain, err := s.cipher.Open(nil, data)
	if err != nil {
		s.bad++
		return
	}
	action, payload, _ := wire.DecodeFrame(plain)
	id, _ := wire.PeekID(payload)
	if action == dispatch.ActionHeartbeat {
		out := marshal(action+wire.ResponseOffset, &pb.HeartbeatResponse{Response: &pb.Response{Id: id}})
		_ = ws.WriteMessage(gws.OpcodeBinary, s.cipher.Seal(nil, out))
	}
}

func marshal(action uint16, m proto.Message) []byte {
	b, _ := proto.Marshal(m)
	return wire.AppendFrame(nil, action, b)
}

func serveSecured(t *testing.T, s *securedStub) string {
	up := gws.NewUpgrader(s, nil)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r)
		if err == nil {
			go ws.ReadLoop()
		}
	}))
	t.Cleanup(hs.Close)
	return "ws" + strings.TrimPrefix(hs.URL, "http") + "/hybrid/"
}

func TestSecure(t *testing.T) {
	sk, ck := testKeys()
	for _, c := range []struct {
		name string
		keys securing.Keys
		opt  Secure
		err  error
	}{
		{"version 1", securing.Keys{Server: sk}, Secure{Version: 1}, nil},
		{"version 2", securing.Keys{Server: sk, Client: ck}, Secure{Version: 2, ClientKey: &ck.PublicKey}, nil},
		{"version 2, server without the client key", securing.Keys{Server: sk}, Secure{ClientKey: &ck.PublicKey}, ErrRejected},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := &securedStub{keys: c.keys}
			conn, err := Dial(ctx(t), serveSecured(t, s), Options{Secure: &c.opt})
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("got %v, want %v", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			for range 3 {
				hb := &pb.Heartbeat{Request: &pb.Request{}}
				r := new(pb.HeartbeatResponse)
				err := conn.Call(ctx(t), dispatch.ActionHeartbeat, hb.Request, hb, r)
				if err != nil || r.Response.GetId() != hb.Request.GetId() {
					t.Fatalf("sealed heartbeat: %v %v", r, err)
				}
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.bad != 0 || s.cipher == nil {
				t.Fatalf("the stub saw %d frames it could not read", s.bad)
			}
		})
	}
}

// BenchmarkSecuredFrame is the CPU cost securing adds to one frame: the
// client seals, the server opens, the server seals the answer, the client
// opens it (a 200-byte frame: a short text message).
func BenchmarkSecuredFrame(b *testing.B) {
	for _, n := range []int{64, 200, 4096} {
		b.Run(sizeName(n), func(b *testing.B) {
			key := make([]byte, securing.KeySize)
			_, _ = rand.Read(key)
			c, _ := securing.NewCipher(key)
			plain := make([]byte, n)
			var sealed, opened []byte
			b.SetBytes(int64(2 * n))
			b.ReportAllocs()
			for b.Loop() {
				for range 2 { // one frame each way
					sealed = c.Seal(sealed[:0], plain)
					var err error
					if opened, err = c.Open(opened[:0], sealed); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

func sizeName(n int) string {
	switch n {
	case 64:
		return "64B"
	case 200:
		return "200B"
	}
	return "4KiB"
}
