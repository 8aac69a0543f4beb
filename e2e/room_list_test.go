package e2e

import (
	"fmt"
	"testing"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/generated/validate"
)

func roomList(t *testing.T, u *chatUser, p *pb.Pagination) []*pb.Room {
	t.Helper()
	r, err := u.c.ClientGetRoomList(ctx(t), &pb.ClientGetRoomList{Pagination: p})
	if err != nil {
		t.Fatal(err)
	}
	return r.Rooms
}

func roomIDs(rs []*pb.Room) []uint64 {
	ids := make([]uint64, len(rs))
	for i, r := range rs {
		ids[i] = r.Id
	}
	return ids
}

// The room list is paged: 50 by default, at most 100, and an offset past the
// end is empty, so a client that asks for the next page while a page is full
// (Android) stops.
func TestRoomListPages(t *testing.T) {
	e := start(t, nil)
	a := chatSignUp(e, 9122300001)
	const n = 2*validate.ClientGetRoomListPage + 20
	var made []uint64
	for i := range n {
		made = append(made, groupCreate(t, a, fmt.Sprintf("g%d", i)))
	}
	// Same activity time: the newest room first.
	want := make([]uint64, n)
	for i, id := range made {
		want[n-1-i] = id
	}

	for _, p := range []*pb.Pagination{nil, {}, {Offset: 0, Limit: 0}} {
		if got := roomIDs(roomList(t, a, p)); fmt.Sprint(got) != fmt.Sprint(want[:validate.ClientGetRoomListPage]) {
			t.Fatalf("pagination %v: %d rooms %v", p, len(got), got)
		}
	}
	if got := roomList(t, a, &pb.Pagination{Limit: 1000}); len(got) != validate.ClientGetRoomListMaxPage {
		t.Fatalf("limit 1000: %d rooms, want the cap %d", len(got), validate.ClientGetRoomListMaxPage)
	}
	if got := roomIDs(roomList(t, a, &pb.Pagination{Offset: 3, Limit: 2})); fmt.Sprint(got) != fmt.Sprint(want[3:5]) {
		t.Fatalf("offset 3 limit 2: %v", got)
	}

	// Android's loop: next page while the page holds >= 50.
	var all []uint64
	for off, pages := uint32(0), 0; ; pages++ {
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		page := roomList(t, a, &pb.Pagination{Offset: off, Limit: 50})
		all = append(all, roomIDs(page)...)
		if len(page) < 50 {
			break
		}
		off += uint32(len(page))
	}
	if fmt.Sprint(all) != fmt.Sprint(want) {
		t.Fatalf("pages gave %d rooms, want %d in order", len(all), len(want))
	}
	if got := roomList(t, a, &pb.Pagination{Offset: 10000, Limit: 50}); len(got) != 0 {
		t.Fatalf("offset past the end: %d rooms", len(got))
	}
}

// Pinned rooms come first, the most recently pinned on top, with pin_id set;
// unpinning puts a room back in its place.
func TestPinRoom(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9122300011), chatSignUp(e, 9122300012)
	g1, g2, g3 := groupCreate(t, a, "one"), groupCreate(t, a, "two"), groupCreate(t, a, "three")
	if got := roomIDs(roomList(t, a, nil)); fmt.Sprint(got) != fmt.Sprint([]uint64{g3, g2, g1}) {
		t.Fatalf("before pins: %v", got)
	}
	pin := func(room uint64, on bool) uint64 {
		t.Helper()
		r, err := a.c.ClientPinRoom(ctx(t), &pb.ClientPinRoom{RoomId: room, Pin: on})
		if err != nil {
			t.Fatal(err)
		}
		if r.RoomId != room || (r.PinId != 0) != on {
			t.Fatalf("pin %d %v: %v", room, on, r)
		}
		return r.PinId
	}
	p1 := pin(g1, true)
	p2 := pin(g2, true)
	if again := pin(g1, true); again != p1 || p2 <= p1 {
		t.Fatalf("pin ids: g1 %d (again %d), g2 %d", p1, again, p2)
	}
	rs := roomList(t, a, nil)
	if got := roomIDs(rs); fmt.Sprint(got) != fmt.Sprint([]uint64{g2, g1, g3}) {
		t.Fatalf("after pins: %v, want g2 g1 g3", got)
	}
	if rs[0].PinId != p2 || rs[1].PinId != p1 || rs[2].PinId != 0 {
		t.Fatalf("pin_id in the list: %v", rs)
	}
	// Pins count in paging: the first page of one is the newest pin.
	if got := roomIDs(roomList(t, a, &pb.Pagination{Limit: 1})); fmt.Sprint(got) != fmt.Sprint([]uint64{g2}) {
		t.Fatalf("first page of 1: %v", got)
	}
	pin(g2, false)
	if got := roomIDs(roomList(t, a, nil)); fmt.Sprint(got) != fmt.Sprint([]uint64{g1, g3, g2}) {
		t.Fatalf("after unpin: %v, want g1 g3 g2", got)
	}
	one, err := a.c.ClientGetRoom(ctx(t), &pb.ClientGetRoom{RoomId: g1})
	if err != nil || one.Room.PinId != p1 {
		t.Fatalf("ClientGetRoom: %v %v", one.GetRoom(), err)
	}
	// A pin is the caller's own: b's list of a shared room is unchanged.
	groupAdd(t, a, g1, b, 0)
	if rs := roomList(t, b, nil); len(rs) != 1 || rs[0].PinId != 0 {
		t.Fatalf("b's list: %v", rs)
	}

	_, err = a.c.ClientPinRoom(ctx(t), &pb.ClientPinRoom{RoomId: 999999, Pin: true})
	wantErr(t, err, errs.ClientPinRoomBadPayload, errs.ClientPinRoomBadPayloadInvalidRoomId)
	_, err = a.c.ClientPinRoom(ctx(t), &pb.ClientPinRoom{Pin: true})
	wantErr(t, err, errs.ClientPinRoomBadPayload, errs.ClientPinRoomBadPayloadInvalidRoomId)
	_, err = b.c.ClientPinRoom(ctx(t), &pb.ClientPinRoom{RoomId: g3, Pin: true})
	wantErr(t, err, errs.ClientPinRoomForbidden, 0)
}

