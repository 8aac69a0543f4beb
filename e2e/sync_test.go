package e2e

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gapd/gapd/config"
	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/generated/validate"
	"github.com/gapd/gapd/handlers"
	"github.com/gapd/gapd/wire"
	"github.com/gapd/gapd/wsclient"
	"github.com/lxzan/gws"
	"google.golang.org/protobuf/proto"
)

// syncPushes returns the pushes of rooms that have arrived on conn so far
// (not the connection's greeting). Called after a response, it holds every
// push the server sent before it.
func syncPushes(conn *wsclient.Conn) []wsclient.Push {
	var ps []wsclient.Push
	for {
		select {
		case p := <-conn.Pushes():
			if p.Action != dispatch.MessageConnectionSecuringResponse {
				ps = append(ps, p)
			}
		default:
			return ps
		}
	}
}

// syncVersions are the versions a client holding these messages reports.
func syncVersions(ms ...*pb.RoomMessage) (mv uint64) {
	for _, m := range ms {
		mv = max(mv, m.MessageVersion)
	}
	return mv
}

func TestSyncCatchUpSendsExactlyWhatWasMissed(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9122000001), chatSignUp(e, 9122000002)
	room := chatRoom(t, a, b)
	m1, m2 := chatText(t, a, room, "one"), chatText(t, a, room, "two")
	m5 := chatText(t, b, room, "five")
	mv := syncVersions(m1, m2, m5)
	b.conn.Close()

	// While b is away: a new message, an edit, a delete, a read mark of b's
	// message, another new message.
	m3 := chatText(t, a, room, "three")
	if _, err := a.c.ChatEditMessage(ctx(t), &pb.ChatEditMessage{RoomId: room, MessageId: m2.MessageId, Message: "two!"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.c.ChatDeleteMessage(ctx(t), &pb.ChatDeleteMessage{RoomId: room, MessageId: m1.MessageId, Both: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.c.ChatUpdateStatus(ctx(t), &pb.ChatUpdateStatus{RoomId: room, MessageId: m5.MessageId, Status: pb.RoomMessageStatus_SEEN}); err != nil {
		t.Fatal(err)
	}
	m4 := chatText(t, a, room, "four")

	b2 := chatSecondSession(e, b)
	syncPushes(b2.conn) // nothing of the room, but be sure
	if _, err := b2.c.ClientCondition(ctx(t), &pb.ClientCondition{Rooms: []*pb.ClientCondition_Room{
		{RoomId: room, MessageVersion: mv},
		{RoomId: 999999}, // unknown rooms are skipped
	}}); err != nil {
		t.Fatal(err)
	}
	got := syncPushes(b2.conn)
	want := []struct {
		action uint16
		check  func(m any) bool
	}{
		{dispatch.ActionChatSendMessage, func(m any) bool {
			return m.(*pb.ChatSendMessageResponse).RoomMessage.GetMessageId() == m3.MessageId
		}},
		{dispatch.ActionChatEditMessage, func(m any) bool {
			r := m.(*pb.ChatEditMessageResponse)
			return r.MessageId == m2.MessageId && r.Message == "two!" && r.MessageVersion > mv
		}},
		{dispatch.ActionChatDeleteMessage, func(m any) bool { return m.(*pb.ChatDeleteMessageResponse).MessageId == m1.MessageId }},
		{dispatch.ActionChatUpdateStatus, func(m any) bool {
			r := m.(*pb.ChatUpdateStatusResponse)
			return r.MessageId == m5.MessageId && r.Status == pb.RoomMessageStatus_SEEN && r.UpdaterAuthorHash == m1.Author.GetHash()
		}},
		{dispatch.ActionChatSendMessage, func(m any) bool {
			return m.(*pb.ChatSendMessageResponse).RoomMessage.GetMessageId() == m4.MessageId
		}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d pushes, want %d: %v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].Action != w.action+wire.ResponseOffset || !w.check(got[i].Msg) {
			t.Fatalf("push %d: %d %v", i, got[i].Action, got[i].Msg)
		}
	}

	// Reporting everything it now has, the client misses nothing.
	if _, err := b2.c.ClientCondition(ctx(t), &pb.ClientCondition{Rooms: []*pb.ClientCondition_Room{
		{RoomId: room, MessageVersion: m4.MessageVersion, StatusVersion: got[3].Msg.(*pb.ChatUpdateStatusResponse).StatusVersion,
			DeleteVersion: got[2].Msg.(*pb.ChatDeleteMessageResponse).DeleteVersion},
	}}); err != nil {
		t.Fatal(err)
	}
	if ps := syncPushes(b2.conn); len(ps) != 0 {
		t.Fatalf("an up-to-date client got %v", ps)
	}
}

func TestSyncAppliesOfflineChanges(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9122000011), chatSignUp(e, 9122000012)
	room := chatRoom(t, a, b)
	fromA := chatText(t, a, room, "from a")
	mine, gone := chatText(t, b, room, "mine"), chatText(t, b, room, "gone")
	for range 2 {
		nextPush(t, a.conn, pushSend)
	}
	b.conn.Close()

	b2 := chatSecondSession(e, b)
	cond := &pb.ClientCondition{Rooms: []*pb.ClientCondition_Room{{
		RoomId:         room,
		MessageVersion: syncVersions(fromA, mine, gone),
		OfflineEdited: []*pb.ClientCondition_Room_OfflineEdited{
			{MessageId: mine.MessageId, Message: "mine, edited"},
			{MessageId: fromA.MessageId, Message: "not mine to edit"}, // virtual 604
		},
		OfflineDeleted: []*pb.ClientCondition_Room_OfflineDeleted{{MessageId: gone.MessageId, Both: true}},
		OfflineSeen:    []uint64{fromA.MessageId},
		OfflineMute:    pb.ClientCondition_Room_MUTED,
	}}}
	if _, err := b2.c.ClientCondition(ctx(t), cond); err != nil {
		t.Fatal(err)
	}
	// The other side sees them live, as if b had sent them.
	if p := nextPush(t, a.conn, dispatch.ResponseChatDeleteMessage).(*pb.ChatDeleteMessageResponse); p.MessageId != gone.MessageId {
		t.Fatalf("delete push %v", p)
	}
	if p := nextPush(t, a.conn, dispatch.ResponseChatEditMessage).(*pb.ChatEditMessageResponse); p.MessageId != mine.MessageId || p.Message != "mine, edited" {
		t.Fatalf("edit push %v", p)
	}
	if p := nextPush(t, a.conn, dispatch.ResponseChatUpdateStatus).(*pb.ChatUpdateStatusResponse); p.MessageId != fromA.MessageId || p.Status != pb.RoomMessageStatus_SEEN {
		t.Fatalf("status push %v", p)
	}
	// b is not told of its own changes, and the refused edit changed nothing.
	if ps := syncPushes(b2.conn); len(ps) != 0 {
		t.Fatalf("b got its own changes back: %v", ps)
	}
	h, err := b2.c.ClientGetRoomHistory(ctx(t), &pb.ClientGetRoomHistory{RoomId: room})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Message) != 2 || h.Message[0].Message != "from a" || h.Message[1].Message != "mine, edited" {
		t.Fatalf("history after offline changes: %v", h.Message)
	}
	if !strings.Contains(syncMetrics(t, e, b2.conn), `gapd_errors_total{action="ClientCondition",code="604",kind="virtual"} 1`) {
		t.Fatal("the refused offline edit was not counted as virtual error 604")
	}

	// Repeating changes nothing for the other side.
	if _, err := b2.c.ClientCondition(ctx(t), cond); err != nil {
		t.Fatal(err)
	}
	chatNoPush(t, a, dispatch.ResponseChatEditMessage)
}

func TestSyncRejectsWhatTheRoomDoesNotHave(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9122000021), chatSignUp(e, 9122000022)
	room := chatRoom(t, a, b)
	m := chatText(t, a, room, "one")
	other := chatRoom(t, a, chatSignUp(e, 9122000023))
	elsewhere := chatText(t, a, other, "elsewhere")
	for _, tc := range []struct {
		r     *pb.ClientCondition_Room
		minor wire.Minor
	}{
		{&pb.ClientCondition_Room{RoomId: room, MessageVersion: m.MessageVersion + 1}, errs.ClientConditionBadPayloadInvalidMessageVersion},
		{&pb.ClientCondition_Room{RoomId: room, StatusVersion: m.MessageVersion + 1}, errs.ClientConditionBadPayloadInvalidStatusVersion},
		{&pb.ClientCondition_Room{RoomId: room, DeleteVersion: m.MessageVersion + 1}, errs.ClientConditionBadPayloadInvalidDeleteVersion},
		{&pb.ClientCondition_Room{RoomId: room, ClearId: elsewhere.MessageId}, errs.ClientConditionBadPayloadInvalidClearId},
		{&pb.ClientCondition_Room{RoomId: room, CacheStartId: elsewhere.MessageId}, errs.ClientConditionBadPayloadInvalidCacheStartId},
		{&pb.ClientCondition_Room{RoomId: room, CacheEndId: elsewhere.MessageId}, errs.ClientConditionBadPayloadInvalidCacheEndId},
	} {
		_, err := b.c.ClientCondition(ctx(t), &pb.ClientCondition{Rooms: []*pb.ClientCondition_Room{tc.r}})
		wantErr(t, err, errs.ClientConditionBadPayload, tc.minor)
	}
	// Offline changes are bounded over all the rooms of one request.
	many := make([]uint64, validate.ClientConditionOfflineChanges/2+1)
	for i := range many {
		many[i] = m.MessageId
	}
	for _, tc := range []struct {
		r     func() *pb.ClientCondition_Room
		minor wire.Minor
	}{
		{func() *pb.ClientCondition_Room {
			return &pb.ClientCondition_Room{RoomId: room, OfflineDeletedDeprecated: many}
		}, errs.ClientConditionBadPayloadInvalidOfflineDeleted},
		{func() *pb.ClientCondition_Room { return &pb.ClientCondition_Room{RoomId: room, OfflineSeen: many} }, errs.ClientConditionBadPayloadInvalidOfflineSeen},
		{func() *pb.ClientCondition_Room {
			r := &pb.ClientCondition_Room{RoomId: room}
			for range many {
				r.OfflineEdited = append(r.OfflineEdited, &pb.ClientCondition_Room_OfflineEdited{MessageId: m.MessageId, Message: "x"})
			}
			return r
		}, errs.ClientConditionBadPayloadInvalidOfflineEditedMessageId},
	} {
		// Each room is within its own limit; the two together are not.
		both := []*pb.ClientCondition_Room{tc.r(), tc.r()}
		both[1].RoomId = other
		_, err := b.c.ClientCondition(ctx(t), &pb.ClientCondition{Rooms: both})
		wantErr(t, err, errs.ClientConditionBadPayload, tc.minor)
	}

	// A room b is not in is skipped, not refused.
	if _, err := b.c.ClientCondition(ctx(t), &pb.ClientCondition{Rooms: []*pb.ClientCondition_Room{{RoomId: other, MessageVersion: 1 << 40}}}); err != nil {
		t.Fatal(err)
	}
}

