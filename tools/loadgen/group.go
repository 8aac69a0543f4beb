package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
)

const pushGroupSend = dispatch.ResponseGroupSendMessage

// fanout counts one message's arrivals at its members; the arrival that
// completes the set records the latency to the last member.
type fanout struct {
	members int64
	cur     atomic.Int64 // stamp of the message in flight
	got     atomic.Int64
	done    chan int64
	lat     latencies
	total   atomic.Int64
}

func (f *fanout) arrived(st int64) {
	if st != f.cur.Load() {
		return
	}
	f.total.Add(1)
	if f.got.Add(1) == f.members {
		f.lat.add(time.Duration(now() - st))
		select {
		case f.done <- st:
		default:
		}
	}
}

// loop sends one message at a time through send and waits until every
// member has it, for d. It returns deliveries per second.
func (f *fanout) loop(d time.Duration, send func(st int64) error) (float64, summary, error) {
	start := time.Now()
	end := start.Add(d)
	for time.Now().Before(end) {
		st := now()
		f.got.Store(0)
		f.cur.Store(st)
		if err := send(st); err != nil {
			return 0, summary{}, err
		}
		if err := waitStamp(f.done, st, 30*time.Second); err != nil {
			return 0, summary{}, fmt.Errorf("%w (%d of %d members had it)", err, f.got.Load(), f.members)
		}
	}
	el := time.Since(start)
	return float64(f.total.Load()) / el.Seconds(), f.lat.summary(), nil
}

// groupFanout: one owner and n members in one group; the owner sends 1 KB
// texts one after another, each waiting for all n deliveries. On a cluster
// the owner is on the first node and the members are spread over all.
func groupFanout(urls []string, users []user, n int, d time.Duration) (float64, summary, error) {
	if len(users) < n+1 {
		return 0, summary{}, fmt.Errorf("need %d users, have %d", n+1, len(users))
	}
	owner, err := loginAll(urls[0], users[:1], 1)
	if err != nil {
		return 0, summary{}, err
	}
	defer closeAll(owner)
	oc := owner[0].conn.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	g, err := oc.GroupCreate(ctx, &pb.GroupCreate{Name: "loadgen fan-out"})
	if err != nil {
		return 0, summary{}, explain(dispatch.ActionGroupCreate, err)
	}
	// Members are added before they log in, so nobody is pushed n "member
	// added" notices while the group fills.
	if err := parallel(n, 16, func(i int) error {
		_, err := oc.GroupAddMember(ctx, &pb.GroupAddMember{RoomId: g.RoomId, Member: &pb.GroupAddMember_Member{UserId: users[1+i].id}})
		return explain(dispatch.ActionGroupAddMember, err)
	}); err != nil {
		return 0, summary{}, err
	}
	members, err := loginAllWith(urls, users[1:n+1], 200, nil)
	if err != nil {
		return 0, summary{}, err
	}
	defer closeAll(members)
	f := &fanout{members: int64(n), done: make(chan int64, 1)}
	stop := make(chan struct{})
	defer close(stop)
	for _, m := range members {
		go func() {
			for {
				select {
				case p := <-m.conn.Pushes():
					if msg, ok := p.Msg.(*pb.GroupSendMessageResponse); ok && p.Action == pushGroupSend {
						f.arrived(stampOf([]byte(msg.GetRoomMessage().GetMessage())))
					}
				case <-stop:
					return
				case <-m.conn.Done():
					return
				}
			}
		}()
	}
	return f.loop(d, func(st int64) error {
		_, err := oc.GroupSendMessage(ctx, &pb.GroupSendMessage{RoomId: g.RoomId, MessageType: pb.RoomMessageType_TEXT,
			Message: string(textOf(1024, st)), RandomId: rand.Uint64() | 1})
		return explain(dispatch.ActionGroupSendMessage, err)
	})
}

// bareBroadcast is the fan-out reference: n+1 bare clients, one of which
// sends frames that the bare server broadcasts to the other n.
func bareBroadcast(url string, n int, d time.Duration) (float64, summary, error) {
	f := &fanout{members: int64(n), done: make(chan int64, 1)}
	conns := make([]*rawConn, n+1)
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.close()
			}
		}
	}()
	if err := parallel(n+1, 200, func(i int) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		ready := make(chan struct{}, 1)
		c, err := dialRaw(ctx, url, func(p []byte) {
			switch {
			case len(p) > 1 && p[0] == broadcastMark:
				f.arrived(stampOf(p[1:]))
			default:
				ready <- struct{}{}
			}
		})
		conns[i] = c
		if err != nil {
			return err
		}
		// The server registers a connection before it reads its first
		// frame, so an echo proves this one will get every broadcast.
		if err := c.send([]byte("ready")); err != nil {
			return err
		}
		select {
		case <-ready:
			return nil
		case <-ctx.Done():
			return fmt.Errorf("bare server did not echo: %w", ctx.Err())
		}
	}); err != nil {
		return 0, summary{}, err
	}
	return f.loop(d, func(st int64) error {
		return conns[0].send(append([]byte{broadcastMark}, textOf(1024, st)...))
	})
}
