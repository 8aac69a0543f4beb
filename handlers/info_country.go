package handlers

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// InfoCountry describes a country for the sign-up screen: calling code,
// name, how to display a national number and how to check one.
func (h *Handlers) InfoCountry(ctx context.Context, s wire.Session, req *pb.InfoCountry) (*pb.InfoCountryResponse, error) {
	c, ok := countryFacts(req.IsoCode)
	if !ok {
		// Validation already refuses codes the metadata does not know;
		// this guards direct callers.
		return nil, errs.NewInfoCountryBadPayload(errs.InfoCountryBadPayloadInvalidIsoCode)
	}
	return &pb.InfoCountryResponse{CallingCode: c.callingCode, Name: c.name, Pattern: c.pattern, Regex: c.regex}, nil
}

// country is what InfoCountry and InfoLocation tell about a country.
type country struct {
	callingCode uint32
	// name is the English name from CLDR (golang.org/x/text), so no list
	// of names is kept here.
	name string
	// pattern groups a national significant number (what UserRegister's
	// phone_number holds: no trunk prefix) as the international format
	// does, with X for each digit: "XXX XXX XXXX" for Iran.
	pattern string
	// regex is the metadata's pattern of every possible national number
	// of the country, anchored: a number it refuses cannot be valid.
	regex string
}

// countryFacts describes the region with ISO code iso (upper case), or
// reports that the phone number metadata does not know it.
func countryFacts(iso string) (country, bool) {
	md := regionMetadata()[iso]
	if md == nil {
		return country{}, false
	}
	c := country{callingCode: uint32(md.GetCountryCode()), name: iso, regex: "^(?:" + md.GetGeneralDesc().GetNationalNumberPattern() + ")$"}
	if r, err := language.ParseRegion(iso); err == nil {
		if n := display.English.Regions().Name(r); n != "" {
			c.name = n
		}
	}
	c.pattern = numberPattern(iso, c.callingCode)
	return c, true
}

// numberPattern is the display pattern of the region's example mobile
// number (sign-up is by mobile), or of its general example if it has none.
func numberPattern(iso string, cc uint32) string {
	ex := phonenumbers.GetExampleNumberForType(iso, phonenumbers.MOBILE)
	if ex == nil {
		ex = phonenumbers.GetExampleNumber(iso)
	}
	if ex == nil {
		return ""
	}
	// The international format is "+CC " and the national significant
	// number grouped; the national format would add trunk prefixes and
	// parentheses that the client does not type into phone_number.
	intl := phonenumbers.Format(ex, phonenumbers.INTERNATIONAL)
	national, ok := strings.CutPrefix(intl, "+"+strconv.FormatUint(uint64(cc), 10)+" ")
	if !ok {
		return ""
	}
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return 'X'
		}
		return r
	}, national)
}

// regionMetadata indexes the phone number metadata by ISO region code; the
// library does not export its own index.
var regionMetadata = sync.OnceValue(func() map[string]*phonenumbers.PhoneMetadata {
	m := map[string]*phonenumbers.PhoneMetadata{}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		panic("handlers: phone number metadata: " + err.Error()) // embedded data: a broken build
	}
	for _, md := range coll.GetMetadata() {
		if id := md.GetId(); len(id) == 2 { // skip "001", the non-geographic entities
			m[id] = md
		}
	}
	return m
})