// syncMetrics is /metrics of the node serving conn (in two-node mode a
// request is counted where it was answered).
func syncMetrics(t *testing.T, e *env, conn *wsclient.Conn) string {
	t.Helper()
	resp, err := http.Get("http://" + e.nodeOf(conn).OpsAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

func TestSyncGroupCatchUpAndOfflineSeen(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9122000031), chatSignUp(e, 9122000032)
	g, err := a.c.GroupCreate(ctx(t), &pb.GroupCreate{Name: "team"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.c.GroupAddMember(ctx(t), &pb.GroupAddMember{RoomId: g.RoomId, Member: &pb.GroupAddMember_Member{UserId: b.id}}); err != nil {
		t.Fatal(err)
	}
	send := func(text string) *pb.RoomMessage {
		r, err := a.c.GroupSendMessage(ctx(t), &pb.GroupSendMessage{RoomId: g.RoomId, MessageType: pb.RoomMessageType_TEXT, Message: text})
		if err != nil {
			t.Fatal(err)
		}
		return r.RoomMessage
	}
	first := send("before")
	nextPush(t, b.conn, dispatch.ResponseGroupSendMessage)
	b.conn.Close()
	missed := send("while b was away")

	b2 := chatSecondSession(e, b)
	syncPushes(b2.conn)
	if _, err := b2.c.ClientCondition(ctx(t), &pb.ClientCondition{Rooms: []*pb.ClientCondition_Room{{
		RoomId: g.RoomId, MessageVersion: first.MessageVersion, OfflineSeen: []uint64{first.MessageId},
	}}}); err != nil {
		t.Fatal(err)
	}
	got := syncPushes(b2.conn)
	if len(got) != 1 || got[0].Action != dispatch.ResponseGroupSendMessage ||
		got[0].Msg.(*pb.GroupSendMessageResponse).RoomMessage.GetMessageId() != missed.MessageId {
		t.Fatalf("b's catch-up: %v", got)
	}
	p := nextPush(t, a.conn, dispatch.ResponseGroupUpdateStatus).(*pb.GroupUpdateStatusResponse)
	if p.MessageId != first.MessageId || p.Status != pb.RoomMessageStatus_SEEN {
		t.Fatalf("a got %v for b's offline seen mark", p)
	}
}

// syncReader collects the frames of a raw WebSocket client.
type syncReader struct {
	gws.BuiltinEventHandler
	frames chan []byte
}

func (r *syncReader) OnMessage(_ *gws.Conn, m *gws.Message) {
	r.frames <- bytes.Clone(m.Bytes())
	m.Close()
}

func TestSyncCatchUpOutlastsTheHandlerDeadline(t *testing.T) {
	// The handler deadline is 100ms; the client below does not read for
	// longer than that while megabytes of catch-up wait for it.
	e := start(t, func(c *config.Config, _ *handlers.Deps) {
		c.Server.HandlerTimeout = 100 * time.Millisecond
		c.Server.OutQueue = 16
	})
	a, b := chatSignUp(e, 9122000041), chatSignUp(e, 9122000042)
	room := chatRoom(t, a, b)
	b.conn.Close()
	const missed = 600 // 10 MB: more than the socket buffers hold
	text := strings.Repeat("😀", 4096)
	for range missed {
		chatText(t, a, room, text)
	}

	c, conn := e.client()
	_, token := e.signUp(c, b.phone) // a new device of b's; its token moves to the raw client
	conn.Close()
	r := &syncReader{frames: make(chan []byte, missed+16)}
	ws, _, err := gws.NewClient(r, &gws.ClientOption{Addr: e.url(), ReadMaxPayloadSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.NetConn().Close()
	login, _ := proto.Marshal(&pb.UserLogin{Request: &pb.Request{Id: "login"}, Token: token})
	cond, _ := proto.Marshal(&pb.ClientCondition{Request: &pb.Request{Id: "cond"}, Rooms: []*pb.ClientCondition_Room{{RoomId: room}}})
	for _, f := range [][]byte{wire.AppendFrame(nil, dispatch.ActionUserLogin, login), wire.AppendFrame(nil, dispatch.ActionClientCondition, cond)} {
		if err := ws.WriteMessage(gws.OpcodeBinary, f); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(500 * time.Millisecond) // not reading: the server waits for room
	go ws.ReadLoop()

	pushes := 0
	deadline := time.After(20 * time.Second)
	for {
		select {
		case f := <-r.frames:
			action, _, err := wire.DecodeFrame(f)
			if err != nil {
				t.Fatal(err)
			}
			switch action {
			case dispatch.ResponseChatSendMessage:
				pushes++
			case dispatch.ResponseClientCondition:
				if pushes != missed {
					t.Fatalf("answered after %d of %d missed messages", pushes, missed)
				}
				return
			case dispatch.MessageErrorResponse:
				var er pb.ErrorResponse
				_, payload, _ := wire.DecodeFrame(f)
				_ = proto.Unmarshal(payload, &er)
				t.Fatalf("error after %d pushes: %v", pushes, &er)
			}
		case <-deadline:
			t.Fatalf("no answer; %d pushes", pushes)
		}
	}
}

func TestSyncChannelReaderCatchesUp(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9122000051), chatSignUp(e, 9122000052)
	ch := channelCreate(t, a, "news")
	channelAdd(t, a, ch, b)
	nextPush(t, b.conn, pushChannelSend) // the log of b's addition
	first := channelPost(t, a, ch, "first")
	channelGot(t, b, ch, first)
	b.conn.Close()
	missed := []*pb.RoomMessage{channelPost(t, a, ch, "second"), channelPost(t, a, ch, "third")}

	b2 := chatSecondSession(e, b)
	syncPushes(b2.conn)
	if _, err := b2.c.ClientCondition(ctx(t), &pb.ClientCondition{Rooms: []*pb.ClientCondition_Room{{
		RoomId: ch, MessageVersion: first.MessageVersion,
		OfflineSeen: []uint64{first.MessageId}, // channels have no read receipts: virtual 607
	}}}); err != nil {
		t.Fatal(err)
	}
	got := syncPushes(b2.conn)
	if len(got) != len(missed) {
		t.Fatalf("b's catch-up: %v", got)
	}
	for i, p := range got {
		if p.Action != pushChannelSend || !proto.Equal(p.Msg.(*pb.ChannelSendMessageResponse).RoomMessage, missed[i]) {
			t.Fatalf("push %d: %d %v", i, p.Action, p.Msg)
		}
	}
	if !strings.Contains(syncMetrics(t, e, b2.conn), `gapd_errors_total{action="ClientCondition",code="607",kind="virtual"} 1`) {
		t.Fatal("the seen mark in a channel was not counted as virtual error 607")
	}
}

// A ClientCondition reporting more rooms than the caller's memberships and
// a small slack is refused with 600/1 (the rooms list's minor); up to that
// many, the rooms the caller is not in are skipped.
func TestSyncRefusesMoreRoomsThanTheCallerHas(t *testing.T) {
	e := start(t, nil)
	a, b := chatSignUp(e, 9122000031), chatSignUp(e, 9122000032)
	room := chatRoom(t, a, b)
	chatText(t, a, room, "one") // b's membership of the room
	report := func(n int) []*pb.ClientCondition_Room {
		rooms := []*pb.ClientCondition_Room{{RoomId: room}}
		for i := range n - 1 {
			rooms = append(rooms, &pb.ClientCondition_Room{RoomId: uint64(1_000_000 + i)})
		}
		return rooms
	}
	if _, err := b.c.ClientCondition(ctx(t), &pb.ClientCondition{Rooms: report(1 + validate.ClientConditionRoomsSlack)}); err != nil {
		t.Fatalf("memberships plus the slack: %v", err)
	}
	_, err := b.c.ClientCondition(ctx(t), &pb.ClientCondition{Rooms: report(2 + validate.ClientConditionRoomsSlack)})
	wantErr(t, err, errs.ClientConditionBadPayload, errs.ClientConditionBadPayloadInvalidRoomId)
}
