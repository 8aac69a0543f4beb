package wire

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorIsMatchesMajorAndMinor(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", New(203, 32, "too long"))
	if !errors.Is(err, &Error{Major: 203}) {
		t.Error("a target without minor must match every minor of the major")
	}
	if !errors.Is(err, &Error{Major: 203, Minor: 32}) {
		t.Error("same major and minor must match")
	}
	if errors.Is(err, &Error{Major: 203, Minor: 2}) {
		t.Error("another minor must not match")
	}
	if errors.Is(err, &Error{Major: 204}) {
		t.Error("another major must not match")
	}
	if !IsCode(err, 203, 32) || IsCode(err, 1, 0) {
		t.Error("IsCode disagrees with errors.Is")
	}
}

func TestErrorAsAndCopies(t *testing.T) {
	base := New(108, 0, "locked")
	e, ok := As(fmt.Errorf("x: %w", base.WithWait(30)))
	if !ok || e.Major != 108 || e.Wait != 30 {
		t.Fatalf("As = %v, %v", e, ok)
	}
	if base.Wait != 0 {
		t.Error("WithWait must not modify the original")
	}
	if m := base.WithMessage("n=%d", 3); m.Message != "n=3" || base.Message != "locked" {
		t.Errorf("WithMessage: %q / %q", m.Message, base.Message)
	}
	if _, ok := As(errors.New("plain")); ok {
		t.Error("As found an *Error in a plain error")
	}
	if s := New(136, 0, "").WithWait(5).Error(); s != "error 136/0 (wait 5s)" {
		t.Errorf("Error() = %q", s)
	}
}
