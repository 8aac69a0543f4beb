package emit

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/gapd/gapd/generator/ir"
	"google.golang.org/protobuf/types/descriptorpb"
)

// Proto emits generated/proto/*.proto. The text is printed from Descriptors(),
// the same descriptors the Go types are made from, so a client compiling
// these files gets exactly the server's messages; the model only adds the
// comments.
func Proto(s *ir.Spec, c Config) (Files, error) {
	fds := Descriptors(s, c)
	pp := &protoPrinter{
		files: map[string]*ir.File{},
		msgs:  map[string]*ir.Message{},
		enums: map[string]*ir.Enum{},
		types: map[string]bool{},
	}
	for _, f := range s.Files {
		pp.files[ProtoFileName(f)] = f
		for _, m := range f.Messages {
			pp.indexMessage(m)
		}
		for _, e := range f.Enums {
			pp.enums[e.FullName] = e
		}
	}
	for _, fd := range fds {
		for _, m := range fd.MessageType {
			pp.indexTypes(ProtoPackage, m)
		}
		for _, e := range fd.EnumType {
			pp.types[ProtoPackage+"."+e.GetName()] = false
		}
	}
	out := Files{}
	for _, fd := range fds {
		b, err := pp.file(fd)
		if err != nil {
			return nil, fmt.Errorf("proto/%s: %w", fd.GetName(), err)
		}
		out["proto/"+fd.GetName()] = b
	}
	return out, nil
}

// protoPrinter holds the model's messages and enums by full name, to find a
// descriptor's docs, and every type name of the package, to shorten type
// references safely.
type protoPrinter struct {
	files map[string]*ir.File
	msgs  map[string]*ir.Message
	enums map[string]*ir.Enum
	types map[string]bool // "proto.Room" -> true for messages, false for enums
	buf   bytes.Buffer
}

func (pp *protoPrinter) indexMessage(m *ir.Message) {
	pp.msgs[m.FullName] = m
	for _, n := range m.Messages {
		pp.indexMessage(n)
	}
	for _, e := range m.Enums {
		pp.enums[e.FullName] = e
	}
}

func (pp *protoPrinter) indexTypes(scope string, d *descriptorpb.DescriptorProto) {
	full := scope + "." + d.GetName()
	pp.types[full] = true
	for _, n := range d.NestedType {
		pp.indexTypes(full, n)
	}
	for _, e := range d.EnumType {
		pp.types[full+"."+e.GetName()] = false
	}
}

func (pp *protoPrinter) p(indent int, format string, args ...any) {
	pp.buf.WriteString(strings.Repeat("  ", indent))
	fmt.Fprintf(&pp.buf, format, args...)
	pp.buf.WriteByte('\n')
}

// comment writes text as // lines, one per line of text.
func (pp *protoPrinter) comment(indent int, text string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimRight(l, " \t"); l == "" {
			pp.p(indent, "//")
		} else {
			pp.p(indent, "// %s", l)
		}
	}
}

func (pp *protoPrinter) file(fd *descriptorpb.FileDescriptorProto) ([]byte, error) {
	pp.buf.Reset()
	f := pp.files[fd.GetName()]
	if f == nil {
		return nil, fmt.Errorf("no spec file for the descriptor")
	}
	pp.p(0, "// %s", Header)
	pp.p(0, "// Source: %s", f.Source)
	pp.p(0, "")
	pp.p(0, "syntax = %s;", strconv.Quote(fd.GetSyntax()))
	pp.p(0, "")
	pp.p(0, "package %s;", fd.GetPackage())
	pp.p(0, "")
	pp.p(0, "option go_package = %s;", strconv.Quote(fd.GetOptions().GetGoPackage()))
	if len(fd.Dependency) > 0 {
		pp.p(0, "")
		for _, d := range fd.Dependency {
			pp.p(0, "import %s;", strconv.Quote(d))
		}
	}
	for _, m := range fd.MessageType {
		pp.p(0, "")
		if err := pp.message(0, fd.GetPackage(), m); err != nil {
			return nil, err
		}
	}
	for _, e := range fd.EnumType {
		pp.p(0, "")
		if err := pp.enum(0, fd.GetPackage(), e); err != nil {
			return nil, err
		}
	}
	return bytes.Clone(pp.buf.Bytes()), nil
}

