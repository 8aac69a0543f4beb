package geoip

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// writeGeoDB writes a tiny MaxMind database of the given type in which each
// network has a record under key (country or registered_country).
func writeGeoDB(t *testing.T, dbType string, nets map[string][2]string) string {
	t.Helper()
	// Reserved networks are allowed in, to show GeoIP refuses them itself.
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: dbType, RecordSize: 24, IncludeReservedNetworks: true})
	if err != nil {
		t.Fatal(err)
	}
	for cidr, rec := range nets {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			t.Fatal(err)
		}
		v := mmdbtype.Map{mmdbtype.String(rec[0]): mmdbtype.Map{"iso_code": mmdbtype.String(rec[1])}}
		if err := tree.Insert(n, v); err != nil {
			t.Fatalf("insert %s: %v", cidr, err)
		}
	}
	path := filepath.Join(t.TempDir(), "geo.mmdb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestGeoIP(t *testing.T) {
	path := writeGeoDB(t, "GeoLite2-Country", map[string][2]string{
		"81.2.69.0/24":   {"country", "GB"},
		"2a02:c7f::/32":  {"country", "GB"},
		"2.16.0.0/16":    {"registered_country", "FR"}, // no country: the registration is the best guess
		"10.0.0.0/8":     {"country", "IR"},
		"127.0.0.0/8":    {"country", "IR"},
		"169.254.0.0/16": {"country", "IR"},
	})
	g, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[string]string{"81.2.69.160": "GB", "2a02:c7f:1::1": "GB", "2.16.3.4": "FR"} {
		if iso, err := g.Country(netip.MustParseAddr(addr)); err != nil || iso != want {
			t.Errorf("%s: %q %v, want %s", addr, iso, err, want)
		}
	}
	// Not in the database, or not public whatever the database says.
	for _, addr := range []string{"8.8.8.8", "10.1.2.3", "127.0.0.1", "169.254.1.1", "::1", "fd00::1", "0.0.0.0"} {
		if iso, err := g.Country(netip.MustParseAddr(addr)); !errors.Is(err, ErrNotPlaced) {
			t.Errorf("%s: %q %v, want ErrNotPlaced", addr, iso, err)
		}
	}
}

func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.mmdb")
	if err := os.WriteFile(junk, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	asn := writeGeoDB(t, "GeoLite2-ASN", nil) // answers ASN lookups, not countries
	for _, path := range []string{filepath.Join(dir, "missing.mmdb"), junk, asn} {
		if _, err := Open(path); err == nil {
			t.Errorf("%s: opened", path)
		}
	}
}
