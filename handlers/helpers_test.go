package handlers

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/gapd/gapd/delivery"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/storage/pgtest"
	"github.com/gapd/gapd/wire"
	"google.golang.org/protobuf/proto"
)

// clock is a time source the test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// captureSender is a Sender that keeps every code, optionally failing after
// keeping it (to stand for a gateway that took the code but errored).
type captureSender struct {
	mu    sync.Mutex
	sent  []delivery.VerifyCode
	fails error
}

func (c *captureSender) Send(ctx context.Context, v delivery.VerifyCode) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, v)
	return c.fails
}

func (c *captureSender) last(t *testing.T) delivery.VerifyCode {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.sent) == 0 {
		t.Fatal("no verification code was sent")
	}
	return c.sent[len(c.sent)-1]
}

func (c *captureSender) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.sent)
}

// session is a wire.Session that records Login calls.
type session struct {
	user, device uint64
	logins       [][2]uint64
	remote       string // "" is 192.0.2.7:50123
	signIn       uint64
}

func (s *session) PendingSignIn() uint64     { return s.signIn }
func (s *session) SetPendingSignIn(u uint64) { s.signIn = u }

func (s *session) UserID() uint64   { return s.user }
func (s *session) DeviceID() uint64 { return s.device }
func (s *session) RemoteAddr() string {
	if s.remote == "" {
		return "192.0.2.7:50123"
	}
	return s.remote
}
func (s *session) Send(context.Context, uint16, proto.Message) error { return nil }
func (s *session) Virtual(string, *wire.Error)                       {}
func (s *session) End(*wire.Error)                                   { s.user, s.device = 0, 0 }
func (s *session) Login(userID, deviceID uint64) {
	s.user, s.device = userID, deviceID
	s.logins = append(s.logins, [2]uint64{userID, deviceID})
}

// env is one test's server-side world: a real database in a temporary
// directory, the handlers over it, the captured codes and the clock.
type env struct {
	t     *testing.T
	ctx   context.Context
	db    *storage.DB
	h     *Handlers
	sent  *captureSender
	clock *clock
}

func newEnv(t *testing.T) *env {
	return newEnvWith(t, CodePolicy{})
}

func newEnvWith(t *testing.T, p CodePolicy) *env {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, t.TempDir(), storage.Options{URL: pgtest.URL(t), Synchronous: "OFF"})
	if err != nil {
		t.Fatalf("storage.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{t: t, ctx: ctx, db: db, sent: &captureSender{}, clock: newClock()}
	e.h = New(Config{Codes: p}, Deps{
		DB:     db,
		Sender: e.sent,
		Log:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Clock:  e.clock.Now,
	})
	return e
}

const (
	phoneIR   = 9121234567 // national number, Iran
	phoneIR2  = 9121234568
	e164IR    = "+989121234567"
	countryIR = "IR"
)

func (e *env) register(national uint64, country string) (*pb.UserRegisterResponse, error) {
	return e.h.UserRegister(e.ctx, &session{}, &pb.UserRegister{PhoneNumber: national, CountryCode: country})
}

func (e *env) mustRegister(national uint64, country string) *pb.UserRegisterResponse {
	e.t.Helper()
	r, err := e.register(national, country)
	if err != nil {
		e.t.Fatalf("UserRegister(%d, %s): %v", national, country, err)
	}
	return r
}

func (e *env) verify(username string, code uint32) (*pb.UserVerifyResponse, error) {
	return e.verifyFrom("", username, code)
}

// verifyFrom guesses from another address (host:port; "" is the default).
func (e *env) verifyFrom(remote, username string, code uint32) (*pb.UserVerifyResponse, error) {
	return e.h.UserVerify(e.ctx, &session{remote: remote}, &pb.UserVerify{Username: username, Code: code})
}

// lastCode is the last code sent, as the number a client would type.
func (e *env) lastCode() uint32 {
	e.t.Helper()
	var n uint32
	for _, d := range e.sent.last(e.t).Code {
		n = n*10 + uint32(d-'0')
	}
	return n
}

// signUp registers and verifies a phone, returning the user id and token.
func (e *env) signUp(national uint64) (uint64, string) {
	e.t.Helper()
	r := e.mustRegister(national, countryIR)
	v, err := e.verify(r.Username, e.lastCode())
	if err != nil {
		e.t.Fatalf("UserVerify: %v", err)
	}
	return r.UserId, v.Token
}

func (e *env) write(fn func(*storage.Tx) error) {
	e.t.Helper()
	if err := e.db.Write(e.ctx, fn); err != nil {
		e.t.Fatalf("Write: %v", err)
	}
}

func (e *env) read(fn func(*storage.Tx) error) {
	e.t.Helper()
	if err := e.db.Read(e.ctx, fn); err != nil {
		e.t.Fatalf("Read: %v", err)
	}
}

func (e *env) block(userID uint64) {
	e.t.Helper()
	e.write(func(tx *storage.Tx) error { return tx.SetBlocked(storage.UserID(userID), true) })
}

// wantErr fails unless err is the protocol error major/minor; it returns the
// error for further checks (wait).
func wantErr(t *testing.T, err error, major wire.Major, minor wire.Minor) *wire.Error {
	t.Helper()
	e, ok := wire.As(err)
	if !ok {
		t.Fatalf("got %v, want protocol error %d/%d", err, major, minor)
	}
	if e.Major != major || e.Minor != minor {
		t.Fatalf("got error %d/%d (%v), want %d/%d", e.Major, e.Minor, e, major, minor)
	}
	return e
}

// wantOK fails on any error, naming protocol errors by their codes.
func wantOK(t *testing.T, err error) {
	t.Helper()
	var we *wire.Error
	if errors.As(err, &we) {
		t.Fatalf("unexpected protocol error %d/%d: %v", we.Major, we.Minor, we)
	}
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}
