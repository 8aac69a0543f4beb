// Package wire is the small hand-written runtime that generated code imports:
// frame encoding, the one protocol error type and the session view.
package wire

import (
	"errors"
	"fmt"
	"time"
)

// Major is an error number of the catalogue ("Error 203").
type Major uint32

// Minor is a row of an error's minor-code table; 0 where the table has only "*".
type Minor uint32

// Error is the protocol error: what an ErrorResponse carries. Generated code
// (generated/errs) adds the constants, named minors and constructors.
type Error struct {
	Major   Major
	Minor   Minor
	Wait    uint32 // seconds; only for errors flagged "wait parameter is required"
	Message string // human-readable, for logs and for ErrorResponse.message
}

// New returns an error with the given codes; message may be empty.
func New(major Major, minor Minor, message string) *Error {
	return &Error{Major: major, Minor: minor, Message: message}
}

// WithWait returns a copy of e carrying a wait of sec seconds.
func (e *Error) WithWait(sec uint32) *Error {
	c := *e
	c.Wait = sec
	return &c
}

// WaitSeconds turns a wait into the whole seconds an error carries,
// rounded up so a client that waits exactly that long is let through, and
// at least 1.
func WaitSeconds(d time.Duration) uint32 {
	s := (d + time.Second - 1) / time.Second
	return uint32(min(max(s, 1), time.Duration(^uint32(0))))
}

// WithMessage returns a copy of e with another human-readable message.
func (e *Error) WithMessage(format string, args ...any) *Error {
	c := *e
	c.Message = fmt.Sprintf(format, args...)
	return &c
}

func (e *Error) Error() string {
	s := fmt.Sprintf("error %d/%d", e.Major, e.Minor)
	if e.Wait > 0 {
		s += fmt.Sprintf(" (wait %ds)", e.Wait)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Is reports whether target is a *Error with the same major code and, when the
// target names a minor code, the same minor. errors.Is(err, &Error{Major: 203})
// matches every minor of 203.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok || e == nil || t == nil {
		return false
	}
	return e.Major == t.Major && (t.Minor == 0 || e.Minor == t.Minor)
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// IsCode reports whether err carries the given major and minor (minor 0 = any).
func IsCode(err error, major Major, minor Minor) bool {
	return errors.Is(err, &Error{Major: major, Minor: minor})
}
