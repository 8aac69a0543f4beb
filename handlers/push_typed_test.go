package handlers

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"testing"
)

// Pushes and responses are typed (dispatch.Push, dispatch.ResponseX,
// pb.Reply.SetResponse): no handler computes a response id from
// wire.ResponseOffset or reaches a message's header by reflection.
func TestPushesAreTyped(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == "google.golang.org/protobuf/reflect/protoreflect" {
				t.Errorf("%s imports protoreflect", name)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok && sel.Sel.Name == "ResponseOffset" {
				t.Errorf("%s: uses ResponseOffset", fset.Position(sel.Pos()))
			}
			return true
		})
	}
}
