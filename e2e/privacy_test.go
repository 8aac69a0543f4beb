package e2e

import (
	"slices"
	"testing"

	"github.com/gapd/gapd/generated/pb"
)

// roomPeerPhone is the peer's phone in u's rendering of chat room id, from
// ClientGetRoom (0 when not shown).
func roomPeerPhone(t *testing.T, u *chatUser, id uint64) uint64 {
	t.Helper()
	r, err := u.c.ClientGetRoom(ctx(t), &pb.ClientGetRoom{RoomId: id})
	if err != nil {
		t.Fatal(err)
	}
	return r.Room.GetChatRoomExtra().GetPeer().GetPhone()
}

// Ids are sequential, so a phone shown to anyone who asks would be shown to
// everyone: it is shown only to those who have it among their contacts.
func TestPrivacyPhoneOnlyForContacts(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9121300001), chatSignUp(e, 9121300002)

	r, err := a.c.ChatGetRoom(ctx(t), &pb.ChatGetRoom{PeerId: b.id})
	if err != nil {
		t.Fatal(err)
	}
	if p := r.Room.GetChatRoomExtra().GetPeer(); p.GetId() != b.id || p.Phone != 0 {
		t.Fatalf("a stranger's ChatGetRoom shows peer %d with phone %d", p.GetId(), p.GetPhone())
	}
	room := r.Room.Id
	chatText(t, a, room, "hello")
	if p := nextPush(t, b.conn, pushSend).(*pb.ChatSendMessageResponse); p.RoomId != room {
		t.Fatalf("b's push: room %d", p.RoomId)
	}
	// b has not imported a: a's phone is hidden in b's list and room.
	for _, rm := range roomList(t, b, nil) {
		if ph := rm.GetChatRoomExtra().GetPeer().GetPhone(); ph != 0 {
			t.Fatalf("b's room list shows a's phone %d", ph)
		}
	}
	if ph := roomPeerPhone(t, b, room); ph != 0 {
		t.Fatalf("b's ClientGetRoom shows a's phone %d", ph)
	}

	// Once a has b's number as a contact, a sees it everywhere.
	contactsImport(t, a.c, &pb.UserContactsImport_Contact{Phone: "9121300002", FirstName: "Bee", ClientId: "b"})
	const bPhone = 989121300002
	r, err = a.c.ChatGetRoom(ctx(t), &pb.ChatGetRoom{PeerId: b.id})
	if err != nil || r.Room.GetChatRoomExtra().GetPeer().GetPhone() != bPhone {
		t.Fatalf("a's ChatGetRoom after importing b: %v, %v", r.GetRoom().GetChatRoomExtra().GetPeer(), err)
	}
	if ph := roomPeerPhone(t, a, room); ph != bPhone {
		t.Fatalf("a's ClientGetRoom after importing b: phone %d", ph)
	}
	if list := roomList(t, a, nil); len(list) != 1 || list[0].GetChatRoomExtra().GetPeer().GetPhone() != bPhone {
		t.Fatalf("a's room list after importing b: %v", list)
	}
	if u := contactsList(t, a.c)[b.id]; u.GetPhone() != bPhone || u.GetDisplayName() != "Bee" {
		t.Fatalf("a's contact list: %v", u)
	}
	// Still hidden from b, who has not imported a.
	if ph := roomPeerPhone(t, b, room); ph != 0 {
		t.Fatalf("b's ClientGetRoom after a imported b: a's phone %d", ph)
	}
	// Deleting the contact hides the phone again.
	if _, err := a.c.UserContactsDelete(ctx(t), &pb.UserContactsDelete{Phone: bPhone}); err != nil {
		t.Fatal(err)
	}
	if ph := roomPeerPhone(t, a, room); ph != 0 {
		t.Fatalf("a's ClientGetRoom after deleting the contact: phone %d", ph)
	}
}

// Opening a chat puts it in the opener's list only; the peer's list gets it
// with the first message.
func TestPrivacyChatGetRoomLeavesPeerListAlone(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9121300011), chatSignUp(e, 9121300012)
	room := chatRoom(t, a, b)
	if ids := roomIDs(roomList(t, a, nil)); !slices.Equal(ids, []uint64{room}) {
		t.Fatalf("a's list after opening the chat: %v", ids)
	}
	if ids := roomIDs(roomList(t, b, nil)); len(ids) != 0 {
		t.Fatalf("b's list after a merely opened the chat: %v", ids)
	}

	m := chatText(t, a, room, "hi")
	if p := nextPush(t, b.conn, pushSend).(*pb.ChatSendMessageResponse); p.RoomId != room || p.RoomMessage.MessageId != m.MessageId {
		t.Fatalf("b's push: %v", p)
	}
	if ids := roomIDs(roomList(t, b, nil)); !slices.Equal(ids, []uint64{room}) {
		t.Fatalf("b's list after the first message: %v", ids)
	}
	r, err := b.c.ClientGetRoom(ctx(t), &pb.ClientGetRoom{RoomId: room})
	if err != nil || r.Room.LastMessage.GetMessageId() != m.MessageId || r.Room.UnreadCount != 1 {
		t.Fatalf("b's ClientGetRoom: %v, %v", r.GetRoom(), err)
	}

	// The other way round: c opens a chat with a, then a opens it too and
	// has it in its list before any message.
	c := chatSignUp(e, 9121300013)
	cRoom := chatRoom(t, c, a)
	if ids := roomIDs(roomList(t, a, nil)); slices.Contains(ids, cRoom) {
		t.Fatalf("a's list holds c's unasked chat: %v", ids)
	}
	if got := chatRoom(t, a, c); got != cRoom {
		t.Fatalf("a's ChatGetRoom(c) = %d, c's was %d", got, cRoom)
	}
	if ids := roomIDs(roomList(t, a, nil)); !slices.Contains(ids, cRoom) {
		t.Fatalf("a's list after a opened c's chat itself: %v", ids)
	}
}
