package handlers

import (
	"context"
	"net/netip"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
)

// Geo places an address in a country. An error means it cannot: the
// address is not a public one, or its database does not know it. geoip.Reader,
// the MaxMind implementation that -geoip configures, is the production one.
type Geo interface {
	Country(ip netip.Addr) (iso string, err error)
}

// InfoLocation guesses the caller's country from its address, so the
// sign-up screen can preselect it. Any failure is the one error 500: the
// client then asks the user, and nothing else would help it.
func (h *Handlers) InfoLocation(ctx context.Context, s wire.Session, req *pb.InfoLocation) (*pb.InfoLocationResponse, error) {
	if h.geo == nil {
		return nil, errs.NewInfoLocationNotFound()
	}
	ap, err := netip.ParseAddrPort(s.RemoteAddr())
	if err != nil {
		h.log.WarnContext(ctx, "info location: unreadable remote address", "remote", s.RemoteAddr(), "err", err)
		return nil, errs.NewInfoLocationNotFound()
	}
	iso, err := h.geo.Country(ap.Addr().Unmap().WithZone(""))
	if err != nil {
		h.log.DebugContext(ctx, "info location: address not placed", "remote", s.RemoteAddr(), "err", err)
		return nil, errs.NewInfoLocationNotFound()
	}
	c, ok := countryFacts(iso)
	if !ok { // a territory without phone numbers of its own (Antarctica)
		return nil, errs.NewInfoLocationNotFound()
	}
	return &pb.InfoLocationResponse{IsoCode: iso, CallingCode: c.callingCode, Name: c.name, Pattern: c.pattern, Regex: c.regex}, nil
}
