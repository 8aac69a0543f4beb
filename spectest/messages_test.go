package spectest

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/gapd/gapd/generated/dispatch"
	_ "github.com/gapd/gapd/generated/pb"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// The protocol facts, outside this repository.
const (
	messagesDoc = "../../shared/protocol/messages.md"
	// The actions 2017 clients send beyond the index, in the same table format.
	extraDoc    = "../../shared/protocol/actions-2017-extra.md"
	protocolDoc = "../../shared/protocol/README.md"
)

// additions are the fields gapd adopts from later releases of the API
// (README "Later additions"): the generated messages may have them although
// messages.md does not.
var additions = map[string]map[int32]string{
	"ChatSendMessage":    {10: "random_id"},
	"GroupSendMessage":   {10: "random_id"},
	"ChannelSendMessage": {10: "random_id"},
	"RoomMessage":        {21: "random_id"},
}

// systemMessages are the connection-level messages the server needs besides
// the seed actions.
var systemMessages = []string{
	"ErrorResponse", "Heartbeat", "HeartbeatResponse",
	"ConnectionSecuringResponse", "ConnectionSymmetricKey", "ConnectionSymmetricKeyResponse",
}

var scalarTypes = map[string]bool{
	"double": true, "float": true, "int32": true, "int64": true, "uint32": true, "uint64": true,
	"sint32": true, "sint64": true, "fixed32": true, "fixed64": true, "sfixed32": true, "sfixed64": true,
	"bool": true, "string": true, "bytes": true,
}

type docField struct {
	num       int32
	name, typ string
	repeated  bool
	line      int
	rawLabel  string
}

type docMessage struct {
	name   string // dotted: ClientCondition.Room
	line   int
	fields []docField
}

type docEnum struct {
	name   string
	line   int
	values map[string]int32
}

type protocolDocs struct {
	messages []*docMessage
	enums    []*docEnum
	names    map[string]bool // every message and enum name
}

var (
	messageHeading = regexp.MustCompile("^#### message `([A-Za-z0-9_.]+)`\\s*$")
	enumLine       = regexp.MustCompile("^- enum `([A-Za-z0-9_.]+)`:\\s*(.*)$")
	fieldRow       = regexp.MustCompile(`^\|\s*(\d+)\s*\|`)
)

// parseMessages reads the message tables and enum lines of messages.md.
func parseMessages(path string) (*protocolDocs, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	d := &protocolDocs{names: map[string]bool{}}
	var cur *docMessage
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(text, "#"):
			cur = nil
			if m := messageHeading.FindStringSubmatch(text); m != nil {
				cur = &docMessage{name: m[1], line: line}
				d.messages = append(d.messages, cur)
				if d.names[m[1]] {
					return nil, fmt.Errorf("%s:%d: %s is described twice", path, line, m[1])
				}
				d.names[m[1]] = true
			}
		case strings.HasPrefix(text, "- enum "):
			m := enumLine.FindStringSubmatch(text)
			if m == nil {
				return nil, fmt.Errorf("%s:%d: unreadable enum line %q", path, line, text)
			}
			e := &docEnum{name: m[1], line: line, values: map[string]int32{}}
			for _, pair := range strings.Split(m[2], ",") {
				name, num, ok := strings.Cut(strings.TrimSpace(pair), "=")
				n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 32)
				if !ok || err != nil {
					return nil, fmt.Errorf("%s:%d: enum %s: unreadable value %q", path, line, e.name, pair)
				}
				e.values[strings.TrimSpace(name)] = int32(n)
			}
			if d.names[e.name] {
				return nil, fmt.Errorf("%s:%d: %s is described twice", path, line, e.name)
			}
			d.names[e.name] = true
			d.enums = append(d.enums, e)
		case fieldRow.MatchString(text):
			if cur == nil {
				return nil, fmt.Errorf("%s:%d: a field row outside a message table", path, line)
			}
			cells := strings.Split(strings.Trim(text, "|"), "|")
			if len(cells) < 4 {
				return nil, fmt.Errorf("%s:%d: a field row needs # | field | type | label", path, line)
			}
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			n, err := strconv.ParseInt(cells[0], 10, 32)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: field number %q", path, line, cells[0])
			}
			if cells[3] != "" && cells[3] != "repeated" {
				return nil, fmt.Errorf("%s:%d: unknown label %q", path, line, cells[3])
			}
			df := docField{num: int32(n), name: cells[1], typ: cells[2], repeated: cells[3] == "repeated", line: line, rawLabel: cells[3]}
			cur.fields = append(cur.fields, df)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return d, nil
}

