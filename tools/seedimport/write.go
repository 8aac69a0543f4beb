package main

import (
	"bytes"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"
)

// marshalCatalogue renders a catalogue: the header (plain text, written as a
// "# " comment), then one entry per
// error with the keys in the order of spec/README.md, a blank line between
// entries, star and minors as one-line flow mappings. Strings are quoted only
// where YAML needs it. The result is decoded again and compared with list, so
// a formatting mistake cannot change what the file says.
func marshalCatalogue(header string, list []Error) ([]byte, error) {
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	for _, e := range list {
		seq.Content = append(seq.Content, entryNode(e))
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(seq); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	for _, l := range strings.Split(strings.TrimSpace(header), "\n") {
		out.WriteString(strings.TrimRight("# "+l, " ") + "\n")
	}
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if strings.HasPrefix(line, "- ") {
			out.WriteString("\n")
		}
		out.WriteString(line)
	}
	back, err := readCatalogue(out.Bytes())
	if err != nil {
		return nil, fmt.Errorf("re-reading the written catalogue: %w", err)
	}
	if !reflect.DeepEqual(normalise(back), normalise(list)) {
		return nil, fmt.Errorf("the written catalogue does not read back as the same entries")
	}
	return out.Bytes(), nil
}

func entryNode(e Error) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	add := func(k string, v *yaml.Node) {
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, v)
	}
	add("code", intNode(e.Code))
	add("name", strNode(e.Name, false))
	add("group", strNode(e.Group, false))
	add("kind", strNode(e.Kind, false))
	if e.Action != 0 {
		add("action", intNode(e.Action))
	}
	if e.Wait {
		add("wait", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
	}
	add("description", strNode(e.Description, false))
	if e.Correction != "" {
		add("correction", strNode(e.Correction, false))
	}
	if e.Star != nil {
		add("star", flowMap("detail", strNode(e.Star.Detail, true), "reaction", strNode(e.Star.Reaction, true)))
	}
	if e.StarMinor != 0 {
		add("star_minor", intNode(e.StarMinor))
	}
	if len(e.Minors) > 0 {
		s := &yaml.Node{Kind: yaml.SequenceNode}
		for _, mi := range e.Minors {
			s.Content = append(s.Content, flowMap(
				"code", intNode(mi.Code),
				"id", strNode(mi.ID, true),
				"detail", strNode(mi.Detail, true),
				"reaction", strNode(mi.Reaction, true)))
		}
		add("minors", s)
	}
	if e.Source != "" {
		add("source", strNode(e.Source, false))
	}
	return m
}

func flowMap(kv ...any) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	for i := 0; i < len(kv); i += 2 {
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: kv[i].(string)}, kv[i+1].(*yaml.Node))
	}
	return m
}

func intNode(n int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(n)}
}

// strNode is a string scalar, plain where that reads back as the same
// string, double-quoted otherwise. flow says it sits in a flow mapping, where
// ",[]{}" end a plain scalar.
func strNode(s string, flow bool) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if !plainSafe(s, flow) {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

// plainSafe is deliberately conservative: quoting a string that did not need
// it costs two characters, the reverse changes the file's meaning.
func plainSafe(s string, flow bool) bool {
	if s == "" || strings.TrimSpace(s) != s {
		return false
	}
	if strings.ContainsRune("-?:,[]{}#&*!|>'\"%@`", rune(s[0])) {
		return false
	}
	if strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":") {
		return false
	}
	if flow && strings.ContainsAny(s, ",[]{}") {
		return false
	}
	for _, r := range s {
		if r != ' ' && !unicode.IsPrint(r) {
			return false
		}
	}
	// YAML 1.1 booleans: yaml.v3 reads them as strings, other readers do not.
	switch strings.ToLower(s) {
	case "y", "yes", "n", "no", "on", "off":
		return false
	}
	// Words that YAML reads as something else: true, null, 12, 0x1f, ~ ...
	var v any
	if err := yaml.Unmarshal([]byte(s), &v); err != nil {
		return false
	}
	str, ok := v.(string)
	return ok && str == s
}

// normalise makes nil and empty minor lists compare equal.
func normalise(list []Error) []Error {
	out := make([]Error, len(list))
	for i, e := range list {
		if len(e.Minors) == 0 {
			e.Minors = nil
		}
		out[i] = e
	}
	return out
}
