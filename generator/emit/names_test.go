package emit_test

import (
	"testing"

	"github.com/gapd/gapd/generator/emit"
	"github.com/gapd/gapd/generator/ir"
	"github.com/gapd/gapd/generator/spec"
	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/pluginpb"
)

// TestGoNamesMatchProtogen makes sure the model names every message, field,
// enum and enum value exactly as protoc-gen-go does, since validators and
// dispatch refer to the pb types by those names.
func TestGoNamesMatchProtogen(t *testing.T) {
	raw, err := spec.Load("../../spec")
	if err != nil {
		t.Fatal(err)
	}
	model, err := ir.Build(raw)
	if err != nil {
		t.Fatal(err)
	}
	c := emit.Config{Module: "github.com/gapd/gapd"}
	fds := emit.Descriptors(model, c)
	req := &pluginpb.CodeGeneratorRequest{ProtoFile: fds, Parameter: proto.String("paths=source_relative")}
	for _, fd := range fds {
		req.FileToGenerate = append(req.FileToGenerate, fd.GetName())
	}
	plugin, err := protogen.Options{}.New(req)
	if err != nil {
		t.Fatal(err)
	}
	messages := map[string]*protogen.Message{}
	enums := map[string]*protogen.Enum{}
	var walk func(ms []*protogen.Message)
	walk = func(ms []*protogen.Message) {
		for _, m := range ms {
			messages[string(m.Desc.FullName())] = m
			for _, e := range m.Enums {
				enums[string(e.Desc.FullName())] = e
			}
			walk(m.Messages)
		}
	}
	for _, f := range plugin.Files {
		walk(f.Messages)
		for _, e := range f.Enums {
			enums[string(e.Desc.FullName())] = e
		}
	}
	checked := 0
	var visit func(m *ir.Message)
	visit = func(m *ir.Message) {
		pm := messages["proto."+m.FullName]
		if pm == nil {
			t.Fatalf("protogen has no message %s", m.FullName)
		}
		if pm.GoIdent.GoName != m.GoName {
			t.Errorf("message %s: model %s, protogen %s", m.FullName, m.GoName, pm.GoIdent.GoName)
		}
		for i, f := range m.Fields {
			if pm.Fields[i].GoName != f.GoName {
				t.Errorf("field %s.%s: model %s, protogen %s", m.FullName, f.Name, f.GoName, pm.Fields[i].GoName)
			}
			checked++
		}
		for _, e := range m.Enums {
			visitEnum(t, e, enums)
		}
		for _, n := range m.Messages {
			visit(n)
		}
	}
	for _, f := range model.Files {
		for _, m := range f.Messages {
			visit(m)
		}
		for _, e := range f.Enums {
			visitEnum(t, e, enums)
		}
	}
	if checked < 100 {
		t.Fatalf("only %d fields checked", checked)
	}
}

func visitEnum(t *testing.T, e *ir.Enum, enums map[string]*protogen.Enum) {
	pe := enums["proto."+e.FullName]
	if pe == nil {
		t.Fatalf("protogen has no enum %s", e.FullName)
	}
	if pe.GoIdent.GoName != e.GoName {
		t.Errorf("enum %s: model %s, protogen %s", e.FullName, e.GoName, pe.GoIdent.GoName)
	}
	for i, v := range e.Values {
		if pe.Values[i].GoIdent.GoName != v.GoName {
			t.Errorf("enum value %s.%s: model %s, protogen %s", e.FullName, v.Name, v.GoName, pe.Values[i].GoIdent.GoName)
		}
	}
}