// resolve finds the full name of type typ used in message scope, the way
// protoc does: the first part of the name is looked up from the innermost
// enclosing scope outwards, and the rest must follow from where it was found.
func resolve(scope, typ string, known func(string) bool) (string, bool) {
	first, _, _ := strings.Cut(typ, ".")
	for s := scope; ; {
		prefix := ""
		if s != "" {
			prefix = s + "."
		}
		if known(prefix + first) {
			return prefix + typ, known(prefix + typ)
		}
		if s == "" {
			return "", false
		}
		if i := strings.LastIndexByte(s, '.'); i >= 0 {
			s = s[:i]
		} else {
			s = ""
		}
	}
}

func registryHas(name string) bool {
	_, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(pbPackage + "." + name))
	return err == nil
}

func loadDocs(t *testing.T) *protocolDocs {
	t.Helper()
	if _, err := os.Stat(messagesDoc); err != nil {
		t.Skipf("protocol facts not available: %v", err)
	}
	d, err := parseMessages(messagesDoc)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.messages) == 0 {
		t.Fatalf("%s: no message tables found", messagesDoc)
	}
	extra, err := parseMessages(extraDoc)
	if err != nil {
		t.Fatal(err)
	}
	// A few messages are in both (GroupAvatarAddResponse); messages.md's
	// table is the one compared.
	for _, m := range extra.messages {
		if !d.names[m.name] {
			d.names[m.name] = true
			d.messages = append(d.messages, m)
		}
	}
	for _, e := range extra.enums {
		if !d.names[e.name] {
			d.names[e.name] = true
			d.enums = append(d.enums, e)
		}
	}
	return d
}

// TestMessagesMatchProtocol compares every message and enum of messages.md
// that the generated descriptors define with its descriptor: field numbers,
// names, types, labels and enum values, exactly.
func TestMessagesMatchProtocol(t *testing.T) {
	d := loadDocs(t)
	docKnown := func(n string) bool { return d.names[n] }
	compared, skipped := 0, 0
	var skippedNames []string
	for _, dm := range d.messages {
		desc, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(pbPackage + "." + dm.name))
		if err != nil {
			skipped++
			skippedNames = append(skippedNames, dm.name)
			continue
		}
		md, ok := desc.(protoreflect.MessageDescriptor)
		if !ok {
			t.Errorf("%s:%d: %s is a message in the protocol, a %T in the descriptors", messagesDoc, dm.line, dm.name, desc)
			continue
		}
		compared++
		compareMessage(t, dm, md, docKnown)
	}
	enums := 0
	for _, de := range d.enums {
		desc, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(pbPackage + "." + de.name))
		if err != nil {
			skipped++
			skippedNames = append(skippedNames, de.name)
			continue
		}
		ed, ok := desc.(protoreflect.EnumDescriptor)
		if !ok {
			t.Errorf("%s:%d: %s is an enum in the protocol, a %T in the descriptors", messagesDoc, de.line, de.name, desc)
			continue
		}
		enums++
		compareEnum(t, de, ed)
	}
	// The documented additions must be there, as the README words them.
	for msg, fields := range additions {
		md, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(pbPackage + "." + msg))
		if err != nil {
			t.Errorf("%s: message of a documented addition is missing", msg)
			continue
		}
		for num, name := range fields {
			f := md.(protoreflect.MessageDescriptor).Fields().ByNumber(protoreflect.FieldNumber(num))
			if f == nil || string(f.Name()) != name || f.Kind() != protoreflect.Uint64Kind || f.IsList() {
				t.Errorf("%s: want the addition uint64 %s = %d, got %v", msg, name, num, f)
			}
		}
	}
	sort.Strings(skippedNames)
	t.Logf("compared %d messages and %d enums with %s; %d not in the spec (later actions), e.g. %s",
		compared, enums, messagesDoc, skipped, strings.Join(skippedNames[:min(5, len(skippedNames))], ", "))
	if compared == 0 {
		t.Error("no message of the protocol is in the descriptors")
	}

	// Messages and enums the descriptors have but the protocol does not.
	var extra []string
	protoregistry.GlobalFiles.RangeFilesByPackage(pbPackage, func(fd protoreflect.FileDescriptor) bool {
		walkDescriptors(fd.Messages(), fd.Enums(), func(full protoreflect.FullName) {
			name := strings.TrimPrefix(string(full), pbPackage+".")
			if !d.names[name] {
				extra = append(extra, name)
			}
		})
		return true
	})
	sort.Strings(extra)
	for _, n := range extra {
		t.Errorf("the descriptors define %s, which neither %s nor %s lists", n, messagesDoc, extraDoc)
	}
}

