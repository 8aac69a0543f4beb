package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wsclient"
)

const pushChatSend = dispatch.ResponseChatSendMessage

// chatPair is a sender and a recipient sharing a chat room. The recipient's
// reader turns each push into a latency sample and hands the stamp to the
// sender, which in the closed loop waits for it before sending again.
type chatPair struct {
	a, b online
	room uint64
	got  chan int64
}

// phase is what readers record into; swapped between phases.
type phase struct {
	lat       latencies
	delivered atomic.Int64
}

type chatRun struct {
	pairs []*chatPair
	cur   atomic.Pointer[phase]
	stop  chan struct{}
	wg    sync.WaitGroup
}

// setupChat logs 2n users in, over secured connections when sec is set,
// and gives each pair its chat room. On a cluster (two urls) every sender
// is on the first node and every recipient on the second.
func setupChat(urls []string, users []user, n int, sec *wsclient.Secure) (*chatRun, error) {
	if len(users) < 2*n {
		return nil, fmt.Errorf("need %d users, have %d", 2*n, len(users))
	}
	conns, err := loginAllWith(urls, users[:2*n], 200, sec)
	if err != nil {
		return nil, err
	}
	r := &chatRun{stop: make(chan struct{})}
	for i := range n {
		r.pairs = append(r.pairs, &chatPair{a: conns[2*i], b: conns[2*i+1], got: make(chan int64, 64)})
	}
	if err := parallel(len(r.pairs), 100, func(i int) error {
		p := r.pairs[i]
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		room, err := p.a.conn.Client().ChatGetRoom(ctx, &pb.ChatGetRoom{PeerId: p.b.u.id})
		if err != nil {
			return explain(dispatch.ActionChatGetRoom, err)
		}
		p.room = room.Room.Id
		return nil
	}); err != nil {
		r.close()
		return nil, err
	}
	for _, p := range r.pairs {
		r.wg.Add(1)
		go r.read(p)
	}
	return r, nil
}

func (r *chatRun) read(p *chatPair) {
	defer r.wg.Done()
	for {
		select {
		case push := <-p.b.conn.Pushes():
			m, ok := push.Msg.(*pb.ChatSendMessageResponse)
			if push.Action != pushChatSend || !ok {
				continue
			}
			st := stampOf([]byte(m.GetRoomMessage().GetMessage()))
			if st < 0 {
				continue
			}
			if ph := r.cur.Load(); ph != nil {
				ph.lat.add(time.Duration(now() - st))
				ph.delivered.Add(1)
			}
			select {
			case p.got <- st:
			default:
			}
		case <-r.stop:
			return
		case <-p.b.conn.Done():
			return
		}
	}
}

func (r *chatRun) close() {
	close(r.stop)
	r.wg.Wait()
	for _, p := range r.pairs {
		_ = p.a.conn.Close()
		_ = p.b.conn.Close()
	}
}

func (r *chatRun) send(ctx context.Context, p *chatPair, st int64) error {
	_, err := p.a.conn.Client().ChatSendMessage(ctx, &pb.ChatSendMessage{
		RoomId: p.room, MessageType: pb.RoomMessageType_TEXT,
		Message: string(textOf(1024, st)), RandomId: rand.Uint64() | 1,
	})
	return explain(dispatch.ActionChatSendMessage, err)
}

// closedLoop: every pair keeps one message in flight (send, wait for the
// answer and for the delivery, send again) for d. It returns deliveries per
// second.
func (r *chatRun) closedLoop(d time.Duration) (float64, summary, error) {
	ph := &phase{}
	r.cur.Store(ph)
	defer r.cur.Store(nil)
	start := time.Now()
	end := start.Add(d)
	err := parallel(len(r.pairs), len(r.pairs), func(i int) error {
		p := r.pairs[i]
		for time.Now().Before(end) {
			st := now()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			err := r.send(ctx, p, st)
			cancel()
			if err != nil {
				return err
			}
			if err := waitStamp(p.got, st, 30*time.Second); err != nil {
				return err
			}
		}
		return nil
	})
	el := time.Since(start)
	return float64(ph.delivered.Load()) / el.Seconds(), ph.lat.summary(), err
}

// paced: the pairs together send rate messages per second on a fixed
// schedule, without waiting for deliveries. Latency counts from the moment
// a message was due, so a server that falls behind cannot hide it.
func (r *chatRun) paced(rate float64, d time.Duration) (float64, summary, error) {
	ph := &phase{}
	r.cur.Store(ph)
	defer r.cur.Store(nil)
	interval := time.Duration(float64(len(r.pairs)) / rate * float64(time.Second))
	start := time.Now()
	end := start.Add(d)
	var sent atomic.Int64
	err := parallel(len(r.pairs), len(r.pairs), func(i int) error {
		p := r.pairs[i]
		next := start.Add(time.Duration(rand.Int64N(int64(interval))))
		for next.Before(end) {
			time.Sleep(time.Until(next))
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			err := r.send(ctx, p, int64(next.Sub(epoch)))
			cancel()
			if err != nil {
				return err
			}
			sent.Add(1)
			next = next.Add(interval)
		}
		return nil
	})
	for wait := time.Now(); ph.delivered.Load() < sent.Load() && time.Since(wait) < 10*time.Second; {
		time.Sleep(5 * time.Millisecond)
	}
	el := time.Since(start)
	if miss := sent.Load() - ph.delivered.Load(); err == nil && miss > 0 {
		err = fmt.Errorf("%d of %d paced messages were not delivered", miss, sent.Load())
	}
	return float64(ph.delivered.Load()) / el.Seconds(), ph.lat.summary(), err
}

func waitStamp(ch chan int64, st int64, timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case got := <-ch:
			if got == st {
				return nil
			}
		case <-t.C:
			return fmt.Errorf("message not delivered within %v", timeout)
		}
	}
}

// echoLoop is the transport reference: n bare clients, each with one 1 KB
// frame in flight to the echo server, for d. Round trips per second.
func echoLoop(url string, n int, d time.Duration) (float64, summary, error) {
	type ec struct {
		c   *rawConn
		got chan int64
	}
	var lat latencies
	var count atomic.Int64
	var recording atomic.Bool
	cs := make([]*ec, n)
	if err := parallel(n, 200, func(i int) error {
		e := &ec{got: make(chan int64, 4)}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := dialRaw(ctx, url, func(p []byte) {
			st := stampOf(p)
			if recording.Load() {
				lat.add(time.Duration(now() - st))
				count.Add(1)
			}
			select {
			case e.got <- st:
			default:
			}
		})
		e.c, cs[i] = c, e
		return err
	}); err != nil {
		return 0, summary{}, err
	}
	defer func() {
		for _, e := range cs {
			if e != nil && e.c != nil {
				e.c.close()
			}
		}
	}()
	recording.Store(true)
	start := time.Now()
	end := start.Add(d)
	err := parallel(n, n, func(i int) error {
		e := cs[i]
		for time.Now().Before(end) {
			st := now()
			if err := e.c.send(textOf(1024, st)); err != nil {
				return err
			}
			if err := waitStamp(e.got, st, 30*time.Second); err != nil {
				return err
			}
		}
		return nil
	})
	recording.Store(false)
	el := time.Since(start)
	return float64(count.Load()) / el.Seconds(), lat.summary(), err
}

// parallel runs f(0..n-1) on up to workers goroutines and returns the
// first error; after an error no new index starts.
func parallel(n, workers int, f func(i int) error) error {
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := f(i); err != nil {
					once.Do(func() { firstErr = err })
					next.Store(int64(n))
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}
