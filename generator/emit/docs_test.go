package emit

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gapd/gapd/generator/ir"
	"github.com/gapd/gapd/generator/spec"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden docs and .proto files of the mini spec")

func miniDocs(t *testing.T) (*ir.Spec, map[string]string) {
	t.Helper()
	s := modelOf(t, miniSpecDir)
	files, err := Docs(s, docsTestConfig)
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]string{}
	for p, b := range files {
		pages[strings.TrimPrefix(p, "docs/")] = string(b)
	}
	for _, name := range []string{"README.md", "errors.md", "actions.md", "types.md"} {
		if !strings.HasPrefix(pages[name], "<!-- "+Header+" -->") {
			t.Errorf("%s is missing or lacks the header", name)
		}
	}
	return s, pages
}

// docSection returns the text from an anchor to the next anchor of the same
// kind ("error-", "action-").
func docSection(page, id string) string {
	start := strings.Index(page, `<a id="`+id+`"></a>`)
	if start < 0 {
		return ""
	}
	kind := id[:strings.Index(id, "-")+1]
	rest := page[start+1:]
	if end := strings.Index(rest, `<a id="`+kind); end >= 0 {
		return page[start : start+1+end]
	}
	return page[start:]
}

func TestDocsErrors(t *testing.T) {
	s, pages := miniDocs(t)
	errs := pages["errors.md"]
	for _, want := range []string{"| :triangular_flag_on_post: :one: | wait parameter is required |", "# Chat Errors (2xx)", "# System Errors (xx)"} {
		if !strings.Contains(errs, want) {
			t.Errorf("errors.md lacks %q", want)
		}
	}
	if strings.Contains(errs, "# User Errors") {
		t.Error("errors.md shows a group with no errors")
	}
	for _, e := range s.Errors {
		sec := docSection(errs, errorAnchor(e.Code))
		if sec == "" {
			t.Errorf("error %d has no anchor", e.Code)
			continue
		}
		heading := fmt.Sprintf("\n### Error %d - %s\n", e.Code, e.Name)
		if e.Wait {
			heading = fmt.Sprintf("\n### :triangular_flag_on_post: :one: Error %d - %s\n", e.Code, e.Name)
		}
		if !strings.Contains(sec, heading) {
			t.Errorf("error %d: no heading %q in\n%s", e.Code, heading, sec)
		}
		if got := strings.Contains(sec, "Virtual error: recorded by the server, never sent."); got != e.Virtual {
			t.Errorf("error %d: virtual marker shown %v, virtual %v", e.Code, got, e.Virtual)
		}
		if got := strings.Contains(sec, "| Minor Code | Detail | Reaction |"); got != e.HasTable() {
			t.Errorf("error %d: table shown %v, has table %v", e.Code, got, e.HasTable())
		}
		if e.Star != nil && !strings.Contains(sec, fmt.Sprintf("| * | %s | %s |", e.Star.Detail, e.Star.Reaction)) {
			t.Errorf("error %d: no star row in\n%s", e.Code, sec)
		}
		for _, m := range e.Minors {
			if !strings.Contains(sec, fmt.Sprintf("| %d | %s | %s |", m.Code, m.Detail, m.Reaction)) {
				t.Errorf("error %d: no row for minor %d in\n%s", e.Code, m.Code, sec)
			}
		}
		if e.Action != nil && !strings.Contains(sec, fmt.Sprintf("[#%d %s](actions.md#action-%d)", e.Action.ID, e.Action.Name, e.Action.ID)) {
			t.Errorf("error %d: no link to action %d", e.Code, e.Action.ID)
		}
	}
	// The star row comes first, and bad-payload minors say what raises them.
	bad := docSection(errs, "error-203")
	for _, want := range []string{
		"| Minor Code | Detail | Reaction | Raised by |",
		"| 1 | Invalid roomId | * | rule: `room_id` is required; handler |",
		"| 2 | Invalid message | * | rule: when `message_type` is TEXT, `message` is required (from the RoomMessageType payloads table) |",
		"| 18 | Invalid location.lat | * | rule: `location.lat` is between -90 and 90 (skipped when `location` is unset) |",
		"| 24 | No such file is found | * | handler |",
		"| 32 | Message is too long | * | rule: `message` has at most 16 characters (limit `max_message`) |",
	} {
		if !strings.Contains(bad, want) {
			t.Errorf("error 203 lacks %q:\n%s", want, bad)
		}
	}
	if sec := docSection(errs, "error-235"); strings.Contains(sec, "Raised by") {
		t.Error("a non-bad-payload error got the Raised by column")
	}
}

