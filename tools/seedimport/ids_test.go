package main

import (
	"reflect"
	"testing"
)

func TestDefaultID(t *testing.T) {
	cases := []struct {
		detail string
		code   int
		want   string
	}{
		{"Invalid countryCode", 1, "invalid_country_code"},
		{"Invalid forwardFrom.messageId", 27, "invalid_forward_from_message_id"},
		{"Invalid offline_edited.message_id", 6, "invalid_offline_edited_message_id"},
		{"first_name or last_name is required", 4, "first_name_or_last_name_is_required"},
		{"Invalid isoCode", 1, "invalid_iso_code"},
		{"Room_Name for Channel is invalid", 1, "room_name_for_channel_is_invalid"},
		{"Parse HTTPServer", 1, "parse_http_server"},
		{"*", 1, "minor_1"},
		{"", 3, "minor_3"},
		{"2FA enabled", 5, "minor_2_fa_enabled"},
	}
	for _, c := range cases {
		if got := defaultID(c.detail, c.code); got != c.want {
			t.Errorf("defaultID(%q, %d) = %q, want %q", c.detail, c.code, got, c.want)
		}
		if got := defaultID(c.detail, c.code); !idRe.MatchString(got) {
			t.Errorf("defaultID(%q) = %q is not a valid id", c.detail, got)
		}
	}
}

func TestScreamingSnake(t *testing.T) {
	for in, want := range map[string]string{
		"UserUsernameToId":       "USER_USERNAME_TO_ID",
		"ChatDelete":             "CHAT_DELETE",
		"QrCodeJoin":             "QR_CODE_JOIN",
		"FileUploadOption":       "FILE_UPLOAD_OPTION",
		"ChannelAddMember":       "CHANNEL_ADD_MEMBER",
		"ClientGetRoomList":      "CLIENT_GET_ROOM_LIST",
		"InfoLocation":           "INFO_LOCATION",
		"ConnectionSymmetricKey": "CONNECTION_SYMMETRIC_KEY",
	} {
		if got := screamingSnake(in); got != want {
			t.Errorf("screamingSnake(%q) = %q, want %q", in, got, want)
		}
	}
}

func ids(e Error) []string {
	var out []string
	for _, m := range e.Minors {
		out = append(out, m.ID)
	}
	return out
}

func TestAssignIDsMakesThemUnique(t *testing.T) {
	e := Error{Code: 704, Minors: []Minor{
		{Code: 1, Detail: "Invalid token"},
		{Code: 2, Detail: "Invalid offset"},
		{Code: 3, Detail: "Invalid offset"},
		{Code: 4, Detail: "*"},
	}}
	if err := assignIDs(&e, nil); err != nil {
		t.Fatal(err)
	}
	want := []string{"invalid_token", "invalid_offset", "invalid_offset_3", "minor_4"}
	if got := ids(e); !reflect.DeepEqual(got, want) {
		t.Errorf("ids %v, want %v", got, want)
	}
}

func TestAssignIDsCuratedWin(t *testing.T) {
	e := Error{Code: 704, Minors: []Minor{
		{Code: 2, Detail: "Invalid offset"},
		{Code: 3, Detail: "Invalid offset"},
	}}
	// The curated id of minor 3 takes the default of minor 2, which then
	// gets the suffix.
	if err := assignIDs(&e, map[int]string{3: "invalid_offset", 9: "stale"}); err != nil {
		t.Fatal(err)
	}
	want := []string{"invalid_offset_2", "invalid_offset"}
	if got := ids(e); !reflect.DeepEqual(got, want) {
		t.Errorf("ids %v, want %v", got, want)
	}
}

func TestAssignIDsRefusesBadCuration(t *testing.T) {
	mk := func() Error {
		return Error{Code: 1, Minors: []Minor{{Code: 1, Detail: "a"}, {Code: 2, Detail: "b"}}}
	}
	for name, cur := range map[string]map[int]string{
		"not snake_case": {1: "BadId"},
		"leading digit":  {1: "1st"},
		"duplicate":      {1: "same", 2: "same"},
	} {
		e := mk()
		if err := assignIDs(&e, cur); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