// walkDescriptors calls f with the full name of every message and enum,
// nested ones included.
func walkDescriptors(ms protoreflect.MessageDescriptors, es protoreflect.EnumDescriptors, f func(protoreflect.FullName)) {
	for i := 0; i < es.Len(); i++ {
		f(es.Get(i).FullName())
	}
	for i := 0; i < ms.Len(); i++ {
		m := ms.Get(i)
		f(m.FullName())
		walkDescriptors(m.Messages(), m.Enums(), f)
	}
}

func compareMessage(t *testing.T, dm *docMessage, md protoreflect.MessageDescriptor, docKnown func(string) bool) {
	t.Helper()
	at := func(line int) string { return fmt.Sprintf("%s:%d: %s", messagesDoc, line, dm.name) }
	seen := map[protoreflect.FieldNumber]bool{}
	for _, df := range dm.fields {
		num := protoreflect.FieldNumber(df.num)
		if seen[num] {
			t.Errorf("%s: field number %d twice", at(df.line), df.num)
		}
		seen[num] = true
		gf := md.Fields().ByNumber(num)
		if gf == nil {
			t.Errorf("%s: field %d %s is missing from the descriptor", at(df.line), df.num, df.name)
			continue
		}
		if string(gf.Name()) != df.name {
			t.Errorf("%s: field %d is %s in the protocol, %s in the descriptor", at(df.line), df.num, df.name, gf.Name())
		}
		if gf.IsList() != df.repeated || gf.IsMap() {
			t.Errorf("%s: field %d %s: label %q in the protocol, cardinality %s in the descriptor", at(df.line), df.num, df.name, df.rawLabel, gf.Cardinality())
		}
		want, got := expectedType(dm.name, df.typ, docKnown), actualType(gf)
		if want != got {
			t.Errorf("%s: field %d %s: type %s (%s) in the protocol, %s in the descriptor", at(df.line), df.num, df.name, df.typ, want, got)
		}
	}
	fields := md.Fields()
	for i := 0; i < fields.Len(); i++ {
		gf := fields.Get(i)
		if seen[gf.Number()] {
			continue
		}
		if additions[dm.name][int32(gf.Number())] == string(gf.Name()) {
			continue
		}
		t.Errorf("%s: the descriptor has field %d %s, which the protocol does not", at(dm.line), gf.Number(), gf.Name())
	}
}

// expectedType is the protocol's type as the descriptor would spell it: a
// scalar kind, or the full name of a message or enum.
func expectedType(scope, typ string, docKnown func(string) bool) string {
	if scalarTypes[typ] {
		return typ
	}
	if full, ok := resolve(scope, typ, docKnown); ok {
		return pbPackage + "." + full
	}
	// Not described in messages.md: resolve against the descriptors.
	if full, ok := resolve(scope, typ, registryHas); ok {
		return pbPackage + "." + full
	}
	return "unresolved " + typ
}

func actualType(f protoreflect.FieldDescriptor) string {
	switch f.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return string(f.Message().FullName())
	case protoreflect.EnumKind:
		return string(f.Enum().FullName())
	}
	return f.Kind().String()
}

