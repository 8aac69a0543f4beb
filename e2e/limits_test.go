package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gapd/gapd/app"
	"github.com/gapd/gapd/config"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/handlers"
	"github.com/gapd/gapd/limits"
	"github.com/gapd/gapd/wire"
)

// defaultLimits puts gapd's built-in budget table back (the harness raises
// it), on the harness's clock.
func defaultLimits(c *config.Config, _ *handlers.Deps) { c.Limits = limits.Defaults() }

// wantFlood asserts err is a refusal for a spent budget: FLOOD_REQUEST (or,
// for sign-up codes, wantAlso) with a wait of at least a second.
func wantFlood(t *testing.T, err error, wantAlso ...wire.Major) *wire.Error {
	t.Helper()
	e, ok := wire.As(err)
	if !ok {
		t.Fatalf("got %v, want FLOOD_REQUEST", err)
	}
	if e.Major != errs.FloodRequest && (len(wantAlso) == 0 || e.Major != wantAlso[0]) {
		t.Fatalf("got error %d (%s), want %d", e.Major, e.Message, errs.FloodRequest)
	}
	if e.Wait < 1 {
		t.Fatalf("error %d without a wait", e.Major)
	}
	return e
}

// 300 sign-ups from one address: the first few get a code, every other is
// refused with a wait, and the connection keeps being answered.
func TestLimitsSignUpFloodFromOneAddress(t *testing.T) {
	e := start(t, defaultLimits)
	c, conn := e.client()
	sent, refused := 0, 0
	for i := range 300 {
		_, err := c.UserRegister(ctx(t), &pb.UserRegister{PhoneNumber: 9123400000 + uint64(i), CountryCode: "IR"})
		if err == nil {
			sent++
			continue
		}
		wantFlood(t, err, errs.UserRegisterMaxSendLock)
		refused++
	}
	// The signup class and the address's code budget both allow a burst of 5.
	if burst := limits.Defaults().SignUp.PerAddress.Burst; sent != burst || refused != 300-burst {
		t.Fatalf("%d codes sent, %d refused; want %d sent", sent, refused, burst)
	}
	select {
	case <-conn.Done():
		t.Fatal("the flood closed the connection")
	default:
	}

	// The class refills every 6s, but the address's code budget (10 an
	// hour) does not: the handler refuses with the wait until its refill.
	e.clock.Add(6 * time.Second)
	_, err := c.UserRegister(ctx(t), &pb.UserRegister{PhoneNumber: 9123499999, CountryCode: "IR"})
	if w := wantFlood(t, err).Wait; w < 5*60 || w > 6*60 {
		t.Fatalf("address budget: wait %ds, want about 6 minutes", w)
	}
	e.clock.Add(6 * time.Minute)
	if _, err := c.UserRegister(ctx(t), &pb.UserRegister{PhoneNumber: 9123499999, CountryCode: "IR"}); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
}

