package handlers

import (
	"strings"
	"testing"
	"time"

	"github.com/gapd/gapd/storage"
)

func TestCodePolicyDefaults(t *testing.T) {
	got := CodePolicy{}.WithDefaults()
	want := CodePolicy{Digits: 5, Lifetime: 5 * time.Minute, MaxTries: 5, TryLock: 10 * time.Minute,
		MaxTryLock: 24 * time.Hour, DailyFailures: 100, MaxSends: 5, SendWindow: time.Hour, DailySends: 20,
		ResendDelay: 60 * time.Second, Reservation: 24 * time.Hour}
	if got != want {
		t.Fatalf("defaults %+v, want %+v", got, want)
	}
	if err := got.Check(); err != nil {
		t.Fatalf("defaults fail Check: %v", err)
	}
	kept := CodePolicy{Digits: 6, MaxTries: 3}.WithDefaults()
	if kept.Digits != 6 || kept.MaxTries != 3 || kept.Lifetime != 5*time.Minute {
		t.Fatalf("explicit settings lost: %+v", kept)
	}
}

func TestCodePolicyCheck(t *testing.T) {
	bad := map[string]CodePolicy{
		"Digits":        {Digits: 9},
		"Digits ":       {Digits: 4},
		"MaxTryLock":    {TryLock: time.Hour, MaxTryLock: time.Minute},
		"DailyFailures": {MaxTries: 10, DailyFailures: 5},
		"DailySends":    {MaxSends: 30},
		"Reservation":   {Reservation: time.Second},
		"Lifetime":      {Lifetime: 500 * time.Millisecond},
		"MaxTries":      {MaxTries: -1},
		"TryLock":       {TryLock: -time.Minute},
		"MaxSends":      {MaxSends: -2},
		"SendWindow":    {SendWindow: time.Millisecond},
	}
	for field, p := range bad {
		err := p.WithDefaults().Check()
		if err == nil || !strings.Contains(err.Error(), strings.TrimSpace(field)) {
			t.Errorf("%+v: got %v, want an error naming %s", p, err, field)
		}
	}
}

func TestNewPanicsOnBadWiring(t *testing.T) {
	mustPanic := func(name string, c Config, d Deps) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: New did not panic", name)
			}
		}()
		New(c, d)
	}
	mustPanic("nil DB", Config{}, Deps{})
	mustPanic("bad policy", Config{Codes: CodePolicy{Digits: 12}}, Deps{DB: &storage.DB{}})
}

func TestNewCode(t *testing.T) {
	p := CodePolicy{}.WithDefaults()
	seen := map[string]int{}
	leadingZero := 0
	for range 2000 {
		c, err := p.newCode()
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != 5 || strings.Trim(c, "0123456789") != "" || c == "00000" {
			t.Fatalf("code %q: want 5 digits, not all zero", c)
		}
		if c[0] == '0' {
			leadingZero++
		}
		seen[c]++
	}
	// 2000 uniform draws from 99999 values repeat about 20 times; many
	// more means the draw is not uniform (or not random).
	if len(seen) < 1900 {
		t.Fatalf("only %d distinct codes in 2000 draws", len(seen))
	}
	// About a tenth should start with 0; none means the range is wrong.
	if leadingZero < 100 || leadingZero > 320 {
		t.Fatalf("%d of 2000 codes start with 0, want about 200", leadingZero)
	}
}

func TestCodeMatches(t *testing.T) {
	p := CodePolicy{Digits: 6}.WithDefaults()
	stored := hashCode(7, "000042")
	for _, tc := range []struct {
		user storage.UserID
		got  uint32
		ok   bool
	}{
		{7, 42, true},
		{8, 42, false},       // another user's hash
		{7, 420, false},      // different number
		{7, 1000042, false},  // too many digits
		{7, 42000000, false}, // too many digits
	} {
		if p.codeMatches(tc.user, tc.got, stored) != tc.ok {
			t.Errorf("codeMatches(user %d, %d) = %v", tc.user, tc.got, !tc.ok)
		}
	}
	if p.regex() != "^[0-9]{6}$" {
		t.Errorf("regex %q", p.regex())
	}
}

func TestWaitSeconds(t *testing.T) {
	for _, tc := range []struct {
		until, now int64
		want       uint32
	}{{110, 100, 10}, {100, 100, 1}, {90, 100, 1}, {1 << 40, 0, ^uint32(0)}} {
		if got := waitSeconds(tc.until, tc.now); got != tc.want {
			t.Errorf("waitSeconds(%d, %d) = %d, want %d", tc.until, tc.now, got, tc.want)
		}
	}
}
