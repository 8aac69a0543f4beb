package igap

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Chunking is how version 2 cuts the version-1 ciphertext into
// secondary_chunk_size pieces (clients.md, Securing step 1).
type Chunking int

const (
	// PadLastChunk is Android's Arrays.copyOfRange: a last piece shorter
	// than the chunk size is padded with zero bytes to the full size.
	PadLastChunk Chunking = iota
	// ExactChunks is Plus and PHP: the last piece is the exact remainder.
	ExactChunks
)

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// NewKey makes a symmetric key of n bytes: n random alphanumeric characters
// as their ASCII bytes, as Android and iOS do, or with raw n random bytes, as
// Plus and PHP do (clients.md, Securing step 1, symmetric_key_length).
func NewKey(n int, raw bool) []byte {
	k := make([]byte, n)
	_, _ = rand.Read(k)
	if raw {
		return k
	}
	for i, b := range k {
		k[i] = alnum[int(b)%len(alnum)]
	}
	return k
}

// ParsePublicKey reads the PEM "PUBLIC KEY" block (X.509
// SubjectPublicKeyInfo, RSA) of ConnectionSecuringResponse.public_key.
func ParsePublicKey(s string) (*rsa.PublicKey, error) {
	b, _ := pem.Decode([]byte(s))
	if b == nil || b.Type != "PUBLIC KEY" {
		return nil, errors.New("igap: public_key is not a PEM PUBLIC KEY block")
	}
	k, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("igap: public_key: %w", err)
	}
	rk, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("igap: public_key is a %T, not RSA", k)
	}
	return rk, nil
}

// WrapV1 is version 1 (Android 0.0.23): RSA PKCS#1 v1.5 of the key under the
// server's public key (clients.md, Securing step 2).
func WrapV1(server *rsa.PublicKey, key []byte) ([]byte, error) {
	return rsa.EncryptPKCS1v15(rand.Reader, server, key)
}

// WrapV2 is version 2 (every client from 2017-09 on): the version-1
// ciphertext cut into chunk-sized pieces, each encrypted again with RSA
// PKCS#1 v1.5 under the key built into the client, concatenated (clients.md,
// Securing step 2).
func WrapV2(server, builtIn *rsa.PublicKey, key []byte, chunk int, mode Chunking) ([]byte, error) {
	inner, err := WrapV1(server, key)
	if err != nil {
		return nil, err
	}
	return ChunkEncrypt(builtIn, inner, chunk, mode)
}

// ChunkEncrypt is version 2's outer layer over any inner bytes.
func ChunkEncrypt(builtIn *rsa.PublicKey, inner []byte, chunk int, mode Chunking) ([]byte, error) {
	if chunk <= 0 {
		// Android and iOS would loop forever (additions.md, notes).
		return nil, errors.New("igap: secondary_chunk_size is 0")
	}
	var out []byte
	for i := 0; i < len(inner); i += chunk {
		piece := inner[i:min(i+chunk, len(inner))]
		if mode == PadLastChunk && len(piece) < chunk {
			piece = append(append([]byte(nil), piece...), make([]byte, chunk-len(piece))...)
		}
		c, err := rsa.EncryptPKCS1v15(rand.Reader, builtIn, piece)
		if err != nil {
			return nil, fmt.Errorf("igap: chunk at %d: %w", i, err)
		}
		out = append(out, c...)
	}
	return out, nil
}

// Cipher is the frame encryption after ACCEPTED: every frame both ways is
// IV || AES-CBC(key, IV, PKCS#7(frame)) with a fresh random IV (clients.md,
// Securing step 4).
type Cipher struct {
	block  cipher.Block
	ivSize int
}

// NewCipher reads symmetric_method as the clients do (split on "-": [1] the
// key size in bits as iOS, [2] the mode as Android and iOS; clients.md,
// Securing step 3) and checks it against the key and symmetric_iv_size.
func NewCipher(key []byte, method string, ivSize int) (*Cipher, error) {
	parts := strings.Split(method, "-")
	if len(parts) < 3 {
		return nil, fmt.Errorf("igap: symmetric_method %q has no [1] and [2] after splitting on \"-\"", method)
	}
	if !strings.EqualFold(parts[0], "AES") {
		return nil, fmt.Errorf("igap: symmetric_method %q: not AES", method)
	}
	bits, err := strconv.Atoi(parts[1])
	if err != nil || bits != 8*len(key) {
		return nil, fmt.Errorf("igap: symmetric_method %q: key size %q, but the key has %d bits", method, parts[1], 8*len(key))
	}
	if !strings.EqualFold(parts[2], "CBC") {
		return nil, fmt.Errorf("igap: symmetric_method %q: mode %q, this client does CBC", method, parts[2])
	}
	if ivSize != aes.BlockSize {
		return nil, fmt.Errorf("igap: symmetric_iv_size %d, CBC needs %d", ivSize, aes.BlockSize)
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return &Cipher{block: b, ivSize: ivSize}, nil
}

// Seal encrypts one whole frame ([2-byte LE action][payload]).
func (c *Cipher) Seal(frame []byte) []byte {
	bs := c.block.BlockSize()
	pad := bs - len(frame)%bs
	out := make([]byte, c.ivSize+len(frame)+pad)
	iv := out[:c.ivSize]
	_, _ = rand.Read(iv)
	body := out[c.ivSize:]
	copy(body, frame)
	for i := len(frame); i < len(body); i++ {
		body[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(c.block, iv).CryptBlocks(body, body)
	return out
}

// Open decrypts one frame and strips its PKCS#7 padding.
func (c *Cipher) Open(data []byte) ([]byte, error) {
	bs := c.block.BlockSize()
	if len(data) < c.ivSize+bs || (len(data)-c.ivSize)%bs != 0 {
		return nil, fmt.Errorf("igap: encrypted frame of %d bytes", len(data))
	}
	body := append([]byte(nil), data[c.ivSize:]...)
	cipher.NewCBCDecrypter(c.block, data[:c.ivSize]).CryptBlocks(body, body)
	pad := int(body[len(body)-1])
	if pad == 0 || pad > bs {
		return nil, errors.New("igap: bad padding")
	}
	for _, b := range body[len(body)-pad:] {
		if int(b) != pad {
			return nil, errors.New("igap: bad padding")
		}
	}
	return body[:len(body)-pad], nil
}