// A user flooding cheap reads gets FLOOD_REQUEST with a short wait, stays
// connected, and does not slow anyone else; after the wait it is served.
func TestLimitsReadFloodOfOneUser(t *testing.T) {
	e := start(t, defaultLimits)
	a, b := chatSignUp(e, 9122100001), chatSignUp(e, 9122100002)
	read := defaultLimitsRate(wire.ClassRead)
	var flood *wire.Error
	for i := range read.Burst + 50 {
		_, err := a.c.UserProfileGetNickname(ctx(t), &pb.UserProfileGetNickname{})
		switch {
		case err == nil && i < read.Burst:
		case err != nil && i >= read.Burst:
			flood = wantFlood(t, err)
		default:
			t.Fatalf("read %d of a burst of %d: %v", i, read.Burst, err)
		}
	}
	// 300 a minute: a token every 200ms, so the wait is the least, 1s.
	if flood.Wait != 1 {
		t.Fatalf("wait %ds, want 1", flood.Wait)
	}
	select {
	case <-a.conn.Done():
		t.Fatal("the flood closed the connection")
	default:
	}
	if _, err := b.c.UserProfileGetNickname(ctx(t), &pb.UserProfileGetNickname{}); err != nil {
		t.Fatalf("another user was limited: %v", err)
	}
	// Another class has its own budget.
	if _, err := a.c.UserProfileSetNickname(ctx(t), &pb.UserProfileSetNickname{Nickname: "still here"}); err != nil {
		t.Fatalf("a write after a read flood: %v", err)
	}
	e.clock.Add(time.Duration(flood.Wait) * time.Second)
	if _, err := a.c.UserProfileGetNickname(ctx(t), &pb.UserProfileGetNickname{}); err != nil {
		t.Fatalf("after waiting %ds: %v", flood.Wait, err)
	}
	m := syncMetrics(t, e, a.conn)
	for _, want := range []string{`gapd_flood_total{class="read"} 50`,
		`gapd_errors_total{action="UserProfileGetNickname",code="10",kind="real"} 50`} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// Guessing codes runs into the verify class before the account's locks.
func TestLimitsVerifyGuesses(t *testing.T) {
	e := start(t, defaultLimits)
	c, _ := e.client()
	reg, err := c.UserRegister(ctx(t), &pb.UserRegister{PhoneNumber: 9122100011, CountryCode: "IR"})
	if err != nil {
		t.Fatal(err)
	}
	code := e.lastCode(reg.Username)
	verify := defaultLimitsRate(wire.ClassVerify)
	for i := range verify.Burst {
		_, err := c.UserVerify(ctx(t), &pb.UserVerify{Username: reg.Username, Code: code%99999 + 1 + uint32(i)})
		if e, ok := wire.As(err); !ok || e.Major == errs.FloodRequest {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	_, err = c.UserVerify(ctx(t), &pb.UserVerify{Username: reg.Username, Code: code})
	wantFlood(t, err)
}

func defaultLimitsRate(c wire.Class) limits.Rate { return limits.Defaults().Classes[c] }

// -limits none: nothing is limited (load tests).
func TestLimitsNone(t *testing.T) {
	e := start(t, func(c *config.Config, _ *handlers.Deps) {
		var err error
		if c.Limits, err = limits.Load("none"); err != nil {
			t.Fatal(err)
		}
	})
	c, _ := e.client()
	for i := range 20 {
		if _, err := c.UserRegister(ctx(t), &pb.UserRegister{PhoneNumber: 9123500000 + uint64(i), CountryCode: "IR"}); err != nil {
			t.Fatalf("sign-up %d: %v", i, err)
		}
	}
	for i := range 300 {
		if _, err := c.InfoTime(ctx(t), &pb.InfoTime{}); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
	}
}

// A bad -limits file stops the start, naming the file and the key; the
// codes section sets the code length.
func TestLimitsFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "limits.yaml")
	load := func(text string) (config.Config, error) {
		os.WriteFile(file, []byte(text), 0o600)
		return config.Load([]string{"-addr", "127.0.0.1:0", "-data", filepath.Join(dir, "data"), "-limits", file},
			func(string) string { return "" })
	}
	if _, err := load("classes:\n  reads: {count: 1, per: 1s, burst: 1}\n"); err == nil ||
		!strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), `unknown class "reads"`) {
		t.Fatalf("unknown class: %v", err)
	}
	if _, err := load("codes:\n  digits: 4\n"); err == nil || !strings.Contains(err.Error(), file+": codes:") || !strings.Contains(err.Error(), "Digits 4") {
		t.Fatalf("4 digits: %v", err)
	}
	// Nor does app start such a policy set after loading.
	cfg, err := load("codes:\n  max_tries: 3\n")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Handlers.Codes.Digits = 4
	if a, err := app.Start(context.Background(), cfg, quietLog(), handlers.Deps{}); err == nil {
		a.Shutdown(context.Background())
		t.Fatal("gapd started with 4-digit codes")
	}

	cfg, err = load("codes:\n  digits: 7\n  max_tries: 3\n")
	if err != nil {
		t.Fatal(err)
	}
	e := start(t, func(c *config.Config, _ *handlers.Deps) { c.Handlers.Codes = cfg.Handlers.Codes })
	cl, _ := e.client()
	reg, err := cl.UserRegister(ctx(t), &pb.UserRegister{PhoneNumber: 9122100021, CountryCode: "IR"})
	if err != nil {
		t.Fatal(err)
	}
	if reg.VerifyCodeDigitCount != 7 || e.lastCode(reg.Username) < 1 {
		t.Fatalf("digit count %d", reg.VerifyCodeDigitCount)
	}
}
