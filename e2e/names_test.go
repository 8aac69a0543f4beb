package e2e

import (
	"testing"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
)

// Names others see refuse text that reorders what is shown after them or
// shows nothing, each with its field's own minor; message text refuses C0
// controls but tab and newline.
func TestNamesRefuseSpoofing(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9121240001), chatSignUp(e, 9121240002)

	spoofs := []string{"evil\u202etxt.exe", "a\u2066b", "\u200b\u200d", "\u3164", " \u00ad "}
	for _, name := range spoofs {
		_, err := a.c.UserProfileSetNickname(ctx(t), &pb.UserProfileSetNickname{Nickname: name})
		wantErr(t, err, errs.UserProfileSetNicknameBadPayload, errs.UserProfileSetNicknameBadPayloadInvalidNickname)
		_, err = a.c.GroupCreate(ctx(t), &pb.GroupCreate{Name: name})
		wantErr(t, err, errs.GroupCreateBadPayload, errs.GroupCreateBadPayloadInvalidName)
		_, err = a.c.ChannelCreate(ctx(t), &pb.ChannelCreate{Name: name})
		wantErr(t, err, errs.ChannelCreateBadPayload, errs.ChannelCreateBadPayloadInvalidName)
		_, err = a.c.UserContactsEdit(ctx(t), &pb.UserContactsEdit{Phone: b.phone, FirstName: name})
		wantErr(t, err, errs.UserContactsEditBadPayload, errs.UserContactsEditBadPayloadInvalidFirstName)
	}
	// ZWJ inside an emoji sequence is part of a visible name.
	if _, err := a.c.UserProfileSetNickname(ctx(t), &pb.UserProfileSetNickname{Nickname: "Ada \U0001F469\u200d\U0001F4BB"}); err != nil {
		t.Fatalf("an emoji sequence with ZWJ was refused: %v", err)
	}

	room := chatRoom(t, a, b)
	for _, text := range []string{"nul\x00", "esc\x1b[2J", "cr\r"} {
		_, err := a.c.ChatSendMessage(ctx(t), &pb.ChatSendMessage{RoomId: room, MessageType: pb.RoomMessageType_TEXT, Message: text})
		wantErr(t, err, errs.ChatSendMessageBadPayload, errs.ChatSendMessageBadPayloadTextWithoutMessage)
	}
	if m := chatText(t, a, room, "two\nlines\tand a tab"); m.Message != "two\nlines\tand a tab" {
		t.Fatalf("stored %q", m.Message)
	}
}
