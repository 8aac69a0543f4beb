package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gapd/gapd/generated/client"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
	"github.com/gapd/gapd/wsclient"
)

// The flood scenario: one user sends chat messages at a steady pace while
// eight connections each repeat the worst request of a class as fast as
// gapd answers, against gapd with its default limits. The sender's
// latency is measured without the flood, then with it, on the same server.
//
// Users by index: 0 sends to 1; 2 floods history (a room with 3 of
// historyMessages messages); 4 floods ClientCondition over conditionRooms
// rooms (with users conditionPeers...); 5 floods ChatSendMessage to 6; 8
// imports contactsImported contacts; 9 and 3 flood cheap reads. The
// sign-up and code-guess flooders are not logged in.
const (
	floodRate        = 2.0 // the sender's messages a second: the write class's default rate
	historyMessages  = 200
	conditionRooms   = 50
	conditionPeers   = 10
	contactsImported = 1000
	floodUsers       = conditionPeers + conditionRooms
)

// flooder is one flooding connection: its label, its class and the request
// it repeats.
type flooder struct {
	what  string
	conn  *wsclient.Conn
	call  func(ctx context.Context, c *client.Client, i int) error
	calls atomic.Int64
	flood atomic.Int64  // answered FLOOD_REQUEST
	other atomic.Int64  // answered another error (a lock, a send budget)
	code  atomic.Uint32 // the last other error's code
}

// floodSetup is what the flooders need, made on a server without limits.
type floodSetup struct {
	historyRoom uint64
	rooms       []uint64 // of user 4
	writeRoom   uint64
	username    string // an account whose code the verify flooder guesses
}

func (r *runner) flood() error {
	if len(r.users) < floodUsers {
		return fmt.Errorf("need %d users, have %d", floodUsers, len(r.users))
	}
	setup, err := r.floodSetup()
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	s, err := r.gapdWith("") // the built-in limits
	if err != nil {
		return err
	}
	defer r.stop(s)
	run, err := setupChat([]string{s.url}, r.users[:2], 1, nil)
	if err != nil {
		return err
	}
	defer run.close()
	// At 2 messages a second a phase of 60 s has 120 samples, so its p99 is
	// not just its one slowest send.
	d := max(6*r.cfg.d, 60*time.Second)
	_, quiet, err := run.paced(floodRate, d)
	if err != nil {
		return fmt.Errorf("quiet: %w", err)
	}
	fs, err := r.flooders(s.url, setup)
	if err != nil {
		return err
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var floodErr error
	var once sync.Once
	for _, f := range fs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f.run(stop); err != nil {
				once.Do(func() { floodErr = fmt.Errorf("%s: %w", f.what, err) })
			}
		}()
	}
	time.Sleep(time.Second) // every flooder past its burst
	var loud summary
	cpu, peak, err := measure(s, func() error {
		var err error
		_, loud, err = run.paced(floodRate, d)
		return err
	})
	close(stop)
	wg.Wait()
	for _, f := range fs {
		_ = f.conn.Close()
	}
	if err == nil {
		err = floodErr
	}
	if err != nil {
		return err
	}
	var total, refused int64
	for _, f := range fs {
		n, fl, o := f.calls.Load(), f.flood.Load(), f.other.Load()
		total, refused = total+n, refused+fl
		fmt.Printf("flood: %s: %d requests, %d answered FLOOD_REQUEST, %d another error (the last %d)\n", f.what, n, fl, o, f.code.Load())
	}
	ratio := float64(loud.p99) / float64(quiet.p99)
	fmt.Printf("flood: sender paced at %.0f/s for %v (%d and %d samples): quiet %s; under %d flood requests/s (%.3f refused) %s; p99 %.2fx; server CPU %s, peak %s\n",
		floodRate, d, quiet.n, loud.n, quiet, int(float64(total)/(d.Seconds()+1)), float64(refused)/float64(max(total, 1)), loud, ratio, cpu, peak)
	r.results = append(r.results,
		result{scenario: fmt.Sprintf("flood: sender alone, chat at %.0f/s, default limits", floodRate), latency: quiet.String()},
		result{scenario: fmt.Sprintf("flood: the same sender beside 8 flooding connections (%d req/s)", int(float64(total)/(d.Seconds()+1))),
			value: fmt.Sprintf("%.1f%% of flood refused", 100*float64(refused)/float64(max(total, 1))), latency: loud.String(),
			ref: "quiet p99 " + ms(quiet.p99), ratio: fmt.Sprintf("p99 %.2fx", ratio), cpu: cpu, peak: peak})
	return nil
}

