package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Paths relative to this directory (tools/seedimport).
const (
	seedFile   = "../../../shared/seed/errors.md"
	indexFile  = "../../../shared/protocol/README.md"
	specFile   = "../../spec/errors.yaml"
	laterFile  = "../../spec/errors-later.yaml"
	seedErrors = 141
)

// readShared returns the seed and the protocol README, skipping the test
// where the shared folder is not checked out next to the repository.
func readShared(t *testing.T) (seed, index []byte) {
	t.Helper()
	seed, err := os.ReadFile(seedFile)
	if os.IsNotExist(err) {
		t.Skipf("%s not found", seedFile)
	}
	if err != nil {
		t.Fatal(err)
	}
	index, err = os.ReadFile(indexFile)
	if os.IsNotExist(err) {
		t.Skipf("%s not found", indexFile)
	}
	if err != nil {
		t.Fatal(err)
	}
	return seed, index
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The committed catalogue is exactly what the importer makes of the seed with
// the catalogue's own ids: the spec agrees with the seed, and re-running the
// importer changes nothing.
func TestCommittedCatalogueMatchesSeed(t *testing.T) {
	seed, index := readShared(t)
	committed := readFile(t, specFile)
	got, err := importSeed(seed, index, committed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, committed) {
		t.Fatalf("spec/errors.yaml differs from the import of the seed (run go run ./tools/seedimport):\n%s",
			lineDiff(string(committed), string(got), 40))
	}
}

func TestSeedCatalogueFacts(t *testing.T) {
	seed, index := readShared(t)
	cur, err := curatedIDs(readFile(t, specFile))
	if err != nil {
		t.Fatal(err)
	}
	list, err := buildCatalogue(seed, index, cur)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != seedErrors {
		t.Fatalf("%d errors, want %d", len(list), seedErrors)
	}
	by := map[int]Error{}
	for _, e := range list {
		by[e.Code] = e
	}
	for _, e := range list {
		virtual := e.Code >= 602 && e.Code <= 609
		if (e.Kind == kindVirtual) != virtual {
			t.Errorf("%d: kind %s", e.Code, e.Kind)
		}
		if virtual && (e.Action != 600 || e.Star != nil || e.Minors != nil) {
			t.Errorf("%d: virtual error with action %d, star %v, minors %v", e.Code, e.Action, e.Star, e.Minors)
		}
		if wait := e.Code == 108 || e.Code == 136 || e.Code == 137; e.Wait != wait {
			t.Errorf("%d: wait %v", e.Code, e.Wait)
		}
		if system := e.Code <= 7; system != (e.Group == "system") || system != (e.Action == 0) {
			t.Errorf("%d: group %s, action %d", e.Code, e.Group, e.Action)
		}
		if strings.Contains(e.Description, "](") || strings.HasSuffix(e.Description, " ") {
			t.Errorf("%d: description keeps its link: %q", e.Code, e.Description)
		}
	}
	corrections := map[int]int{218: 206, 219: 206, 220: 206, 316: 304, 612: 602, 613: 602, 700: 700}
	for _, e := range list {
		want, ok := corrections[e.Code]
		if ok != (e.Correction != "") {
			t.Errorf("%d: correction %q", e.Code, e.Correction)
		}
		if ok && e.Action != want {
			t.Errorf("%d: action %d, want %d", e.Code, e.Action, want)
		}
	}
	// Errors without a request link need no correction.
	for _, code := range []int{104, 105, 106, 107, 108, 202, 500} {
		if by[code].Correction != "" || by[code].Action == 0 {
			t.Errorf("%d: action %d correction %q", code, by[code].Action, by[code].Correction)
		}
	}
	if e := by[321]; e.Star != nil || e.Minors != nil {
		t.Errorf("321 has no table in the seed, got star %v minors %v", e.Star, e.Minors)
	}
	if e := by[2]; e.Star == nil || e.Star.Reaction != "Send message message #102" {
		t.Errorf("2: star %+v", e.Star)
	}
	if e := by[700]; e.Name != "FILE_UPLOAD_OPTION_BAD_PAYLOAD" {
		t.Errorf("700: name %q", e.Name)
	}
	if e := by[111]; e.Star == nil || e.Star.Reaction != "Go to registration page" || len(e.Minors) != 1 || e.Minors[0].ID != "user_blocked" {
		t.Errorf("111: %+v", e)
	}
	for _, code := range []int{203, 306, 406} {
		e := by[code]
		if len(e.Minors) != 32 || e.Minors[0].ID != "invalid_room" || e.Minors[31].ID != "message_too_long" ||
			e.Minors[31].Detail != "Message is too long" || e.Minors[28].ID != "reply_and_forward" {
			t.Errorf("%d: send-message minors not curated: %v", code, ids(e))
		}
	}
}

// The ids of the committed catalogue are valid and unique per error, and
// every error code is unique across errors.yaml and errors-later.yaml.
func TestCommittedCataloguesAreConsistent(t *testing.T) {
	seedList, err := readCatalogue(readFile(t, specFile))
	if err != nil {
		t.Fatal(err)
	}
	later, err := readCatalogue(readFile(t, laterFile))
	if err != nil {
		t.Fatal(err)
	}
	codes := map[int]string{}
	for file, list := range map[string][]Error{"errors.yaml": seedList, "errors-later.yaml": later} {
		for _, e := range list {
			if prev, dup := codes[e.Code]; dup {
				t.Errorf("code %d in %s and %s", e.Code, prev, file)
			}
			codes[e.Code] = file
			if (file == "errors-later.yaml") != (e.Source == "later") {
				t.Errorf("%s %d: source %q", file, e.Code, e.Source)
			}
			seen := map[string]bool{}
			for _, m := range e.Minors {
				if !idRe.MatchString(m.ID) || seen[m.ID] {
					t.Errorf("%s %d minor %d: id %q invalid or repeated", file, e.Code, m.Code, m.ID)
				}
				seen[m.ID] = true
			}
		}
	}
	// Each later entry is a fact of a later API release: same name and action
	// as the protocol's table, when that table is at hand.
	facts := laterFacts(t)
	for _, e := range later {
		if e.Group != "channel" && e.Group != "user" && e.Group != "chat" && e.Group != "group" &&
			e.Group != "info" && e.Group != "client" && e.Group != "file" && e.Group != "system" &&
			e.Group != "signaling" && e.Group != "geo" {
			t.Errorf("errors-later.yaml %d: group %q", e.Code, e.Group)
		}
		if e.Kind != kindReal || (e.Star == nil) == (len(e.Minors) == 0) {
			t.Errorf("errors-later.yaml %d: kind %q, star/minors %v/%d", e.Code, e.Kind, e.Star != nil, len(e.Minors))
		}
		if facts == nil {
			continue
		}
		f, ok := facts[e.Code]
		if !ok {
			t.Errorf("errors-later.yaml %d: not in errors-later.md", e.Code)
		} else if f.name != e.Name || (f.action != e.Action && !(f.action == 0 && e.Correction != "")) {
			// An error the table binds to no request may name one when its
			// entry says why (correction), as 153 does.
			t.Errorf("errors-later.yaml %d: %s for action %d, errors-later.md says %s for %d", e.Code, e.Name, e.Action, f.name, f.action)
		}
	}
}

type laterFact struct {
	name   string
	action int
}

// laterFacts reads code -> (name, action) from the protocol's table of later
// errors; nil when the file is not beside the repository.
func laterFacts(t *testing.T) map[int]laterFact {
	data, err := os.ReadFile("../../../shared/protocol/errors-later.md")
	if err != nil {
		t.Log("errors-later.md not found; later entries not compared")
		return nil
	}
	out := map[int]laterFact{}
	for _, line := range strings.Split(string(data), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 5 {
			continue
		}
		code, err1 := strconv.Atoi(strings.TrimSpace(cells[1]))
		if err1 != nil {
			continue
		}
		action, _ := strconv.Atoi(strings.TrimSpace(cells[3]))
		out[code] = laterFact{name: strings.TrimSpace(cells[2]), action: action}
	}
	return out
}

// errors-later.yaml is hand-written; it must still be laid out exactly as the
// importer would write it, so both files read alike.
func TestLaterCatalogueLayout(t *testing.T) {
	src := readFile(t, laterFile)
	list, err := readCatalogue(src)
	if err != nil {
		t.Fatal(err)
	}
	var hdr []string
	for _, l := range strings.Split(string(src), "\n") {
		if !strings.HasPrefix(l, "#") {
			break
		}
		hdr = append(hdr, strings.TrimPrefix(strings.TrimPrefix(l, "#"), " "))
	}
	got, err := marshalCatalogue(strings.Join(hdr, "\n"), list)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, src) {
		t.Errorf("errors-later.yaml is not in the writer's layout:\n%s", lineDiff(string(src), string(got), 40))
	}
}

