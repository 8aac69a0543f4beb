package e2e

import (
	"testing"
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"google.golang.org/protobuf/proto"
)

// The nodes of these tests are startNodes's: two in-process gapds on one
// database and one NATS. server/cluster_test.go tests the hub's part
// (pushes and session events over NATS) with stand-in handlers; these run
// the real handlers. TestClusterSIGKILLDuringSendStorm kills a node
// process; TestFileUploadMovesBetweenNodes moves an upload.

// sendPushed is the room and the message of a chat or group send push;
// nil for other pushes.
func sendPushed(push any) (uint64, *pb.RoomMessage) {
	switch p := push.(type) {
	case *pb.ChatSendMessageResponse:
		return p.RoomId, p.RoomMessage
	case *pb.GroupSendMessageResponse:
		return p.RoomId, p.RoomMessage
	}
	return 0, nil
}

// gotMessage waits until u is pushed message m by a send push of action
// (chat or group), skipping other pushes, and checks it is m as stored.
func gotMessage(t *testing.T, u *chatUser, action uint16, m *pb.RoomMessage) {
	t.Helper()
	for {
		_, got := sendPushed(nextPush(t, u.conn, action))
		if got.GetMessageId() == m.MessageId {
			if !proto.Equal(got, m) {
				t.Fatalf("user %d was pushed %v, want %v", u.id, got, m)
			}
			return
		}
	}
}

// A chat and a group whose members are on both nodes: every send reaches
// the members and the sender's other sessions on the other node, both ways.
func TestClusterChatAndGroupAcrossNodes(t *testing.T) {
	a, b, _ := startNodes(t)
	onA, onB, alsoOnA := chatSignUp(a, 9123100001), chatSignUp(b, 9123100002), chatSignUp(a, 9123100003)
	onBsOther := chatSecondSession(a, onB) // onB's other session is on node a

	room := chatRoom(t, onA, onB)
	toB := chatText(t, onA, room, "a to b")
	gotMessage(t, onB, pushSend, toB)
	gotMessage(t, onBsOther, pushSend, toB)
	toA := chatText(t, onB, room, "b to a")
	gotMessage(t, onA, pushSend, toA)
	gotMessage(t, onBsOther, pushSend, toA) // the sender's other session, across

	g := groupCreate(t, onA, "two nodes")
	groupAdd(t, onA, g, onB, 0)
	groupAdd(t, onA, g, alsoOnA, 0)
	fromA := groupText(t, onA, g, "from a")
	for _, u := range []*chatUser{onB, onBsOther, alsoOnA} {
		gotMessage(t, u, pushGroupSend, fromA)
	}
	fromB := groupText(t, onB, g, "from b")
	for _, u := range []*chatUser{onA, onBsOther, alsoOnA} {
		gotMessage(t, u, pushGroupSend, fromB)
	}
}

// A login on node b with a session's token evicts that session's
// connection on node a with error 3 and no request id; the session goes on
// on b, where pushes made on a now reach it.
func TestClusterLoginOnAnotherNodeEvicts(t *testing.T) {
	a, b, _ := startNodes(t)
	u := fileSignUp(a, 9123100011)
	peer := chatSignUp(a, 9123100012)
	moved := fileReconnect(b, u)
	e := nextPush(t, u.conn, dispatch.MessageErrorResponse).(*pb.ErrorResponse)
	if e.MajorCode != uint32(errs.NewClientInSession) || e.Response.GetId() != "" {
		t.Fatalf("the connection on a got %v, want error 3 with no request id", e)
	}
	select {
	case <-u.conn.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the evicted connection on a is still open")
	}
	for deadline := time.Now().Add(10 * time.Second); a.app.Server.Hub().Online(u.id) != 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("node a still counts the evicted connection")
		}
	}
	roundTrip(t, moved.c)
	m := chatText(t, peer, chatRoom(t, peer, moved.chatUser), "to the moved session")
	gotMessage(t, moved.chatUser, pushSend, m)
}

