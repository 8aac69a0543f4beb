package limits

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gapd/gapd/wire"
)

type fakeNow struct{ t time.Time }

func (f *fakeNow) now() time.Time { return f.t }

func TestBucketBurstThenRate(t *testing.T) {
	clk := &fakeNow{time.Unix(1000, 0)}
	l := New(Config{Classes: map[wire.Class]Rate{wire.ClassWrite: {Count: 60, Per: time.Minute, Burst: 3}}}, clk.now)
	for i := 0; i < 3; i++ {
		if w := l.Request(wire.ClassWrite, 7, netip.Addr{}); w != 0 {
			t.Fatalf("request %d of the burst waits %v", i, w)
		}
	}
	if w := l.Request(wire.ClassWrite, 7, netip.Addr{}); w != time.Second {
		t.Fatalf("after the burst: wait %v, want 1s", w)
	}
	// Another user and another class have budgets of their own.
	if w := l.Request(wire.ClassWrite, 8, netip.Addr{}); w != 0 {
		t.Fatalf("another user waits %v", w)
	}
	if w := l.Request(wire.ClassRead, 7, netip.Addr{}); w != 0 {
		t.Fatalf("a class without a rate waits %v", w)
	}
	clk.t = clk.t.Add(time.Second)
	if w := l.Request(wire.ClassWrite, 7, netip.Addr{}); w != 0 {
		t.Fatalf("a token came back after 1s, still wait %v", w)
	}
	if w := l.Request(wire.ClassWrite, 7, netip.Addr{}); w != time.Second {
		t.Fatalf("wait %v, want 1s", w)
	}
}

func TestAddressesBeforeLogin(t *testing.T) {
	clk := &fakeNow{time.Unix(1000, 0)}
	cfg := Config{Classes: map[wire.Class]Rate{wire.ClassRead: {Count: 1, Per: time.Hour, Burst: 1}}}
	l := New(cfg, clk.now)
	a := netip.MustParseAddr("2001:db8::1")
	b := netip.MustParseAddr("2001:db8::2") // the same /64
	c := netip.MustParseAddr("2001:db8:0:1::1")
	if l.Request(wire.ClassRead, 0, a) != 0 || l.Request(wire.ClassRead, 0, b) == 0 || l.Request(wire.ClassRead, 0, c) != 0 {
		t.Fatal("an IPv6 /64 is not one source")
	}
	lo := netip.MustParseAddr("127.0.0.1")
	if l.Request(wire.ClassRead, 0, lo) != 0 || l.Request(wire.ClassRead, 0, lo) == 0 {
		t.Fatal("loopback is not limited by default")
	}
	cfg.ExemptLoopback = true
	l = New(cfg, clk.now)
	for i := 0; i < 5; i++ {
		if l.Request(wire.ClassRead, 0, lo) != 0 {
			t.Fatal("exempt loopback was limited")
		}
	}
}

func TestSignUpBudgets(t *testing.T) {
	clk := &fakeNow{time.Unix(1000, 0)}
	l := New(Config{SignUp: SignUpBudgets{PerAddress: Rate{Count: 3, Per: time.Hour, Burst: 3},
		PerCountry: Rate{Count: 5, Per: time.Hour, Burst: 5}}}, clk.now)
	ip := netip.MustParseAddr("192.0.2.1")
	for i := 0; i < 3; i++ {
		if w := l.SignUpCode(ip, "98"); w != 0 {
			t.Fatalf("code %d refused: %v", i, w)
		}
	}
	if w := l.SignUpCode(ip, "98"); w != 20*time.Minute {
		t.Fatalf("the address's budget: wait %v, want 20m", w)
	}
	// Another address still sends, until the country's budget is gone.
	other := netip.MustParseAddr("192.0.2.2")
	for i := 0; i < 2; i++ {
		if w := l.SignUpCode(other, "98"); w != 0 {
			t.Fatalf("another address refused: %v", w)
		}
	}
	if w := l.SignUpCode(other, "98"); w == 0 {
		t.Fatal("the country's budget did not run out")
	}
	if w := l.SignUpCode(netip.MustParseAddr("192.0.2.3"), "1"); w != 0 {
		t.Fatalf("another country was refused: %v", w)
	}
}

func TestOff(t *testing.T) {
	cfg, err := Load("none")
	if err != nil || !cfg.Off {
		t.Fatalf("none: %+v, %v", cfg, err)
	}
	l := New(cfg, nil)
	for i := 0; i < 1000; i++ {
		if l.Request(wire.ClassExpensive, 1, netip.Addr{}) != 0 || l.SignUpCode(netip.Addr{}, "1") != 0 {
			t.Fatal("limits none still limits")
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "limits.yaml")
	os.WriteFile(path, []byte("exempt_loopback: true\nclasses:\n  write: {count: 5, per: 1s, burst: 2}\nsignup:\n  total: {count: 1, per: 1h, burst: 1}\n"), 0o600)
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	def := Defaults()
	if !cfg.ExemptLoopback || cfg.Classes[wire.ClassWrite] != (Rate{5, time.Second, 2}) || cfg.Classes[wire.ClassRead] != def.Classes[wire.ClassRead] ||
		cfg.SignUp.Total != (Rate{1, time.Hour, 1}) || cfg.SignUp.PerCountry != def.SignUp.PerCountry {
		t.Fatalf("loaded %+v", cfg)
	}
	for text, want := range map[string]string{
		"classes:\n  writes: {count: 1, per: 1s, burst: 1}\n": "unknown class",
		"classes:\n  write: {count: 1, per: 1s}\n":            "burst must be at least 1",
		"bogus: 1\n": "field bogus not found",
	} {
		os.WriteFile(path, []byte(text), 0o600)
		if _, err := Load(path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", text, err, want)
		}
	}
}

// Buckets that are full again are forgotten, so memory follows the clients
// active within a refill time.
func TestSweep(t *testing.T) {
	clk := &fakeNow{time.Unix(1000, 0)}
	l := New(Config{Classes: map[wire.Class]Rate{wire.ClassRead: {Count: 1, Per: time.Second, Burst: 1}}}, clk.now)
	const held = 2 * 64 * sweepSize // every shard past sweepSize
	for u := uint64(1); u <= held; u++ {
		l.Request(wire.ClassRead, u, netip.Addr{})
	}
	clk.t = clk.t.Add(2 * sweepAfter)
	for u := uint64(1_000_000); u < 1_000_000+64*4; u++ {
		l.Request(wire.ClassRead, u, netip.Addr{})
	}
	if n := l.Keys(); n > held/4 {
		t.Fatalf("%d keys held after idle buckets refilled", n)
	}
}
