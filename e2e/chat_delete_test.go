package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/gapd/gapd/config"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/handlers"
	"github.com/gapd/gapd/wire"
)

func historyIDs(t *testing.T, u *chatUser, room uint64) []uint64 {
	t.Helper()
	h, err := u.c.ClientGetRoomHistory(ctx(t), &pb.ClientGetRoomHistory{RoomId: room})
	if e, ok := wire.As(err); ok && e.Major == errs.ClientGetRoomHistoryNotFound {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for _, m := range h.Message {
		ids = append(ids, m.MessageId)
	}
	return ids
}

func has(ids []uint64, id uint64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// Delete for both: the author alone, within the period UserLoginResponse
// reports; the peer gets the push.
func TestDeleteForBothRules(t *testing.T) {
	e := start(t, nil)
	c, _ := e.client()
	_, token := e.signUp(c, 9122500001)
	login, err := c.UserLogin(ctx(t), &pb.UserLogin{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	if login.ChatDeleteMessageForBothPeriod != uint32((48 * time.Hour).Seconds()) {
		t.Fatalf("chat_delete_message_for_both_period %d, want the default 48h", login.ChatDeleteMessageForBothPeriod)
	}

	a, b := chatSignUp(e, 9122500002), chatSignUp(e, 9122500003)
	room := chatRoom(t, a, b)
	old := chatText(t, a, room, "old")
	e.clock.Add(48*time.Hour + time.Second)
	fresh := chatText(t, a, room, "fresh")
	fromB := chatText(t, b, room, "from b")

	_, err = a.c.ChatDeleteMessage(ctx(t), &pb.ChatDeleteMessage{RoomId: room, MessageId: old.MessageId, Both: true})
	wantErr(t, err, errs.ChatDeleteMessageForbidden, 0)
	_, err = a.c.ChatDeleteMessage(ctx(t), &pb.ChatDeleteMessage{RoomId: room, MessageId: fromB.MessageId, Both: true})
	wantErr(t, err, errs.ChatDeleteMessageForbidden, 0)

	syncPushes(b.conn)
	del, err := a.c.ChatDeleteMessage(ctx(t), &pb.ChatDeleteMessage{RoomId: room, MessageId: fresh.MessageId, Both: true})
	if err != nil || del.DeleteVersion == 0 {
		t.Fatalf("delete for both: %v %v", del, err)
	}
	if p := nextPush(t, b.conn, pushDelete).(*pb.ChatDeleteMessageResponse); p.MessageId != fresh.MessageId {
		t.Fatalf("peer push %v", p)
	}
	if has(historyIDs(t, b, room), fresh.MessageId) || !has(historyIDs(t, b, room), old.MessageId) {
		t.Fatal("b's history after the delete for both")
	}
}

func TestDeleteForBothPeriodZeroRefusesAll(t *testing.T) {
	e := start(t, func(cfg *config.Config, _ *handlers.Deps) { cfg.Handlers.DeleteForBothPeriod = 0 })
	a, b := chatSignUp(e, 9122500011), chatSignUp(e, 9122500012)
	room := chatRoom(t, a, b)
	m := chatText(t, a, room, "m")
	_, err := a.c.ChatDeleteMessage(ctx(t), &pb.ChatDeleteMessage{RoomId: room, MessageId: m.MessageId, Both: true})
	wantErr(t, err, errs.ChatDeleteMessageForbidden, 0)
}

// Delete for me: the message leaves the caller's history, room list, unread
// count and catch-up; the caller's other sessions are told; the peer keeps it.
func TestDeleteForMe(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9122500021), chatSignUp(e, 9122500022)
	room := chatRoom(t, a, b)
	first := chatText(t, a, room, "first")
	last := chatText(t, a, room, "last")
	b2 := chatSecondSession(e, b)
	bVersions := syncVersions(first, last)
	bOffline := chatSecondSession(e, b)
	bOffline.conn.Close()
	syncPushes(a.conn)
	syncPushes(b2.conn)

	unread := func() uint32 {
		r, err := b.c.ClientGetRoom(ctx(t), &pb.ClientGetRoom{RoomId: room})
		if err != nil {
			t.Fatal(err)
		}
		return r.Room.UnreadCount
	}
	if unread() != 2 {
		t.Fatalf("unread %d before", unread())
	}
	// b hides a's newest message: not the author, and that is fine.
	del, err := b.c.ChatDeleteMessage(ctx(t), &pb.ChatDeleteMessage{RoomId: room, MessageId: last.MessageId})
	if err != nil || del.DeleteVersion == 0 {
		t.Fatalf("delete for me: %v %v", del, err)
	}
	if p := nextPush(t, b2.conn, pushDelete).(*pb.ChatDeleteMessageResponse); p.MessageId != last.MessageId || p.DeleteVersion != del.DeleteVersion {
		t.Fatalf("b's other session got %v", p)
	}
	chatNoPush(t, a, pushDelete)
	if ids := historyIDs(t, b, room); has(ids, last.MessageId) || !has(ids, first.MessageId) {
		t.Fatalf("b's history %v", ids)
	}
	if ids := historyIDs(t, a, room); !has(ids, last.MessageId) {
		t.Fatalf("a's history %v lost the message", ids)
	}
	if unread() != 1 {
		t.Fatalf("unread %d after hiding one", unread())
	}
	rs := roomList(t, b, nil)
	if rs[0].LastMessage.GetMessageId() != first.MessageId {
		t.Fatalf("b's last message %v, want the one before the hidden", rs[0].LastMessage)
	}
	if rs := roomList(t, a, nil); rs[0].LastMessage.GetMessageId() != last.MessageId {
		t.Fatalf("a's last message %v", rs[0].LastMessage)
	}
	// Again: it is gone for b.
	_, err = b.c.ChatDeleteMessage(ctx(t), &pb.ChatDeleteMessage{RoomId: room, MessageId: last.MessageId})
	wantErr(t, err, errs.ChatDeleteMessageBadPayload, errs.ChatDeleteMessageBadPayloadInvalidMessageId)

	// A device of b's that was away learns it as a delete, nothing else.
	b3 := chatSecondSession(e, b)
	syncPushes(b3.conn)
	if _, err := b3.c.ClientCondition(ctx(t), &pb.ClientCondition{Rooms: []*pb.ClientCondition_Room{{RoomId: room, MessageVersion: bVersions}}}); err != nil {
		t.Fatal(err)
	}
	ps := syncPushes(b3.conn)
	if len(ps) != 1 || ps[0].Action != pushDelete || ps[0].Msg.(*pb.ChatDeleteMessageResponse).DeleteVersion != del.DeleteVersion {
		t.Fatalf("catch-up of the hide: %v", ps)
	}
	// A device that never had the message is not sent it.
	b4 := chatSecondSession(e, b)
	syncPushes(b4.conn)
	if _, err := b4.c.ClientCondition(ctx(t), &pb.ClientCondition{Rooms: []*pb.ClientCondition_Room{{RoomId: room}}}); err != nil {
		t.Fatal(err)
	}
	for _, p := range syncPushes(b4.conn) {
		if m, ok := p.Msg.(*pb.ChatSendMessageResponse); ok && m.RoomMessage.MessageId == last.MessageId {
			t.Fatal("catch-up sent a message hidden from the user")
		}
	}
	// a, who did not hide it, still catches it up.
	a2 := chatSecondSession(e, a)
	syncPushes(a2.conn)
	if _, err := a2.c.ClientCondition(ctx(t), &pb.ClientCondition{Rooms: []*pb.ClientCondition_Room{{RoomId: room}}}); err != nil {
		t.Fatal(err)
	}
	if ps := syncPushes(a2.conn); len(ps) != 2 {
		t.Fatalf("a's catch-up: %v", ps)
	}
}

// Offline deletes follow the same rules: field 14 with both as sent; field
// 6 (Android up to 0.3.1) as a delete for both; refusals are virtual errors.
func TestOfflineDeletes(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9122500031), chatSignUp(e, 9122500032)
	room := chatRoom(t, a, b)
	fromA := chatText(t, a, room, "from a")
	tooOld := chatText(t, b, room, "too old")
	e.clock.Add(49 * time.Hour)
	forMe, forBoth, oldClient := chatText(t, b, room, "for me"), chatText(t, b, room, "for both"), chatText(t, b, room, "old client")
	syncPushes(a.conn)
	b.conn.Close()

	b2 := chatSecondSession(e, b)
	if _, err := b2.c.ClientCondition(ctx(t), &pb.ClientCondition{Rooms: []*pb.ClientCondition_Room{{
		RoomId:         room,
		MessageVersion: syncVersions(fromA, tooOld, forMe, forBoth, oldClient),
		OfflineDeleted: []*pb.ClientCondition_Room_OfflineDeleted{
			{MessageId: forMe.MessageId},
			{MessageId: forBoth.MessageId, Both: true},
			{MessageId: fromA.MessageId, Both: true}, // not b's: refused
		},
		OfflineDeletedDeprecated: []uint64{oldClient.MessageId, tooOld.MessageId}, // tooOld: past the period
	}}}); err != nil {
		t.Fatal(err)
	}
	// a is told of the deletes for both only.
	got := map[uint64]bool{}
	for range 2 {
		got[nextPush(t, a.conn, pushDelete).(*pb.ChatDeleteMessageResponse).MessageId] = true
	}
	if !got[forBoth.MessageId] || !got[oldClient.MessageId] {
		t.Fatalf("a got deletes of %v", got)
	}
	chatNoPush(t, a, pushDelete)
	aIDs, bIDs := historyIDs(t, a, room), historyIDs(t, b2, room)
	if !has(aIDs, forMe.MessageId) || !has(aIDs, tooOld.MessageId) || !has(aIDs, fromA.MessageId) || has(aIDs, forBoth.MessageId) || has(aIDs, oldClient.MessageId) {
		t.Fatalf("a's history %v", aIDs)
	}
	if has(bIDs, forMe.MessageId) || !has(bIDs, tooOld.MessageId) || !has(bIDs, fromA.MessageId) {
		t.Fatalf("b's history %v", bIDs)
	}
	if m := syncMetrics(t, e, b2.conn); !strings.Contains(m, `gapd_errors_total{action="ClientCondition",code="605",kind="virtual"} 2`) {
		t.Fatalf("the two refused deletes are not virtual 605s:\n%s", m)
	}
}
