package main

import (
	"strings"
	"testing"
)

var testIndex = newActionIndex(map[int]string{
	204: "ChatDeleteMessage",
	206: "ChatDelete",
	311: "GroupUpdateStatus",
	304: "GroupClearMessage",
	600: "ClientCondition",
	602: "ClientGetRoom",
	601: "ClientGetRoomList",
	113: "UserUsernameToId",
})

func seedErr(code int, name, group, kind string, link *seedLink) *seedError {
	e := &seedError{RawName: name, Link: link}
	e.Code, e.Name, e.Group, e.Kind = code, name, group, kind
	return e
}

func TestActionFor(t *testing.T) {
	cases := []struct {
		e    *seedError
		want int
	}{
		{seedErr(212, "CHAT_DELETE_MESSAGE_BAD_PAYLOAD", "chat", kindReal, nil), 204},
		{seedErr(218, "CHAT_DELETE_BAD_PAYLOAD", "chat", kindReal, nil), 206},
		{seedErr(610, "CLIENT_GET_ROOM_LIST_BAD_PAYLOAD", "client", kindReal, nil), 601},
		{seedErr(612, "CLIENT_GET_ROOM_BAD_PAYLOAD", "client", kindReal, nil), 602},
		{seedErr(132, "USER_USERNAME_TO_ID_BAD_PAYLOAD", "user", kindReal, nil), 113},
		{seedErr(605, "CLIENT_UPDATE_DELETE_MESSAGE_BAD_PAYLOAD", "client", kindVirtual, nil), 600},
		{seedErr(4, "FORBIDDEN", "system", kindReal, nil), 0},
	}
	for _, c := range cases {
		got, err := testIndex.actionFor(c.e)
		if err != nil || got != c.want {
			t.Errorf("actionFor(%d %s) = %d, %v; want %d", c.e.Code, c.e.Name, got, err, c.want)
		}
	}
	// The name must be the request's name followed by "_": CHAT_DELETED is not ChatDelete's.
	for _, e := range []*seedError{
		seedErr(1, "CHAT_DELETED", "chat", kindReal, nil),
		seedErr(2, "NOTHING_KNOWN", "chat", kindReal, nil),
		seedErr(3, "VIRTUAL_ELSEWHERE", "chat", kindVirtual, nil),
	} {
		if got, err := testIndex.actionFor(e); err == nil {
			t.Errorf("actionFor(%s) = %d, want an error", e.Name, got)
		}
	}
}

func TestCorrectionFor(t *testing.T) {
	cases := []struct {
		e      *seedError
		action int
		want   []string // substrings; none for ""
	}{
		{seedErr(212, "X", "chat", kindReal, &seedLink{"204", "204"}), 204, nil},
		{seedErr(104, "X", "user", kindReal, nil), 101, nil},
		{seedErr(218, "X", "chat", kindReal, &seedLink{"204", "204"}), 206, []string{"#204 (ChatDeleteMessage)", "#206 (ChatDelete)"}},
		{seedErr(612, "X", "client", kindReal, &seedLink{}), 602, []string{"empty", "#602 (ClientGetRoom)"}},
		{seedErr(316, "X", "group", kindReal, &seedLink{"311", "304"}), 304, []string{"#311", "action_304", "#304 (GroupClearMessage)"}},
	}
	for _, c := range cases {
		got := testIndex.correctionFor(c.e, c.action)
		if len(c.want) == 0 && got != "" {
			t.Errorf("%d: correction %q, want none", c.e.Code, got)
		}
		if len(c.want) > 0 && got == "" {
			t.Errorf("%d: no correction", c.e.Code)
		}
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%d: correction %q lacks %q", c.e.Code, got, w)
			}
		}
	}
	e := seedErr(700, "FILE_UPLOAD_OPTION_BAD_PAYLOAD", "file", kindReal, &seedLink{"700", "700"})
	e.RawName = "FILE_UPLOAD_OPTION_BAD_PAYLOAD."
	if got := testIndex.correctionFor(e, 700); !strings.Contains(got, "FILE_UPLOAD_OPTION_BAD_PAYLOAD.") {
		t.Errorf("700: correction %q does not mention the trailing period", got)
	}
}
