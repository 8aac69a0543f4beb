package e2e

import (
	"fmt"
	"math"
	"testing"

	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/generated/validate"
)

// The reads that grow with the data (the room list, a room, a history page,
// catch-up) cost the server a fixed number of SQL statements, whatever the
// number of rooms, messages or changes: over a network every statement is a
// round trip. The same requests are counted in a small world and in one
// twenty times larger; the larger may not cost more.
func TestStatementsDoNotGrowWithTheData(t *testing.T) {
	// Each world is a subtest: a server and a database of its own.
	var small, large map[string]int64
	t.Run("small", func(t *testing.T) { small = statementCosts(t, 1, 5) })
	t.Run("large", func(t *testing.T) { large = statementCosts(t, 20, 100) })
	if small == nil || large == nil {
		t.FailNow()
	}
	for _, kind := range statementKinds {
		t.Logf("%-28s %3d statements (3 rooms, 5 changes)  %3d (60 rooms, 100 changes)", kind, small[kind], large[kind])
	}
	// Reporting more than ClientConditionRoomsSlack rooms (the large world
	// does), ClientCondition first counts the caller's memberships, in one
	// statement, to refuse a list longer than it could be: a step, not growth.
	step := map[string]int64{"condition of every room": 1}
	for _, kind := range statementKinds {
		if large[kind] > small[kind]+step[kind] {
			t.Errorf("%s: %d statements with 60 rooms and 100 changes, %d with 3 rooms and 5: the count grows with the data",
				kind, large[kind], small[kind])
		}
	}
}

var statementKinds = []string{"room list", "one room (ClientGetRoom)", "one room (ChatGetRoom)",
	"history page", "catch-up of one room", "condition of every room"}

