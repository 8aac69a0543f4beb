package main

import (
	"strings"
	"testing"
)

func TestPlainSafe(t *testing.T) {
	cases := []struct {
		s          string
		flow, safe bool
	}{
		{"Invalid countryCode", true, true},
		{"Invalid location.lat", true, true},
		{"first_name or last_name is required", true, true},
		{"New client connected in this session , so you will be kicked out", false, true},
		{"New client connected in this session , so you will be kicked out", true, false},
		{"*", true, false},
		{"", true, false},
		{"Send message #102", false, false},
		{"true", false, false},
		{"123", false, false},
		{"null", false, false},
		{"yes", false, false},
		{"Off", true, false},
		{"a: b", false, false},
		{" padded", false, false},
		{"'quoted'", false, false},
		{"the seed's link", false, true},
	}
	for _, c := range cases {
		if got := plainSafe(c.s, c.flow); got != c.safe {
			t.Errorf("plainSafe(%q, flow=%v) = %v, want %v", c.s, c.flow, got, c.safe)
		}
	}
}

func TestMarshalCatalogue(t *testing.T) {
	list := []Error{
		{Code: 4, Name: "FORBIDDEN", Group: "system", Kind: kindReal, Description: "Not: allowed",
			Star: &Row{Detail: "*", Reaction: "Send message #102"}},
		{Code: 612, Name: "CLIENT_GET_ROOM_BAD_PAYLOAD", Group: "client", Kind: kindReal, Action: 602, Wait: true,
			Description: "Bad payload for request", Correction: "the seed's request link is empty; the error belongs to #602",
			Minors: []Minor{{Code: 1, ID: "invalid_room_id", Detail: "Invalid room_id", Reaction: "*"},
				{Code: 2, ID: "minor_2", Detail: "yes", Reaction: ""}}},
	}
	got, err := marshalCatalogue("line one\nline two", list)
	if err != nil {
		t.Fatal(err)
	}
	want := `# line one
# line two

- code: 4
  name: FORBIDDEN
  group: system
  kind: real
  description: "Not: allowed"
  star: {detail: "*", reaction: "Send message #102"}

- code: 612
  name: CLIENT_GET_ROOM_BAD_PAYLOAD
  group: client
  kind: real
  action: 602
  wait: true
  description: Bad payload for request
  correction: "the seed's request link is empty; the error belongs to #602"
  minors:
    - {code: 1, id: invalid_room_id, detail: Invalid room_id, reaction: "*"}
    - {code: 2, id: minor_2, detail: "yes", reaction: ""}
`
	if string(got) != want {
		t.Errorf("got:\n%s\nwant:\n%s\ndiff:\n%s", got, want, lineDiff(want, string(got), 40))
	}
	back, err := readCatalogue(got)
	if err != nil {
		t.Fatal(err)
	}
	if back[1].Minors[1].Detail != "yes" || back[0].Star.Reaction != "Send message #102" {
		t.Errorf("read back %+v", back)
	}
}

func TestLineDiff(t *testing.T) {
	have := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n"
	want := "a\nb\nC\nd\ne\nf\ng\nh\ni\nj\nk\n"
	got := lineDiff(have, want, 100)
	for _, w := range []string{"@@ line 1 @@", "-c\n+C", "@@ line 9 @@", "+k"} {
		if !strings.Contains(got, w) {
			t.Errorf("diff lacks %q:\n%s", w, got)
		}
	}
	if strings.Contains(got, " f\n") {
		t.Errorf("diff shows unchanged line f, far from any change:\n%s", got)
	}
}
