// Package geoip places client addresses in countries from a MaxMind
// database (-geoip), for InfoLocation and the session list.
package geoip

import (
	"errors"
	"fmt"
	"net/netip"
	"os"

	"github.com/oschwald/geoip2-golang/v2"
)

// ErrNotPlaced is the answer for an address it has no country for.
var ErrNotPlaced = errors.New("geoip: no country for this address")

// Reader places addresses in countries from a MaxMind database file (GeoLite2 or GeoIP2,
// Country or City, or a compatible one such as DB-IP's).
type Reader struct {
	r *geoip2.Reader
}

// Open loads the database at path into memory (a country database is
// a few megabytes; nothing is left to close) and checks that it can answer
// country lookups.
func Open(path string) (*Reader, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("geoip: %w", err)
	}
	r, err := geoip2.OpenBytes(b)
	if err != nil {
		return nil, fmt.Errorf("geoip: %s: %w", path, err)
	}
	if _, err := r.Country(netip.IPv4Unspecified()); err != nil {
		return nil, fmt.Errorf("geoip: %s: %w", path, err)
	}
	return &Reader{r: r}, nil
}

// Country returns the ISO code of the country the database places ip in,
// falling back to the country where its network is registered. Loopback,
// private, link-local and other non-public addresses are never looked up:
// whatever a database says of them, they tell nothing of where a client is.
func (g *Reader) Country(ip netip.Addr) (string, error) {
	if !ip.IsGlobalUnicast() || ip.IsPrivate() {
		return "", fmt.Errorf("%w: %s is not a public address", ErrNotPlaced, ip)
	}
	rec, err := g.r.Country(ip)
	if err != nil {
		return "", fmt.Errorf("geoip: %s: %w", ip, err)
	}
	if iso := rec.Country.ISOCode; iso != "" {
		return iso, nil
	}
	if iso := rec.RegisteredCountry.ISOCode; iso != "" {
		return iso, nil
	}
	return "", fmt.Errorf("%w: %s", ErrNotPlaced, ip)
}
