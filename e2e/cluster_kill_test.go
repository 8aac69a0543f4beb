package e2e

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gapd/gapd/generated/client"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
	"github.com/gapd/gapd/wsclient"
)

// killAfter is how many sends node 1 acknowledges before it is killed.
const killAfter = 300

// stormUser is a sender of the storm.
type stormUser struct {
	*fileUser
	rooms []uint64 // the rooms it sends to, in turn
}

// stormSend is one message a client sent during the storm.
type stormSend struct {
	from     *stormUser
	room     uint64
	group    bool
	randomID uint64
	ackedID  uint64 // the message id of the response; 0: none came
	resent   bool   // not acknowledged before the kill: sent again to node 2
}

// send sends m from c and returns the stored message the response carries.
func (m *stormSend) send(t *testing.T, c *client.Client) (*pb.RoomMessage, error) {
	text := fmt.Sprint("storm ", m.randomID)
	if m.group {
		r, err := c.GroupSendMessage(ctx(t), &pb.GroupSendMessage{RoomId: m.room, MessageType: pb.RoomMessageType_TEXT, Message: text, RandomId: m.randomID})
		return r.GetRoomMessage(), err
	}
	r, err := c.ChatSendMessage(ctx(t), &pb.ChatSendMessage{RoomId: m.room, MessageType: pb.RoomMessageType_TEXT, Message: text, RandomId: m.randomID})
	return r.GetRoomMessage(), err
}

// procSignUp signs a user up on node p, reading its code from the file
// sender's codes (shared by the nodes). Its client keeps every push.
func procSignUp(t *testing.T, p *gapdProc, codes string, phone uint64) *fileUser {
	t.Helper()
	conn := p.dial(t, wsclient.Options{PushBuffer: 1 << 16})
	c := conn.Client()
	reg, token := (&env{t: t, codes: codes}).signUp(c, phone)
	return &fileUser{chatUser: &chatUser{id: reg.UserId, phone: phone, c: c, conn: conn}, token: token}
}

// procReconnect is fileReconnect to node p.
func procReconnect(t *testing.T, p *gapdProc, u *fileUser) *fileUser {
	t.Helper()
	conn := p.dial(t, wsclient.Options{PushBuffer: 1 << 16})
	c := conn.Client()
	if _, err := c.UserLogin(ctx(t), &pb.UserLogin{Token: u.token}); err != nil {
		t.Fatalf("login on %s: %v", p.name, err)
	}
	return &fileUser{chatUser: &chatUser{id: u.id, phone: u.phone, c: c, conn: conn}, token: u.token}
}

// addPushed counts in got (room -> message id -> times) the messages pushed
// to conn since it was last asked, and returns got.
func addPushed(got map[uint64]map[uint64]int, conn *wsclient.Conn) map[uint64]map[uint64]int {
	for _, p := range syncPushes(conn) {
		if room, m := sendPushed(p.Msg); m != nil {
			if got[room] == nil {
				got[room] = map[uint64]int{}
			}
			got[room][m.MessageId]++
		}
	}
	return got
}