func TestDocsActions(t *testing.T) {
	s, pages := miniDocs(t)
	acts := pages["actions.md"]
	if !strings.Contains(acts, "| 201 | [ChatSendMessage](#action-201) | 30201 | yes | yes | write | chat |") {
		t.Error("actions.md index lacks ChatSendMessage")
	}
	for _, a := range s.Actions {
		sec := docSection(acts, actionAnchor(a.ID))
		if !strings.Contains(sec, fmt.Sprintf("\n## %d %s\n", a.ID, a.Name)) {
			t.Errorf("action %d has no section", a.ID)
			continue
		}
		for _, e := range a.Errors() {
			if !strings.Contains(sec, fmt.Sprintf("[%d](errors.md#error-%d)", e.Code, e.Code)) {
				t.Errorf("action %d does not link error %d", a.ID, e.Code)
			}
		}
	}
	send := docSection(acts, "action-201")
	for _, want := range []string{
		"| 4 | message | `string` | singular |  | minor 32: `message` has at most 16 characters (limit `max_message`) |",
		"| 2 | message_type | [RoomMessageType](types.md#type-RoomMessageType) | singular |  | minor 23: `message_type` is a known RoomMessageType value |",
		"| 9 | forward_from | [ChatSendMessage.Forward](actions.md#type-ChatSendMessage.Forward) |",
		`<a id="type-ChatSendMessage.Forward"></a>`,
		"| 29 | `reply_to` and `forward_from` are not both set |",
		"| 24 | No such file is found |",
		"| [1](errors.md#error-1) | BAD_REQUEST | system: undecodable request, or a failure (no internal error of its own) |",
		"| [235](errors.md#error-235) | :triangular_flag_on_post: :one: CHAT_SEND_MESSAGE_FLOOD |",
		"| [602](errors.md#error-602) | CLIENT_UPDATE_MESSAGE_BAD_PAYLOAD | other (virtual) |",
		"* Limit: write\n",
		"| [10](errors.md#error-10) | :triangular_flag_on_post: :one: FLOOD_REQUEST | system: over the write budget |",
	} {
		if !strings.Contains(send, want) {
			t.Errorf("action 201 lacks %q", want)
		}
	}
	if strings.Contains(docSection(acts, "action-200"), "or a failure") {
		t.Error("action 200 has its own internal error but says failures are BAD_REQUEST")
	}
	if strings.Contains(acts, "INTERNAL_SERVER_ERROR | system") {
		t.Error("an action lists the system INTERNAL_SERVER_ERROR (7), which is never one request's answer")
	}
	if !strings.Contains(pages["types.md"], "| type | [Room.Type](types.md#type-Room.Type) |") {
		t.Error("types.md does not link Room.Type")
	}
}

var mdLink = regexp.MustCompile(`\]\(([a-z]+\.md)?#([^)]+)\)`)
var mdAnchor = regexp.MustCompile(`<a id="([^"]+)"></a>`)

// TestDocsLinksResolve follows every in-docs link to an anchor of its page,
// on the mini spec and on the project's spec when it builds.
func TestDocsLinksResolve(t *testing.T) {
	_, pages := miniDocs(t)
	checkDocLinks(t, pages)
	raw, err := spec.Load("../../spec")
	if err != nil {
		t.Skip("spec does not load:", err)
	}
	s, err := ir.Build(raw)
	if err != nil {
		t.Skip("spec does not build:", err)
	}
	files, err := Docs(s, docsTestConfig)
	if err != nil {
		t.Fatal(err)
	}
	real := map[string]string{}
	for p, b := range files {
		real[strings.TrimPrefix(p, "docs/")] = string(b)
	}
	checkDocLinks(t, real)
}

