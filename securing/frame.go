package securing

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// What ConnectionSymmetricKeyResponse announces, and the key length
// ConnectionSecuringResponse asks for.
const (
	Method    = "AES-256-CBC"
	KeySize   = 32
	IVSize    = aes.BlockSize
	ChunkSize = 128 // secondary_chunk_size: divides a 2048-bit server key's 256-byte ciphertext
)

// ErrFrame is Open's error for a frame that is not IV || AES-CBC(PKCS#7).
var ErrFrame = errors.New("frame does not decrypt")

// Cipher seals and opens frames of a secured connection:
// IV (16 bytes) || AES-256-CBC(key, IV, PKCS#7(plain)), a fresh random IV
// per frame. It is safe for concurrent use.
type Cipher struct{ block cipher.Block }

// NewCipher takes the KeySize-byte symmetric key.
func NewCipher(key []byte) (*Cipher, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("symmetric key of %d bytes, want %d", len(key), KeySize)
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return &Cipher{block: b}, nil
}

// SealedSize is the length of a sealed frame of n plain bytes.
func SealedSize(n int) int { return IVSize + (n/aes.BlockSize+1)*aes.BlockSize }

// Seal appends the sealed plain to dst.
func (c *Cipher) Seal(dst, plain []byte) []byte {
	total := SealedSize(len(plain))
	out, frame := grow(dst, total)
	iv, body := frame[:IVSize], frame[IVSize:]
	if _, err := rand.Read(iv); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	n := copy(body, plain)
	pad := byte(len(body) - n)
	for i := n; i < len(body); i++ {
		body[i] = pad
	}
	cipher.NewCBCEncrypter(c.block, iv).CryptBlocks(body, body)
	return out
}

// Open appends the plain bytes of a sealed frame to dst. Any input that is
// not a whole sealed frame with valid padding is ErrFrame; it never panics.
func (c *Cipher) Open(dst, frame []byte) ([]byte, error) {
	out, tail := grow(dst, len(frame))
	copy(tail, frame)
	plain, err := c.OpenInPlace(tail)
	if err != nil {
		return dst, err
	}
	// The plain bytes sit after the IV; move them up to dst's end.
	return out[:len(dst)+copy(tail, plain)], nil
}

// OpenInPlace is Open that decrypts within frame itself and returns the
// plain bytes as a slice of it: a server reading a frame it owns needs no
// second buffer. frame's contents are undefined after an error.
func (c *Cipher) OpenInPlace(frame []byte) ([]byte, error) {
	if len(frame) < IVSize+aes.BlockSize || (len(frame)-IVSize)%aes.BlockSize != 0 {
		return nil, ErrFrame
	}
	plain := frame[IVSize:]
	cipher.NewCBCDecrypter(c.block, frame[:IVSize]).CryptBlocks(plain, plain)
	pad := int(plain[len(plain)-1])
	if pad == 0 || pad > aes.BlockSize {
		return nil, ErrFrame
	}
	for _, b := range plain[len(plain)-pad:] {
		if int(b) != pad {
			return nil, ErrFrame
		}
	}
	return plain[:len(plain)-pad], nil
}

// grow extends dst by n bytes and returns it with the new tail.
func grow(dst []byte, n int) (all, tail []byte) {
	l := len(dst)
	if cap(dst)-l < n {
		d := make([]byte, l, l+n)
		copy(d, dst)
		dst = d
	}
	dst = dst[:l+n]
	return dst, dst[l:]
}
