package config

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/gapd/gapd/handlers"
)

// ParseICEServers reads -ice-servers: entries separated by commas or spaces,
// each a stun:, stuns:, turn: or turns: URL, optionally followed by
// ";username=NAME;credential=SECRET" (a TURN server's long-term credential).
// Empty means none.
//
//	stun:stun.example.org:3478,turn:turn.example.org:3478?transport=udp;username=gapd;credential=s3cret
func ParseICEServers(s string) ([]handlers.ICEServer, error) {
	var out []handlers.ICEServer
	for _, entry := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		parts := strings.Split(entry, ";")
		ice := handlers.ICEServer{URL: parts[0]}
		u, err := url.Parse(ice.URL)
		if err != nil || u.Opaque == "" {
			return nil, fmt.Errorf("%q: want a stun:, stuns:, turn: or turns: URL such as stun:host:3478", entry)
		}
		switch u.Scheme {
		case "stun", "stuns", "turn", "turns":
		default:
			return nil, fmt.Errorf("%q: scheme %q: want stun, stuns, turn or turns", entry, u.Scheme)
		}
		for _, p := range parts[1:] {
			k, v, ok := strings.Cut(p, "=")
			switch {
			case ok && k == "username" && v != "":
				ice.Username = v
			case ok && k == "credential" && v != "":
				ice.Credential = v
			default:
				return nil, fmt.Errorf("%q: %q: want ;username=NAME or ;credential=SECRET", entry, p)
			}
		}
		if (ice.Username == "") != (ice.Credential == "") {
			return nil, fmt.Errorf("%q: username and credential go together", entry)
		}
		out = append(out, ice)
	}
	return out, nil
}
