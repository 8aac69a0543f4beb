// Package securing is the iGap protocol's own connection securing: the
// server's RSA key (loaded, or created once under the data directory), the
// PEM public key ConnectionSecuringResponse carries, unwrapping the client's
// symmetric key of ConnectionSymmetricKey (versions 1 and 2), and the
// AES-256-CBC frame cipher used once the key is accepted.
//
// PKCS#1 v1.5 encryption is what every client uses; the protocol leaves no
// choice. It knows nothing of generated/: the server hands it bytes.
package securing
