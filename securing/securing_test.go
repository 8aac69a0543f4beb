package securing

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	keysOnce          sync.Once
	serverKey, cliKey *rsa.PrivateKey
)

// testKeys makes two 2048-bit keys once per test binary.
func testKeys(t testing.TB) (server, client *rsa.PrivateKey) {
	t.Helper()
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

func encrypt(t testing.TB, k *rsa.PublicKey, msg []byte) []byte {
	t.Helper()
	ct, err := rsa.EncryptPKCS1v15(rand.Reader, k, msg)
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

// wrapV2 does what a version 2 client does: cut the version 1 ciphertext
// into chunk-sized pieces (zero-padding the last, as Android does, when pad)
// and encrypt each under the client key.
func wrapV2(t testing.TB, server, client *rsa.PublicKey, key []byte, chunk int, pad bool) []byte {
	t.Helper()
	inner := encrypt(t, server, key)
	var out []byte
	for off := 0; off < len(inner); off += chunk {
		end := min(off+chunk, len(inner))
		piece := append([]byte(nil), inner[off:end]...)
		if pad && len(piece) < chunk {
			piece = append(piece, make([]byte, chunk-len(piece))...)
		}
		out = append(out, encrypt(t, client, piece)...)
	}
	return out
}

func TestUnwrap(t *testing.T) {
	sk, ck := testKeys(t)
	key := []byte("0123456789abcdefghijklmnopqrstuv")
	both := Keys{Server: sk, Client: ck}
	for _, c := range []struct {
		name    string
		keys    Keys
		version uint32
		wrapped []byte
		err     error
	}{
		{"v1 unset", Keys{Server: sk}, 0, encrypt(t, &sk.PublicKey, key), nil},
		{"v1", Keys{Server: sk}, 1, encrypt(t, &sk.PublicKey, key), nil},
		{"v2 chunk 128", both, 2, wrapV2(t, &sk.PublicKey, &ck.PublicKey, key, 128, false), nil},
		{"v2 chunk 100 zero-padded", both, 2, wrapV2(t, &sk.PublicKey, &ck.PublicKey, key, 100, true), nil},
		{"v2 chunk 100 exact", both, 2, wrapV2(t, &sk.PublicKey, &ck.PublicKey, key, 100, false), nil},
		{"v2 without client key", Keys{Server: sk}, 2, wrapV2(t, &sk.PublicKey, &ck.PublicKey, key, 128, false), ErrNoClientKey},
		{"v2 sent as v1", both, 1, wrapV2(t, &sk.PublicKey, &ck.PublicKey, key, 128, false), ErrUndecryptable},
		{"v1 sent as v2", both, 2, encrypt(t, &sk.PublicKey, key), ErrUndecryptable},
		{"v2 partial block", both, 2, wrapV2(t, &sk.PublicKey, &ck.PublicKey, key, 128, false)[:300], ErrUndecryptable},
		{"v2 too many blocks", both, 2, make([]byte, 256*33), ErrUndecryptable},
		{"garbage", both, 1, bytes.Repeat([]byte{7}, 256), ErrUndecryptable},
		{"empty", both, 1, nil, ErrUndecryptable},
		{"version 3", both, 3, encrypt(t, &sk.PublicKey, key), ErrVersion},
	} {
		got, err := c.keys.Unwrap(c.version, c.wrapped)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("%s: err %v, want %v", c.name, err, c.err)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, key) {
			t.Errorf("%s: %q, %v", c.name, got, err)
		}
	}
}

func TestCipherRoundTrip(t *testing.T) {
	c, err := NewCipher(bytes.Repeat([]byte{1}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 1, 15, 16, 17, 1000} {
		plain := bytes.Repeat([]byte{byte(n)}, n)
		a, b := c.Seal(nil, plain), c.Seal([]byte("x"), plain)
		if len(a) != SealedSize(n) || len(b) != 1+SealedSize(n) || len(a)%16 != 0 {
			t.Fatalf("%d: sealed %d and %d bytes", n, len(a), len(b))
		}
		if bytes.Equal(a[:IVSize], b[1:1+IVSize]) {
			t.Fatalf("%d: the same IV twice", n)
		}
		got, err := c.Open([]byte("y"), a)
		if err != nil || string(got) != "y"+string(plain) {
			t.Fatalf("%d: opened %q, %v", n, got, err)
		}
		if got, err = c.OpenInPlace(a); err != nil || !bytes.Equal(got, plain) || (n > 0 && &got[0] != &a[IVSize]) {
			t.Fatalf("%d: opened in place %q, %v", n, got, err)
		}
	}
	if _, err := NewCipher(make([]byte, 16)); err == nil {
		t.Fatal("a 16-byte key was taken for AES-256")
	}
}

func TestOpenRefuses(t *testing.T) {
	c, _ := NewCipher(make([]byte, KeySize))
	sealed := c.Seal(nil, []byte("\x02\x00hello"))
	// One block: the IV's last byte flips the padding byte (9) to 246.
	tampered := append([]byte(nil), sealed...)
	tampered[IVSize-1] ^= 0xff
	for name, f := range map[string][]byte{
		"empty":    nil,
		"iv only":  sealed[:IVSize],
		"ragged":   sealed[:len(sealed)-1],
		"tampered": tampered,
	} {
		if out, err := c.Open(nil, f); !errors.Is(err, ErrFrame) {
			t.Errorf("%s: %x, %v", name, out, err)
		}
		if out, err := c.OpenInPlace(append([]byte(nil), f...)); !errors.Is(err, ErrFrame) {
			t.Errorf("%s in place: %x, %v", name, out, err)
		}
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "key.pem")
	k1, created, err := LoadOrCreateKey(path)
	if err != nil || !created || k1.N.BitLen() != KeyBits {
		t.Fatalf("create: %v %v", created, err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st.Mode(), err)
	}
	k2, created, err := LoadOrCreateKey(path)
	if err != nil || created || !k1.Equal(k2) {
		t.Fatalf("reload: created %v, same %v, %v", created, k1.Equal(k2), err)
	}
	if err := os.WriteFile(path, []byte("junk"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateKey(path); err == nil {
		t.Fatal("a broken key file was replaced instead of refused")
	}
}

func TestParseKeyFormats(t *testing.T) {
	sk, _ := testKeys(t)
	p8, _ := x509.MarshalPKCS8PrivateKey(sk)
	for name, b := range map[string][]byte{
		"pkcs1": pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(sk)}),
		"pkcs8": pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}),
	} {
		k, err := ParseKey(b)
		if err != nil || !k.Equal(sk) {
			t.Errorf("%s: %v", name, err)
		}
	}
	pub := PublicPEM(&sk.PublicKey)
	if !strings.HasPrefix(pub, "-----BEGIN PUBLIC KEY-----\n") || strings.Count(pub, "\n") < 5 {
		t.Fatalf("public key %q", pub)
	}
	block, _ := pem.Decode([]byte(pub))
	if k, err := x509.ParsePKIXPublicKey(block.Bytes); err != nil || !sk.PublicKey.Equal(k) {
		t.Fatalf("public key does not parse back: %v", err)
	}
	for _, b := range []string{"", "not pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"} {
		if _, err := ParseKey([]byte(b)); err == nil {
			t.Errorf("%q parsed as a key", b)
		}
	}
}

// FuzzOpen: opening arbitrary bytes never panics, whatever opens is
// shorter than its frame, and opening in place agrees with opening apart.
func FuzzOpen(f *testing.F) {
	c, _ := NewCipher(make([]byte, KeySize))
	f.Add(c.Seal(nil, []byte("\x02\x00")))
	f.Add([]byte{})
	f.Add(make([]byte, 32))
	f.Add(make([]byte, 47))
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := c.Open(nil, b)
		if err == nil && len(out) >= len(b)-IVSize {
			t.Fatalf("%d bytes opened to %d", len(b), len(out))
		}
		in, ierr := c.OpenInPlace(append([]byte(nil), b...))
		if (err == nil) != (ierr == nil) || !bytes.Equal(in, out) {
			t.Fatalf("in place: %x, %v; apart: %x, %v", in, ierr, out, err)
		}
	})
}
