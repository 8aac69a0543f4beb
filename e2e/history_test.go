package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/generated/validate"
	"github.com/gapd/gapd/wire"
)

// historyAll pages through a room in one direction until 617 and returns
// the message ids in the order the pages gave them.
func historyAll(t *testing.T, u *chatUser, room uint64, dir pb.ClientGetRoomHistory_Direction) []uint64 {
	t.Helper()
	var ids []uint64
	for _, m := range historyMessages(t, u, room, dir) {
		ids = append(ids, m.MessageId)
	}
	return ids
}

// historyMessages is historyAll with the messages themselves, oldest first.
func historyMessages(t *testing.T, u *chatUser, room uint64, dir pb.ClientGetRoomHistory_Direction) []*pb.RoomMessage {
	t.Helper()
	var ms []*pb.RoomMessage
	from := uint64(0)
	for page := 0; ; page++ {
		r, err := u.c.ClientGetRoomHistory(ctx(t), &pb.ClientGetRoomHistory{RoomId: room, FirstMessageId: from, Direction: dir})
		if e, ok := wire.As(err); ok && e.Major == errs.ClientGetRoomHistoryNotFound {
			return ms
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Message) == 0 || len(r.Message) > validate.ClientGetRoomHistoryPage {
			t.Fatalf("page %d has %d messages", page, len(r.Message))
		}
		for i := 1; i < len(r.Message); i++ {
			if r.Message[i].MessageId <= r.Message[i-1].MessageId {
				t.Fatalf("page %d is not oldest first", page)
			}
		}
		if dir == pb.ClientGetRoomHistory_UP {
			ms = append(r.Message, ms...)
			from = r.Message[0].MessageId
		} else {
			ms = append(ms, r.Message...)
			from = r.Message[len(r.Message)-1].MessageId
		}
	}
}

func TestHistoryPagesCoverEveryMessageOnce(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9122100001), chatSignUp(e, 9122100002)
	room := chatRoom(t, a, b)
	const n = 2*validate.ClientGetRoomHistoryPage + 7
	var want []uint64
	for i := range n {
		u := a
		if i%3 == 0 {
			u = b
		}
		m := chatText(t, u, room, fmt.Sprint(i))
		if i == 5 { // a deleted message is not history
			if _, err := u.c.ChatDeleteMessage(ctx(t), &pb.ChatDeleteMessage{RoomId: room, MessageId: m.MessageId, Both: true}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want = append(want, m.MessageId)
	}
	for _, dir := range []pb.ClientGetRoomHistory_Direction{pb.ClientGetRoomHistory_UP, pb.ClientGetRoomHistory_DOWN} {
		got := historyAll(t, b, room, dir)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%v: got %v\nwant %v", dir, got, want)
		}
	}

	// After clearing, the caller's history starts after the clear point; the
	// peer's does not change.
	clearAt := want[20]
	if _, err := b.c.ChatClearMessage(ctx(t), &pb.ChatClearMessage{RoomId: room, ClearId: clearAt}); err != nil {
		t.Fatal(err)
	}
	if got := historyAll(t, b, room, pb.ClientGetRoomHistory_UP); fmt.Sprint(got) != fmt.Sprint(want[21:]) {
		t.Fatalf("b after clearing: %v", got)
	}
	if got := historyAll(t, a, room, pb.ClientGetRoomHistory_DOWN); len(got) != len(want) {
		t.Fatalf("a after b cleared: %d messages", len(got))
	}
}

func TestHistoryErrors(t *testing.T) {
	e := start(t, nil)
	a, b, c := chatSignUp(e, 9122100011), chatSignUp(e, 9122100012), chatSignUp(e, 9122100013)
	ab, ac := chatRoom(t, a, b), chatRoom(t, a, c)
	chatText(t, a, ab, "in ab")
	inAC := chatText(t, a, ac, "in ac")
	for _, tc := range []struct {
		req   *pb.ClientGetRoomHistory
		minor wire.Minor
	}{
		{&pb.ClientGetRoomHistory{RoomId: ac}, errs.ClientGetRoomHistoryBadPayloadInvalidRoomId},     // b is not in it
		{&pb.ClientGetRoomHistory{RoomId: 999999}, errs.ClientGetRoomHistoryBadPayloadInvalidRoomId}, // no such room
		{&pb.ClientGetRoomHistory{RoomId: ab, FirstMessageId: inAC.MessageId}, errs.ClientGetRoomHistoryBadPayloadInvalidFirstMessageId},
	} {
		_, err := b.c.ClientGetRoomHistory(ctx(t), tc.req)
		wantErr(t, err, errs.ClientGetRoomHistoryBadPayload, tc.minor)
	}
	// A room without messages has no history.
	empty := chatRoom(t, b, c)
	_, err := b.c.ClientGetRoomHistory(ctx(t), &pb.ClientGetRoomHistory{RoomId: empty})
	wantErr(t, err, errs.ClientGetRoomHistoryNotFound, 0)
}

