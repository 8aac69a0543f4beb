package wire

import (
	"fmt"
	"strings"
	"time"
)

// Class is the rate class of an action: requests of one class share one
// budget. The spec states each action's class (`limit:`) and the generated
// route carries it (Route.Limit); package limits keeps the budgets.
type Class uint8

// The classes. Their Go names are "Class" + the spec's name in CamelCase,
// which is how the generator refers to them.
const (
	ClassNone      Class = iota // not limited: connection-level actions
	ClassRead                   // cheap reads
	ClassWrite                  // changes
	ClassExpensive              // contacts import, catch-up, history, uploads
	ClassVerify                 // guesses of a sign-in secret (codes, passwords)
	ClassSignup                 // requests that send a code to a phone
	numClasses
)

// classNames are the spec's names, the only place they are written.
var classNames = [numClasses]string{"", "read", "write", "expensive", "verify", "signup"}

func (c Class) String() string {
	if c < numClasses {
		if c == ClassNone {
			return "none"
		}
		return classNames[c]
	}
	return "unknown"
}

// ClassNamed is the class of a spec's `limit:` value (or a limits file's
// class key); ClassNone is never named.
func ClassNamed(name string) (Class, bool) {
	for i, n := range classNames {
		if n != "" && n == name {
			return Class(i), true
		}
	}
	return ClassNone, false
}

// Classes are the limited classes, in order.
func Classes() []Class {
	out := make([]Class, 0, numClasses-1)
	for c := ClassRead; c < numClasses; c++ {
		out = append(out, c)
	}
	return out
}

// ClassList is the classes' names for messages: "read, write, ...".
func ClassList() string { return strings.Join(classNames[1:], ", ") }

// Limiter is the dispatcher's budget check. Wait spends one request of
// class c for session s (its user once logged in, its address before) and
// returns 0, or how long until a request of that class is allowed.
type Limiter interface {
	Wait(s Session, c Class) time.Duration
}

// UnmarshalText reads a class by its spec name (a limits file's keys).
func (c *Class) UnmarshalText(b []byte) error {
	v, ok := ClassNamed(string(b))
	if !ok {
		return fmt.Errorf("unknown class %q (want %s)", b, ClassList())
	}
	*c = v
	return nil
}

// MarshalText writes the class's spec name.
func (c Class) MarshalText() ([]byte, error) { return []byte(c.String()), nil }
