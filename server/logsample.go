package server

import (
	"strings"
	"sync"
	"time"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/wire"
)

// Errors a client caused (a bad frame, a failed validation, a refusal) are
// what a broken or hostile client sends by the thousand; a log line each
// would let it fill the disk. They are counted in gapd_errors_total always,
// logged at debug level, and at info at most once per sampleEvery for each
// action and code, with how many were not logged since. Server faults (an
// internal error, a timeout) are logged at error level, each one.

// sampleEvery is how often one kind of client error reaches the info log.
const sampleEvery = time.Second

type sampleKey struct {
	action string
	code   wire.Major
}

type sampleState struct {
	last    time.Duration // monoNow of the last info line
	skipped int           // errors since, not logged at info
}

// logSampler decides which client errors reach the info log. Its map holds
// one entry per action and code seen: a bounded set (actions come from the
// table, or are one of the labels for frames naming none).
type logSampler struct {
	mu    sync.Mutex
	kinds map[sampleKey]*sampleState
}

// take reports whether an error of action and code goes to the info log now,
// and how many of its kind did not since the last that did.
func (l *logSampler) take(action string, code wire.Major) (ok bool, skipped int) {
	now := monoNow()
	k := sampleKey{action, code}
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.kinds[k]
	if st == nil {
		if l.kinds == nil {
			l.kinds = map[sampleKey]*sampleState{}
		}
		st = &sampleState{}
		l.kinds[k] = st
	} else if now-st.last < sampleEvery {
		st.skipped++
		return false, 0
	}
	skipped, st.skipped, st.last = st.skipped, 0, now
	return true, skipped
}

// serverFault reports whether e is the server's failure rather than the
// client's: an internal server error or a timeout.
func serverFault(e *wire.Error) bool {
	if e.Major == errs.Timeout {
		return true
	}
	info, ok := errs.Lookup(e.Major)
	return ok && strings.HasSuffix(info.Name, "INTERNAL_SERVER_ERROR")
}

// logError logs one error answered (or, virtual, only counted) for action.
func (s *Server) logError(action, id string, userID uint64, e *wire.Error, virtual bool) {
	attrs := []any{"action", action, "request_id", id, "user_id", userID,
		"code", uint32(e.Major), "minor", uint32(e.Minor), "msg", e.Message, "virtual", virtual}
	if serverFault(e) {
		s.log.Error("error response", attrs...)
		return
	}
	if ok, skipped := s.sampled.take(action, e.Major); ok {
		s.log.Info("client error (sampled)", append(attrs, "not_logged_since", skipped)...)
		return
	}
	s.log.Debug("client error", attrs...)
}
