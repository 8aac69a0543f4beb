// Package igap is a test client that behaves on the wire like the real iGap
// clients of 2017-2018, as ../shared/protocol/clients.md describes them
// byte for byte. The end-to-end tests drive the real server with it.
//
// It is written independently of the server: its own WebSocket client over
// net.Conn (ws.go) and its own securing (secure.go, crypto/rsa, crypto/aes,
// crypto/cipher and encoding/pem only), so a bug shared by both sides cannot
// hide. It imports only the generated protobuf types.
//
// What follows which point of clients.md:
//   - "Where they connect": Dial opens ws://host/hybrid/.
//   - Securing step 1: Dial waits for ConnectionSecuringResponse (30001),
//     ParsePublicKey reads its PEM PUBLIC KEY, NewKey makes a key of
//     symmetric_key_length alphanumeric characters (Android, iOS) or raw
//     bytes (Options.RawKey: Plus, PHP).
//   - Securing step 2: WrapV1 (RSA PKCS#1 v1.5 under the server key,
//     `version` unset) and WrapV2 (the v1 ciphertext cut into
//     secondary_chunk_size chunks, the last zero-padded as Android's
//     Arrays.copyOfRange or exact as Plus and PHP, each encrypted under the
//     built-in key, version 2).
//   - Securing step 3: NewCipher splits symmetric_method on "-" ([1] key
//     bits, [2] mode) and checks symmetric_iv_size.
//   - Securing step 4: Cipher.Seal/Open, IV || AES-CBC(PKCS#7([2-byte LE
//     action][payload])), a fresh IV per frame.
//   - Securing step 5: frames are masked until ACCEPTED and unmasked after it.
//   - Heartbeat: each 30003 is answered with a new Heartbeat (3), only once
//     logged in; before login only action 2 and the "without login" actions
//     are sent (CallRaw refuses others with ErrNotSent).
//   - Requests, responses, errors: correlation by request id, pushes (empty
//     id) on Pushes, ErrorResponse as *Error, a response for no pending
//     request is dropped (and recorded as dropped).
//   - Options.IOS: frames other than 30001-30003 are dropped before
//     ACCEPTED, no frame within 3 s of connecting gives up, no frame for
//     heartbeat_interval + 5 s disconnects.
//
// Every frame both ways is recorded (Received, Sent) so tests can assert on
// what the server sent, e.g. that it never answers a Heartbeat.
package igap
