package server

import (
	"bufio"
	"net/http"
	"strings"
)

// upgrade turns a GET on / or /hybrid/ into a WebSocket connection. The
// server takes the connection over itself rather than through gws's
// Upgrade, so that gws reads it through an unmasker (unmask.go): real iGap
// clients send unmasked frames once secured.
func (s *Server) upgrade(w http.ResponseWriter, r *http.Request) {
	if s.isClosing() {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		w.Header().Set("Upgrade", "websocket")
		http.Error(w, "gapd speaks the iGap v1 protocol over WebSocket (binary frames) here", http.StatusUpgradeRequired)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "connection cannot be upgraded", http.StatusInternalServerError)
		return
	}
	if limit := s.admit(r.RemoteAddr); limit != "" {
		s.refuse(w, r, limit)
		return
	}
	// From here the place is given back in OnClose, or below on failure.
	nc, rw, err := hj.Hijack()
	if err != nil {
		s.release(r.RemoteAddr)
		s.log.Debug("websocket hijack failed", "remote", r.RemoteAddr, "err", err)
		return
	}
	// Bytes the HTTP server read past the request are the first of the
	// WebSocket stream; its own buffer is dropped after this.
	var pending []byte
	if n := rw.Reader.Buffered(); n > 0 {
		pending, _ = rw.Reader.Peek(n)
	}
	// gws's reader needs no room of its own: the unmasker batches the
	// socket reads, and payloads larger than gwsReadBuffer go past it.
	um := newUnmasker(nc, readBuffer, pending)
	br := bufio.NewReaderSize(um, gwsReadBuffer)
	ws, err := s.up.UpgradeFromConn(nc, br, r)
	if err != nil {
		s.release(r.RemoteAddr)
		s.log.Debug("websocket upgrade failed", "remote", r.RemoteAddr, "err", err)
		return
	}
	c := newConn(s, ws, r.RemoteAddr)
	um.c = c
	ws.Session().Store(sessionKey, c)
	// The read loop runs apart from the HTTP handler, which returns: the
	// connection is hijacked and http.Server no longer tracks it.
	go ws.ReadLoop()
}

// gwsReadBuffer is the size of gws's own reader over the unmasker, the
// least bufio allows.
const gwsReadBuffer = 16