func checkDocLinks(t *testing.T, pages map[string]string) {
	t.Helper()
	anchors := map[string]map[string]bool{}
	for name, text := range pages {
		anchors[name] = map[string]bool{}
		for _, m := range mdAnchor.FindAllStringSubmatch(text, -1) {
			if anchors[name][m[1]] {
				t.Errorf("%s: anchor %s is defined twice", name, m[1])
			}
			anchors[name][m[1]] = true
		}
	}
	n := 0
	for name, text := range pages {
		for _, m := range mdLink.FindAllStringSubmatch(text, -1) {
			target := m[1]
			if target == "" {
				target = name
			}
			if !anchors[target][m[2]] {
				t.Errorf("%s: link to %s#%s has no anchor", name, target, m[2])
			}
			n++
		}
	}
	if n < 20 {
		t.Errorf("only %d links checked", n)
	}
}

func ptrF64(x float64) *float64 { return &x }
func ptrInt(x int) *int         { return &x }

func TestRuleText(t *testing.T) {
	req := &ir.Message{FullName: "Act"}
	a := &ir.Action{Request: req}
	nested := &ir.Message{FullName: "Act.Entry", Parent: req}
	str := &ir.Field{Name: "name", Kind: ir.KindScalar, Scalar: "string", Parent: req}
	byt := &ir.Field{Name: "hash", Kind: ir.KindScalar, Scalar: "bytes", Parent: req}
	num := &ir.Field{Name: "count", Kind: ir.KindScalar, Scalar: "int32", Parent: req}
	cc := &ir.Field{Name: "country", Kind: ir.KindScalar, Scalar: "string", Parent: req}
	ids := &ir.Field{Name: "ids", Kind: ir.KindScalar, Scalar: "uint64", Repeated: true, Parent: req}
	entries := &ir.Field{Name: "entries", Kind: ir.KindMessage, Message: nested, Repeated: true, Parent: req}
	key := &ir.Field{Name: "key", Kind: ir.KindScalar, Scalar: "string", Parent: nested}
	other := &ir.Field{Name: "other", Kind: ir.KindScalar, Scalar: "string", Parent: nested}
	opts := &ir.Field{Name: "opts", Kind: ir.KindMessage, Message: nested, Parent: req}
	for _, c := range []struct {
		r    *ir.Rule
		want string
	}{
		{&ir.Rule{Path: []*ir.Field{str}, MinLen: ptrInt(1), MaxLen: ptrInt(64)}, "`name` has 1 to 64 characters (checked when set)"},
		{&ir.Rule{Path: []*ir.Field{byt}, MinLen: ptrInt(1)}, "`hash` has at least 1 byte (checked when set)"},
		{&ir.Rule{Path: []*ir.Field{byt}, Format: ir.Formats["sha256"]}, "`hash` is a SHA-256 digest (32 bytes) (checked when set)"},
		{&ir.Rule{Path: []*ir.Field{num}, Min: ptrF64(0.5)}, "`count` is at least 0.5"},
		{&ir.Rule{Path: []*ir.Field{num}, Required: true, Max: ptrF64(100)}, "`count` is required and is at most 100"},
		{&ir.Rule{Path: []*ir.Field{ids}, Required: true, MaxItems: ptrInt(1)}, "`ids` has at least one entry and has at most 1 entry"},
		{&ir.Rule{Path: []*ir.Field{ids}, MaxItems: ptrInt(50), Doc: "one page"}, "`ids` has at most 50 entries (one page)"},
		{&ir.Rule{Path: []*ir.Field{str}, Format: ir.Formats["phone_national"], With: cc}, "`name` is a valid national phone number of the given country (with `country`; checked when set)"},
		{&ir.Rule{Path: []*ir.Field{key}, Nested: true, Required: true}, "`Entry.key` is required"},
		{&ir.Rule{Path: []*ir.Field{opts, key}, MaxLen: ptrInt(8)}, "`opts.key` has at most 8 characters (skipped when `opts` is unset)"},
		{&ir.Rule{Kind: ir.RuleExclusive, Fields: []*ir.Field{str, num, ids}}, "at most one of `name`, `count` and `ids` is set"},
		{&ir.Rule{Kind: ir.RuleRequireAny, Path: []*ir.Field{opts}, Fields: []*ir.Field{key, other}}, "when `opts` is set, at least one of `opts.key` or `opts.other` is set"},
		{&ir.Rule{Kind: ir.RuleUnique, Path: []*ir.Field{entries}, Fields: []*ir.Field{key}}, "no two entries of `entries` have the same `key`"},
	} {
		c.r.Action = a
		if got := ruleText(c.r); got != c.want {
			t.Errorf("ruleText = %q\n          want %q", got, c.want)
		}
	}
}

