package handlers

import (
	"testing"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/wire"
)

// TestSendMinorsAgree: one send implementation serves chats, groups and
// channels with the chat minor names, which is right only while the three
// BAD_PAYLOAD tables number their rows alike.
func TestSendMinorsAgree(t *testing.T) {
	chat, ok := errs.Lookup(errs.ChatSendMessageBadPayload)
	if !ok {
		t.Fatal("no error 203")
	}
	for _, code := range []wire.Major{errs.GroupSendMessageBadPayload, errs.ChannelSendMessageBadPayload} {
		other, ok := errs.Lookup(code)
		if !ok {
			t.Fatalf("no error %d", code)
		}
		if len(other.Minors) != len(chat.Minors) {
			t.Fatalf("error %d has %d minors, 203 has %d", code, len(other.Minors), len(chat.Minors))
		}
		for i, m := range chat.Minors {
			if o := other.Minors[i]; o.Code != m.Code || o.ID != m.ID {
				t.Errorf("error %d row %d is %d %s; 203 has %d %s", code, i, o.Code, o.ID, m.Code, m.ID)
			}
		}
	}
}
