package securing

import (
	"crypto/rsa"
	"errors"
	"fmt"
)

// Errors of Unwrap, for the log and for the answer: ErrNoClientKey is the
// operator's configuration; the others mean the client sent a bad key.
var (
	ErrNoClientKey   = errors.New("version 2 key, and the server has no client key (-securing-client-key)")
	ErrUndecryptable = errors.New("symmetric key does not decrypt")
	ErrVersion       = errors.New("unknown ConnectionSymmetricKey version")
)

// Keys are the server's RSA key and, for version 2, the private half of the
// key built into the operator's clients (nil when not configured).
type Keys struct {
	Server *rsa.PrivateKey
	Client *rsa.PrivateKey
}

// Unwrap recovers the symmetric key the client sent in ConnectionSymmetricKey.
//
// Version 1 (0 or 1): wrapped is the key under the server's key, RSA
// PKCS#1 v1.5. Version 2: that ciphertext was cut into chunks and each chunk
// encrypted again under the client key, so wrapped is whole blocks of the
// client key's size; each decrypts to a chunk, and the chunks joined and cut
// to the server modulus size (Android pads its last chunk with zero bytes)
// are the version 1 ciphertext.
func (k Keys) Unwrap(version uint32, wrapped []byte) ([]byte, error) {
	switch version {
	case 0, 1:
		return decrypt(k.Server, wrapped)
	case 2:
	default:
		return nil, fmt.Errorf("%w %d", ErrVersion, version)
	}
	if k.Client == nil {
		return nil, ErrNoClientKey
	}
	block, size := k.Client.Size(), k.Server.Size()
	if len(wrapped) == 0 || len(wrapped)%block != 0 {
		return nil, fmt.Errorf("%w: %d bytes are not whole %d-byte blocks", ErrUndecryptable, len(wrapped), block)
	}
	if len(wrapped)/block > maxBlocks {
		return nil, fmt.Errorf("%w: %d blocks, at most %d", ErrUndecryptable, len(wrapped)/block, maxBlocks)
	}
	inner := make([]byte, 0, len(wrapped)/block*(block-11))
	for off := 0; off < len(wrapped) && len(inner) < size; off += block {
		chunk, err := decrypt(k.Client, wrapped[off:off+block])
		if err != nil {
			return nil, err
		}
		inner = append(inner, chunk...)
	}
	if len(inner) < size {
		return nil, fmt.Errorf("%w: chunks give %d bytes, want %d", ErrUndecryptable, len(inner), size)
	}
	return decrypt(k.Server, inner[:size])
}

// maxBlocks bounds the RSA work one version 2 key costs: 32 blocks allow
// chunks of 8 bytes of a 256-byte ciphertext; clients use 128.
const maxBlocks = 32

func decrypt(k *rsa.PrivateKey, ct []byte) ([]byte, error) {
	if len(ct) != k.Size() {
		return nil, fmt.Errorf("%w: %d bytes under a %d-byte key", ErrUndecryptable, len(ct), k.Size())
	}
	//nolint:staticcheck // PKCS#1 v1.5 is what the protocol's clients use.
	pt, err := rsa.DecryptPKCS1v15(nil, k, ct)
	if err != nil {
		return nil, ErrUndecryptable
	}
	return pt, nil
}
