package e2e

import (
	"testing"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
)

// A voice message played by the reader is LISTENED (Android sends it live,
// or offline in ClientCondition.offline_listened); the author is told.
func TestVoiceMessageListened(t *testing.T) {
	e := fileStart(t)
	a, b := chatSignUp(e, 9122600001), chatSignUp(e, 9122600002)
	room := chatRoom(t, a, b)
	token := fileUpload(t, a, "voice.png", fileImage(t, 8, 8))
	fileProcessed(t, a, token)
	voice := func() *pb.RoomMessage {
		t.Helper()
		r, err := a.c.ChatSendMessage(ctx(t), &pb.ChatSendMessage{RoomId: room, MessageType: pb.RoomMessageType_VOICE, Attachment: token})
		if err != nil {
			t.Fatal(err)
		}
		return r.RoomMessage
	}
	live, offline := voice(), voice()
	syncPushes(a.conn)

	r, err := b.c.ChatUpdateStatus(ctx(t), &pb.ChatUpdateStatus{RoomId: room, MessageId: live.MessageId, Status: pb.RoomMessageStatus_LISTENED})
	if err != nil || r.Status != pb.RoomMessageStatus_LISTENED {
		t.Fatalf("live LISTENED: %v %v", r, err)
	}
	if p := nextPush(t, a.conn, pushStatus).(*pb.ChatUpdateStatusResponse); p.MessageId != live.MessageId || p.Status != pb.RoomMessageStatus_LISTENED {
		t.Fatalf("author's push %v", p)
	}
	// SEEN after LISTENED does not take it back.
	if r, err := b.c.ChatUpdateStatus(ctx(t), &pb.ChatUpdateStatus{RoomId: room, MessageId: live.MessageId, Status: pb.RoomMessageStatus_SEEN}); err != nil || r.Status != pb.RoomMessageStatus_LISTENED {
		t.Fatalf("SEEN after LISTENED: %v %v", r, err)
	}
	// A reader reports only DELIVERED, SEEN or LISTENED.
	_, err = b.c.ChatUpdateStatus(ctx(t), &pb.ChatUpdateStatus{RoomId: room, MessageId: live.MessageId, Status: pb.RoomMessageStatus_SENT})
	wantErr(t, err, errs.ChatUpdateStatusBadPayload, errs.ChatUpdateStatusBadPayloadInvalidStatus)

	b.conn.Close()
	b2 := chatSecondSession(e, b)
	if _, err := b2.c.ClientCondition(ctx(t), &pb.ClientCondition{Rooms: []*pb.ClientCondition_Room{{
		RoomId: room, MessageVersion: syncVersions(live, offline), OfflineListened: []uint64{offline.MessageId},
	}}}); err != nil {
		t.Fatal(err)
	}
	if p := nextPush(t, a.conn, pushStatus).(*pb.ChatUpdateStatusResponse); p.MessageId != offline.MessageId || p.Status != pb.RoomMessageStatus_LISTENED {
		t.Fatalf("author's push of the offline mark %v", p)
	}
	h, err := a.c.ClientGetRoomHistory(ctx(t), &pb.ClientGetRoomHistory{RoomId: room})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range h.Message {
		if m.Status != pb.RoomMessageStatus_LISTENED {
			t.Fatalf("history: %d is %v", m.MessageId, m.Status)
		}
	}
	// And b has nothing unread left.
	if rs := roomList(t, b2, nil); rs[0].UnreadCount != 0 {
		t.Fatalf("unread after listening: %d", rs[0].UnreadCount)
	}
}