// Two gapd processes share one database and one NATS. Clients on node 1
// send chat and group messages as fast as they can, each with a random_id of
// its own; node 1 is SIGKILLed mid-storm. The clients log in on node 2 with
// their tokens and resend what was not acknowledged, with the same
// random_id. Then, read through node 2: every acknowledged message is there
// with the id it was acknowledged with, every send is stored exactly once,
// each room's versions and previous-message links have no gap; a member on
// node 2 all along was pushed every message, and a member who was offline
// catches every one up, once.
func TestClusterSIGKILLDuringSendStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs gapd processes")
	}
	bin := buildGapd(t)
	dir := t.TempDir()
	ns := runNATS(t, -1)
	codes := filepath.Join(dir, "codes.jsonl")
	db := dbFlag(t)
	node := func(name string) *gapdProc {
		// SQLite: both processes open the one database file under -data
		// (its file locks take turns); PostgreSQL: each has a -data of
		// its own and only the database and -files are shared.
		data := filepath.Join(dir, "data")
		if len(db) > 0 {
			data = filepath.Join(dir, "data-"+name)
		}
		args := append([]string{"-addr", "127.0.0.1:0", "-ops-addr", "", "-node", name, "-nats", ns.ClientURL(),
			"-data", data, "-files", filepath.Join(dir, "files"), "-verify-sender", "file:" + codes,
			"-securing-key", testSecuringKey(t, dir), "-limits", "none", "-max-conns-per-ip", "0",
			"-max-sessions-per-user", "0"}, db...)
		return startGapd(t, name, bin, args...)
	}
	n1 := node("n1")
	n2 := node("n2")

	// The online peer stays on node 2; the offline one leaves before the
	// storm. Each sender has a chat with both and all are in one group.
	online := procSignUp(t, n2, codes, 9123000001)
	offline := procSignUp(t, n1, codes, 9123000002)
	senders := make([]*stormUser, 3)
	for i := range senders {
		senders[i] = &stormUser{fileUser: procSignUp(t, n1, codes, 9123000010+uint64(i))}
	}
	group := groupCreate(t, senders[0].chatUser, "storm")
	// rooms are the members of each room, whose first reads its history.
	rooms := map[uint64][]*chatUser{group: {online.chatUser, offline.chatUser}}
	for _, s := range senders {
		if s != senders[0] {
			groupAdd(t, senders[0].chatUser, group, s.chatUser, 0)
		}
		rooms[group] = append(rooms[group], s.chatUser)
	}
	for _, u := range rooms[group][:2] {
		groupAdd(t, senders[0].chatUser, group, u, 0)
	}
	for _, s := range senders {
		s.rooms = []uint64{chatRoom(t, s.chatUser, online.chatUser), group, chatRoom(t, s.chatUser, offline.chatUser)}
		rooms[s.rooms[0]] = []*chatUser{s.chatUser, online.chatUser}
		rooms[s.rooms[2]] = []*chatUser{s.chatUser, offline.chatUser}
	}
	_ = offline.conn.Close()

	// The storm: two requests in flight per sender, until node 1 dies.
	var (
		mu     sync.Mutex
		sends  []*stormSend
		acked  atomic.Int64
		wg     sync.WaitGroup
		failed = make(chan error, 2*len(senders))
	)
	for _, s := range senders {
		for lane := range 2 {
			wg.Go(func() {
				for k := lane; ; k++ {
					m := &stormSend{from: s, room: s.rooms[k%len(s.rooms)], randomID: rand.Uint64() | 1}
					m.group = m.room == group
					mu.Lock()
					sends = append(sends, m)
					mu.Unlock()
					got, err := m.send(t, s.c)
					if err != nil {
						if _, ok := wire.As(err); ok {
							failed <- err // refused, not cut off
						}
						return
					}
					if got.RandomId != m.randomID {
						failed <- fmt.Errorf("sent random_id %d, the response has %d", m.randomID, got.RandomId)
						return
					}
					mu.Lock()
					m.ackedID = got.MessageId
					mu.Unlock()
					acked.Add(1)
				}
			})
		}
	}
	for deadline := time.Now().Add(2 * time.Minute); acked.Load() < killAfter; time.Sleep(time.Millisecond) {
		select {
		case err := <-failed:
			t.Fatalf("a send failed before the kill: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d sends acknowledged in 2 minutes", acked.Load())
		}
	}
	n1.kill(t)
	wg.Wait()
	close(failed)
	for err := range failed {
		t.Fatalf("a send failed: %v", err)
	}
	ackedBefore := int(acked.Load())

	// Every sender logs in on node 2 and resends what was not acknowledged.
	// (In place: rooms holds the same users.)
	for _, s := range senders {
		*s.chatUser = *procReconnect(t, n2, s.fileUser).chatUser
	}
	inHistory := func() map[uint64]map[uint64]*pb.RoomMessage { // room -> random_id -> message
		out := map[uint64]map[uint64]*pb.RoomMessage{}
		for room, members := range rooms {
			out[room] = map[uint64]*pb.RoomMessage{}
			for _, m := range historyMessages(t, members[0], room, pb.ClientGetRoomHistory_DOWN) {
				if m.RandomId != 0 {
					if _, dup := out[room][m.RandomId]; dup {
						t.Fatalf("room %d holds random_id %d twice", room, m.RandomId)
					}
					out[room][m.RandomId] = m
				}
			}
		}
		return out
	}
	before := inHistory()
	var resent, storedUnacked int
	for _, m := range sends {
		if m.ackedID != 0 {
			continue
		}
		resent++
		m.resent = true
		old := before[m.room][m.randomID]
		if old != nil {
			storedUnacked++
		}
		got, err := m.send(t, m.from.c)
		if err != nil {
			t.Fatalf("resend on n2: %v", err)
		}
		if got.RandomId != m.randomID || (old != nil && got.MessageId != old.MessageId) {
			t.Fatalf("resend of random_id %d (stored as %v) answered %v", m.randomID, old, got)
		}
		m.ackedID = got.MessageId
	}

	// Through node 2: each send stored once, the acknowledged ones as
	// acknowledged, and nothing else.
	after := inHistory()
	stored := 0
	for _, m := range sends {
		got := after[m.room][m.randomID]
		if got == nil {
			t.Fatalf("random_id %d (acknowledged as message %d) is not in room %d", m.randomID, m.ackedID, m.room)
		}
		if got.MessageId != m.ackedID || got.Author.GetUser().GetUserId() != m.from.id {
			t.Fatalf("random_id %d: stored %v, acknowledged as %d by user %d", m.randomID, got, m.ackedID, m.from.id)
		}
	}
	for room := range rooms {
		stored += len(after[room])
	}
	if stored != len(sends) {
		t.Fatalf("%d messages stored with a random_id, %d sent", stored, len(sends))
	}
	for room, members := range rooms {
		ms := historyMessages(t, members[0], room, pb.ClientGetRoomHistory_DOWN)
		for i := 1; i < len(ms); i++ {
			if ms[i].MessageVersion != ms[i-1].MessageVersion+1 || ms[i].PreviousMessageId != ms[i-1].MessageId {
				t.Fatalf("room %d: message %d (version %d, previous %d) follows %d (version %d)", room,
					ms[i].MessageId, ms[i].MessageVersion, ms[i].PreviousMessageId, ms[i-1].MessageId, ms[i-1].MessageVersion)
			}
		}
	}

	// The member on node 2 all along was pushed every message of its rooms
	// (those node 1 published before it died may still be on their way).
	bySend := map[uint64]*stormSend{}
	for _, m := range sends {
		bySend[m.randomID] = m
	}
	pushed := map[uint64]map[uint64]int{}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		addPushed(pushed, online.conn)
		var missing []string
		for room, members := range rooms {
			if members[len(members)-1] != online.chatUser && room != group {
				continue
			}
			for rid, m := range after[room] {
				if pushed[room][m.MessageId] == 0 {
					missing = append(missing, fmt.Sprintf("message %d (random_id %d, resent %v) of room %d", m.MessageId, rid, bySend[rid].resent, room))
				}
			}
		}
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10s the online member has not been pushed %v", missing)
		}
	}
	if n := online.conn.Dropped(); n != 0 {
		t.Fatalf("the online member's client dropped %d pushes", n)
	}

	// The offline member logs in on node 2 and catches up every message of
	// its rooms, once.
	*offline.chatUser = *procReconnect(t, n2, offline).chatUser
	var cond []*pb.ClientCondition_Room
	for room, members := range rooms {
		if room == group || members[len(members)-1] == offline.chatUser {
			cond = append(cond, &pb.ClientCondition_Room{RoomId: room})
		}
	}
	if _, err := offline.c.ClientCondition(ctx(t), &pb.ClientCondition{Rooms: cond}); err != nil {
		t.Fatal(err)
	}
	caught := addPushed(map[uint64]map[uint64]int{}, offline.conn)
	for _, cr := range cond {
		for rid, m := range after[cr.RoomId] {
			if n := caught[cr.RoomId][m.MessageId]; n != 1 {
				t.Fatalf("the offline member caught message %d (random_id %d) of room %d up %d times", m.MessageId, rid, cr.RoomId, n)
			}
		}
	}
	t.Logf("sent %d, acknowledged before the kill %d, resent %d (of which stored before the kill %d), stored %d",
		len(sends), ackedBefore, resent, storedUnacked, stored)
}
