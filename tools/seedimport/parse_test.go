package main

import (
	"reflect"
	"strings"
	"testing"
)

// snippet builds a small seed document; "\t" stands in for the seed's tab padding.
func snippet(lines ...string) []byte {
	return []byte(strings.Join(lines, "\n") + "\n")
}

func TestParseStarAndNumberedRows(t *testing.T) {
	src := snippet(
		"# Group Errors(3xx)",
		"### Error 318 - GROUP_ADD_MODERATOR_BAD_PAYLOAD   ",
		"Bad payload for request [#303](../proto/README.md#action_303)",
		"",
		"| Minor Code \t| Detail \t| Reaction \t|",
		"|------------\t|--------\t|----------\t|",
		"| *             | *                       |           |",
		"| 1             | Invalid roomId          | *         |",
		"| 32          \t|  **Message is too long**      \t    | Send message [#102](../proto/README.md#action_102) |",
	)
	list, err := parseSeed(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("got %d errors, want 1", len(list))
	}
	e := list[0]
	if e.Code != 318 || e.Name != "GROUP_ADD_MODERATOR_BAD_PAYLOAD" || e.Group != "group" || e.Kind != kindReal || e.Wait {
		t.Errorf("heading parsed as %+v", e.Error)
	}
	if e.Description != "Bad payload for request" {
		t.Errorf("description %q", e.Description)
	}
	if e.Link == nil || *e.Link != (seedLink{"303", "303"}) {
		t.Errorf("link %+v", e.Link)
	}
	if e.Star == nil || *e.Star != (Row{Detail: "*", Reaction: ""}) {
		t.Errorf("star %+v", e.Star)
	}
	want := []Minor{
		{Code: 1, Detail: "Invalid roomId", Reaction: "*"},
		{Code: 32, Detail: "Message is too long", Reaction: "Send message #102"},
	}
	if !reflect.DeepEqual(e.Minors, want) {
		t.Errorf("minors %+v, want %+v", e.Minors, want)
	}
}

func TestParseNoTableFlagEmptyLinkVirtual(t *testing.T) {
	src := snippet(
		"[TOC]",
		"## Symbols",
		"| Symbol | Detail |",
		"|---|---|",
		"| :triangular_flag_on_post: :one: | wait parameter is required |",
		"# Group Errors(3xx)",
		"### Error 321 - GROUP_ADD_ADMIN_BAD_PAYLOAD",
		"Bad payload in for request [#302](../proto/README.md#action_302)",
		"",
		"# User Errors(1xx)",
		"### :triangular_flag_on_post: :one: Error 108 - USER_VERIFY_MAX_TRY_LOCK",
		"Verification code is locked for a while due to too many tries",
		"",
		"| Minor Code | Detail | Reaction |",
		"|---|---|---|",
		"| * | * | * |",
		"# Client Errors(6xx)",
		"### Error 612 - CLIENT_GET_ROOM_BAD_PAYLOAD",
		"Bad payload for request [#](../proto/README.md#action_)",
		"### Error 602 - CLIENT_UPDATE_MESSAGE_BAD_PAYLOAD",
		"Virtual Error",
		"# File Errors(7xx)",
		"### Error 700 - FILE_UPLOAD_OPTION_BAD_PAYLOAD.",
		"Bad payload for request [#700](../proto/README.md#action_700)",
	)
	list, err := parseSeed(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 5 {
		t.Fatalf("got %d errors, want 5", len(list))
	}
	e321, e108, e612, e602, e700 := list[0], list[1], list[2], list[3], list[4]
	if e321.Star != nil || e321.Minors != nil || e321.Description != "Bad payload in for request" || e321.Group != "group" {
		t.Errorf("321: %+v", e321.Error)
	}
	if !e108.Wait || e108.Group != "user" || e108.Link != nil || e108.Star == nil {
		t.Errorf("108: %+v link %v", e108.Error, e108.Link)
	}
	if e612.Link == nil || *e612.Link != (seedLink{}) || e612.Description != "Bad payload for request" {
		t.Errorf("612: %q link %+v", e612.Description, e612.Link)
	}
	if e602.Kind != kindVirtual || e602.Description != "Virtual Error" || e602.Group != "client" {
		t.Errorf("602: %+v", e602.Error)
	}
	if e700.Name != "FILE_UPLOAD_OPTION_BAD_PAYLOAD" || e700.RawName != "FILE_UPLOAD_OPTION_BAD_PAYLOAD." || e700.Group != "file" {
		t.Errorf("700: name %q raw %q", e700.Name, e700.RawName)
	}
}

func TestParseLinkTextAndTargetDiffer(t *testing.T) {
	list, err := parseSeed(snippet(
		"# Group Errors(3xx)",
		"### Error 316 - GROUP_CLEAR_MESSAGE_INTERNAL_SERVER_ERROR",
		"Internal server error for request [#311](../proto/README.md#action_304)",
	))
	if err != nil {
		t.Fatal(err)
	}
	if l := list[0].Link; l == nil || *l != (seedLink{"311", "304"}) {
		t.Errorf("link %+v", l)
	}
}

func TestParseRefusesWhatItDoesNotKnow(t *testing.T) {
	cases := map[string][]byte{
		"odd heading":     snippet("# User Errors", "### Fault 1 - X", "d"),
		"no group":        snippet("### Error 1 - X", "d"),
		"unknown group":   snippet("# Robot Errors", "### Error 1 - X", "d"),
		"duplicate code":  snippet("# User Errors", "### Error 1 - X", "d", "### Error 1 - Y", "d"),
		"bad minor code":  snippet("# User Errors", "### Error 1 - X", "d", "| Minor Code | Detail | Reaction |", "|---|---|---|", "| a | b | c |"),
		"two star rows":   snippet("# User Errors", "### Error 1 - X", "d", "| Minor Code | Detail | Reaction |", "|---|---|---|", "| * | * | * |", "| * | * | * |"),
		"stray text":      snippet("# User Errors", "### Error 1 - X", "d", "more words"),
		"no description":  snippet("# User Errors", "### Error 1 - X", ""),
		"lower-case name": snippet("# User Errors", "### Error 1 - bad_name", "d"),
		"no errors":       snippet("# Errors", "nothing here"),
	}
	for name, src := range cases {
		if _, err := parseSeed(src); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestParseIndex(t *testing.T) {
	src := snippet(
		"| other | table |",
		"|---|---|",
		"| 1 | x |",
		"",
		"| request id | request message | response id |",
		"|---|---|---|",
		"| 2 | ConnectionSymmetricKey | 30002 |",
		"| 113 | UserUsernameToId | 30113 |",
		"",
		"| 9 | NotInTheTable | 1 |",
	)
	got, err := parseIndex(src)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{2: "ConnectionSymmetricKey", 113: "UserUsernameToId"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if _, err := parseIndex(snippet("no table")); err == nil {
		t.Error("no error for a README without the index")
	}
}
