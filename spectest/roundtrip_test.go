package spectest

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/wire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// pbImport is the Go package the generated messages live in.
const pbImport = "github.com/gapd/gapd/generated/pb"

// ourMessageTypes returns every message type of package proto whose Go type
// comes from generated/pb, nested ones included.
func ourMessageTypes(t *testing.T) []protoreflect.MessageType {
	t.Helper()
	var out []protoreflect.MessageType
	var walk func(ms protoreflect.MessageDescriptors)
	walk = func(ms protoreflect.MessageDescriptors) {
		for i := 0; i < ms.Len(); i++ {
			md := ms.Get(i)
			mt, err := protoregistry.GlobalTypes.FindMessageByName(md.FullName())
			if err != nil {
				t.Errorf("%s has a descriptor but no Go type: %v", md.FullName(), err)
				continue
			}
			if reflect.TypeOf(mt.Zero().Interface()).Elem().PkgPath() == pbImport {
				out = append(out, mt)
			}
			walk(md.Messages())
		}
	}
	protoregistry.GlobalFiles.RangeFilesByPackage(pbPackage, func(fd protoreflect.FileDescriptor) bool {
		walk(fd.Messages())
		return true
	})
	if len(out) == 0 {
		t.Fatal("no generated message types are registered")
	}
	return out
}

// roundTripDepth bounds how deep populate descends; recursive types stop here.
const roundTripDepth = 4

// populate sets every field of m to a non-zero value (two entries for lists),
// descending into messages up to roundTripDepth.
func populate(m protoreflect.Message, depth int) {
	fields := m.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		d := fields.Get(i)
		if o := d.ContainingOneof(); o != nil && !o.IsSynthetic() && o.Fields().Get(0) != d {
			continue // one member of a oneof at a time
		}
		switch {
		case d.IsMap():
			mp := m.Mutable(d).Map()
			for j := 0; j < 2; j++ {
				k := nonZero(d.MapKey(), j).MapKey()
				if d.MapValue().Message() != nil {
					v := mp.NewValue()
					populate(v.Message(), depth+1)
					mp.Set(k, v)
				} else {
					mp.Set(k, nonZero(d.MapValue(), j))
				}
			}
		case d.Message() != nil && depth >= roundTripDepth:
			// Deep enough; leave it unset.
		case d.IsList():
			list := m.Mutable(d).List()
			for j := 0; j < 2; j++ {
				if d.Message() != nil {
					el := list.NewElement()
					populate(el.Message(), depth+1)
					list.Append(el)
				} else {
					list.Append(nonZero(d, j))
				}
			}
		case d.Message() != nil:
			populate(m.Mutable(d).Message(), depth+1)
		default:
			m.Set(d, nonZero(d, 0))
		}
	}
}

// nonZero is a non-zero value of d's kind that exercises its encoding:
// negative numbers for signed kinds, values past 32 bits for 64-bit ones,
// non-ASCII text. j varies it between list entries.
func nonZero(d protoreflect.FieldDescriptor, j int) protoreflect.Value {
	n := int64(d.Number())*7 + int64(j) + 1
	switch d.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(true)
	case protoreflect.EnumKind:
		vals := d.Enum().Values()
		return protoreflect.ValueOfEnum(vals.Get((vals.Len() - 1 - j + vals.Len()) % vals.Len()).Number())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(int32(-100000 - n))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(-(1 << 40) - n)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(uint32(3_000_000_000 + n))
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(uint64(1<<40 + n))
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(float32(n) + 0.5)
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(-float64(n) - 0.25)
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(fmt.Sprintf("%s-%d-é✓", d.Name(), j))
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes([]byte{0, byte(n), 0xff, byte(j)})
	}
	panic(fmt.Sprintf("%s: kind %s", d.FullName(), d.Kind()))
}

