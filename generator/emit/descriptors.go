package emit

import (
	"github.com/gapd/gapd/generator/ir"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
)

// ProtoPackage is the package name on the wire (type names are proto.Name).
const ProtoPackage = "proto"

// Descriptors builds one FileDescriptorProto per spec file, dependencies
// first. Both the Go code and the .proto text are made from them.
func Descriptors(s *ir.Spec, c Config) []*descriptorpb.FileDescriptorProto {
	var out []*descriptorpb.FileDescriptorProto
	done := map[*ir.File]bool{}
	var visit func(f *ir.File)
	visit = func(f *ir.File) {
		if done[f] {
			return
		}
		done[f] = true
		for _, d := range f.Deps {
			visit(d)
		}
		out = append(out, fileDescriptor(f, c))
	}
	for _, f := range s.Files {
		visit(f)
	}
	return out
}

// ProtoFileName is a spec file's .proto name.
func ProtoFileName(f *ir.File) string { return f.Name + ".proto" }

func fileDescriptor(f *ir.File, c Config) *descriptorpb.FileDescriptorProto {
	fd := &descriptorpb.FileDescriptorProto{
		Name:    proto.String(ProtoFileName(f)),
		Package: proto.String(ProtoPackage),
		Syntax:  proto.String("proto3"),
		Options: &descriptorpb.FileOptions{GoPackage: proto.String(c.Import("pb") + ";pb")},
	}
	for _, d := range f.Deps {
		fd.Dependency = append(fd.Dependency, ProtoFileName(d))
	}
	for _, m := range f.Messages {
		fd.MessageType = append(fd.MessageType, messageDescriptor(m))
	}
	for _, e := range f.Enums {
		fd.EnumType = append(fd.EnumType, enumDescriptor(e))
	}
	return fd
}

func messageDescriptor(m *ir.Message) *descriptorpb.DescriptorProto {
	d := &descriptorpb.DescriptorProto{Name: proto.String(m.Name)}
	for _, f := range m.Fields {
		fd := &descriptorpb.FieldDescriptorProto{
			Name:     proto.String(f.Name),
			Number:   proto.Int32(f.Number),
			Label:    descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(),
			JsonName: proto.String(jsonName(f.Name)),
		}
		if f.Repeated {
			fd.Label = descriptorpb.FieldDescriptorProto_LABEL_REPEATED.Enum()
		}
		switch f.Kind {
		case ir.KindEnum:
			fd.Type = descriptorpb.FieldDescriptorProto_TYPE_ENUM.Enum()
			fd.TypeName = proto.String("." + ProtoPackage + "." + f.Enum.FullName)
		case ir.KindMessage:
			fd.Type = descriptorpb.FieldDescriptorProto_TYPE_MESSAGE.Enum()
			fd.TypeName = proto.String("." + ProtoPackage + "." + f.Message.FullName)
		default:
			fd.Type = scalarTypes[f.Scalar].Enum()
		}
		d.Field = append(d.Field, fd)
	}
	for _, n := range m.Messages {
		d.NestedType = append(d.NestedType, messageDescriptor(n))
	}
	for _, e := range m.Enums {
		d.EnumType = append(d.EnumType, enumDescriptor(e))
	}
	return d
}

func enumDescriptor(e *ir.Enum) *descriptorpb.EnumDescriptorProto {
	d := &descriptorpb.EnumDescriptorProto{Name: proto.String(e.Name)}
	for _, v := range e.Values {
		d.Value = append(d.Value, &descriptorpb.EnumValueDescriptorProto{
			Name: proto.String(v.Name), Number: proto.Int32(v.Number),
		})
	}
	return d
}

// jsonName is protoc's lowerCamelCase JSON name of a field.
func jsonName(s string) string {
	var b []byte
	up := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' {
			up = true
			continue
		}
		if up && c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		up = false
		b = append(b, c)
	}
	return string(b)
}

var scalarTypes = map[string]descriptorpb.FieldDescriptorProto_Type{
	"double":   descriptorpb.FieldDescriptorProto_TYPE_DOUBLE,
	"float":    descriptorpb.FieldDescriptorProto_TYPE_FLOAT,
	"int64":    descriptorpb.FieldDescriptorProto_TYPE_INT64,
	"uint64":   descriptorpb.FieldDescriptorProto_TYPE_UINT64,
	"int32":    descriptorpb.FieldDescriptorProto_TYPE_INT32,
	"fixed64":  descriptorpb.FieldDescriptorProto_TYPE_FIXED64,
	"fixed32":  descriptorpb.FieldDescriptorProto_TYPE_FIXED32,
	"bool":     descriptorpb.FieldDescriptorProto_TYPE_BOOL,
	"string":   descriptorpb.FieldDescriptorProto_TYPE_STRING,
	"bytes":    descriptorpb.FieldDescriptorProto_TYPE_BYTES,
	"uint32":   descriptorpb.FieldDescriptorProto_TYPE_UINT32,
	"sfixed32": descriptorpb.FieldDescriptorProto_TYPE_SFIXED32,
	"sfixed64": descriptorpb.FieldDescriptorProto_TYPE_SFIXED64,
	"sint32":   descriptorpb.FieldDescriptorProto_TYPE_SINT32,
	"sint64":   descriptorpb.FieldDescriptorProto_TYPE_SINT64,
}