// Node a stops; its client logs in on node b and catches up, through b,
// exactly what was sent while it was away, in a chat and a group.
func TestClusterCatchUpThroughSurvivingNode(t *testing.T) {
	a, b, _ := startNodes(t)
	sender, away := chatSignUp(b, 9123100021), fileSignUp(a, 9123100022)
	room := chatRoom(t, sender, away.chatUser)
	g := groupCreate(t, sender, "catch-up")
	groupAdd(t, sender, g, away.chatUser, 0)
	had := chatText(t, sender, room, "before")
	gotMessage(t, away.chatUser, pushSend, had)
	hadInGroup := groupText(t, sender, g, "before")
	gotMessage(t, away.chatUser, pushGroupSend, hadInGroup)

	c, cancel := ctxTimeout(10 * time.Second)
	defer cancel()
	if err := a.app.Shutdown(c); err != nil {
		t.Fatal(err)
	}
	select {
	case <-away.conn.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the connection to the stopped node is open")
	}
	missed := map[uint64][]*pb.RoomMessage{
		room: {chatText(t, sender, room, "while away 1"), chatText(t, sender, room, "while away 2")},
		g:    {groupText(t, sender, g, "while away")},
	}

	back := fileReconnect(b, away)
	if _, err := back.c.ClientCondition(ctx(t), &pb.ClientCondition{Rooms: []*pb.ClientCondition_Room{
		{RoomId: room, MessageVersion: had.MessageVersion}, {RoomId: g, MessageVersion: hadInGroup.MessageVersion}}}); err != nil {
		t.Fatal(err)
	}
	got := map[uint64][]*pb.RoomMessage{}
	for _, p := range syncPushes(back.conn) {
		if r, m := sendPushed(p.Msg); m != nil {
			got[r] = append(got[r], m)
		}
	}
	for r, want := range missed {
		if len(got[r]) != len(want) {
			t.Fatalf("room %d: caught up %v, want %v", r, got[r], want)
		}
		for i := range want {
			if !proto.Equal(got[r][i], want[i]) {
				t.Fatalf("room %d: caught up %v, want %v", r, got[r][i], want[i])
			}
		}
	}
}

// A message that node a stored and died before pushing (here written
// straight to the database, as such a node leaves it) reaches the members
// when its sender, whose send was never acknowledged, resends it through
// node b: the resend pushes the stored message again, once per member
// session, to both nodes. TestClusterSIGKILLDuringSendStorm meets this now
// and then; this meets it every time.
func TestClusterResendPushesWhatADeadNodeStored(t *testing.T) {
	a, b, _ := startNodes(t)
	sender, peerOnA, peerOnB := chatSignUp(b, 9123100031), chatSignUp(a, 9123100032), chatSignUp(b, 9123100033)
	room := chatRoom(t, sender, peerOnA)
	g := groupCreate(t, sender, "resent")
	groupAdd(t, sender, g, peerOnA, 0)
	groupAdd(t, sender, g, peerOnB, 0)
	const randomID = 4242
	stored := map[uint64]uint64{} // room -> message id
	if err := a.app.DB.Write(ctx(t), func(tx *storage.Tx) error {
		for _, r := range []uint64{room, g} {
			m, err := tx.InsertMessage(storage.NewMessage{RoomID: storage.RoomID(r), AuthorID: storage.UserID(sender.id),
				RandomID: randomID, Type: int32(pb.RoomMessageType_TEXT), Body: "stored, never pushed", Now: a.clock.Now().Unix()})
			if err != nil {
				return err
			}
			stored[r] = uint64(m.ID)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	chat, err := sender.c.ChatSendMessage(ctx(t), &pb.ChatSendMessage{RoomId: room, MessageType: pb.RoomMessageType_TEXT, Message: "resent", RandomId: randomID})
	if err != nil || chat.RoomMessage.MessageId != stored[room] {
		t.Fatalf("chat resend: %v %v, want message %d", chat, err, stored[room])
	}
	gotMessage(t, peerOnA, pushSend, chat.RoomMessage)
	group, err := sender.c.GroupSendMessage(ctx(t), &pb.GroupSendMessage{RoomId: g, MessageType: pb.RoomMessageType_TEXT, Message: "resent", RandomId: randomID})
	if err != nil || group.RoomMessage.MessageId != stored[g] {
		t.Fatalf("group resend: %v %v, want message %d", group, err, stored[g])
	}
	gotMessage(t, peerOnA, pushGroupSend, group.RoomMessage)
	gotMessage(t, peerOnB, pushGroupSend, group.RoomMessage)
}
