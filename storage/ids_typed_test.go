package storage

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// notRowIDs are names that end in ID without naming a row: the client's
// resend key and a pin's ordering counter.
var notRowIDs = map[string]bool{"RandomID": true, "randomID": true, "PinID": true}

// Ids stay typed (ids.go): no struct field or Tx method parameter or
// result named id, or ...ID, is a bare int64, so a new one cannot slip
// back to taking any id at all.
func TestIDsAreTyped(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		check := func(fields *ast.FieldList) {
			if fields == nil {
				return
			}
			for _, fl := range fields.List {
				typ := fl.Type
				if star, ok := typ.(*ast.StarExpr); ok {
					typ = star.X
				}
				if id, ok := typ.(*ast.Ident); !ok || id.Name != "int64" {
					continue
				}
				for _, n := range fl.Names {
					if (n.Name == "id" || strings.HasSuffix(n.Name, "ID")) && !notRowIDs[n.Name] {
						t.Errorf("%s: %s is a bare int64; give it its id type", fset.Position(n.Pos()), n.Name)
					}
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.StructType:
				check(n.Fields)
			case *ast.FuncDecl:
				if n.Recv != nil && n.Name.IsExported() {
					check(n.Type.Params)
					check(n.Type.Results)
				}
			}
			return true
		})
	}
}
