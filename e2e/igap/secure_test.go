package igap

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"testing"
)

func TestNewKey(t *testing.T) {
	k := NewKey(32, false)
	if len(k) != 32 {
		t.Fatalf("len %d", len(k))
	}
	for _, b := range k {
		if !bytes.ContainsRune([]byte(alnum), rune(b)) {
			t.Fatalf("key byte %q is not alphanumeric", b)
		}
	}
	if len(NewKey(24, true)) != 24 {
		t.Fatal("raw key length")
	}
}

// unwrapV2 undoes WrapV2 as clients.md says a server does: decrypt each
// block of the built-in key's size, join, keep the server modulus size,
// decrypt under the server key.
func unwrapV2(t *testing.T, server, builtIn *rsa.PrivateKey, wrapped []byte) []byte {
	t.Helper()
	var inner []byte
	for i := 0; i < len(wrapped); i += builtIn.Size() {
		p, err := rsa.DecryptPKCS1v15(nil, builtIn, wrapped[i:i+builtIn.Size()])
		if err != nil {
			t.Fatal(err)
		}
		inner = append(inner, p...)
	}
	key, err := rsa.DecryptPKCS1v15(nil, server, inner[:server.Size()])
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func TestWrap(t *testing.T) {
	// A 1536-bit server key: its 192-byte ciphertext is one whole 128-byte
	// chunk and a short one, so the two chunkings differ.
	server, err := rsa.GenerateKey(rand.Reader, 1536)
	if err != nil {
		t.Fatal(err)
	}
	builtIn, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&server.PublicKey)
	pub, err := ParsePublicKey(string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})))
	if err != nil {
		t.Fatal(err)
	}
	key := NewKey(32, false)
	v1, err := WrapV1(pub, key)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := rsa.DecryptPKCS1v15(nil, server, v1); !bytes.Equal(got, key) {
		t.Fatal("v1 does not decrypt to the key")
	}
	for _, mode := range []Chunking{PadLastChunk, ExactChunks} {
		w, err := WrapV2(pub, &builtIn.PublicKey, key, 128, mode)
		if err != nil {
			t.Fatal(err)
		}
		if len(w) != 2*builtIn.Size() {
			t.Fatalf("mode %d: %d bytes", mode, len(w))
		}
		// The last chunk's plaintext: 128 bytes when padded, 64 when exact.
		last, _ := rsa.DecryptPKCS1v15(nil, builtIn, w[builtIn.Size():])
		if want := map[Chunking]int{PadLastChunk: 128, ExactChunks: 64}[mode]; len(last) != want {
			t.Fatalf("mode %d: last chunk of %d bytes, want %d", mode, len(last), want)
		}
		if got := unwrapV2(t, server, builtIn, w); !bytes.Equal(got, key) {
			t.Fatalf("mode %d: unwrapped %q", mode, got)
		}
	}
	if _, err := WrapV2(pub, &builtIn.PublicKey, key, 0, PadLastChunk); err == nil {
		t.Fatal("chunk size 0 accepted")
	}
}

func TestCipher(t *testing.T) {
	key := NewKey(32, false)
	for _, bad := range []string{"AES/CBC/PKCS5Padding", "AES-128-CBC", "AES-256-GCM", "AES-256"} {
		if _, err := NewCipher(key, bad, 16); err == nil {
			t.Errorf("method %q accepted", bad)
		}
	}
	c, err := NewCipher(key, "AES-256-CBC", 16)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 2, 15, 16, 17, 1000} {
		plain := bytes.Repeat([]byte{byte(n)}, n)
		a, b := c.Seal(plain), c.Seal(plain)
		if bytes.Equal(a, b) {
			t.Fatal("two seals share an IV")
		}
		if len(a) != 16+(n/16+1)*16 {
			t.Fatalf("sealed %d bytes into %d", n, len(a))
		}
		got, err := c.Open(a)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("open %d: %v", n, err)
		}
	}
	// Flipping the IV's last byte flips the padding byte (0x0d -> 0xf2).
	bad := c.Seal([]byte("abc"))
	bad[15] ^= 0xff
	if _, err := c.Open(bad); err == nil {
		t.Fatal("bad padding opened")
	}
	if _, err := c.Open(make([]byte, 40)); err == nil {
		t.Fatal("a frame of 40 bytes opened")
	}
}