func (pp *protoPrinter) message(indent int, scope string, d *descriptorpb.DescriptorProto) error {
	full := scope + "." + d.GetName()
	m := pp.msgs[strings.TrimPrefix(full, ProtoPackage+".")]
	if m == nil {
		return fmt.Errorf("message %s is not in the model", full)
	}
	pp.comment(indent, m.Doc)
	pp.comment(indent, roleComment(m))
	pp.p(indent, "message %s {", d.GetName())
	for _, fd := range d.Field {
		var f *ir.Field
		for _, x := range m.Fields {
			if x.Number == fd.GetNumber() {
				f = x
			}
		}
		if f == nil {
			return fmt.Errorf("field %s.%s is not in the model", full, fd.GetName())
		}
		pp.comment(indent+1, f.Doc)
		for _, r := range f.Rules {
			pp.comment(indent+1, fmt.Sprintf("Rule (minor %d): %s.", r.Minor.Code, ruleText(r)))
		}
		lbl := ""
		if fd.GetLabel() == descriptorpb.FieldDescriptorProto_LABEL_REPEATED {
			lbl = "repeated "
		}
		pp.p(indent+1, "%s%s %s = %d;", lbl, pp.typeName(full, fd), fd.GetName(), fd.GetNumber())
	}
	for _, n := range d.NestedType {
		pp.p(0, "")
		if err := pp.message(indent+1, full, n); err != nil {
			return err
		}
	}
	for _, e := range d.EnumType {
		pp.p(0, "")
		if err := pp.enum(indent+1, full, e); err != nil {
			return err
		}
	}
	pp.p(indent, "}")
	return nil
}

// roleComment says what a top-level message is on the wire: the frame action
// ids of requests and responses, and the checks a request must pass.
func roleComment(m *ir.Message) string {
	a := m.Action
	switch m.Role {
	case ir.RoleRequest:
		var b strings.Builder
		fmt.Fprintf(&b, "Action %d; answered by %s (%d).", a.ID, a.Response.Name, a.ResponseID)
		if a.Transport {
			b.WriteString(" Handled by the transport, not a handler.")
		}
		if a.Login {
			b.WriteString(" Needs login.")
		}
		for _, r := range a.Checks {
			fmt.Fprintf(&b, "\nCheck (minor %d): %s.", r.Minor.Code, ruleText(r))
		}
		return b.String()
	case ir.RoleResponse:
		s := fmt.Sprintf("Action %d; the response to %s (%d).", a.ResponseID, a.Name, a.ID)
		if a.Push {
			s += " Also pushed to other sessions without a request."
		}
		return s
	case ir.RoleServer:
		return fmt.Sprintf("Action %d; sent by the server without a request.", m.WireID)
	}
	return ""
}

func (pp *protoPrinter) enum(indent int, scope string, d *descriptorpb.EnumDescriptorProto) error {
	full := scope + "." + d.GetName()
	e := pp.enums[strings.TrimPrefix(full, ProtoPackage+".")]
	if e == nil {
		return fmt.Errorf("enum %s is not in the model", full)
	}
	pp.comment(indent, e.Doc)
	pp.p(indent, "enum %s {", d.GetName())
	for _, v := range d.Value {
		pp.p(indent+1, "%s = %d;", v.GetName(), v.GetNumber())
	}
	pp.p(indent, "}")
	return nil
}

// scalarNames are the .proto keywords of scalar field types.
var scalarNames = func() map[descriptorpb.FieldDescriptorProto_Type]string {
	out := map[descriptorpb.FieldDescriptorProto_Type]string{}
	for name, t := range scalarTypes {
		out[t] = name
	}
	return out
}()

// typeName writes a field's type: a scalar keyword, or the shortest suffix of
// the type's full name that protobuf's scoping resolves back to it from the
// message scope, else the fully qualified name.
func (pp *protoPrinter) typeName(scope string, fd *descriptorpb.FieldDescriptorProto) string {
	if fd.GetTypeName() == "" {
		return scalarNames[fd.GetType()]
	}
	target := strings.TrimPrefix(fd.GetTypeName(), ".")
	parts := strings.Split(target, ".")
	for i := len(parts) - 1; i >= 0; i-- {
		cand := strings.Join(parts[i:], ".")
		if pp.resolve(scope, cand) == target {
			return cand
		}
	}
	return fd.GetTypeName()
}

// resolve follows protobuf's lookup of a relative type name from scope: the
// first name part is searched from the innermost scope outwards, skipping
// symbols that cannot hold it (a single part must be a type, the first of
// several a message, enum or package); the rest is read inside what was
// found. Only types and the package are symbols here: fields and enum values
// are never types, so the lookup skips them anyway.
func (pp *protoPrinter) resolve(scope, name string) string {
	first, rest, compound := strings.Cut(name, ".")
	for {
		cand := first
		if scope != "" {
			cand = scope + "." + first
		}
		_, isType := pp.types[cand]
		if isType || compound && pp.isPackage(cand) {
			if !compound {
				return cand
			}
			if _, ok := pp.types[cand+"."+rest]; ok {
				return cand + "." + rest
			}
			return "" // found the first part but not the rest: an error in protobuf
		}
		if scope == "" {
			return ""
		}
		if i := strings.LastIndexByte(scope, '.'); i >= 0 {
			scope = scope[:i]
		} else {
			scope = ""
		}
	}
}

// isPackage reports whether name is the package or one of its parents.
func (pp *protoPrinter) isPackage(name string) bool {
	return name == ProtoPackage || strings.HasPrefix(ProtoPackage, name+".")
}
