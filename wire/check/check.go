// Package check holds the named formats that the spec's rules use
// (`format: email` and so on). Generated validators call these; each returns
// true when the value is acceptable. Empty values never reach them: a rule
// demands a value with `required`.
package check

import (
	"net/mail"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// ISOCountry reports whether s is an ISO 3166-1 alpha-2 code that the phone
// number metadata knows (upper case, as clients send it).
func ISOCountry(s string) bool {
	if len(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		return false
	}
	return phonenumbers.GetCountryCodeForRegion(s) != 0
}

// PhoneNational reports whether national is a valid phone number of the
// country with ISO code region.
func PhoneNational(national uint64, region string) bool {
	if !ISOCountry(region) {
		return false
	}
	cc := phonenumbers.GetCountryCodeForRegion(region)
	n := &phonenumbers.PhoneNumber{}
	n.CountryCode = &[]int32{int32(cc)}[0]
	n.NationalNumber = &national
	return phonenumbers.IsValidNumberForRegion(n, region)
}

// Phone reports whether s looks like a phone number as an address book holds
// it: an optional leading +, then digits with common separators, 4 to 17
// digits. Whether it is a real number of some region is behaviour's call.
func Phone(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return false
		}
	}
	return digits >= 4 && digits <= 17
}

// Email reports whether s is a single bare address (no display name).
func Email(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s && strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".")
}

// Username reports whether s is letters, digits and underscores, starting
// with a letter, 3 to 32 characters.
func Username(s string) bool {
	if len(s) < 3 || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if i == 0 && !letter {
			return false
		}
		if !letter && !(c >= '0' && c <= '9') && c != '_' {
			return false
		}
	}
	return true
}

// SHA256 reports whether b has the length of a SHA-256 digest.
func SHA256(b []byte) bool { return len(b) == 32 }

// Token reports whether s is printable ASCII without spaces.
func Token(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}
