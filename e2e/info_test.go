package e2e

import (
	"context"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gapd/gapd/app"
	"github.com/gapd/gapd/config"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/geoip"
	"github.com/gapd/gapd/handlers"
	"github.com/gapd/gapd/storage"
	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// Every info action answers before login; the clients here never log in.

func TestInfoTime(t *testing.T) {
	e := start(t, nil)
	c, _ := e.client()
	r, err := c.InfoTime(ctx(t), &pb.InfoTime{})
	if err != nil {
		t.Fatal(err)
	}
	if int64(r.Timestamp) != e.clock.Now().Unix() {
		t.Fatalf("timestamp %d, want the server's clock %d", r.Timestamp, e.clock.Now().Unix())
	}
}

func TestInfoCountry(t *testing.T) {
	e := start(t, nil)
	c, _ := e.client()
	r, err := c.InfoCountry(ctx(t), &pb.InfoCountry{IsoCode: "IR"})
	if err != nil {
		t.Fatal(err)
	}
	if r.CallingCode != 98 || r.Name != "Iran" || r.Pattern != "XXX XXX XXXX" {
		t.Errorf("IR: %d %q %q", r.CallingCode, r.Name, r.Pattern)
	}
	// The regex accepts the national number that UserRegister takes.
	if re, err := regexp.Compile(r.Regex); err != nil || !re.MatchString("9121234567") || re.MatchString("912") {
		t.Errorf("IR regex %q: %v", r.Regex, err)
	}
	for _, iso := range []string{"", "ir", "IRN", "ZZ"} {
		_, err := c.InfoCountry(ctx(t), &pb.InfoCountry{IsoCode: iso})
		wantErr(t, err, errs.InfoCountryBadPayload, errs.InfoCountryBadPayloadInvalidIsoCode)
	}
}

func TestInfoPage(t *testing.T) {
	e := start(t, nil)
	body := "Conditions d’utilisation\n\n1. Soyez aimables."
	if err := e.app.DB.Write(ctx(t), func(tx *storage.Tx) error { return tx.PutInfoPage("terms", body, 1) }); err != nil {
		t.Fatal(err)
	}
	c, conn := e.client()
	r, err := c.InfoPage(ctx(t), &pb.InfoPage{Id: "terms"})
	if err != nil || r.Body != body {
		t.Fatalf("terms: %v %v", r, err)
	}
	for _, id := range []string{"privacy", "TERMS", "", strings.Repeat("p", 65)} {
		_, err := c.InfoPage(ctx(t), &pb.InfoPage{Id: id})
		wantErr(t, err, errs.InfoPageBadPayload, errs.InfoPageBadPayloadInvalidId)
	}

	// The database failing under the server (the client's node) is its
	// fault, not the client's.
	e.nodeOf(conn).DB.Close()
	_, err = c.InfoPage(ctx(t), &pb.InfoPage{Id: "terms"})
	wantErr(t, err, errs.InfoPageInternalServerError, 0)
}

func TestInfoLocation(t *testing.T) {
	db := infoGeoDB(t)

	// No database configured.
	e := start(t, nil)
	c, _ := e.client()
	_, err := c.InfoLocation(ctx(t), &pb.InfoLocation{})
	wantErr(t, err, errs.InfoLocationNotFound, 0)

	// -geoip set: a test client's address is loopback, which no database
	// can place, even this one that lists 127.0.0.0/8.
	e = start(t, func(cfg *config.Config, _ *handlers.Deps) { cfg.GeoIP = db })
	c, _ = e.client()
	_, err = c.InfoLocation(ctx(t), &pb.InfoLocation{})
	wantErr(t, err, errs.InfoLocationNotFound, 0)

	// The same database with the loopback address seen as a public one: the
	// whole path, real lookup included, from a client in Britain.
	g, err := geoip.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	e = start(t, func(_ *config.Config, d *handlers.Deps) {
		d.Geo = infoLoopbackAs{g: g, as: netip.MustParseAddr("81.2.69.160")}
	})
	c, _ = e.client()
	r, err := c.InfoLocation(ctx(t), &pb.InfoLocation{})
	if err != nil {
		t.Fatal(err)
	}
	country, err := c.InfoCountry(ctx(t), &pb.InfoCountry{IsoCode: "GB"})
	if err != nil {
		t.Fatal(err)
	}
	if r.IsoCode != "GB" || r.Name != "United Kingdom" || r.CallingCode != 44 ||
		r.CallingCode != country.CallingCode || r.Name != country.Name || r.Pattern != country.Pattern || r.Regex != country.Regex {
		t.Fatalf("location %v, want GB as InfoCountry describes it: %v", r, country)
	}
}

// A -geoip file that is not a database stops the start.
func TestInfoGeoIPBadFile(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.mmdb")
	if err := os.WriteFile(junk, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load([]string{"-addr", "127.0.0.1:0", "-ops-addr", "127.0.0.1:0", "-data", dir, "-geoip", junk}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Start(context.Background(), cfg, quietLog(), handlers.Deps{})
	if err == nil {
		a.Shutdown(context.Background())
		t.Fatal("gapd started with a broken -geoip file")
	}
	if !strings.Contains(err.Error(), "-geoip") {
		t.Errorf("error %q does not name -geoip", err)
	}
}

// infoLoopbackAs is a Geo that looks up a chosen public address in place of
// loopback ones (the only addresses a test client has).
type infoLoopbackAs struct {
	g  handlers.Geo
	as netip.Addr
}

func (l infoLoopbackAs) Country(ip netip.Addr) (string, error) {
	if ip.IsLoopback() {
		ip = l.as
	}
	return l.g.Country(ip)
}

// infoGeoDB writes a tiny MaxMind country database: 81.2.69.0/24 in Britain,
// and 127.0.0.0/8 in Iran to show that loopback is refused all the same.
func infoGeoDB(t *testing.T) string {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-Country", RecordSize: 24, IncludeReservedNetworks: true})
	if err != nil {
		t.Fatal(err)
	}
	for cidr, iso := range map[string]string{"81.2.69.0/24": "GB", "127.0.0.0/8": "IR"} {
		_, n, _ := net.ParseCIDR(cidr)
		if err := tree.Insert(n, mmdbtype.Map{"country": mmdbtype.Map{"iso_code": mmdbtype.String(iso)}}); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "country.mmdb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	return path
}