// floodSetup gives the flooders their rooms and history on a server
// without limits (the same data directory).
func (r *runner) floodSetup() (*floodSetup, error) {
	s, err := r.gapdWith("none")
	if err != nil {
		return nil, err
	}
	defer r.stop(s)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	u := r.users
	conns, err := loginAll(s.url, []user{u[2], u[4], u[5]}, 3)
	if err != nil {
		return nil, err
	}
	defer closeAll(conns)
	st := &floodSetup{}
	room := func(c *wsclient.Conn, peer uint64, messages int) (uint64, error) {
		got, err := c.Client().ChatGetRoom(ctx, &pb.ChatGetRoom{PeerId: peer})
		if err != nil {
			return 0, fmt.Errorf("ChatGetRoom: %w", err)
		}
		for i := range messages {
			if _, err := c.Client().ChatSendMessage(ctx, &pb.ChatSendMessage{RoomId: got.Room.Id, MessageType: pb.RoomMessageType_TEXT,
				Message: "history " + strconv.Itoa(i), RandomId: rand.Uint64() | 1}); err != nil {
				return 0, fmt.Errorf("ChatSendMessage: %w", err)
			}
		}
		return got.Room.Id, nil
	}
	if st.historyRoom, err = room(conns[0].conn, u[3].id, historyMessages); err != nil {
		return nil, err
	}
	for i := range conditionRooms {
		id, err := room(conns[1].conn, u[conditionPeers+i].id, 1)
		if err != nil {
			return nil, err
		}
		st.rooms = append(st.rooms, id)
	}
	if st.writeRoom, err = room(conns[2].conn, u[6].id, 0); err != nil {
		return nil, err
	}
	c, err := dial(ctx, s.url)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	reg, err := c.Client().UserRegister(ctx, &pb.UserRegister{PhoneNumber: 9150000000, CountryCode: "IR"})
	if err != nil {
		return nil, fmt.Errorf("UserRegister: %w", err)
	}
	st.username = reg.Username
	return st, nil
}

// flooders connects the eight flooding connections.
func (r *runner) flooders(url string, st *floodSetup) ([]*flooder, error) {
	u := r.users
	contacts := make([]*pb.UserContactsImport_Contact, contactsImported)
	for i := range contacts {
		contacts[i] = &pb.UserContactsImport_Contact{Phone: strconv.Itoa(9130000000 + i), FirstName: "c" + strconv.Itoa(i), ClientId: strconv.Itoa(i)}
	}
	cond := make([]*pb.ClientCondition_Room, len(st.rooms))
	for i, id := range st.rooms {
		cond[i] = &pb.ClientCondition_Room{RoomId: id}
	}
	fs := []*flooder{
		{what: "expensive: UserContactsImport of 1,000 contacts", call: func(ctx context.Context, c *client.Client, _ int) error {
			_, err := c.UserContactsImport(ctx, &pb.UserContactsImport{Contacts: contacts})
			return err
		}},
		{what: fmt.Sprintf("expensive: ClientGetRoomHistory of 100 of %d messages", historyMessages), call: func(ctx context.Context, c *client.Client, _ int) error {
			_, err := c.ClientGetRoomHistory(ctx, &pb.ClientGetRoomHistory{RoomId: st.historyRoom, Limit: 100})
			return err
		}},
		{what: fmt.Sprintf("expensive: ClientCondition over %d rooms from version 0", len(cond)), call: func(ctx context.Context, c *client.Client, _ int) error {
			_, err := c.ClientCondition(ctx, &pb.ClientCondition{Rooms: cond})
			return err
		}},
		{what: "write: ChatSendMessage", call: func(ctx context.Context, c *client.Client, i int) error {
			_, err := c.ChatSendMessage(ctx, &pb.ChatSendMessage{RoomId: st.writeRoom, MessageType: pb.RoomMessageType_TEXT,
				Message: "flood " + strconv.Itoa(i), RandomId: rand.Uint64() | 1})
			return err
		}},
		{what: "read: UserUsernameToId", call: func(ctx context.Context, c *client.Client, _ int) error {
			_, err := c.UserUsernameToId(ctx, &pb.UserUsernameToId{Username: st.username})
			return err
		}},
		{what: "read: ClientGetRoomList", call: func(ctx context.Context, c *client.Client, _ int) error {
			_, err := c.ClientGetRoomList(ctx, &pb.ClientGetRoomList{})
			return err
		}},
		{what: "signup: UserRegister of new numbers (before login)", call: func(ctx context.Context, c *client.Client, i int) error {
			_, err := c.UserRegister(ctx, &pb.UserRegister{PhoneNumber: 9160000000 + uint64(i), CountryCode: "IR"})
			return err
		}},
		{what: "verify: UserVerify guesses (before login)", call: func(ctx context.Context, c *client.Client, i int) error {
			_, err := c.UserVerify(ctx, &pb.UserVerify{Username: st.username, Code: uint32(10000 + i%90000)})
			return err
		}},
	}
	// The logged-in flooders, in the order above; the last two stay anonymous.
	tokens := []string{u[8].token, u[2].token, u[4].token, u[5].token, u[9].token, u[3].token}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i, f := range fs {
		var err error
		if i < len(tokens) {
			f.conn, err = login(ctx, url, tokens[i])
		} else {
			f.conn, err = dial(ctx, url)
		}
		if err != nil {
			for _, g := range fs[:i] {
				_ = g.conn.Close()
			}
			return nil, fmt.Errorf("%s: %w", f.what, err)
		}
	}
	return fs, nil
}

// run repeats the request, each as soon as the last is answered, until
// stop. A refusal is counted; a closed connection is a failure: a flood
// is answered, never disconnected.
func (f *flooder) run(stop chan struct{}) error {
	c := f.conn.Client()
	for i := 0; ; i++ {
		select {
		case <-stop:
			return nil
		case <-f.conn.Done():
			return fmt.Errorf("connection closed: %v", f.conn.Err())
		default:
		}
		// Catch-up pushes are not read: the client drops what its buffer
		// cannot hold.
		for len(f.conn.Pushes()) > 0 {
			<-f.conn.Pushes()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := f.call(ctx, c, i)
		cancel()
		f.calls.Add(1)
		var e *wire.Error
		switch {
		case err == nil:
		case errors.As(err, &e) && e.Major == errs.FloodRequest:
			f.flood.Add(1)
		case errors.As(err, &e):
			f.other.Add(1)
			f.code.Store(uint32(e.Major))
		default:
			return err
		}
	}
}
