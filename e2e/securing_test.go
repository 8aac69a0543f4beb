package e2e

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gapd/gapd/app"
	"github.com/gapd/gapd/config"
	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/handlers"
	"github.com/gapd/gapd/securing"
	"github.com/gapd/gapd/wire"
	"github.com/lxzan/gws"
	"google.golang.org/protobuf/proto"
)

// secureClient is a gws client that secures its connection with version 1
// of the connection securing, as a real client does, and then seals every
// frame.
type secureClient struct {
	ws     *gws.Conn
	frames chan []byte
	ciph   *securing.Cipher // set once ACCEPTED has been read
	closed chan struct{}
}

func (s *secureClient) OnOpen(*gws.Conn)              {}
func (s *secureClient) OnClose(*gws.Conn, error)      { close(s.closed) }
func (s *secureClient) OnPing(ws *gws.Conn, p []byte) { _ = ws.WritePong(p) }
func (s *secureClient) OnPong(*gws.Conn, []byte)      {}
func (s *secureClient) OnMessage(_ *gws.Conn, m *gws.Message) {
	defer m.Close()
	s.frames <- append([]byte(nil), m.Bytes()...)
}

// next returns the next frame of action, opened once the connection is
// secured.
func (s *secureClient) next(t *testing.T, action uint16, m proto.Message) {
	t.Helper()
	for {
		select {
		case f := <-s.frames:
			if s.ciph != nil {
				var err error
				if f, err = s.ciph.Open(nil, f); err != nil {
					t.Fatalf("a secured frame does not open: %v", err)
				}
			}
			a, payload, err := wire.DecodeFrame(f)
			if err != nil || a != action {
				continue
			}
			if err := proto.Unmarshal(payload, m); err != nil {
				t.Fatal(err)
			}
			return
		case <-s.closed:
			t.Fatalf("closed while waiting for action %d", action)
		case <-time.After(10 * time.Second):
			t.Fatalf("no action %d within 10s", action)
		}
	}
}

func (s *secureClient) send(t *testing.T, action uint16, m proto.Message) {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	f := wire.AppendFrame(nil, action, b)
	if s.ciph != nil {
		f = s.ciph.Seal(nil, f)
	}
	if err := s.ws.WriteMessage(gws.OpcodeBinary, f); err != nil {
		t.Fatal(err)
	}
}

// dialSecure connects to a and secures the connection; it returns the
// client and the public key the server offered.
func dialSecure(t *testing.T, a *app.App) (*secureClient, *rsa.PublicKey) {
	t.Helper()
	s := &secureClient{frames: make(chan []byte, 64), closed: make(chan struct{})}
	ws, _, err := gws.NewClient(s, &gws.ClientOption{Addr: "ws://" + a.Addr() + "/hybrid/"})
	if err != nil {
		t.Fatal(err)
	}
	s.ws = ws
	go ws.ReadLoop()
	t.Cleanup(func() { _ = ws.NetConn().Close() })

	var hello pb.ConnectionSecuringResponse
	s.next(t, dispatch.MessageConnectionSecuringResponse, &hello)
	block, _ := pem.Decode([]byte(hello.PublicKey))
	if block == nil {
		t.Fatalf("no PEM public key in %v", &hello)
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pub := k.(*rsa.PublicKey)
	key := make([]byte, hello.SymmetricKeyLength)
	_, _ = rand.Read(key)
	wrapped, err := rsa.EncryptPKCS1v15(rand.Reader, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	s.send(t, dispatch.ActionConnectionSymmetricKey, &pb.ConnectionSymmetricKey{Request: &pb.Request{Id: "key"}, SymmetricKey: wrapped})
	var r pb.ConnectionSymmetricKeyResponse
	s.next(t, dispatch.ResponseConnectionSymmetricKey, &r)
	if r.Status != pb.ConnectionSymmetricKeyResponse_ACCEPTED {
		t.Fatalf("key answered %v", &r)
	}
	if s.ciph, err = securing.NewCipher(key); err != nil {
		t.Fatal(err)
	}
	return s, pub
}

// TestSecuringKeyFile: without -securing-key gapd creates its key under the
// data directory (0600) on first start and offers the same key after a
// restart; a secured client is served by the real handlers (InfoTime
// before login, sealed both ways).
func TestSecuringKeyFile(t *testing.T) {
	dir := t.TempDir()
	cfg, err := config.Load(append([]string{"-addr", "127.0.0.1:0", "-ops-addr", "127.0.0.1:0", "-data", dir}, dbFlag(t)...), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Unix(1_800_000_000, 0)
	var pubs []*rsa.PublicKey
	for run := 0; run < 2; run++ {
		a, err := app.Start(context.Background(), cfg, quietLog(), handlers.Deps{Clock: func() time.Time { return clock }})
		if err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(filepath.Join(dir, "securing-key.pem"))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("run %d: key file %v, %v", run, st, err)
		}
		c, pub := dialSecure(t, a)
		pubs = append(pubs, pub)
		c.send(t, dispatch.ActionInfoTime, &pb.InfoTime{Request: &pb.Request{Id: "time"}})
		var r pb.InfoTimeResponse
		c.next(t, dispatch.ResponseInfoTime, &r)
		if r.Timestamp != uint32(clock.Unix()) || r.Response.GetId() != "time" {
			t.Fatalf("sealed InfoTime: %v", &r)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = a.Shutdown(ctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
	}
	if !pubs[0].Equal(pubs[1]) {
		t.Fatal("a restart offered another key")
	}
	key, err := securing.LoadKey(filepath.Join(dir, "securing-key.pem"))
	if err != nil || !key.PublicKey.Equal(pubs[0]) {
		t.Fatalf("the offered key is not the file's: %v", err)
	}
}

var (
	securingKeyOnce sync.Once
	securingKeyPEM  []byte
)

// testSecuringKey writes one RSA key, made once per test binary, into dir
// for -securing-key: a key of its own for every test would cost each start
// the key's generation.
func testSecuringKey(t testing.TB, dir string) string {
	t.Helper()
	securingKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		securingKeyPEM = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	})
	path := filepath.Join(dir, "securing-key.pem")
	if err := os.WriteFile(path, securingKeyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
