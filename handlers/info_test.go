package handlers

import (
	"io"
	"log/slog"
	"net/netip"
	"regexp"
	"strings"
	"testing"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/geoip"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
	"github.com/nyaruka/phonenumbers"
)

func TestInfoTime(t *testing.T) {
	e := newEnv(t)
	r, err := e.h.InfoTime(e.ctx, &session{}, &pb.InfoTime{})
	wantOK(t, err)
	if want := e.clock.Now().Unix(); int64(r.Timestamp) != want {
		t.Fatalf("timestamp %d, want the handlers' clock %d", r.Timestamp, want)
	}
}

func TestInfoCountry(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		iso            string
		cc             uint32
		name, pattern  string
		valid, invalid string
	}{
		{"IR", 98, "Iran", "XXX XXX XXXX", "9121234567", "09121234567"},
		{"US", 1, "United States", "XXX-XXX-XXXX", "2015550123", "12015550123"},
		{"GB", 44, "United Kingdom", "XXXX XXXXXX", "7400123456", "0740012345"},
	} {
		r, err := e.h.InfoCountry(e.ctx, &session{}, &pb.InfoCountry{IsoCode: c.iso})
		wantOK(t, err)
		if r.CallingCode != c.cc || r.Name != c.name || r.Pattern != c.pattern {
			t.Errorf("%s: got %d %q %q, want %d %q %q", c.iso, r.CallingCode, r.Name, r.Pattern, c.cc, c.name, c.pattern)
		}
		re := regexp.MustCompile(r.Regex)
		if !re.MatchString(c.valid) || re.MatchString(c.invalid) {
			t.Errorf("%s: regex %q must match %s and refuse %s (whole number, no trunk prefix)", c.iso, r.Regex, c.valid, c.invalid)
		}
	}
	_, err := e.h.InfoCountry(e.ctx, &session{}, &pb.InfoCountry{IsoCode: "ZZ"})
	wantErr(t, err, errs.InfoCountryBadPayload, errs.InfoCountryBadPayloadInvalidIsoCode)
}

// Every region a client may name gets a real name, and its example number
// fits both the pattern and the regex that describe it.
func TestInfoCountryEveryRegion(t *testing.T) {
	for iso := range phonenumbers.GetSupportedRegions() {
		c, ok := countryFacts(iso)
		if !ok {
			t.Errorf("%s: unknown", iso)
			continue
		}
		if c.name == iso || c.name == "" {
			t.Errorf("%s: no English name", iso)
		}
		if int(c.callingCode) != phonenumbers.GetCountryCodeForRegion(iso) {
			t.Errorf("%s: calling code %d", iso, c.callingCode)
		}
		ex := phonenumbers.GetExampleNumberForType(iso, phonenumbers.MOBILE)
		if ex == nil {
			ex = phonenumbers.GetExampleNumber(iso)
		}
		nsn := phonenumbers.GetNationalSignificantNumber(ex)
		if !regexp.MustCompile(c.regex).MatchString(nsn) {
			t.Errorf("%s: regex %q refuses the example %s", iso, c.regex, nsn)
		}
		if strings.Count(c.pattern, "X") != len(nsn) || strings.ContainsAny(c.pattern, "0123456789+") {
			t.Errorf("%s: pattern %q does not stand for the example %s", iso, c.pattern, nsn)
		}
	}
}

// fakeGeo places the addresses it lists and nothing else.
type fakeGeo map[netip.Addr]string

func (g fakeGeo) Country(ip netip.Addr) (string, error) {
	if iso, ok := g[ip]; ok {
		return iso, nil
	}
	return "", geoip.ErrNotPlaced
}

// addrSession is a session seen from a given remote address.
type addrSession struct {
	session
	addr string
}

func (s *addrSession) RemoteAddr() string { return s.addr }

func TestInfoLocation(t *testing.T) {
	e := newEnv(t)
	geo := fakeGeo{
		netip.MustParseAddr("192.0.2.7"):   "DE",
		netip.MustParseAddr("2001:db8::1"): "IR",
		netip.MustParseAddr("192.0.2.8"):   "AQ", // Antarctica: no phone numbers of its own
	}
	h := New(Config{}, Deps{DB: e.db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Geo: geo})
	locate := func(addr string) (*pb.InfoLocationResponse, error) {
		return h.InfoLocation(e.ctx, &addrSession{addr: addr}, &pb.InfoLocation{})
	}

	for addr, iso := range map[string]string{
		"192.0.2.7:50123":          "DE",
		"[::ffff:192.0.2.7]:50123": "DE", // a dual-stack listener sees IPv4 clients mapped
		"[2001:db8::1%eth0]:443":   "IR",
	} {
		r, err := locate(addr)
		wantOK(t, err)
		c, _ := countryFacts(iso)
		want := &pb.InfoLocationResponse{IsoCode: iso, CallingCode: c.callingCode, Name: c.name, Pattern: c.pattern, Regex: c.regex}
		if r.IsoCode != want.IsoCode || r.CallingCode != want.CallingCode || r.Name != want.Name ||
			r.Pattern != want.Pattern || r.Regex != want.Regex || r.Name == "" || r.Regex == "" {
			t.Errorf("%s: got %v, want %v", addr, r, want)
		}
	}
	for _, addr := range []string{"198.51.100.1:1", "192.0.2.8:1", "not an address"} {
		_, err := locate(addr)
		wantErr(t, err, errs.InfoLocationNotFound, 0)
	}

	// Without a GeoIP database nothing is placed.
	_, err := e.h.InfoLocation(e.ctx, &session{}, &pb.InfoLocation{})
	wantErr(t, err, errs.InfoLocationNotFound, 0)
}

func TestInfoPage(t *testing.T) {
	e := newEnv(t)
	e.write(func(tx *storage.Tx) error { return tx.PutInfoPage("terms", "Be nice.", 1) })
	r, err := e.h.InfoPage(e.ctx, &session{}, &pb.InfoPage{Id: "terms"})
	wantOK(t, err)
	if r.Body != "Be nice." {
		t.Fatalf("body %q", r.Body)
	}
	_, err = e.h.InfoPage(e.ctx, &session{}, &pb.InfoPage{Id: "privacy"})
	wantErr(t, err, errs.InfoPageBadPayload, errs.InfoPageBadPayloadInvalidId)

	// A storage failure is not the client's fault: a plain error, which
	// dispatch turns into 503.
	e.db.Close()
	_, err = e.h.InfoPage(e.ctx, &session{}, &pb.InfoPage{Id: "terms"})
	if _, ok := wire.As(err); err == nil || ok {
		t.Fatalf("closed database: %v, want a plain error", err)
	}
}
