package spec

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Error files, in load order.
var errorFiles = []string{"errors.yaml", "errors-later.yaml"}

// Load reads the spec under dir. Paths in positions are relative to dir's
// parent, so messages read "spec/actions/chat.yaml:12".
func Load(dir string) (*Spec, error) {
	s := &Spec{Dir: dir}
	base := filepath.Base(filepath.Clean(dir))
	for _, name := range errorFiles {
		var list []ErrorEntry
		ok, err := loadFile(dir, base, name, &list)
		if err != nil {
			return nil, err
		}
		if ok {
			s.Errors = append(s.Errors, list...)
		}
	}
	if _, err := loadFile(dir, base, "types.yaml", &s.Types); err != nil {
		return nil, err
	}
	var roles RolesFile
	ok, err := loadFile(dir, base, "roles.yaml", &roles)
	if err != nil {
		return nil, err
	}
	if ok {
		if roles.File == "" {
			roles.Pos = Pos{File: base + "/roles.yaml", Line: 1}
		}
		s.Roles = &roles
	}
	files, err := filepath.Glob(filepath.Join(dir, "actions", "*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	for _, f := range files {
		var af ActionsFile
		rel := filepath.ToSlash(filepath.Join("actions", filepath.Base(f)))
		if _, err := loadFile(dir, base, rel, &af); err != nil {
			return nil, err
		}
		af.Domain = strings.TrimSuffix(filepath.Base(f), ".yaml")
		s.Domains = append(s.Domains, af)
	}
	return s, nil
}

// loadFile decodes dir/name into v, strictly, stamping positions. A missing
// file is not an error (ok false).
func loadFile(dir, base, name string, v any) (ok bool, err error) {
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	file := base + "/" + name
	var root yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&root); err != nil {
		return false, fmt.Errorf("%s: %w", file, err)
	}
	if len(root.Content) == 0 {
		return true, nil
	}
	d := &decoder{file: file}
	if err := d.decode(root.Content[0], reflect.ValueOf(v).Elem()); err != nil {
		return false, err
	}
	return true, nil
}

// decoder walks yaml nodes into the raw structs. It refuses unknown keys and
// records each struct's position, which yaml.v3's own decoding cannot do.
type decoder struct{ file string }

var (
	posType  = reflect.TypeOf(Pos{})
	enumType = reflect.TypeOf(Enum{})
)

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", d.file, n.Line, fmt.Sprintf(format, args...))
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value) error {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	switch {
	case v.Type() == enumType:
		return d.decodeEnum(n, v.Addr().Interface().(*Enum))
	case v.Kind() == reflect.Struct:
		return d.decodeStruct(n, v)
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Struct:
		if n.Kind != yaml.SequenceNode {
			return d.errorf(n, "expected a list")
		}
		out := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			if err := d.decode(c, out.Index(i)); err != nil {
				return err
			}
		}
		v.Set(out)
		return nil
	case v.Kind() == reflect.Ptr && v.Type().Elem().Kind() == reflect.Struct:
		p := reflect.New(v.Type().Elem())
		if err := d.decode(n, p.Elem()); err != nil {
			return err
		}
		v.Set(p)
		return nil
	default:
		if err := n.Decode(v.Addr().Interface()); err != nil {
			return d.errorf(n, "%v", cleanYAMLError(err))
		}
		return nil
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value) error {
	if n.Kind != yaml.MappingNode {
		return d.errorf(n, "expected a mapping")
	}
	t := v.Type()
	fields := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Type == posType {
			v.Field(i).Set(reflect.ValueOf(Pos{File: d.file, Line: n.Line}))
			continue
		}
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag != "" && tag != "-" {
			fields[tag] = i
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		idx, ok := fields[k.Value]
		if !ok {
			return d.errorf(k, "unknown key %q", k.Value)
		}
		if err := d.decode(val, v.Field(idx)); err != nil {
			return err
		}
	}
	return nil
}

// decodeEnum reads {name, doc, values: {A: 0, B: 1}} keeping value order.
func (d *decoder) decodeEnum(n *yaml.Node, e *Enum) error {
	if n.Kind != yaml.MappingNode {
		return d.errorf(n, "expected a mapping")
	}
	e.Pos = Pos{File: d.file, Line: n.Line}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "name":
			e.Name = val.Value
		case "doc":
			e.Doc = val.Value
		case "values":
			if val.Kind != yaml.MappingNode {
				return d.errorf(val, "enum %s: values must be a mapping NAME: number", e.Name)
			}
			for j := 0; j+1 < len(val.Content); j += 2 {
				var num int32
				if err := val.Content[j+1].Decode(&num); err != nil {
					return d.errorf(val.Content[j+1], "enum %s: value %s: %v", e.Name, val.Content[j].Value, cleanYAMLError(err))
				}
				e.Values = append(e.Values, EnumValue{Name: val.Content[j].Value, Number: num})
			}
		default:
			return d.errorf(k, "unknown key %q", k.Value)
		}
	}
	return nil
}

func cleanYAMLError(err error) string {
	return strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n  ")
}
