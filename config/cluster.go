package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
)

// checkNode accepts a name that reads well in a log line and a metric
// label: 1 to 64 printable characters without spaces.
func checkNode(name string) error {
	if name == "" || len(name) > 64 {
		return errors.New("want 1 to 64 characters")
	}
	for _, r := range name {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return errors.New("want printable characters without spaces")
		}
	}
	return nil
}

// checkNATS accepts what nats.Connect does: URLs separated by commas, each
// nats://, tls://, ws:// or wss:// with a host (a bare host:port is
// nats://), all WebSocket or none. Empty is a single node. A server that is down is no error:
// gapd retries it.
func checkNATS(list string) error {
	if list == "" {
		return nil
	}
	ws := map[bool]bool{}
	for _, u := range strings.Split(list, ",") {
		u = strings.TrimSpace(u)
		if !strings.Contains(u, "://") {
			u = "nats://" + u
		}
		p, err := url.Parse(u)
		if err != nil {
			return fmt.Errorf("want nats://host:port URLs separated by commas")
		}
		switch p.Scheme {
		case "nats", "tls", "ws", "wss":
		default:
			return fmt.Errorf("scheme %q: want nats, tls, ws or wss", p.Scheme)
		}
		if p.Hostname() == "" {
			return fmt.Errorf("%q names no host", u)
		}
		ws[p.Scheme == "ws" || p.Scheme == "wss"] = true
	}
	if len(ws) > 1 {
		return errors.New("WebSocket (ws, wss) and plain (nats, tls) URLs cannot be mixed")
	}
	return nil
}