// unsetFields names the fields of m (recursively, as far as populate went)
// that hold nothing, so a populate that missed something is noticed.
func unsetFields(m protoreflect.Message, depth int) []string {
	var out []string
	fields := m.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		d := fields.Get(i)
		if o := d.ContainingOneof(); o != nil && !o.IsSynthetic() && o.Fields().Get(0) != d {
			continue
		}
		if d.Message() != nil && depth >= roundTripDepth {
			continue
		}
		if !m.Has(d) {
			if d.Enum() != nil && d.Enum().Values().Len() == 1 && !d.IsList() {
				continue // an enum with only its zero value cannot be non-zero
			}
			out = append(out, string(d.FullName()))
			continue
		}
		if d.Message() != nil && !d.IsMap() {
			if d.IsList() {
				out = append(out, unsetFields(m.Get(d).List().Get(0).Message(), depth+1)...)
			} else {
				out = append(out, unsetFields(m.Get(d).Message(), depth+1)...)
			}
		}
	}
	return out
}

// TestRoundTrip fills every generated message, marshals it, reads it back
// and expects the same message, on its own and inside a wire frame.
func TestRoundTrip(t *testing.T) {
	s := loadModel(t)
	model := messageIndex(s)
	types := ourMessageTypes(t)
	framed := 0
	for _, mt := range types {
		full := mt.Descriptor().FullName()
		t.Run(string(full), func(t *testing.T) {
			msg := mt.New()
			populate(msg, 0)
			if missing := unsetFields(msg, 0); len(missing) > 0 {
				t.Errorf("populate left fields unset: %v", missing)
			}
			orig := msg.Interface()
			payload, err := proto.MarshalOptions{Deterministic: true}.Marshal(orig)
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			back := mt.New().Interface()
			if err := proto.Unmarshal(payload, back); err != nil {
				t.Fatalf("unmarshal: %v", err)
			}
			if !proto.Equal(orig, back) {
				t.Fatalf("round trip changed the message:\nsent %v\ngot  %v", orig, back)
			}
			again, err := proto.MarshalOptions{Deterministic: true}.Marshal(back)
			if err != nil || !bytes.Equal(again, payload) {
				t.Errorf("re-marshalling gave other bytes (err %v)", err)
			}

			im := model[full]
			if im == nil {
				t.Fatalf("%s is not a message of the spec model", full)
			}
			if im.WireID < 0 {
				return
			}
			framed++
			id := uint16(im.WireID)
			checkRouteType(t, id, full)
			prefix := []byte{0xAA}
			frame := wire.AppendFrame(prefix, id, payload)
			if !bytes.Equal(frame[:1], prefix) {
				t.Fatalf("AppendFrame overwrote what dst held")
			}
			gotID, gotPayload, err := wire.DecodeFrame(frame[1:])
			if err != nil {
				t.Fatalf("DecodeFrame: %v", err)
			}
			if gotID != id || !bytes.Equal(gotPayload, payload) {
				t.Fatalf("frame round trip: got action %d and %d payload bytes, want %d and %d", gotID, len(gotPayload), id, len(payload))
			}
			decoded := mt.New().Interface()
			if err := proto.Unmarshal(gotPayload, decoded); err != nil || !proto.Equal(decoded, orig) {
				t.Fatalf("the framed payload did not decode to the message (err %v)", err)
			}
			// Field 1 of every request and response carries the id PeekID reads.
			if f1 := mt.Descriptor().Fields().ByNumber(1); f1 != nil && f1.Message() != nil {
				want := msg.Get(f1).Message().Get(f1.Message().Fields().ByNumber(1)).String()
				if got, ok := wire.PeekID(gotPayload); !ok || got != want {
					t.Errorf("PeekID = %q, %v; want %q", got, ok, want)
				}
			}
		})
	}
	t.Logf("%d message types round-tripped, %d of them in a frame", len(types), framed)
}

// checkRouteType makes sure a request or response id of the routes decodes
// into the message the model says travels under it.
func checkRouteType(t *testing.T, id uint16, full protoreflect.FullName) {
	t.Helper()
	var r *wire.Route
	var got protoreflect.FullName
	if id >= wire.ResponseOffset {
		if r = dispatch.Lookup(id - wire.ResponseOffset); r != nil && r.ResponseID == id {
			got = r.NewResponse().ProtoReflect().Descriptor().FullName()
		}
	} else if r = dispatch.Lookup(id); r != nil {
		got = r.NewRequest().ProtoReflect().Descriptor().FullName()
	}
	if got != "" && got != full {
		t.Errorf("action %d carries %s in the spec, %s in the routes", id, full, got)
	}
}