func TestLinkRefs(t *testing.T) {
	s := modelOf(t, miniSpecDir)
	for in, want := range map[string]string{
		"Send #201":                         "Send [#201 ChatSendMessage](actions.md#action-201)",
		"links #200 (ChatGetRoom), not #99": "links [#200](actions.md#action-200) (ChatGetRoom), not #99",
		"already [#201](x)":                 "already [#201](x)",
	} {
		if got := linkRefs(s, in); got != want {
			t.Errorf("linkRefs(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestGolden compares the mini spec's docs and .proto files with the copies
// under testdata/golden/mini; -update rewrites them.
func TestGolden(t *testing.T) {
	s := modelOf(t, miniSpecDir)
	files := Files{}
	for _, emit := range []func(*ir.Spec, Config) (Files, error){Docs, Proto} {
		out, err := emit(s, docsTestConfig)
		if err != nil {
			t.Fatal(err)
		}
		for p, b := range out {
			files[p] = b
		}
	}
	root := filepath.Join("..", "testdata", "golden", "mini")
	for _, sub := range []string{"docs", "proto"} {
		dir := filepath.Join(root, sub)
		existing, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, p := range existing {
			if _, ok := files[sub+"/"+filepath.Base(p)]; ok {
				continue
			}
			if *updateGolden {
				if err := os.Remove(p); err != nil {
					t.Fatal(err)
				}
			} else {
				t.Errorf("%s is not emitted any more (go test ./generator/emit -run Golden -update)", p)
			}
		}
	}
	for _, p := range files.Paths() {
		path := filepath.Join(root, filepath.FromSlash(p))
		if *updateGolden {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, files[p], 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%v (go test ./generator/emit -run Golden -update)", err)
			continue
		}
		if !bytes.Equal(files[p], want) {
			t.Errorf("%s differs from %s (go test ./generator/emit -run Golden -update to accept)", p, path)
		}
	}
}

// TestDocsDeterministic emits twice and requires the same bytes.
func TestDocsDeterministic(t *testing.T) {
	s := modelOf(t, miniSpecDir)
	a, _ := Docs(s, docsTestConfig)
	b, _ := Docs(s, docsTestConfig)
	pa, _ := Proto(s, docsTestConfig)
	pb, _ := Proto(s, docsTestConfig)
	for p := range a {
		if !bytes.Equal(a[p], b[p]) {
			t.Errorf("%s differs between runs", p)
		}
	}
	for p := range pa {
		if !bytes.Equal(pa[p], pb[p]) {
			t.Errorf("%s differs between runs", p)
		}
	}
}

// TestErrorSectionMarkers covers what the mini spec lacks: corrections and
// errors of a later release.
func TestErrorSectionMarkers(t *testing.T) {
	s := modelOf(t, miniSpecDir)
	e := &ir.Error{Code: 404, Name: "CHANNEL_ADD_MEMBER_EXISTS", Action: s.Action(201), Later: true,
		Description: "User is already a member for request", Correction: "the seed names #200; the error belongs to #201",
		Star: &ir.Row{Detail: "*", Reaction: "Send #200"}}
	p := &page{}
	errorSection(p, s, e)
	got := p.String()
	for _, want := range []string{
		"<a id=\"error-404\"></a>\n\n### Error 404 - CHANNEL_ADD_MEMBER_EXISTS\n",
		"User is already a member for request [#201 ChatSendMessage](actions.md#action-201)\n",
		"> Correction: the seed names [#200 ChatGetRoom](actions.md#action-200); the error belongs to [#201 ChatSendMessage](actions.md#action-201)\n",
		"Later release: ",
		"| * | * | Send [#200 ChatGetRoom](actions.md#action-200) |\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("section lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Virtual error") || strings.Contains(got, "Raised by") {
		t.Errorf("unexpected marker or column:\n%s", got)
	}
}
