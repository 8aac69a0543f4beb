package emit

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bufbuild/protocompile"
	"github.com/gapd/gapd/generator/ir"
	"github.com/gapd/gapd/generator/spec"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/types/descriptorpb"
)

var docsTestConfig = Config{Module: "github.com/gapd/gapd"}

// modelOf builds the model of the spec in dir.
func modelOf(t *testing.T, dir string) *ir.Spec {
	t.Helper()
	raw, err := spec.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ir.Build(raw)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const miniSpecDir = "../testdata/good/mini"

func TestProtoMiniCompiles(t *testing.T) { checkProtoRoundTrip(t, modelOf(t, miniSpecDir)) }

// TestProtoShadowedNames covers type references a short name would resolve
// to the wrong type: a nested message hiding a top-level one of the same name.
func TestProtoShadowedNames(t *testing.T) {
	dir := t.TempDir()
	copySpecDir(t, miniSpecDir, dir)
	types, err := os.ReadFile(filepath.Join(miniSpecDir, "types.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	extra := `
  - name: Group
    fields:
      - {n: 1, name: room, type: Room}
    messages:
      - name: Room
        fields: [{n: 1, name: id, type: uint64}]
        enums: [{name: Role, values: {MEMBER: 0, ADMIN: 1}}]
  - name: Holder
    fields:
      - {n: 1, name: outer, type: Group.Room}
      - {n: 2, name: inner, type: Group}
      - {n: 3, name: role, type: Group.Room.Role}
      - {n: 4, name: top, type: Room}
    messages:
      - name: Group
        fields: [{n: 1, name: x, type: uint64}]
`
	if err := os.WriteFile(filepath.Join(dir, "types.yaml"), append(types, extra...), 0o644); err != nil {
		t.Fatal(err)
	}
	s := modelOf(t, dir)
	files := checkProtoRoundTrip(t, s)
	text := string(files["proto/types.proto"])
	for _, want := range []string{
		"  Room room = 1;",                      // Group.Room, the nested one
		"  proto.Group.Room outer = 1;",         // "Group" alone would find Holder.Group
		"  Group inner = 2;",                    // Holder.Group
		"  proto.Group.Room.Role role = 3;",     // likewise
		"  Room top = 4;",                       // nothing nested hides it
		"message Group {\n  Room room = 1;\n\n", // nested types follow the fields
	} {
		if !strings.Contains(text, want) {
			t.Errorf("types.proto lacks %q:\n%s", want, text)
		}
	}
}

// TestProtoRealSpec compiles the project's own spec when it builds; the
// spec is edited concurrently, so a spec that does not build is skipped here
// (the generator's own tests report it).
func TestProtoRealSpec(t *testing.T) {
	raw, err := spec.Load("../../spec")
	if err != nil {
		t.Skip("spec does not load:", err)
	}
	s, err := ir.Build(raw)
	if err != nil {
		t.Skip("spec does not build:", err)
	}
	checkProtoRoundTrip(t, s)
}

// checkProtoRoundTrip emits the .proto files, compiles them and requires the
// result to equal Descriptors(): the text says exactly what the Go code uses.
func checkProtoRoundTrip(t *testing.T, s *ir.Spec) Files {
	t.Helper()
	files, err := Proto(s, docsTestConfig)
	if err != nil {
		t.Fatal(err)
	}
	want := Descriptors(s, docsTestConfig)
	if len(files) != len(want) {
		t.Fatalf("%d files for %d descriptors", len(files), len(want))
	}
	srcs := map[string]string{}
	var names []string
	for p, b := range files {
		if !strings.HasPrefix(string(b), "// "+Header+"\n") {
			t.Errorf("%s does not start with the header", p)
		}
		srcs[strings.TrimPrefix(p, "proto/")] = string(b)
	}
	for _, fd := range want {
		names = append(names, fd.GetName())
	}
	c := protocompile.Compiler{Resolver: &protocompile.SourceResolver{Accessor: protocompile.SourceAccessorFromMap(srcs)}}
	compiled, err := c.Compile(context.Background(), names...)
	if err != nil {
		t.Fatalf("protocompile: %v", err)
	}
	got := map[string]*descriptorpb.FileDescriptorProto{}
	for _, f := range compiled {
		got[f.Path()] = protodesc.ToFileDescriptorProto(f)
	}
	compareDescriptors(t, "protocompile", want, got)

	t.Run("protoc", func(t *testing.T) { checkProtoc(t, srcs, names, want) })
	return files
}

// checkProtoc compiles the files with protoc too, when it is installed.
func checkProtoc(t *testing.T, srcs map[string]string, names []string, want []*descriptorpb.FileDescriptorProto) {
	if _, err := exec.LookPath("protoc"); err != nil {
		t.Skip("protoc is not on PATH")
	}
	dir := t.TempDir()
	for name, src := range srcs {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	set := filepath.Join(dir, "set.pb")
	cmd := exec.Command("protoc", append([]string{"-I", dir, "--include_imports", "--descriptor_set_out=" + set}, names...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("protoc: %v\n%s", err, out)
	}
	b, err := os.ReadFile(set)
	if err != nil {
		t.Fatal(err)
	}
	var fds descriptorpb.FileDescriptorSet
	if err := proto.Unmarshal(b, &fds); err != nil {
		t.Fatal(err)
	}
	got := map[string]*descriptorpb.FileDescriptorProto{}
	for _, fd := range fds.File {
		got[fd.GetName()] = fd
	}
	compareDescriptors(t, "protoc", want, got)
}

// compareDescriptors requires got to hold want's files. JSON names are
// compared by value first and then dropped, since compilers differ in
// whether they record the default one.
func compareDescriptors(t *testing.T, by string, want []*descriptorpb.FileDescriptorProto, got map[string]*descriptorpb.FileDescriptorProto) {
	t.Helper()
	for _, w := range want {
		g := got[w.GetName()]
		if g == nil {
			t.Errorf("%s: %s was not compiled", by, w.GetName())
			continue
		}
		w, g = proto.Clone(w).(*descriptorpb.FileDescriptorProto), proto.Clone(g).(*descriptorpb.FileDescriptorProto)
		g.SourceCodeInfo = nil
		wj, gj := jsonNames(w.MessageType, ""), jsonNames(g.MessageType, "")
		for k, v := range wj {
			if gv, ok := gj[k]; ok && gv != "" && gv != v {
				t.Errorf("%s: %s: field %s: json name %q, want %q", by, w.GetName(), k, gv, v)
			}
		}
		if !proto.Equal(w, g) {
			t.Errorf("%s: %s differs from its descriptor:\n got %v\nwant %v", by, w.GetName(), g, w)
		}
	}
}

// jsonNames collects and clears the json_name of every field.
func jsonNames(msgs []*descriptorpb.DescriptorProto, scope string) map[string]string {
	out := map[string]string{}
	for _, m := range msgs {
		full := scope + m.GetName()
		for _, f := range m.Field {
			out[full+"."+f.GetName()] = f.GetJsonName()
			f.JsonName = nil
		}
		for k, v := range jsonNames(m.NestedType, full+".") {
			out[k] = v
		}
	}
	return out
}

func copySpecDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestProtoTypeNameResolve(t *testing.T) {
	pp := &protoPrinter{types: map[string]bool{
		"proto.Room": true, "proto.Room.Type": false,
		"proto.Group": true, "proto.Group.Room": true,
		"proto.Holder": true, "proto.Holder.Group": true,
	}}
	for _, c := range []struct{ scope, name, want string }{
		{"proto.Room", "Type", "proto.Room.Type"},
		{"proto.Group", "Room", "proto.Group.Room"},
		{"proto.Holder", "Room", "proto.Room"},
		{"proto.Holder", "Group.Room", ""}, // Holder.Group hides Group, and has no Room
		{"proto.Holder", "proto.Group.Room", "proto.Group.Room"},
		{"proto.Holder", "proto", ""}, // a package is not a type
		{"proto.Holder", "Missing", ""},
	} {
		if got := pp.resolve(c.scope, c.name); got != c.want {
			t.Errorf("resolve(%s, %s) = %q, want %q", c.scope, c.name, got, c.want)
		}
	}
}