func compareEnum(t *testing.T, de *docEnum, ed protoreflect.EnumDescriptor) {
	t.Helper()
	vals := ed.Values()
	got := map[string]int32{}
	for i := 0; i < vals.Len(); i++ {
		got[string(vals.Get(i).Name())] = int32(vals.Get(i).Number())
	}
	for name, n := range de.values {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s:%d: enum %s: value %s=%d is missing from the descriptor", messagesDoc, de.line, de.name, name, n)
		case g != n:
			t.Errorf("%s:%d: enum %s: %s is %d in the protocol, %d in the descriptor", messagesDoc, de.line, de.name, name, n, g)
		}
	}
	for name, n := range got {
		if _, ok := de.values[name]; !ok {
			t.Errorf("%s:%d: enum %s: the descriptor has %s=%d, which the protocol does not", messagesDoc, de.line, de.name, name, n)
		}
	}
}

// indexRow is one row of the README's action index.
type indexRow struct {
	id, responseID uint32
	request        string
	response       string
	login          bool
	scope          string
	line           int
}

// parseActionIndex reads the action index table of the protocol README.
func parseActionIndex(path string) ([]indexRow, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rows []indexRow
	for i, text := range strings.Split(string(data), "\n") {
		if !fieldRow.MatchString(text) {
			continue
		}
		cells := strings.Split(strings.Trim(strings.TrimSpace(text), "|"), "|")
		if len(cells) != 6 {
			continue
		}
		for j := range cells {
			cells[j] = strings.TrimSpace(cells[j])
		}
		id, err1 := strconv.ParseUint(cells[0], 10, 16)
		rid, err2 := strconv.ParseUint(cells[2], 10, 16)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s:%d: unreadable ids in %q", path, i+1, text)
		}
		rows = append(rows, indexRow{
			id: uint32(id), responseID: uint32(rid), request: cells[1], response: cells[3],
			login: cells[4] == "yes", scope: cells[5], line: i + 1,
		})
	}
	return rows, nil
}

// TestSeedMessagesExist requires every request and response of the seed
// actions, and the system messages, in the descriptors; the seed and system
// rows of the action index must match the route table.
func TestSeedMessagesExist(t *testing.T) {
	if _, err := os.Stat(protocolDoc); err != nil {
		t.Skipf("protocol facts not available: %v", err)
	}
	rows, err := parseActionIndex(protocolDoc)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string(nil), systemMessages...)
	seed := 0
	for _, r := range rows {
		if r.scope != "seed" && r.scope != "system" {
			continue
		}
		want = append(want, r.request, r.response)
		if r.scope == "seed" {
			seed++
		}
		route := dispatch.Lookup(uint16(r.id))
		if r.scope == "system" {
			// Connection-level: the transport answers them, not dispatch.
			if route != nil {
				t.Errorf("%s:%d: system action %d %s has a route; the transport answers it", protocolDoc, r.line, r.id, r.request)
			}
			continue
		}
		switch {
		case route == nil:
			t.Errorf("%s:%d: %s action %d %s has no route", protocolDoc, r.line, r.scope, r.id, r.request)
			continue
		case route.Name != r.request:
			t.Errorf("%s:%d: action %d is %s in the protocol, %s in the routes", protocolDoc, r.line, r.id, r.request, route.Name)
		case uint32(route.ResponseID) != r.responseID:
			t.Errorf("%s:%d: %s answers as %d in the protocol, %d in the routes", protocolDoc, r.line, r.request, r.responseID, route.ResponseID)
		case route.Login != r.login:
			t.Errorf("%s:%d: %s: login required %v in the protocol, %v in the routes", protocolDoc, r.line, r.request, r.login, route.Login)
		}
		if n := string(route.NewRequest().ProtoReflect().Descriptor().Name()); n != r.request {
			t.Errorf("%s: the route's request type is %s", r.request, n)
		}
		if n := string(route.NewResponse().ProtoReflect().Descriptor().Name()); n != r.response {
			t.Errorf("%s: the route's response type is %s, want %s", r.request, n, r.response)
		}
	}
	if seed == 0 {
		t.Fatalf("%s: no seed rows in the action index", protocolDoc)
	}
	for _, name := range want {
		desc, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(pbPackage + "." + name))
		if err != nil {
			t.Errorf("message %s is missing from the descriptors", name)
			continue
		}
		if _, ok := desc.(protoreflect.MessageDescriptor); !ok {
			t.Errorf("%s is a %T, not a message", name, desc)
		}
	}
	t.Logf("%d seed actions, %d messages required (system ones included)", seed, len(want))
}