func TestRoomListAndRoom(t *testing.T) {
	e := start(t, nil)
	a, b, c := chatSignUp(e, 9122100021), chatSignUp(e, 9122100022), chatSignUp(e, 9122100023)
	ab, ac := chatRoom(t, a, b), chatRoom(t, a, c)
	chatText(t, b, ab, "b1")
	chatText(t, b, ab, "b2")
	e.clock.Add(time.Second)
	last := chatText(t, c, ac, "c1")

	r, err := a.c.ClientGetRoomList(ctx(t), &pb.ClientGetRoomList{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rooms) != 2 || r.Rooms[0].Id != ac || r.Rooms[1].Id != ab {
		t.Fatalf("rooms %v, want ac then ab", r.Rooms)
	}
	if r.Rooms[0].LastMessage.GetMessageId() != last.MessageId || r.Rooms[0].UnreadCount != 1 || r.Rooms[1].UnreadCount != 2 ||
		r.Rooms[0].ChatRoomExtra.GetPeer().GetId() != c.id || r.Rooms[1].Type != pb.Room_CHAT {
		t.Fatalf("room list: %v", r.Rooms)
	}

	// New activity moves a room to the top.
	e.clock.Add(time.Second)
	chatText(t, a, ab, "a1")
	r, err = a.c.ClientGetRoomList(ctx(t), &pb.ClientGetRoomList{})
	if err != nil || r.Rooms[0].Id != ab {
		t.Fatalf("after a1: %v, %v", r.GetRooms(), err)
	}

	one, err := a.c.ClientGetRoom(ctx(t), &pb.ClientGetRoom{RoomId: ac})
	if err != nil || one.Room.Id != ac || one.Room.ChatRoomExtra.GetPeer().GetId() != c.id {
		t.Fatalf("ClientGetRoom: %v, %v", one.GetRoom(), err)
	}
	for _, id := range []uint64{ac, 999999} { // b is not in ac; 999999 does not exist
		_, err := b.c.ClientGetRoom(ctx(t), &pb.ClientGetRoom{RoomId: id})
		wantErr(t, err, errs.ClientGetRoomNotFound, 0)
	}
	_, err = b.c.ClientGetRoom(ctx(t), &pb.ClientGetRoom{})
	wantErr(t, err, errs.ClientGetRoomBadPayload, errs.ClientGetRoomBadPayloadInvalidRoomId)

	// A deleted chat leaves the list until its next message.
	if _, err := a.c.ChatDelete(ctx(t), &pb.ChatDelete{RoomId: ab}); err != nil {
		t.Fatal(err)
	}
	r, err = a.c.ClientGetRoomList(ctx(t), &pb.ClientGetRoomList{})
	if err != nil || len(r.Rooms) != 1 || r.Rooms[0].Id != ac {
		t.Fatalf("after ChatDelete: %v, %v", r.GetRooms(), err)
	}

}

// ClientGetRoomHistory's limit: 0 is the default page, what Android asks for
// (10, 100) is honoured, more than the maximum is capped.
func TestHistoryLimit(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9122100041), chatSignUp(e, 9122100042)
	room := chatRoom(t, a, b)
	for i := range validate.ClientGetRoomHistoryMaxPage + 20 {
		chatText(t, a, room, fmt.Sprint("m", i))
	}
	for _, c := range []struct{ limit, want uint32 }{
		{0, validate.ClientGetRoomHistoryPage}, {10, 10}, {100, 100}, {101, validate.ClientGetRoomHistoryMaxPage}, {100000, validate.ClientGetRoomHistoryMaxPage},
	} {
		r, err := b.c.ClientGetRoomHistory(ctx(t), &pb.ClientGetRoomHistory{RoomId: room, Limit: c.limit})
		if err != nil {
			t.Fatal(err)
		}
		if uint32(len(r.Message)) != c.want {
			t.Errorf("limit %d: %d messages, want %d", c.limit, len(r.Message), c.want)
		}
	}
}