// statementCosts builds a world of rooms chats, groups and channels of one
// user, each with a message that replies to one with an attachment, and a
// chat where things change while its peer is away; it returns the
// statements each kind of request costs there. Catch-up is counted in that
// chat, and in every other room at once (each missing its last message).
func statementCosts(t *testing.T, rooms, changes int) map[string]int64 {
	e := fileStart(t)
	a := chatSignUp(e, 9122900000)
	token := fileUpload(t, a, "dot.png", fileImage(t, 8, 8))
	fileProcessed(t, a, token)

	sent := func(r interface{ GetRoomMessage() *pb.RoomMessage }, err error) *pb.RoomMessage {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return r.GetRoomMessage()
	}
	// Versions a has of each room (for ClientCondition).
	have := map[uint64]uint64{}
	sendPair := func(room uint64, send func(att string, reply uint64) *pb.RoomMessage) {
		first := send(token, 0)
		have[room] = send("", first.MessageId).MessageVersion
	}
	var peers []*chatUser
	for i := range rooms {
		p := chatSignUp(e, 9122900100+uint64(i))
		peers = append(peers, p)
		chat := chatRoom(t, a, p)
		sendPair(chat, func(att string, reply uint64) *pb.RoomMessage {
			return sent(a.c.ChatSendMessage(ctx(t), &pb.ChatSendMessage{RoomId: chat,
				MessageType: statementsType(att), Message: "hi", Attachment: att, ReplyTo: reply}))
		})
		group := groupCreate(t, a, fmt.Sprintf("group %d", i))
		sendPair(group, func(att string, reply uint64) *pb.RoomMessage {
			return sent(a.c.GroupSendMessage(ctx(t), &pb.GroupSendMessage{RoomId: group,
				MessageType: statementsType(att), Message: "hi", Attachment: att, ReplyTo: reply}))
		})
		channel := channelCreate(t, a, fmt.Sprintf("channel %d", i))
		sendPair(channel, func(att string, reply uint64) *pb.RoomMessage {
			return sent(a.c.ChannelSendMessage(ctx(t), &pb.ChannelSendMessage{RoomId: channel,
				MessageType: statementsType(att), Message: "hi", Attachment: att, ReplyTo: reply}))
		})
	}

	// The chat with b: messages b has, then changes while b is away: new
	// messages with attachments or replies, edits and deletes.
	b := peers[0]
	chat := chatRoom(t, a, b)
	delete(have, chat)
	var old []*pb.RoomMessage
	for range changes {
		old = append(old, chatText(t, a, chat, "old"))
	}
	mv := old[len(old)-1].MessageVersion
	b.conn.Close()
	for i := range changes {
		var err error
		switch i % 4 {
		case 0:
			_, err = a.c.ChatSendMessage(ctx(t), &pb.ChatSendMessage{RoomId: chat, MessageType: pb.RoomMessageType_IMAGE, Attachment: token})
		case 1:
			_, err = a.c.ChatSendMessage(ctx(t), &pb.ChatSendMessage{RoomId: chat, MessageType: pb.RoomMessageType_TEXT,
				Message: "re", ReplyTo: old[i].MessageId})
		case 2:
			_, err = a.c.ChatEditMessage(ctx(t), &pb.ChatEditMessage{RoomId: chat, MessageId: old[i].MessageId, Message: "edited"})
		case 3:
			_, err = a.c.ChatDeleteMessage(ctx(t), &pb.ChatDeleteMessage{RoomId: chat, MessageId: old[i].MessageId, Both: true})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	b = chatSecondSession(e, b)
	var reported []*pb.ClientCondition_Room
	for room, v := range have {
		// Each room's last message (a reply) is missed.
		reported = append(reported, &pb.ClientCondition_Room{RoomId: room, MessageVersion: v - 1, StatusVersion: v, DeleteVersion: v})
	}

	check := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	costs := map[string]int64{}
	measure := func(kind string, request func()) {
		costs[kind] = statementsOf(e, request)
	}
	measure("room list", func() {
		r, err := a.c.ClientGetRoomList(ctx(t), &pb.ClientGetRoomList{Pagination: &pb.Pagination{Limit: 100}})
		check(r, err)
		if len(r.Rooms) != 3*rooms {
			t.Fatalf("room list of %d rooms, want %d", len(r.Rooms), 3*rooms)
		}
	})
	measure("one room (ClientGetRoom)", func() { check(a.c.ClientGetRoom(ctx(t), &pb.ClientGetRoom{RoomId: chat})) })
	measure("one room (ChatGetRoom)", func() { check(a.c.ChatGetRoom(ctx(t), &pb.ChatGetRoom{PeerId: b.id})) })
	measure("history page", func() {
		check(b.c.ClientGetRoomHistory(ctx(t), &pb.ClientGetRoomHistory{RoomId: chat, Limit: 100}))
	})
	measure("catch-up of one room", func() {
		check(b.c.ClientCondition(ctx(t), &pb.ClientCondition{Rooms: []*pb.ClientCondition_Room{{RoomId: chat, MessageVersion: mv}}}))
		if got := len(syncPushes(b.conn)); got != changes {
			t.Fatalf("catch-up sent %d pushes, want %d", got, changes)
		}
	})
	if (len(reported) > validate.ClientConditionRoomsSlack) != (rooms > 1) {
		t.Fatalf("%d rooms reported: the step allowed for is wrong", len(reported))
	}
	roundTrip(t, a.c)
	syncPushes(a.conn) // what a was pushed before
	measure("condition of every room", func() {
		check(a.c.ClientCondition(ctx(t), &pb.ClientCondition{Rooms: reported}))
		if got := len(syncPushes(a.conn)); got != len(reported) {
			t.Fatalf("catch-up of every room sent %d pushes, want %d", got, len(reported))
		}
	})
	return costs
}

// statementsOf runs request three times and returns the fewest SQL
// statements the server (every node) ran for one run: a statement of
// background work (presence, a sweep) falling into a run then does not count.
func statementsOf(e *env, request func()) int64 {
	best := int64(math.MaxInt64)
	for range 3 {
		before := e.statements()
		request()
		best = min(best, e.statements()-before)
	}
	return best
}

func statementsType(attachment string) pb.RoomMessageType {
	if attachment != "" {
		return pb.RoomMessageType_IMAGE_TEXT
	}
	return pb.RoomMessageType_TEXT
}
