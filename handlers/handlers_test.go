package handlers

import (
	"reflect"
	"testing"
)

// Handlers embeds nothing (no dispatch.Unimplemented above all): every
// action of the spec must have a method of its own, or the package does not
// compile.
func TestHandlersEmbedNothing(t *testing.T) {
	typ := reflect.TypeOf(Handlers{})
	for i := range typ.NumField() {
		if f := typ.Field(i); f.Anonymous {
			t.Errorf("Handlers embeds %s: an action without behaviour would compile", f.Type)
		}
	}
}