func TestRunCheck(t *testing.T) {
	readShared(t) // skips without the shared folder
	dir := t.TempDir()
	out := filepath.Join(dir, "errors.yaml")
	args := func(extra ...string) []string {
		return append([]string{"-seed", seedFile, "-index", indexFile, "-merge", specFile, "-out", out}, extra...)
	}
	var stdout, stderr bytes.Buffer
	if code := run(args("-check"), &stdout, &stderr); code != 1 {
		t.Fatalf("-check without the file: exit %d, want 1", code)
	}
	if code := run(args(), &stdout, &stderr); code != 0 {
		t.Fatalf("import: exit %d: %s", code, stderr.String())
	}
	if !bytes.Equal(readFile(t, out), readFile(t, specFile)) {
		t.Fatal("the written file differs from spec/errors.yaml")
	}
	stderr.Reset()
	if code := run(args("-check"), &stdout, &stderr); code != 0 {
		t.Fatalf("-check on a fresh import: exit %d: %s", code, stderr.String())
	}
	edited := bytes.Replace(readFile(t, out), []byte("Invalid countryCode"), []byte("Invalid country"), 1)
	if err := os.WriteFile(out, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	if code := run(args("-check"), &stdout, &stderr); code != 1 {
		t.Fatalf("-check on an edited file: exit %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "-    - {code: 1, id: invalid_country_code, detail: Invalid country,") ||
		!strings.Contains(stderr.String(), "+    - {code: 1, id: invalid_country_code, detail: Invalid countryCode,") {
		t.Errorf("-check output does not show the changed line:\n%s", stderr.String())
	}
	if !bytes.Equal(readFile(t, out), edited) {
		t.Error("-check wrote the file")
	}
	stdout.Reset()
	if code := run(args("-out", "-"), &stdout, &stderr); code != 0 || !bytes.Equal(stdout.Bytes(), readFile(t, specFile)) {
		t.Errorf("-out -: exit %d, %d bytes", code, stdout.Len())
	}
	if code := run(args("-seed", filepath.Join(dir, "missing.md")), &stdout, &stderr); code != 2 {
		t.Errorf("missing seed: exit %d, want 2", code)
	}
}