// Room.room_mute shows the member's mute, whether set by ClientMuteRoom or
// by ClientCondition's offline_mute.
func TestMuteRoom(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9122300021), chatSignUp(e, 9122300022)
	room := chatRoom(t, a, b)
	g := groupCreate(t, b, "b's")
	muted := func(u *chatUser) pb.RoomMute {
		t.Helper()
		r, err := u.c.ClientGetRoom(ctx(t), &pb.ClientGetRoom{RoomId: room})
		if err != nil {
			t.Fatal(err)
		}
		return r.Room.RoomMute
	}
	if muted(a) != pb.RoomMute_UNMUTE {
		t.Fatal("a new room is muted")
	}
	r, err := a.c.ClientMuteRoom(ctx(t), &pb.ClientMuteRoom{RoomId: room, RoomMute: pb.RoomMute_MUTE})
	if err != nil || r.RoomId != room || r.RoomMute != pb.RoomMute_MUTE {
		t.Fatalf("mute: %v %v", r, err)
	}
	if muted(a) != pb.RoomMute_MUTE || muted(b) != pb.RoomMute_UNMUTE {
		t.Fatalf("after a's mute: a %v, b %v", muted(a), muted(b))
	}
	if rs := roomList(t, a, nil); rs[0].RoomMute != pb.RoomMute_MUTE {
		t.Fatalf("room list: %v", rs[0])
	}
	if _, err := a.c.ClientMuteRoom(ctx(t), &pb.ClientMuteRoom{RoomId: room, RoomMute: pb.RoomMute_UNMUTE}); err != nil || muted(a) != pb.RoomMute_UNMUTE {
		t.Fatalf("unmute: %v %v", muted(a), err)
	}
	// Offline mute, reported at ClientCondition, shows the same way.
	if _, err := a.c.ClientCondition(ctx(t), &pb.ClientCondition{Rooms: []*pb.ClientCondition_Room{
		{RoomId: room, OfflineMute: pb.ClientCondition_Room_MUTED}}}); err != nil {
		t.Fatal(err)
	}
	if muted(a) != pb.RoomMute_MUTE {
		t.Fatal("offline_mute is not shown as room_mute")
	}

	_, err = a.c.ClientMuteRoom(ctx(t), &pb.ClientMuteRoom{RoomId: 999999})
	wantErr(t, err, errs.ClientMuteRoomBadPayload, errs.ClientMuteRoomBadPayloadInvalidRoomId)
	_, err = a.c.ClientMuteRoom(ctx(t), &pb.ClientMuteRoom{RoomId: room, RoomMute: 7})
	wantErr(t, err, errs.ClientMuteRoomBadPayload, errs.ClientMuteRoomBadPayloadInvalidRoomMute)
	_, err = a.c.ClientMuteRoom(ctx(t), &pb.ClientMuteRoom{RoomId: g, RoomMute: pb.RoomMute_MUTE})
	wantErr(t, err, errs.ClientMuteRoomForbidden, 0)
}
