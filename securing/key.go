package securing

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// KeyBits is the size of a key the server creates for itself.
const KeyBits = 2048

// LoadKey reads a PEM RSA private key, PKCS#1 ("RSA PRIVATE KEY") or
// PKCS#8 ("PRIVATE KEY").
func LoadKey(path string) (*rsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseKey(b)
}

// ParseKey reads the first PEM block of b as an RSA private key.
func ParseKey(b []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	var key *rsa.PrivateKey
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		key = k
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("a %T key, not RSA", k)
		}
		key = rk
	default:
		return nil, fmt.Errorf("PEM block %q, want RSA PRIVATE KEY or PRIVATE KEY", block.Type)
	}
	if key.N.BitLen() < 1024 {
		return nil, fmt.Errorf("%d-bit key: want at least 1024 bits", key.N.BitLen())
	}
	return key, nil
}

// LoadOrCreateKey reads the key at path, or, when there is no file, creates
// a KeyBits key there (mode 0600) and reports created. A file that exists
// but does not parse is an error, never overwritten.
func LoadOrCreateKey(path string) (key *rsa.PrivateKey, created bool, err error) {
	key, err = LoadKey(path)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return key, false, err
	}
	key, err = rsa.GenerateKey(rand.Reader, KeyBits)
	if err != nil {
		return nil, false, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, false, err
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	// Written aside and renamed, so a crash never leaves half a key that
	// the next start would refuse.
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".securing-key-*")
	if err != nil {
		return nil, false, err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, false, err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return nil, false, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, false, err
	}
	if err := tmp.Close(); err != nil {
		return nil, false, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, false, err
	}
	return key, true, nil
}

// PublicPEM is k's public half as ConnectionSecuringResponse.public_key
// carries it: a "PUBLIC KEY" PEM block (PKIX SubjectPublicKeyInfo) with its
// line breaks, which Android reads line by line.
func PublicPEM(k *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		// Only a key type x509 does not know fails; an RSA key never does.
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}
